import { EiError } from '../errors.ts';

/**
 * A request the service refuses. `status` is the HTTP status sent back (400 bad input, 401 key,
 * 421 missing header, 500 our fault); the message is sent as the text/plain body, so it must
 * never contain a key.
 */
export class ServiceRequestError extends EiError {
  readonly status: number;

  constructor(status: number, code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.status = status;
  }
}

/** 400: the body or a header is malformed; `field` names what was wrong when known. */
export class BadRequestError extends ServiceRequestError {
  readonly field: string | undefined;
  constructor(code: string, message: string, field?: string, options?: { cause?: unknown }) {
    super(400, code, message, options);
    this.field = field;
  }
}

/** 401: missing or unknown API key. */
export class UnauthorizedError extends ServiceRequestError {
  constructor(message = 'Missing or invalid API key') {
    super(401, 'EI_SVC_UNAUTHORIZED', message);
  }
}

/** 421: a required header is absent. */
export class MissingHeaderError extends ServiceRequestError {
  constructor(header: string) {
    super(421, 'EI_SVC_MISSING_HEADER', `Missing header: ${header}`);
  }
}

/** 400 raised while checking a document or file; `path` points into the document. */
export class SampleFormatError extends BadRequestError {
  constructor(code: string, message: string, path?: string, options?: { cause?: unknown }) {
    super(code, path ? `${message} (at ${path})` : message, path, options);
  }
}

/** A configuration file is missing fields or unreadable. */
export class ServiceConfigError extends EiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EI_SVC_CONFIG', message, options);
  }
}

/** Storage failed (disk, index); surfaces as 500. */
export class StorageError extends ServiceRequestError {
  constructor(message: string, options?: { cause?: unknown }) {
    super(500, 'EI_SVC_STORAGE', message, options);
  }
}
