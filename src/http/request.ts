/**
 * Frames a whole ingestion request (head + body) as one streamable {@link EncodedBody}: the
 * bytes a client writes to a socket, or `encode --request` prints. Every header value is checked
 * before anything is produced (FACTS §4 for the headers).
 */
import type { EncodedBody } from '../encode/body.ts';
import { RequestSpecError } from './errors.ts';
import { assertHeaderValue, metadataHeaderValue, uriHeaderValue } from './header-values.ts';
import { multipartBody, randomBoundary, type MultipartPart } from './multipart.ts';
import { buildRequestHead, type HeaderEntry } from './request-head.ts';

export type { MultipartPart } from './multipart.ts';

/** Where `category` may point (FACTS §4; `split` lets the service pick 80/20 by file hash). */
export const CATEGORIES = ['training', 'testing', 'anomaly', 'split'] as const;
export type Category = (typeof CATEGORIES)[number];

/** What to send where. Values are raw (un-encoded); label and file name are URI-encoded here. */
export interface RequestSpec {
  /** `data`: legacy single body with `x-file-name`; `files`: multipart, one part per file. */
  kind: 'data' | 'files';
  category: Category | string;
  /** Host header value, `host[:port]`. */
  host: string;
  apiKey: string;
  /** Sent as `x-file-name` (data) or the part's filename (files). */
  fileName: string;
  label?: string;
  /** Sends `x-no-label: 1`. */
  noLabel?: boolean;
  disallowDuplicates?: boolean;
  addDateId?: boolean;
  /** JSON object of strings, or its JSON text. */
  metadata?: Record<string, string> | string;
  uploadSource?: string;
  /** Multipart boundary; random when absent (inject one for reproducible bytes). */
  boundary?: string;
  /** Overrides the body's own content type (single-body requests, or the first part). */
  contentType?: string;
  /**
   * Further parts after the sample: label files (`info.labels`…) for `files`, or the image of an
   * image-attachment document for `data` (which then becomes multipart, document first).
   */
  extraParts?: readonly MultipartPart[];
  /** Adds `Connection: close` (the client asks for it when it will not reuse the connection). */
  connectionClose?: boolean;
}

/**
 * Head + body of the ingestion request for `body`, streamable and re-iterable like any body.
 * `length` is the exact total; `contentType` is the body's (for logging).
 * @throws RequestSpecError for a bad kind, category, file name or boundary;
 *   HeaderValueError (naming the header) for a value with CR, LF, NUL or other control bytes
 * @example
 * const req = frameRequest(doc, { kind: 'data', category: 'training', host: 'example.com',
 *   apiKey: 'ei_…', fileName: 'test.cbor' });
 * for (const chunk of req.chunks()) await transport.write(chunk);
 */
export function frameRequest(body: EncodedBody, spec: RequestSpec): EncodedBody {
  if (spec.kind !== 'data' && spec.kind !== 'files') throw new RequestSpecError('kind', "must be 'data' or 'files'");
  if (!(CATEGORIES as readonly string[]).includes(spec.category)) {
    throw new RequestSpecError('category', `must be one of ${CATEGORIES.join(', ')}`);
  }
  if (typeof spec.fileName !== 'string' || spec.fileName.length === 0) throw new RequestSpecError('fileName', 'is required');
  if (typeof spec.apiKey !== 'string' || spec.apiKey.length === 0) throw new RequestSpecError('apiKey', 'is required');

  const headers: HeaderEntry[] = [['Host', spec.host]];
  assertHeaderValue('Host', spec.host);
  if (spec.host.length === 0) throw new RequestSpecError('host', 'is required');
  headers.push(['x-api-key', spec.apiKey]);
  if (spec.kind === 'data') headers.push(['x-file-name', uriHeaderValue('x-file-name', spec.fileName)]);
  if (spec.label !== undefined) headers.push(['x-label', uriHeaderValue('x-label', spec.label)]);
  if (spec.noLabel) headers.push(['x-no-label', '1']);
  if (spec.disallowDuplicates) headers.push(['x-disallow-duplicates', '1']);
  if (spec.addDateId) headers.push(['x-add-date-id', '1']);
  if (spec.metadata !== undefined) headers.push(['x-metadata', metadataHeaderValue(spec.metadata)]);
  if (spec.uploadSource !== undefined) headers.push(['x-upload-source', spec.uploadSource]);

  const partType = spec.contentType ?? body.contentType;
  const multipart = spec.kind === 'files' || (spec.extraParts !== undefined && spec.extraParts.length > 0);
  const payload = multipart
    ? multipartBody(
        [{ name: 'data', fileName: spec.fileName, contentType: partType, body }, ...(spec.extraParts ?? [])],
        spec.boundary ?? randomBoundary(),
      )
    : body;
  headers.push(['Content-Type', multipart ? payload.contentType : partType]);
  headers.push(['Content-Length', String(payload.length)]);
  if (spec.connectionClose) headers.push(['Connection', 'close']);

  const head = buildRequestHead('POST', `/api/${spec.category}/${spec.kind}`, headers);
  return {
    length: head.byteLength + payload.length,
    contentType: multipart ? payload.contentType : partType,
    signature: body.signature,
    *chunks() {
      yield head;
      yield* payload.chunks();
    },
  };
}

/** Concatenates a body into one buffer (tests, `encode --request`); not for large bodies. */
export function collectBody(body: EncodedBody): Uint8Array {
  const out = new Uint8Array(body.length);
  let off = 0;
  for (const c of body.chunks()) {
    if (off + c.byteLength > out.byteLength) throw new RangeError('body yields more bytes than its length');
    out.set(c, off);
    off += c.byteLength;
  }
  if (off !== out.byteLength) throw new RangeError('body yields fewer bytes than its length');
  return out;
}
