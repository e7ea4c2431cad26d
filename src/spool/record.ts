/**
 * On-disk layout of one spooled sample (pure: bytes in, bytes out).
 *
 *   "EISPOOL1"            8 bytes magic
 *   u32 LE                header length H
 *   header                H bytes of UTF-8 JSON (RecordHeader)
 *   body                  header.bodyLength bytes, exactly as it will be sent
 *
 * The header carries the SHA-256 of the body, so a record torn or rotted after the rename is
 * detected on read instead of being sent. API keys and hosts are never stored: the sender adds
 * them, so a spool directory holds no secret beyond the (already signed) sample.
 */
import { SpoolInputError, SpoolRecordError } from './errors.ts';

const MAGIC = new TextEncoder().encode('EISPOOL1');
const MAX_HEADER = 64 * 1024;

/** The request a sample is sent with, minus endpoint and credentials. */
export interface SampleSpec {
  /** 'data' = POST /api/{category}/data with the body as is; 'files' = multipart. */
  kind: 'data' | 'files';
  /** training | testing | anomaly | split */
  category: string;
  fileName: string;
  label?: string;
  noLabel?: boolean;
  addDateId?: boolean;
  metadata?: Record<string, string>;
  uploadSource?: string;
}

export interface RecordHeader {
  v: 1;
  /** ms since the epoch when the sample was accepted. */
  createdAt: number;
  /** Lowercase hex SHA-256 of the body: the service's duplicate key and our integrity check. */
  sha256: string;
  bodyLength: number;
  contentType: string;
  signature: string;
  spec: SampleSpec;
}

export interface SpoolRecord {
  header: RecordHeader;
  body: Uint8Array;
}

const CATEGORY = /^[a-z][a-z0-9_-]{0,63}$/;

/** Validates a spec before anything touches the disk; throws SpoolInputError naming the field. */
export function checkSpec(spec: SampleSpec): void {
  if (spec.kind !== 'data' && spec.kind !== 'files') throw new SpoolInputError(`spec.kind must be 'data' or 'files'`, 'spec.kind');
  if (typeof spec.category !== 'string' || !CATEGORY.test(spec.category)) {
    throw new SpoolInputError('spec.category must be a lowercase word such as training', 'spec.category');
  }
  if (typeof spec.fileName !== 'string' || spec.fileName.length === 0 || spec.fileName.length > 255 || /[\r\n\0]/.test(spec.fileName)) {
    throw new SpoolInputError('spec.fileName must be 1..255 chars without CR, LF or NUL', 'spec.fileName');
  }
  if (spec.label !== undefined && (typeof spec.label !== 'string' || /[\r\n\0]/.test(spec.label))) {
    throw new SpoolInputError('spec.label must be a string without CR, LF or NUL', 'spec.label');
  }
  if (spec.metadata !== undefined) {
    for (const [k, v] of Object.entries(spec.metadata)) {
      if (typeof v !== 'string') throw new SpoolInputError(`spec.metadata.${k} must be a string`, `spec.metadata.${k}`);
    }
  }
}

/** Serialises a record into one buffer (what gets written to the temp file). */
export function encodeRecord(header: RecordHeader, body: Uint8Array): Uint8Array {
  if (header.bodyLength !== body.byteLength) throw new SpoolInputError('bodyLength does not match the body', 'bodyLength');
  const h = new TextEncoder().encode(JSON.stringify(header));
  if (h.byteLength > MAX_HEADER) throw new SpoolInputError('record header too large (metadata?)', 'spec.metadata');
  const out = new Uint8Array(MAGIC.length + 4 + h.byteLength + body.byteLength);
  out.set(MAGIC, 0);
  new DataView(out.buffer).setUint32(MAGIC.length, h.byteLength, true);
  out.set(h, MAGIC.length + 4);
  out.set(body, MAGIC.length + 4 + h.byteLength);
  return out;
}

/**
 * Parses a record; `sha256` is the caller's hash function (node:crypto in the spool) so this
 * file stays pure. Throws SpoolRecordError for anything torn or altered.
 */
export function decodeRecord(bytes: Uint8Array, file: string, sha256: (b: Uint8Array) => string): SpoolRecord {
  if (bytes.byteLength < MAGIC.length + 4) throw new SpoolRecordError('record shorter than its preamble', file);
  for (let i = 0; i < MAGIC.length; i++) {
    if (bytes[i] !== MAGIC[i]) throw new SpoolRecordError('record has a bad magic', file);
  }
  const hlen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(MAGIC.length, true);
  const hstart = MAGIC.length + 4;
  if (hlen > MAX_HEADER || hstart + hlen > bytes.byteLength) throw new SpoolRecordError('record header is torn', file);
  let header: RecordHeader;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(hstart, hstart + hlen))) as RecordHeader;
  } catch (cause) {
    throw new SpoolRecordError('record header is not JSON', file, { cause });
  }
  if (header?.v !== 1 || typeof header.sha256 !== 'string' || typeof header.bodyLength !== 'number' || typeof header.spec !== 'object') {
    throw new SpoolRecordError('record header lacks required fields', file);
  }
  const body = bytes.subarray(hstart + hlen);
  if (body.byteLength !== header.bodyLength) throw new SpoolRecordError(`record body is ${body.byteLength} bytes, header says ${header.bodyLength}`, file);
  if (sha256(body) !== header.sha256) throw new SpoolRecordError('record body does not match its SHA-256', file);
  return { header, body };
}

/** Queue file name: zero-padded sequence number so names sort in arrival order, plus a hash prefix. */
export function recordName(seq: number, sha256: string): string {
  return `${String(seq).padStart(16, '0')}-${sha256.slice(0, 16)}.rec`;
}

const NAME = /^(\d{16})-([0-9a-f]{16})\.rec$/;

/** Sequence number of a queue file name, or -1 if the name is not a record (temp files, junk). */
export function recordSeq(name: string): number {
  const m = NAME.exec(name);
  return m ? Number(m[1]) : -1;
}
