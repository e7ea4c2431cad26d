/**
 * Parses and checks an acquisition document (FACTS §1) from the exact bytes received: JSON or
 * CBOR in any key order, rows or flattened single-axis values, indefinite arrays, binary tails
 * and image-attachment references. Every refusal names the field at fault.
 */
import { CborTokens } from './cbor-decode.ts';
import { JsonTokens } from './json-scan.ts';
import { SampleFormatError } from './errors.ts';
import { BINARY_TYPES, type BinaryType } from './binary-tail.ts';
import { sourceOf, type ByteSource } from './byte-source.ts';
import type { DocTokens } from './doc-tokens.ts';

export type SignatureAlg = 'none' | 'HS256' | 'ES256';

export interface Sensor {
  name: string;
  units: string;
}

/** Where the values live: inline rows, a raw tail after the CBOR item, or an attached image. */
export type ValuesSource =
  | { kind: 'rows'; rowCount: number; width: number }
  | { kind: 'binary'; type: BinaryType; tailOffset: number; rowCount: number }
  | { kind: 'image'; mime: string; size: number; hmac: string };

export interface ParsedDocument {
  format: 'json' | 'cbor';
  protectedHeader: Record<string, unknown>;
  alg: SignatureAlg;
  signature: string;
  /** Offset and length of the signature text inside the raw bytes (undefined if not locatable). */
  signatureAt: { offset: number; length: number } | undefined;
  deviceName: string | undefined;
  deviceType: string;
  intervalMs: number;
  sensors: Sensor[];
  values: ValuesSource;
  /** Rows of samples (binary: from the tail length; image: 1). */
  rowCount: number;
  /** Offset just past the document (== length unless a binary tail follows). */
  docEnd: number;
  /** Offset of the `payload.values` array, where a reader re-walks it (sample-read.ts). */
  valuesAt: number;
}

export interface ParseDocumentOptions {
  maxDepth: number;
  maxValues: number;
}

/** Receives the numbers of inline `payload.values` in order, as the walk reaches them. */
export interface ValuesVisitor {
  value(v: number): void;
  rowEnd(): void;
}

/** What the walk of `payload.values` found: rows and their width, or the one reference string. */
interface ValuesSummary {
  rows: number;
  /** Width of the first row (1 for a flattened value); -1 for a reference. */
  width: number;
  ref: string | undefined;
}

const IMAGE_REF = /^Ref-BINARY-(image\/(?:jpeg|png|jpg)) \((\d{1,12}) bytes\) ([0-9a-f]{64})$/;
const TOP_KEYS = new Set(['protected', 'signature', 'payload']);

function bad(code: string, message: string, path?: string): never {
  throw new SampleFormatError(code, message, path);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Uint8Array);
}

/** True when the bytes look like a JSON document (first non-blank byte '{'). */
export function looksLikeJson(input: Uint8Array | ByteSource): boolean {
  const src = sourceOf(input);
  for (let p = 0; p < src.length; ) {
    const { buf, at } = src.window(p, Math.min(4096, src.length - p));
    for (let i = at; i < buf.length; i++, p++) {
      const b = buf[i];
      if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
      return b === 0x7b;
    }
  }
  return false;
}

/** Reads a member's value; a syntax or bound error inside it names the member (e.g. `protected`). */
function readMember(t: DocTokens, depth: number, path: string): unknown {
  try {
    return t.readValue(depth);
  } catch (e) {
    if (e instanceof SampleFormatError && e.field === undefined) throw new SampleFormatError(e.code, e.message, path, { cause: e });
    throw e;
  }
}

function formatFail(t: DocTokens, msg: string): never {
  throw t.format === 'json'
    ? new SampleFormatError('EI_SVC_JSON', `Invalid JSON: ${msg} at byte ${t.pos}`)
    : new SampleFormatError('EI_SVC_CBOR', `Invalid CBOR: ${msg} at byte ${t.pos}`);
}

/**
 * Walks `payload.values` without keeping it: each number is checked (and handed to `visitor`),
 * rows are counted and their width compared with `width` (when the sensors came first) or
 * with the first row's.
 */
function walkValues(t: DocTokens, width: number, maxValues: number, visitor: ValuesVisitor | undefined): ValuesSummary {
  if (t.peekKind() !== 'array') bad('EI_SVC_DOC_FIELD', 'payload.values must be an array', 'payload.values');
  t.beginArray(2);
  let rows = 0;
  let total = 0;
  let first = -1;
  let ref: string | undefined;
  const rowWidth = (w: number, i: number): void => {
    const expected = width >= 0 ? width : first;
    if (first < 0) first = w;
    if (expected >= 0 && w !== expected) {
      bad('EI_SVC_DOC_ROW_WIDTH', `row has ${w} value${w === 1 ? '' : 's'}, expected ${expected}`, `payload.values[${i}]`);
    }
  };
  while (t.nextElement()) {
    const i = rows++;
    const kind = t.peekKind();
    if (kind === 'string' && i === 0) {
      ref = t.readValue(3) as string;
      continue;
    }
    if (ref !== undefined) bad('EI_SVC_DOC_VALUE', 'a binary reference must be the only value', 'payload.values');
    if (kind === 'number') {
      // Flattened rows: one sensor, bare numbers (FACTS §1).
      const v = t.readNumber();
      if (!Number.isFinite(v)) bad('EI_SVC_DOC_VALUE', 'value is not finite', `payload.values[${i}]`);
      if (++total > maxValues) bad('EI_SVC_DOC_SIZE', `more than ${maxValues} values`, 'payload.values');
      rowWidth(1, i);
      visitor?.value(v);
      visitor?.rowEnd();
      continue;
    }
    if (kind !== 'array') bad('EI_SVC_DOC_VALUE', 'row must be an array of numbers', `payload.values[${i}]`);
    t.beginArray(3);
    let j = 0;
    while (t.nextElement()) {
      if (t.peekKind() !== 'number') bad('EI_SVC_DOC_VALUE', 'value must be a finite number', `payload.values[${i}][${j}]`);
      const v = t.readNumber();
      if (!Number.isFinite(v)) bad('EI_SVC_DOC_VALUE', 'value must be a finite number', `payload.values[${i}][${j}]`);
      if (++total > maxValues) bad('EI_SVC_DOC_SIZE', `more than ${maxValues} values`, 'payload.values');
      visitor?.value(v);
      j++;
    }
    rowWidth(j, i);
    visitor?.rowEnd();
  }
  if (rows === 0) bad('EI_SVC_DOC_EMPTY', 'payload.values is empty', 'payload.values');
  return { rows, width: ref !== undefined ? -1 : first, ref };
}

/**
 * Parses `bytes` as an acquisition document.
 * @throws SampleFormatError naming the offending field (e.g. `payload.values[17][2]`).
 */
export function parseDocument(input: Uint8Array | ByteSource, opts: ParseDocumentOptions, visitor?: ValuesVisitor): ParsedDocument {
  const src = sourceOf(input);
  const format: 'json' | 'cbor' = looksLikeJson(src) ? 'json' : 'cbor';
  // Every number is one item, plus a few per row: bound the walk by the value limit.
  const limits = { maxDepth: opts.maxDepth, maxItems: opts.maxValues * 2 + 1024 };
  const t: DocTokens = format === 'json' ? new JsonTokens(src, limits) : new CborTokens(src, limits);
  if (src.length === 0) formatFail(t, 'empty body');
  if (t.peekKind() !== 'map') bad('EI_SVC_DOC_SHAPE', 'Document must be a map/object');
  t.beginMap(0);
  const value: Record<string, unknown> = Object.create(null);
  let signatureText: { start: number; length: number } | undefined;
  let summary: ValuesSummary | undefined;
  let valuesAt = -1;
  for (let k = t.nextKey(); k !== null; k = t.nextKey()) {
    if (Object.hasOwn(value, k)) formatFail(t, `duplicate ${format === 'json' ? 'member' : 'map key'} "${k.slice(0, 40)}"`);
    if (!TOP_KEYS.has(k)) bad('EI_SVC_DOC_FIELD', `Unknown top-level field "${k.slice(0, 40)}"`, k.slice(0, 40));
    if (k === 'payload') {
      if (t.peekKind() !== 'map') {
        value.payload = readMember(t, 1, 'payload');
        continue;
      }
      t.beginMap(1);
      const p: Record<string, unknown> = Object.create(null);
      for (let pk = t.nextKey(); pk !== null; pk = t.nextKey()) {
        if (Object.hasOwn(p, pk)) formatFail(t, `duplicate ${format === 'json' ? 'member' : 'map key'} "${pk.slice(0, 40)}"`);
        if (pk === 'values') {
          valuesAt = t.pos;
          const known = Array.isArray(p.sensors) ? p.sensors.length : -1;
          summary = walkValues(t, known, opts.maxValues, visitor);
          p.values = summary;
        } else {
          p[pk] = readMember(t, 2, `payload.${pk.slice(0, 40)}`);
        }
      }
      value.payload = p;
      continue;
    }
    const before = t.pos;
    value[k] = readMember(t, 1, k);
    if (k === 'signature') {
      const lt = t.lastText;
      signatureText = typeof value[k] === 'string' && lt && lt.start >= before ? lt : undefined;
    }
  }
  const docEnd = t.finish();
  const prot = value.protected;
  if (!isObject(prot)) bad('EI_SVC_DOC_FIELD', 'protected must be a map', 'protected');
  if (prot.ver !== 'v1') bad('EI_SVC_DOC_FIELD', 'protected.ver must be "v1"', 'protected.ver');
  const alg = prot.alg;
  if (alg !== 'none' && alg !== 'HS256' && alg !== 'ES256') {
    bad('EI_SVC_DOC_ALG', 'protected.alg must be "none", "HS256" or "ES256"', 'protected.alg');
  }
  // The Python SDK writes `"iat": null`, `"signature": null`, `"device_name": null` (its dataclass
  // defaults, issue 13): null means absent.
  if (prot.iat === null) delete prot.iat;
  if (prot.iat !== undefined && !(typeof prot.iat === 'number' && Number.isInteger(prot.iat) && prot.iat >= 0)) {
    bad('EI_SVC_DOC_FIELD', 'protected.iat must be a non-negative integer', 'protected.iat');
  }
  // No signature (absent or null) is an unsigned sample: stored, and flagged invalid if its alg
  // says it should have been signed.
  const unsigned = value.signature === null || value.signature === undefined;
  const signature = unsigned ? '' : value.signature;
  if (typeof signature !== 'string') bad('EI_SVC_DOC_FIELD', 'signature must be a text string', 'signature');
  const sigLen = unsigned ? -1 : alg === 'HS256' ? 64 : alg === 'ES256' ? 128 : -1;
  if (sigLen > 0 && !(signature.length === sigLen && /^[0-9a-fA-F]+$/.test(signature))) {
    bad('EI_SVC_DOC_SIGNATURE', `signature must be ${sigLen} hex characters for ${alg}`, 'signature');
  }
  const signatureAt = unsigned || !signatureText ? undefined : { offset: signatureText.start, length: signatureText.length };
  if (sigLen > 0 && (!signatureAt || signatureAt.length !== sigLen)) {
    bad('EI_SVC_DOC_SIGNATURE', 'signature text cannot be located in the raw bytes', 'signature');
  }

  const p = value.payload;
  if (!isObject(p)) bad('EI_SVC_DOC_FIELD', 'payload must be a map', 'payload');
  if (p.device_name === null) delete p.device_name;
  if (p.device_name !== undefined && typeof p.device_name !== 'string') {
    bad('EI_SVC_DOC_FIELD', 'payload.device_name must be a string', 'payload.device_name');
  }
  if (typeof p.device_type !== 'string' || p.device_type.length === 0) {
    bad('EI_SVC_DOC_FIELD', 'payload.device_type must be a non-empty string', 'payload.device_type');
  }
  const intervalMs = p.interval_ms;
  if (typeof intervalMs !== 'number' || !Number.isFinite(intervalMs) || intervalMs < 0) {
    bad('EI_SVC_DOC_FIELD', 'payload.interval_ms must be a finite number >= 0', 'payload.interval_ms');
  }
  const sensors = parseSensors(p.sensors);
  if (!summary) bad('EI_SVC_DOC_FIELD', 'payload.values must be an array', 'payload.values');
  const bytesLength = src.length;

  let values: ValuesSource;
  let rowCount: number;
  const first = summary.ref;
  if (first !== undefined) {
    const img = IMAGE_REF.exec(first);
    if (img) {
      if (docEnd !== bytesLength) bad('EI_SVC_DOC_TRAILING', 'bytes after the document', 'payload.values');
      values = { kind: 'image', mime: img[1] === 'image/jpg' ? 'image/jpeg' : img[1], size: Number(img[2]), hmac: img[3] };
      rowCount = 1;
    } else if (first.startsWith('Ref-BINARY-')) {
      const type = first.slice('Ref-BINARY-'.length) as BinaryType;
      if (!Object.hasOwn(BINARY_TYPES, type)) bad('EI_SVC_DOC_VALUE', `unknown binary type "${first.slice(0, 40)}"`, 'payload.values[0]');
      if (format !== 'cbor') bad('EI_SVC_DOC_VALUE', 'binary tails need a CBOR document', 'payload.values[0]');
      const tail = bytesLength - docEnd;
      const rowBytes = BINARY_TYPES[type] * sensors.length;
      if (tail === 0) bad('EI_SVC_DOC_TAIL', 'binary tail is empty', 'payload.values[0]');
      if (tail % rowBytes !== 0) {
        bad('EI_SVC_DOC_TAIL', `binary tail of ${tail} bytes is not a whole number of ${rowBytes}-byte rows`, 'payload.values[0]');
      }
      rowCount = tail / rowBytes;
      values = { kind: 'binary', type, tailOffset: docEnd, rowCount };
    } else {
      bad('EI_SVC_DOC_VALUE', 'value must be a number', 'payload.values[0]');
    }
  } else {
    if (docEnd !== bytesLength) bad('EI_SVC_DOC_TRAILING', `${bytesLength - docEnd} bytes after the document`);
    // Rows were checked against the sensors as they came when the sensors came first; else here.
    if (summary.width !== sensors.length) {
      bad('EI_SVC_DOC_ROW_WIDTH', `row has ${summary.width} value${summary.width === 1 ? '' : 's'}, expected ${sensors.length}`, 'payload.values[0]');
    }
    values = { kind: 'rows', rowCount: summary.rows, width: sensors.length };
    rowCount = summary.rows;
  }
  // interval_ms 0 means "not a time series": images (FACTS §1), as a reference or as pixel values.
  const isImage = values.kind === 'image' || (sensors.length === 1 && (sensors[0].units === 'rgba' || sensors[0].name === 'image'));
  if (!isImage && intervalMs === 0) {
    bad('EI_SVC_DOC_FIELD', 'payload.interval_ms must be > 0 for time series', 'payload.interval_ms');
  }
  return {
    format,
    protectedHeader: { ...prot },
    alg,
    signature,
    signatureAt,
    deviceName: p.device_name as string | undefined,
    deviceType: p.device_type,
    intervalMs,
    sensors,
    values,
    rowCount,
    docEnd,
    valuesAt,
  };
}

function parseSensors(s: unknown): Sensor[] {
  if (!Array.isArray(s) || s.length === 0) bad('EI_SVC_DOC_FIELD', 'payload.sensors must be a non-empty array', 'payload.sensors');
  if (s.length > 4096) bad('EI_SVC_DOC_FIELD', 'too many sensors', 'payload.sensors');
  return s.map((x, i) => {
    const path = `payload.sensors[${i}]`;
    if (!isObject(x)) bad('EI_SVC_DOC_FIELD', 'sensor must be a map', path);
    if (typeof x.name !== 'string' || x.name.length === 0) bad('EI_SVC_DOC_FIELD', 'sensor name must be a non-empty string', `${path}.name`);
    if (typeof x.units !== 'string') bad('EI_SVC_DOC_FIELD', 'sensor units must be a string', `${path}.units`);
    return { name: x.name, units: x.units };
  });
}
