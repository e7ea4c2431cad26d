/**
 * Strict incremental HTTP/1.1 response parser. Feed it whatever the transport returns, in any
 * split; it walks explicit states (status line → headers → body by Content-Length, chunked, or
 * until close) and enforces limits as it goes, so a hostile or broken peer gives a typed error,
 * never unbounded memory or a hang. Pure: no I/O, no timers.
 */
import {
  ChunkSyntaxError,
  HeaderSyntaxError,
  InterimLimitError,
  ResponseLimitError,
  StatusLineError,
  TruncatedResponseError,
} from './errors.ts';

/** Upper bounds on what a response may hold. Ingestion responses are small text or JSON. */
export interface ResponseLimits {
  /** Status line, without CRLF. */
  maxStatusLineBytes: number;
  /** Status line + header section (and separately, the trailer section). */
  maxHeaderBytes: number;
  maxHeaderCount: number;
  maxBodyBytes: number;
  /** One chunk-size line (with extensions). */
  maxChunkLineBytes: number;
  /**
   * Interim (1xx) responses skipped before the final one. A peer may send `100 Continue` and a
   * `103 Early Hints` or two; an endless stream of them must end the request.
   */
  maxInterimResponses: number;
}

export const DEFAULT_RESPONSE_LIMITS: ResponseLimits = {
  maxStatusLineBytes: 4096,
  maxHeaderBytes: 16 * 1024,
  maxHeaderCount: 100,
  maxBodyBytes: 1024 * 1024,
  maxChunkLineBytes: 256,
  maxInterimResponses: 8,
};

/** A complete response. Header names are lower-cased; repeated headers are joined by ", ". */
export interface HttpResponse {
  version: '1.0' | '1.1';
  status: number;
  reason: string;
  headers: Record<string, string>;
  body: Uint8Array;
  /** The connection may carry another request after this one. */
  keepAlive: boolean;
}

const enum State {
  StatusLine,
  Headers,
  BodyLength,
  ChunkSize,
  ChunkData,
  ChunkDataEnd,
  Trailers,
  BodyClose,
  Done,
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const STATUS_LINE = /^HTTP\/1\.([01]) ([0-9]{3})(?: ([\t\x20-\x7e\x80-\xff]*))?$/;
const CHUNK_LINE = /^([0-9A-Fa-f]{1,12})[ \t]*(?:;[\t\x20-\x7e\x80-\xff]*)?$/;
const latin1 = new TextDecoder('latin1');

/**
 * @example
 * const p = new ResponseParser();
 * while (!p.complete) { const c = await t.read(); if (c) p.push(c); else p.finish(); }
 * const res = p.result();
 */
export class ResponseParser {
  private readonly limits: ResponseLimits;
  private state = State.StatusLine;
  private error: Error | null = null;
  // Line assembly across pushes.
  private lineParts: Uint8Array[] = [];
  private lineLength = 0;
  private headBytes = 0;
  private headerCount = 0;
  // Current response.
  private version: '1.0' | '1.1' = '1.1';
  private status = 0;
  private reason = '';
  private headers: Record<string, string> = {};
  private remaining = 0;
  private fixedBody: Uint8Array | null = null;
  private fixedOffset = 0;
  private bodyParts: Uint8Array[] = [];
  private bodyLength = 0;
  private keepAlive = true;
  private received = 0;
  private interim = 0;

  constructor(limits: Partial<ResponseLimits> = {}) {
    this.limits = { ...DEFAULT_RESPONSE_LIMITS, ...limits };
  }

  /** True once a whole response (interim 1xx skipped) has been parsed. */
  get complete(): boolean {
    return this.state === State.Done;
  }

  /** Bytes pushed so far (consumed or not). */
  get bytesReceived(): number {
    return this.received;
  }

  /**
   * Parses as much of `chunk` as belongs to the response and returns how many bytes were
   * consumed: less than `chunk.length` only once complete (the rest is unsolicited data).
   * The chunk may be reused by the caller afterwards: the parser copies what it keeps.
   * @throws ResponseParseError subclasses; the same error again on every later call
   */
  push(chunk: Uint8Array): number {
    if (this.error) throw this.error;
    this.received += chunk.byteLength;
    try {
      return this.run(chunk);
    } catch (e) {
      this.error = e as Error;
      throw e;
    }
  }

  /**
   * The peer closed its side. Completes a close-delimited body.
   * @throws TruncatedResponseError if the response was incomplete
   */
  finish(): void {
    if (this.error) throw this.error;
    if (this.state === State.BodyClose) {
      this.state = State.Done;
      return;
    }
    if (this.state !== State.Done) {
      this.error = new TruncatedResponseError(this.stateName());
      throw this.error;
    }
  }

  /** @throws Error unless {@link complete} */
  result(): HttpResponse {
    if (this.state !== State.Done) throw new Error('response not complete');
    let body: Uint8Array;
    if (this.fixedBody) body = this.fixedBody;
    else if (this.bodyParts.length === 1) body = this.bodyParts[0]!;
    else {
      body = new Uint8Array(this.bodyLength);
      let off = 0;
      for (const p of this.bodyParts) {
        body.set(p, off);
        off += p.byteLength;
      }
    }
    return { version: this.version, status: this.status, reason: this.reason, headers: this.headers, body, keepAlive: this.keepAlive };
  }

  private run(chunk: Uint8Array): number {
    let pos = 0;
    const end = chunk.byteLength;
    while (pos < end && this.state !== State.Done) {
      switch (this.state) {
        case State.StatusLine:
        case State.Headers:
        case State.ChunkSize:
        case State.ChunkDataEnd:
        case State.Trailers: {
          const next = this.takeLine(chunk, pos);
          if (next < 0) return end;
          pos = next;
          this.onLine(this.lineText());
          break;
        }
        case State.BodyLength: {
          const n = Math.min(this.remaining, end - pos);
          this.fixedBody!.set(chunk.subarray(pos, pos + n), this.fixedOffset);
          this.fixedOffset += n;
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.state = State.Done;
          break;
        }
        case State.ChunkData: {
          const n = Math.min(this.remaining, end - pos);
          this.keepBody(chunk.subarray(pos, pos + n));
          this.remaining -= n;
          pos += n;
          if (this.remaining === 0) this.state = State.ChunkDataEnd;
          break;
        }
        case State.BodyClose: {
          this.keepBody(chunk.subarray(pos, end));
          pos = end;
          break;
        }
      }
    }
    return pos;
  }

  /** Appends bytes up to and including LF to the line buffer; returns the next position or -1. */
  private takeLine(chunk: Uint8Array, pos: number): number {
    const lf = chunk.indexOf(0x0a, pos);
    const stop = lf < 0 ? chunk.byteLength : lf + 1;
    const n = stop - pos;
    this.lineLength += n;
    this.checkLineLimit();
    this.lineParts.push(chunk.slice(pos, stop));
    return lf < 0 ? -1 : stop;
  }

  private checkLineLimit(): void {
    const s = this.state;
    if (s === State.StatusLine && this.lineLength > this.limits.maxStatusLineBytes + 2) {
      throw new ResponseLimitError('maxStatusLineBytes', this.limits.maxStatusLineBytes);
    }
    if (s === State.StatusLine || s === State.Headers || s === State.Trailers) {
      // The status line counts towards the head too.
      if (this.headBytes + this.lineLength > this.limits.maxHeaderBytes) throw new ResponseLimitError('maxHeaderBytes', this.limits.maxHeaderBytes);
    } else if (this.lineLength > this.limits.maxChunkLineBytes + 2) {
      throw new ResponseLimitError('maxChunkLineBytes', this.limits.maxChunkLineBytes);
    }
  }

  /** The assembled line without its CRLF; a bare LF is an error (strict framing). */
  private lineText(): string {
    const parts = this.lineParts;
    let bytes: Uint8Array;
    if (parts.length === 1) bytes = parts[0]!;
    else {
      bytes = new Uint8Array(this.lineLength);
      let off = 0;
      for (const p of parts) {
        bytes.set(p, off);
        off += p.byteLength;
      }
    }
    if (this.state === State.StatusLine || this.state === State.Headers || this.state === State.Trailers) this.headBytes += this.lineLength;
    this.lineParts = [];
    this.lineLength = 0;
    const len = bytes.byteLength;
    if (len < 2 || bytes[len - 2] !== 0x0d) this.failLine('line not terminated by CRLF');
    for (let i = 0; i < len - 2; i++) {
      const c = bytes[i]!;
      if ((c < 0x20 && c !== 0x09) || c === 0x7f) this.failLine(`control byte 0x${c.toString(16)} in line`);
    }
    return latin1.decode(bytes.subarray(0, len - 2));
  }

  private failLine(reason: string): never {
    switch (this.state) {
      case State.StatusLine:
        throw new StatusLineError(reason);
      case State.Headers:
      case State.Trailers:
        throw new HeaderSyntaxError(reason);
      default:
        throw new ChunkSyntaxError(reason);
    }
  }

  private onLine(line: string): void {
    switch (this.state) {
      case State.StatusLine:
        return this.onStatusLine(line);
      case State.Headers:
        return line === '' ? this.onHeadersEnd() : this.onHeader(line);
      case State.ChunkSize: {
        const m = CHUNK_LINE.exec(line);
        if (!m) throw new ChunkSyntaxError('bad chunk-size line');
        const size = parseInt(m[1]!, 16);
        if (this.bodyLength + size > this.limits.maxBodyBytes) throw new ResponseLimitError('maxBodyBytes', this.limits.maxBodyBytes);
        if (size === 0) {
          this.state = State.Trailers;
          this.headBytes = 0;
          this.headerCount = 0;
        } else {
          this.remaining = size;
          this.state = State.ChunkData;
        }
        return;
      }
      case State.ChunkDataEnd:
        if (line !== '') throw new ChunkSyntaxError('chunk data longer than its size');
        this.state = State.ChunkSize;
        return;
      case State.Trailers:
        if (line === '') this.state = State.Done;
        else this.countHeader(line);
        return;
    }
  }

  private onStatusLine(line: string): void {
    const m = STATUS_LINE.exec(line);
    if (!m) throw new StatusLineError(line.length === 0 ? 'empty' : 'not HTTP/1.x NNN reason');
    this.version = m[1] === '0' ? '1.0' : '1.1';
    this.status = Number(m[2]);
    if (this.status < 100) throw new StatusLineError('status code below 100');
    if (this.status === 101) throw new StatusLineError('unexpected 101 Switching Protocols');
    this.reason = m[3] ?? '';
    this.headers = {};
    this.headerCount = 0;
    this.state = State.Headers;
  }

  private countHeader(line: string): [string, string] {
    if (++this.headerCount > this.limits.maxHeaderCount) throw new ResponseLimitError('maxHeaderCount', this.limits.maxHeaderCount);
    if (line.charCodeAt(0) === 0x20 || line.charCodeAt(0) === 0x09) throw new HeaderSyntaxError('obsolete line folding');
    const colon = line.indexOf(':');
    if (colon <= 0) throw new HeaderSyntaxError('missing colon');
    const name = line.slice(0, colon);
    if (!TOKEN.test(name)) throw new HeaderSyntaxError('bad header name');
    return [name.toLowerCase(), line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '')];
  }

  private onHeader(line: string): void {
    const [name, value] = this.countHeader(line);
    const prev = this.headers[name];
    this.headers[name] = prev === undefined ? value : `${prev}, ${value}`;
  }

  private onHeadersEnd(): void {
    const h = this.headers;
    this.headBytes = 0;
    if (this.status < 200) {
      // Interim response (100 Continue, 103…): skip it, the real one follows.
      if (++this.interim > this.limits.maxInterimResponses) throw new InterimLimitError(this.limits.maxInterimResponses);
      this.state = State.StatusLine;
      return;
    }
    const connection = (h['connection'] ?? '').toLowerCase().split(',').map((s) => s.trim());
    this.keepAlive = this.version === '1.1' ? !connection.includes('close') : connection.includes('keep-alive');
    this.fixedBody = null;
    this.bodyParts = [];
    this.bodyLength = 0;
    const te = h['transfer-encoding'];
    const cl = h['content-length'];
    if (this.status === 204 || this.status === 304) {
      if (te !== undefined) throw new HeaderSyntaxError(`Transfer-Encoding on a ${this.status}`);
      this.state = State.Done;
      return;
    }
    if (te !== undefined) {
      if (cl !== undefined) throw new HeaderSyntaxError('both Transfer-Encoding and Content-Length');
      if (this.version === '1.0') throw new HeaderSyntaxError('Transfer-Encoding in an HTTP/1.0 response');
      const codings = te.toLowerCase().split(',').map((s) => s.trim());
      const chunkedAt = codings.indexOf('chunked');
      if (chunkedAt >= 0 && chunkedAt !== codings.length - 1) throw new HeaderSyntaxError('chunked is not the final transfer coding');
      if (chunkedAt < 0) {
        this.keepAlive = false;
        this.state = State.BodyClose;
        return;
      }
      this.state = State.ChunkSize;
      return;
    }
    if (cl !== undefined) {
      const values = cl.split(',').map((s) => s.trim());
      if (!values.every((v) => /^[0-9]{1,15}$/.test(v))) throw new HeaderSyntaxError('bad Content-Length');
      if (!values.every((v) => v === values[0])) throw new HeaderSyntaxError('conflicting Content-Length values');
      const n = Number(values[0]);
      if (n > this.limits.maxBodyBytes) throw new ResponseLimitError('maxBodyBytes', this.limits.maxBodyBytes);
      this.fixedBody = new Uint8Array(n);
      this.fixedOffset = 0;
      this.remaining = n;
      this.state = n === 0 ? State.Done : State.BodyLength;
      return;
    }
    this.keepAlive = false;
    this.state = State.BodyClose;
  }

  private keepBody(bytes: Uint8Array): void {
    if (bytes.byteLength === 0) return;
    if (this.bodyLength + bytes.byteLength > this.limits.maxBodyBytes) throw new ResponseLimitError('maxBodyBytes', this.limits.maxBodyBytes);
    this.bodyParts.push(bytes.slice());
    this.bodyLength += bytes.byteLength;
  }

  private stateName(): string {
    return ['status line', 'headers', 'body', 'chunk size', 'chunk data', 'chunk end', 'trailers', 'body', 'done'][this.state]!;
  }
}
