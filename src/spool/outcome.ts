/**
 * Maps a service answer (or a thrown client error) to what the spool does with the sample.
 * Pure, so the table is tested on its own.
 */
import type { SendOutcome } from './sender.ts';

/** Statuses the ingestion API uses for a request that will never succeed as sent (FACTS §4). */
const PERMANENT = new Set([400, 401, 403, 404, 405, 411, 413, 414, 415, 421, 422]);

/** The service already holds this body (x-disallow-duplicates). Matched on the answer's text. */
export function isDuplicateAnswer(body: string): boolean {
  return /already exists|duplicate/i.test(body);
}

/**
 * @param duplicateHeader the service flagged the answer as a duplicate (`x-duplicate: 1`, as our
 *   local service does); otherwise the answer's text is matched.
 */
export function classifyStatus(status: number, body: string, retryAfterMs?: number, duplicateHeader = false): SendOutcome {
  if ((duplicateHeader && status < 300) || (isDuplicateAnswer(body) && status < 500)) return { kind: 'duplicate', status, response: body };
  if (status >= 200 && status < 300) return { kind: 'delivered', status, response: body };
  if (PERMANENT.has(status)) {
    return { kind: 'rejected', status, response: body, reason: `service refused the sample with ${status}` };
  }
  return { kind: 'retry', status, reason: `HTTP ${status}`, retryAfterMs };
}

/**
 * Classifies whatever `upload` threw: an HTTP status error (duck-typed on `.status`) goes through
 * the status table; anything else (network, timeout, TLS) is retried.
 */
export function classifyError(err: unknown): SendOutcome {
  const e = err as { status?: unknown; retryable?: unknown; body?: unknown; serviceMessage?: unknown; retryAfterMs?: unknown; code?: unknown; message?: unknown };
  if (typeof e?.status === 'number') {
    const body = typeof e.serviceMessage === 'string' ? e.serviceMessage : typeof e.body === 'string' ? e.body : typeof e.message === 'string' ? e.message : '';
    const out = classifyStatus(e.status, body, typeof e.retryAfterMs === 'number' ? e.retryAfterMs : undefined);
    // The client knows best whether a status is worth retrying; trust an explicit verdict.
    if (out.kind === 'retry' && e.retryable === false) {
      return { kind: 'rejected', status: e.status, response: body, reason: `service refused the sample with ${e.status}` };
    }
    return out;
  }
  const reason = typeof e?.code === 'string' ? e.code : typeof e?.message === 'string' ? e.message : String(err);
  return { kind: 'retry', reason };
}
