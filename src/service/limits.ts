/**
 * Limits the service enforces while streaming. Defaults follow FACTS §4 (1000 files a request,
 * 100 MB a file); tests pass small ones.
 */
export interface ServiceLimits {
  /** Data files (parts named `data`) in one /files request. */
  maxFiles: number;
  /** Bytes in one file or in one /data body. */
  maxFileBytes: number;
  /** Bytes in one whole request body (all parts). */
  maxRequestBytes: number;
  /** Bytes in a label file part (info.labels and friends) and in small multipart fields. */
  maxLabelFileBytes: number;
  /** Multipart parts of any kind in one request (data + labels + fields). */
  maxParts: number;
  /** Bytes of the request head (node:http maxHeaderSize). */
  maxHeaderBytes: number;
  /** Time to receive the request head. */
  headersTimeoutMs: number;
  /** Time to receive a whole request (head + body): the slowloris guard. */
  requestTimeoutMs: number;
  /** Idle time allowed with no bytes arriving on a connection. */
  idleTimeoutMs: number;
  /** Keep-alive wait for the next request. */
  keepAliveTimeoutMs: number;
  /** A refused request smaller than this is read to its end so the connection can be kept. */
  maxDrainBytes: number;
  /** Open connections at once; more are refused (bounds what slow clients can hold). */
  maxConnections: number;
  /** Nesting depth accepted in CBOR and JSON documents. */
  maxDepth: number;
  /** Values (numbers) decoded from one document. */
  maxValues: number;
  /** Uploads (/api/ requests) receiving or being stored at once, all clients; more get 503. */
  maxUploads: number;
  /** Uploads at once from one client address; more get 503. */
  maxUploadsPerClient: number;
  /** Retry-After (seconds) sent with a 503. */
  retryAfterS: number;
  /** Minimum average body rate over each window; slower bodies get 408 (0 disables). */
  minBodyBytesPerSec: number;
  /** Window over which the body rate is measured. */
  bodyRateWindowMs: number;
}

export const DEFAULT_LIMITS: ServiceLimits = {
  maxFiles: 1000,
  maxFileBytes: 100 * 1024 * 1024,
  maxRequestBytes: 2 * 1024 * 1024 * 1024,
  maxLabelFileBytes: 16 * 1024 * 1024,
  maxParts: 1010,
  maxHeaderBytes: 16 * 1024,
  headersTimeoutMs: 20_000,
  requestTimeoutMs: 10 * 60_000,
  idleTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  maxDrainBytes: 1024 * 1024,
  maxConnections: 4096,
  maxDepth: 32,
  maxValues: 50_000_000,
  // 1,000 trickling connections must not lock out others (issue 12): a handful of slots each,
  // and a body rate every real link beats (an nRF91 at 115200 baud sends ~11 KB/s).
  maxUploads: 256,
  maxUploadsPerClient: 64,
  retryAfterS: 2,
  minBodyBytesPerSec: 256,
  bodyRateWindowMs: 10_000,
};

export function resolveLimits(partial?: Partial<ServiceLimits>): ServiceLimits {
  const out = { ...DEFAULT_LIMITS, ...(partial ?? {}) };
  if (partial?.maxParts === undefined) out.maxParts = out.maxFiles + 10;
  return out;
}
