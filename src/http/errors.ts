import { EiError } from '../errors.ts';

/**
 * A header value that would let a caller inject bytes into the request head (CR, LF, NUL or
 * another control character), or that is not representable in a header. Thrown before any
 * byte is produced. The message names the header, never its value (it may be a key).
 */
export class HeaderValueError extends EiError {
  readonly header: string;
  constructor(header: string, reason: string) {
    super('EI_HTTP_HEADER_VALUE', `header ${header}: ${reason}`);
    this.header = header;
  }
}

/** A request spec field that is missing or out of range (category, kind, boundary, metadata). */
export class RequestSpecError extends EiError {
  readonly field: string;
  constructor(field: string, reason: string) {
    super('EI_HTTP_REQUEST_SPEC', `${field}: ${reason}`);
    this.field = field;
  }
}

/** Base of every response-parse failure; the connection must not be reused after one. */
export class ResponseParseError extends EiError {}

/** The status line is not `HTTP/1.x NNN reason`. */
export class StatusLineError extends ResponseParseError {
  constructor(reason: string) {
    super('EI_HTTP_BAD_STATUS_LINE', `bad status line: ${reason}`);
  }
}

/** A header line is malformed (bad name, obs-fold, bad Content-Length, conflicting framing). */
export class HeaderSyntaxError extends ResponseParseError {
  constructor(reason: string) {
    super('EI_HTTP_BAD_HEADER', `bad response header: ${reason}`);
  }
}

/** The chunked body framing is malformed. */
export class ChunkSyntaxError extends ResponseParseError {
  constructor(reason: string) {
    super('EI_HTTP_BAD_CHUNK', `bad chunked encoding: ${reason}`);
  }
}

/** A configured limit (status line, header bytes, header count, body bytes) was exceeded. */
export class ResponseLimitError extends ResponseParseError {
  readonly limit: string;
  constructor(limit: string, max: number) {
    super('EI_HTTP_LIMIT', `response exceeds ${limit} (${max})`);
    this.limit = limit;
  }
}

/** More interim (1xx) responses before the final one than the limit allows. */
export class InterimLimitError extends ResponseParseError {
  readonly max: number;
  constructor(max: number) {
    super('EI_HTTP_TOO_MANY_INTERIM', `more than ${max} interim (1xx) responses before the final one`);
    this.max = max;
  }
}

/** The peer closed before the response was complete. */
export class TruncatedResponseError extends ResponseParseError {
  constructor(where: string) {
    super('EI_HTTP_TRUNCATED', `connection closed before the response ended (${where})`);
  }
}
