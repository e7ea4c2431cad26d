/**
 * Streaming multipart/form-data framer (RFC 7578). Sizes are computed up front so
 * Content-Length is known before the first byte; part bodies are streamed through unchanged
 * (their borrowed chunks are passed on, never copied).
 */
import type { EncodedBody } from '../encode/body.ts';
import { dispositionFileName } from './header-values.ts';
import { RequestSpecError } from './errors.ts';

/** One file part. `name` is the form field, `data` for every sample and label file (FACTS §4). */
export interface MultipartPart {
  name?: string;
  fileName: string;
  contentType: string;
  body: EncodedBody;
}

const BCHARS = /^[0-9A-Za-z'()+_,\-./:=?]{1,70}$/;
const FIELD = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
const utf8 = new TextEncoder();

/** 32 random lowercase hex characters, the form the official uploader's boundaries take. */
export function randomBoundary(): string {
  const b = new Uint8Array(16);
  globalThis.crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('');
}

/**
 * @throws RequestSpecError unless `boundary` is 1–70 RFC 2046 bchars (no trailing space).
 */
export function assertBoundary(boundary: string): void {
  if (!BCHARS.test(boundary)) throw new RequestSpecError('boundary', 'must be 1-70 characters of [0-9A-Za-z\'()+_,-./:=?]');
}

/**
 * Wraps `parts` as one multipart body:
 * `--b\r\nContent-Disposition: form-data; name="data"; filename="f"\r\nContent-Type: t\r\n\r\n<body>\r\n`
 * per part, then `--b--\r\n`. The caller picks a boundary that does not occur in any body
 * (a random 128-bit one, as {@link randomBoundary} gives, practically never does).
 * @throws RequestSpecError, HeaderValueError
 */
export function multipartBody(parts: readonly MultipartPart[], boundary: string): EncodedBody {
  assertBoundary(boundary);
  if (parts.length === 0) throw new RequestSpecError('parts', 'at least one part is required');
  const heads: Uint8Array[] = [];
  let length = 0;
  parts.forEach((p, i) => {
    const name = p.name ?? 'data';
    if (!FIELD.test(name)) throw new RequestSpecError(`parts[${i}].name`, 'must be a token');
    if (!/^[\x21-\x7e]+(?:; ?[\x20-\x7e]+)?$/.test(p.contentType)) throw new RequestSpecError(`parts[${i}].contentType`, 'must be a printable ASCII media type');
    const head = utf8.encode(
      `${i === 0 ? '' : '\r\n'}--${boundary}\r\nContent-Disposition: form-data; name="${name}"; filename="${dispositionFileName(p.fileName)}"\r\n` +
        `Content-Type: ${p.contentType}\r\n\r\n`,
    );
    heads.push(head);
    length += head.byteLength + p.body.length;
  });
  const tail = utf8.encode(`\r\n--${boundary}--\r\n`);
  length += tail.byteLength;
  return {
    length,
    contentType: `multipart/form-data; boundary=${boundary}`,
    signature: parts[0]!.body.signature,
    *chunks() {
      for (let i = 0; i < parts.length; i++) {
        yield heads[i]!;
        yield* parts[i]!.body.chunks();
      }
      yield tail;
    },
  };
}
