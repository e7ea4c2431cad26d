/**
 * The upload client: frames each request, sends it over a small pool of keep-alive
 * connections, classifies failures and retries what may succeed later.
 */
import type { EncodedBody } from '../encode/body.ts';
import { frameRequest, type RequestSpec } from '../http/request.ts';
import type { ResponseLimits } from '../http/response-parser.ts';
import type { Connector } from '../transport/transport.ts';
import { tcpConnector } from '../transport/tcp.ts';
import { tlsConnector, type TlsOptions } from '../transport/tls.ts';
import { Connection, DEFAULT_TIMEOUTS, type Timeouts } from './connection.ts';
import { HttpStatusError, NetworkError, RetriesExhaustedError, UploadAbortedError, UploadError, redact } from './errors.ts';
import { backoffDelay, parseRetryAfter, resolveRetry, type ResolvedRetry, type RetryOptions } from './retry.ts';

export const DEFAULT_ENDPOINT = 'https://ingestion.edgeimpulse.com';
const utf8 = new TextDecoder();

export interface IngestionClientOptions {
  /** `http://host[:port]` or `https://host[:port]`; default the public ingestion host. Ignored with `connector`. */
  endpoint?: string | undefined;
  /** Any transport (modem, in-memory); overrides `endpoint`. */
  connector?: Connector;
  /** TLS options for an https endpoint (CA, client cert, SNI, explicit `insecure`). */
  tls?: Omit<TlsOptions, 'host' | 'port'>;
  /** Default `x-api-key` for every upload. */
  apiKey?: string | undefined;
  retry?: RetryOptions;
  timeouts?: Partial<Timeouts>;
  /** Connections opened at most at once (default 1; uploads queue for a free one). */
  maxConnections?: number;
  /** Reuse connections (default true). False sends `Connection: close` and opens one per upload. */
  keepAlive?: boolean;
  limits?: Partial<ResponseLimits>;
}

/** A spec without host (taken from the connector) and, optionally, the key (from the client). */
export type UploadSpec = Omit<RequestSpec, 'host' | 'apiKey'> & { host?: string; apiKey?: string };

export interface UploadOptions {
  signal?: AbortSignal;
  /** Request bytes written in the current attempt, and the request's total length. */
  onProgress?: (sent: number, total: number) => void;
}

export interface UploadResult {
  status: number;
  /** Response body as text (the stored file name, or the `/files` JSON). */
  body: string;
  /** Attempts made, 1 when the first succeeded. */
  attempts: number;
  headers: Record<string, string>;
}

/** Stats for tests and benchmarks. */
export interface ClientStats {
  connectionsOpened: number;
  requestsSent: number;
}

/**
 * @example
 * const client = new IngestionClient({ endpoint: 'http://127.0.0.1:4810', apiKey: 'ei_…' });
 * const res = await client.upload(body, { kind: 'files', category: 'training', fileName: 'a.cbor' });
 * await client.close();
 */
export class IngestionClient {
  readonly connector: Connector;
  private readonly apiKey: string | undefined;
  private readonly retry: ResolvedRetry;
  private readonly timeouts: Timeouts;
  private readonly maxConnections: number;
  private readonly keepAlive: boolean;
  private readonly limits: Partial<ResponseLimits> | undefined;
  private readonly idle: Connection[] = [];
  private count = 0;
  private waiters: Array<() => void> = [];
  private closed = false;
  readonly stats: ClientStats = { connectionsOpened: 0, requestsSent: 0 };

  constructor(opts: IngestionClientOptions) {
    this.connector = opts.connector ?? connectorForEndpoint(opts.endpoint ?? DEFAULT_ENDPOINT, opts.tls);
    this.apiKey = opts.apiKey;
    this.retry = resolveRetry(opts.retry);
    this.timeouts = { ...DEFAULT_TIMEOUTS, ...opts.timeouts };
    this.maxConnections = opts.maxConnections ?? 1;
    if (!Number.isInteger(this.maxConnections) || this.maxConnections < 1) throw new RangeError('maxConnections must be an integer ≥ 1');
    this.keepAlive = opts.keepAlive ?? true;
    this.limits = opts.limits;
  }

  /**
   * Uploads one body, retrying network failures, timeouts, 5xx and 429 with backoff.
   * Resolves only on a 2xx answer.
   * @throws HttpStatusError for a non-retryable status (400, 401, 421…), with the service's message;
   *   RetriesExhaustedError when every attempt failed; HeaderValueError / RequestSpecError for a
   *   bad spec (before anything is sent); UploadAbortedError
   */
  async upload(body: EncodedBody, spec: UploadSpec, opts: UploadOptions = {}): Promise<UploadResult> {
    // A missing key fails in frameRequest as RequestSpecError('apiKey'), before anything is sent.
    const apiKey = spec.apiKey ?? this.apiKey ?? '';
    const request = frameRequest(body, { ...spec, apiKey, host: spec.host ?? this.connector.authority, connectionClose: !this.keepAlive });
    let staleRetries = 0;
    for (let attempt = 1; ; attempt++) {
      let failure: UploadError;
      try {
        const res = await this.attempt(request, opts);
        const text = utf8.decode(res.body);
        if (res.status >= 200 && res.status < 300) return { status: res.status, body: text, attempts: attempt, headers: res.headers };
        failure = new HttpStatusError(res.status, redact(text.trim().slice(0, 1000), apiKey), parseRetryAfter(res.headers['retry-after']));
      } catch (err) {
        if (!(err instanceof UploadError)) throw err;
        failure = err;
      }
      if (!failure.retryable) throw failure;
      // A kept-alive connection the server closed just as we reused it: not the service's fault.
      if (failure instanceof NetworkError && failure.staleConnection && staleRetries++ < this.maxConnections + 1) {
        attempt--;
        continue;
      }
      if (attempt >= this.retry.attempts) throw this.retry.attempts === 1 ? failure : new RetriesExhaustedError(attempt, failure);
      const wait = backoffDelay(this.retry, attempt, failure instanceof HttpStatusError ? failure.retryAfterMs : undefined);
      if (wait < 0) throw failure;
      try {
        await this.retry.sleep(wait, opts.signal);
      } catch {
        throw new UploadAbortedError();
      }
    }
  }

  /** Closes idle connections; uploads in flight finish on theirs, later ones are refused. */
  async close(): Promise<void> {
    this.closed = true;
    const idle = this.idle.splice(0);
    this.count -= idle.length;
    await Promise.all(idle.map((c) => c.close()));
    for (const w of this.waiters.splice(0)) w();
  }

  private async attempt(request: EncodedBody, opts: UploadOptions) {
    const conn = await this.acquire(opts.signal);
    let reusable = false;
    try {
      this.stats.requestsSent++;
      const ex = await conn.exchange(request, {
        limits: this.limits,
        signal: opts.signal,
        onProgress: opts.onProgress ? (sent) => opts.onProgress!(sent, request.length) : undefined,
      });
      reusable = ex.reusable && this.keepAlive;
      return ex.response;
    } finally {
      this.release(conn, reusable);
    }
  }

  private async acquire(signal?: AbortSignal): Promise<Connection> {
    for (;;) {
      if (this.closed) throw new UploadAbortedError('client closed');
      const idle = this.idle.pop();
      if (idle) {
        idle.stopIdle();
        if (idle.isOpen) return idle;
        this.count--;
        void idle.close();
        continue;
      }
      if (this.count < this.maxConnections) {
        this.count++;
        try {
          const c = await Connection.open(this.connector, this.timeouts, signal);
          this.stats.connectionsOpened++;
          return c;
        } catch (err) {
          this.count--;
          this.wake();
          throw err;
        }
      }
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  private release(conn: Connection, reusable: boolean): void {
    if (reusable && conn.isOpen && !this.closed) {
      conn.startIdle(() => {
        const i = this.idle.indexOf(conn);
        if (i >= 0) {
          this.idle.splice(i, 1);
          this.count--;
          this.wake();
        }
      });
      this.idle.push(conn);
    } else {
      this.count--;
      void conn.close();
    }
    this.wake();
  }

  private wake(): void {
    this.waiters.shift()?.();
  }
}

/**
 * Connector for an `http://` or `https://` URL (default ports 80 / 443). Only the origin is
 * used: ingestion paths are fixed.
 * @throws TypeError for another scheme or a malformed URL
 */
export function connectorForEndpoint(endpoint: string, tls?: Omit<TlsOptions, 'host' | 'port'>): Connector {
  const url = new URL(endpoint);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  if (url.protocol === 'http:') return tcpConnector({ host, port: url.port ? Number(url.port) : 80 });
  if (url.protocol === 'https:') return tlsConnector({ ...tls, host, port: url.port ? Number(url.port) : 443 });
  throw new TypeError(`endpoint must be http:// or https://, got ${url.protocol}`);
}
