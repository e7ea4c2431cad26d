/**
 * Upload failures, classified once so callers (retry loop, CLI, spool) branch on `code` and
 * `retryable` only. Messages never carry the API key: service messages are redacted.
 */
import { EiError } from '../errors.ts';

/** Base: every upload failure says whether trying again may help. */
export class UploadError extends EiError {
  readonly retryable: boolean;
  constructor(code: string, message: string, retryable: boolean, options?: { cause?: unknown }) {
    super(code, message, options);
    this.retryable = retryable;
  }
}

/**
 * The service answered with a non-2xx status. 5xx, 429 and 408 are retryable; 400 (invalid
 * message), 401 (key), 421 (missing header) and other 4xx are not. `.serviceMessage` is the
 * response body (text/plain per FACTS §4), trimmed.
 */
export class HttpStatusError extends UploadError {
  readonly status: number;
  readonly serviceMessage: string;
  /** Milliseconds the service asked us to wait (Retry-After), if it did. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, serviceMessage: string, retryAfterMs?: number) {
    const retryable = status >= 500 || status === 429 || status === 408;
    super(`EI_HTTP_STATUS_${status}`, `service answered ${status}${serviceMessage ? `: ${serviceMessage}` : ''}`, retryable);
    this.status = status;
    this.serviceMessage = serviceMessage;
    this.retryAfterMs = retryAfterMs;
  }
}

/** Connecting, writing or reading failed (refused, reset, closed early, malformed response). */
export class NetworkError extends UploadError {
  /** The connection had carried an earlier request and failed before any response byte. */
  readonly staleConnection: boolean;
  constructor(message: string, options?: { cause?: unknown; staleConnection?: boolean; code?: string }) {
    super(options?.code ?? 'EI_NETWORK', message, true, options);
    this.staleConnection = options?.staleConnection ?? false;
  }
}

/**
 * A phase did not finish in time: `connect`, `send`, `firstByte`, `receive`, `total` (the
 * attempt's deadline), or `minRate` (the response arrived slower than the minimum rate).
 */
export class TimeoutError extends UploadError {
  readonly phase: string;
  constructor(phase: string, ms: number, message?: string) {
    super('EI_TIMEOUT', message ?? `${phase} timed out after ${ms} ms`, true);
    this.phase = phase;
  }
}

/** The caller aborted the upload (signal) or closed the client. */
export class UploadAbortedError extends UploadError {
  constructor(reason = 'upload aborted') {
    super('EI_UPLOAD_ABORTED', reason, false);
  }
}

/** Every attempt failed; `.cause` is the last failure, `.attempts` how many were made. */
export class RetriesExhaustedError extends UploadError {
  readonly attempts: number;
  constructor(attempts: number, last: UploadError) {
    super('EI_RETRIES_EXHAUSTED', `gave up after ${attempts} attempts: ${last.message}`, false, { cause: last });
    this.attempts = attempts;
  }
}

/** Removes `secret` from `text` (service messages may echo headers). */
export function redact(text: string, ...secrets: Array<string | undefined>): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}
