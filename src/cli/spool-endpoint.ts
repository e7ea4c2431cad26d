/**
 * Shared by `spool` and `gateway`: where the spool lives and where (and with which key) its
 * sender uploads. Flags win over environment, environment over the config file.
 */
import { join } from 'node:path';
import { configDir, loadConfig, DEFAULT_ENDPOINTS } from '../config/index.ts';
import { IngestionClient } from '../client/client.ts';
import { BatchSender, MAX_FILES_PER_REQUEST, type Spool, clientBatchSend, clientSend } from '../spool/index.ts';
import type { DeadLetterPolicy, SenderEvent } from '../spool/index.ts';

/** How the sender batches (`--connections`, `--batch-files`, `--batch-bytes`, `--order`). */
export interface BatchingFlags {
  connections?: number;
  maxFiles?: number;
  maxBytes?: number;
  order?: 'key' | 'none';
}

/** Reads the batching flags; throws a usage message naming the flag. */
export function batchingFlags(connections: string | undefined, files: string | undefined, bytes: string | undefined, order?: string): BatchingFlags {
  const int = (flag: string, raw: string | undefined, max: number) => {
    if (raw === undefined) return undefined;
    if (!/^[1-9][0-9]{0,9}$/.test(raw) || Number(raw) > max) throw new Error(`${flag} must be a whole number in 1..${max}`);
    return Number(raw);
  };
  const out: BatchingFlags = { connections: int('--connections', connections, 64), maxFiles: int('--batch-files', files, MAX_FILES_PER_REQUEST), maxBytes: int('--batch-bytes', bytes, 2 ** 31) };
  if (order === 'key' || order === 'none') out.order = order;
  else if (order !== undefined) throw new Error(`--order must be 'key' (samples of one label and category stored in acceptance order) or 'none'`);
  return out;
}

export interface EndpointFlags {
  dir?: string;
  endpoint?: string;
  apiKey?: string;
}

export function spoolDir(flag?: string): string {
  return flag ?? process.env.EI_SPOOL_DIR ?? join(configDir(), 'spool');
}

export function resolveEndpoint(f: EndpointFlags): { endpoint: string; apiKey: string | undefined; hmacKey: string | undefined } {
  let cfg: ReturnType<typeof loadConfig> = {};
  try {
    cfg = loadConfig();
  } catch {
    /* an unreadable config is not needed when flags give everything */
  }
  return {
    endpoint: f.endpoint ?? process.env.EI_INGESTION_URL ?? cfg.endpoints?.ingestion ?? DEFAULT_ENDPOINTS.ingestion,
    apiKey: f.apiKey || process.env.EI_API_KEY || cfg.apiKey || undefined,
    hmacKey: process.env.EI_HMAC_KEY || cfg.hmacKey || undefined,
  };
}

/**
 * A keep-alive client (one connection per batch in flight) and a batch sender draining `spool`
 * through it: samples sharing their headers go in `/files` requests (batch-sender.ts).
 */
export function makeSender(
  spool: Spool,
  endpoint: string,
  apiKey: string,
  onEvent?: (e: SenderEvent) => void,
  deadLetter?: Partial<DeadLetterPolicy>,
  batching: BatchingFlags = {},
): { sender: BatchSender; client: IngestionClient } {
  const connections = batching.connections ?? 2;
  // A few quick client retries per attempt; the sender's own backoff covers long outages.
  const client = new IngestionClient({ endpoint, apiKey, retry: { attempts: 3, baseMs: 100, maxMs: 1000 }, keepAlive: true, maxConnections: connections });
  const sender = new BatchSender(spool, clientBatchSend(client), clientSend(client), {
    initialBackoffMs: 250,
    maxBackoffMs: 5000,
    onEvent,
    deadLetter,
    connections,
    batch: { maxFiles: batching.maxFiles, maxBytes: batching.maxBytes },
    order: batching.order ?? 'key',
  });
  return { sender, client };
}

/** `--dead-attempts N` / `--dead-age S` as a dead-letter policy (policy.ts); throws a usage message. */
export function deadLetterFlags(attempts: string | undefined, ageS: string | undefined): Partial<DeadLetterPolicy> {
  const p: Partial<DeadLetterPolicy> = {};
  if (attempts !== undefined) {
    if (!/^[1-9][0-9]{0,5}$/.test(attempts)) throw new Error('--dead-attempts must be a whole number ≥ 1');
    p.attempts = Number(attempts);
  }
  if (ageS !== undefined) {
    if (!/^[0-9]{1,9}(\.[0-9]+)?$/.test(ageS)) throw new Error('--dead-age must be a number of seconds ≥ 0');
    p.ageMs = Number(ageS) * 1000;
  }
  return p;
}
