/**
 * Retry policy: bounded attempts, exponential backoff with full jitter (AWS architecture blog,
 * "Exponential Backoff And Jitter"), and the service's Retry-After when it gives one.
 */

export interface RetryOptions {
  /** Total attempts including the first (default 5). 1 disables retries. */
  attempts?: number;
  /** First backoff ceiling in ms (default 200). */
  baseMs?: number;
  /** Largest backoff ceiling in ms (default 10 000). */
  maxMs?: number;
  /** Longest Retry-After honoured; longer waits give up instead (default 60 000). */
  maxRetryAfterMs?: number;
  /** Injectable for tests: [0, 1). */
  random?: () => number;
  /** Injectable for tests. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export type ResolvedRetry = Required<RetryOptions>;

export function resolveRetry(opts: RetryOptions = {}): ResolvedRetry {
  const attempts = opts.attempts ?? 5;
  if (!Number.isInteger(attempts) || attempts < 1) throw new RangeError('retry.attempts must be an integer ≥ 1');
  return {
    attempts,
    baseMs: opts.baseMs ?? 200,
    maxMs: opts.maxMs ?? 10_000,
    maxRetryAfterMs: opts.maxRetryAfterMs ?? 60_000,
    random: opts.random ?? Math.random,
    sleep: opts.sleep ?? sleep,
  };
}

/**
 * Wait before attempt `attempt + 1` (attempt counts from 1): uniform in
 * [0, min(maxMs, baseMs·2^(attempt-1))], or the Retry-After value when the service sent one.
 * Returns -1 when Retry-After exceeds `maxRetryAfterMs` (the caller gives up).
 */
export function backoffDelay(policy: ResolvedRetry, attempt: number, retryAfterMs?: number): number {
  if (retryAfterMs !== undefined) return retryAfterMs > policy.maxRetryAfterMs ? -1 : retryAfterMs;
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

/**
 * Retry-After as milliseconds: delta-seconds or an HTTP-date (RFC 9110 §10.2.3).
 * Undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, now = Date.now()): number | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (/^[0-9]{1,9}$/.test(v)) return Number(v) * 1000;
  // An HTTP-date names a day or month; bare numbers like "-5" are not dates.
  if (!/[A-Za-z]{3}/.test(v)) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) return undefined;
  return Math.max(0, t - now);
}

/** setTimeout as a promise, rejecting when `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(t);
      reject(signal!.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
