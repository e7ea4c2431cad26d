/**
 * Base of every error this package throws. Each failure mode gets its own subclass with a stable
 * `code` (as undici's UND_ERR_* and ws's WS_ERR_*), so callers branch on `code`, never on text.
 * Messages must never contain API keys or HMAC keys.
 */
export class EiError extends Error {
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}
