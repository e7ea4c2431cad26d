/**
 * Maps a service answer (or a thrown client error) to what the spool does with the sample.
 * Pure, so the table is tested on its own.
 *
 * Only an explicit signal counts as stored: a 2xx (the local service flags its duplicate answer,
 * still a 2xx, with `x-duplicate: 1`). The answer's text is never matched: a
 * `400 Invalid CBOR: duplicate map key` is a refusal like any other.
 *
 * Failures that may pass are split by who they belong to (the dead-letter rule, see policy.ts):
 * - `outage`: the link or the service as a whole is unavailable — connection refused/reset/closed,
 *   timeouts, TLS, 408, 429, 502, 503, 504, any answer with Retry-After. Never dead-letters.
 * - `sample`: the service answered this request with a server error (500, 501, 505…): it may be
 *   this sample's fault. Counted against the sample's policy.
 */
import type { SendOutcome } from './sender.ts';

/** Statuses that say "the service (or its gateway) is unavailable now", not "this request fails". */
const OUTAGE = new Set([408, 429, 502, 503, 504]);

/** Error codes of the request framer: the client refuses to send this sample as stored. */
const CLIENT_REFUSALS = new Set(['EI_HTTP_HEADER_VALUE', 'EI_HTTP_REQUEST_SPEC']);
/** Request fields and headers that come from the sender's configuration, not from the sample. */
const CONFIG_FIELDS = new Set(['apiKey', 'host', 'x-api-key', 'Host']);

/**
 * @param duplicateHeader the service flagged the 2xx answer as a duplicate (`x-duplicate: 1`)
 */
export function classifyStatus(status: number, body: string, retryAfterMs?: number, duplicateHeader = false): SendOutcome {
  if (status >= 200 && status < 300) return { kind: duplicateHeader ? 'duplicate' : 'delivered', status, response: body };
  if (OUTAGE.has(status) || (status >= 500 && retryAfterMs !== undefined)) {
    return { kind: 'retry', scope: 'outage', status, reason: `HTTP ${status}`, retryAfterMs };
  }
  if (status >= 500) return { kind: 'retry', scope: 'sample', status, reason: `HTTP ${status}`, response: body.slice(0, 1000) };
  return { kind: 'rejected', status, response: body, reason: `service refused the sample with ${status}` };
}

/**
 * Classifies whatever `upload` threw: an HTTP status error (duck-typed on `.status`, also inside
 * RetriesExhaustedError's `.cause`) goes through the status table; the request framer's refusal
 * (a stored header value the client will never send) is final; anything else (network, timeout,
 * TLS, abort) is an outage.
 */
export function classifyError(err: unknown): SendOutcome {
  const e = err as { status?: unknown; retryable?: unknown; body?: unknown; serviceMessage?: unknown; retryAfterMs?: unknown; code?: unknown; message?: unknown; cause?: unknown; field?: unknown; header?: unknown };
  if (e?.code === 'EI_RETRIES_EXHAUSTED' && e.cause) return classifyError(e.cause);
  if (typeof e?.status === 'number') {
    const body = typeof e.serviceMessage === 'string' ? e.serviceMessage : typeof e.body === 'string' ? e.body : typeof e.message === 'string' ? e.message : '';
    const out = classifyStatus(e.status, body, typeof e.retryAfterMs === 'number' ? e.retryAfterMs : undefined);
    // The client knows best whether a status is worth retrying; trust an explicit verdict.
    if (out.kind === 'retry' && e.retryable === false) {
      return { kind: 'rejected', status: e.status, response: body, reason: `service refused the sample with ${e.status}` };
    }
    return out;
  }
  const message = typeof e?.message === 'string' ? e.message : String(err);
  const about = typeof e?.field === 'string' ? e.field : typeof e?.header === 'string' ? e.header : '';
  // A bad key or host is the sender's configuration: every sample would fail alike, so wait.
  if (typeof e?.code === 'string' && CLIENT_REFUSALS.has(e.code) && !CONFIG_FIELDS.has(about)) {
    // These messages name the header or field, never its value (it may be a key).
    return { kind: 'rejected', response: '', reason: `client refused to send the sample: ${message}` };
  }
  const reason = typeof e?.code === 'string' ? e.code : message;
  return { kind: 'retry', scope: 'outage', reason };
}
