/**
 * Parses and checks an acquisition document (FACTS §1) from the exact bytes received: JSON or
 * CBOR in any key order, rows or flattened single-axis values, indefinite arrays, binary tails
 * and image-attachment references. Every refusal names the field at fault.
 */
import { decodeCborPrefix, type TopLevelSpan } from './cbor-decode.ts';
import { scanJsonTopLevel } from './json-scan.ts';
import { SampleFormatError } from './errors.ts';
import { BINARY_TYPES, type BinaryType } from './binary-tail.ts';

export type SignatureAlg = 'none' | 'HS256' | 'ES256';

export interface Sensor {
  name: string;
  units: string;
}

/** Where the values live: inline rows, a raw tail after the CBOR item, or an attached image. */
export type ValuesSource =
  | { kind: 'rows'; rows: number[][] }
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
}

export interface ParseDocumentOptions {
  maxDepth: number;
  maxValues: number;
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
export function looksLikeJson(bytes: Uint8Array): boolean {
  for (const b of bytes) {
    if (b === 0x20 || b === 0x09 || b === 0x0a || b === 0x0d) continue;
    return b === 0x7b;
  }
  return false;
}

/**
 * Parses `bytes` as an acquisition document.
 * @throws SampleFormatError naming the offending field (e.g. `payload.values[17][2]`).
 */
export function parseDocument(bytes: Uint8Array, opts: ParseDocumentOptions): ParsedDocument {
  let value: unknown;
  let spans: Map<string, TopLevelSpan>;
  let docEnd: number;
  let format: 'json' | 'cbor';
  if (looksLikeJson(bytes)) {
    format = 'json';
    spans = scanJsonTopLevel(bytes, opts.maxDepth);
    try {
      value = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'));
    } catch (e) {
      bad('EI_SVC_JSON', `Invalid JSON: ${(e as Error).message.slice(0, 120)}`);
    }
    docEnd = bytes.length;
  } else {
    format = 'cbor';
    // Every number is one item, plus a few per row: bound the walk by the value limit.
    const d = decodeCborPrefix(bytes, { maxDepth: opts.maxDepth, maxItems: opts.maxValues * 2 + 1024 });
    value = d.value;
    spans = d.spans;
    docEnd = d.end;
  }
  if (!isObject(value)) bad('EI_SVC_DOC_SHAPE', 'Document must be a map/object');
  for (const k of Object.keys(value)) {
    if (!TOP_KEYS.has(k)) bad('EI_SVC_DOC_FIELD', `Unknown top-level field "${k.slice(0, 40)}"`, k.slice(0, 40));
  }
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
  const span = spans.get('signature');
  const signatureAt = unsigned ? undefined :
    span?.textStart !== undefined ? { offset: span.textStart, length: span.end - span.textStart - (format === 'json' ? 1 : 0) } : undefined;
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
  const vals = p.values;
  if (!Array.isArray(vals)) bad('EI_SVC_DOC_FIELD', 'payload.values must be an array', 'payload.values');
  if (vals.length === 0) bad('EI_SVC_DOC_EMPTY', 'payload.values is empty', 'payload.values');

  let values: ValuesSource;
  let rowCount: number;
  const first = vals[0];
  if (typeof first === 'string') {
    if (vals.length !== 1) bad('EI_SVC_DOC_VALUE', 'a binary reference must be the only value', 'payload.values');
    const img = IMAGE_REF.exec(first);
    if (img) {
      if (docEnd !== bytes.length) bad('EI_SVC_DOC_TRAILING', 'bytes after the document', 'payload.values');
      values = { kind: 'image', mime: img[1] === 'image/jpg' ? 'image/jpeg' : img[1], size: Number(img[2]), hmac: img[3] };
      rowCount = 1;
    } else if (first.startsWith('Ref-BINARY-')) {
      const type = first.slice('Ref-BINARY-'.length) as BinaryType;
      if (!(type in BINARY_TYPES)) bad('EI_SVC_DOC_VALUE', `unknown binary type "${first.slice(0, 40)}"`, 'payload.values[0]');
      if (format !== 'cbor') bad('EI_SVC_DOC_VALUE', 'binary tails need a CBOR document', 'payload.values[0]');
      const tail = bytes.length - docEnd;
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
    if (docEnd !== bytes.length) bad('EI_SVC_DOC_TRAILING', `${bytes.length - docEnd} bytes after the document`);
    const rows = parseRows(vals, sensors.length, opts.maxValues);
    values = { kind: 'rows', rows };
    rowCount = rows.length;
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

function parseRows(vals: unknown[], width: number, maxValues: number): number[][] {
  if (vals.length * width > maxValues) bad('EI_SVC_DOC_SIZE', `more than ${maxValues} values`, 'payload.values');
  const rows: number[][] = new Array(vals.length);
  for (let i = 0; i < vals.length; i++) {
    const r = vals[i];
    if (typeof r === 'number') {
      // Flattened rows are only meaningful with one sensor (FACTS §1).
      if (width !== 1) bad('EI_SVC_DOC_ROW_WIDTH', `row has 1 value, expected ${width}`, `payload.values[${i}]`);
      if (!Number.isFinite(r)) bad('EI_SVC_DOC_VALUE', 'value is not finite', `payload.values[${i}]`);
      rows[i] = [r];
      continue;
    }
    if (!Array.isArray(r)) bad('EI_SVC_DOC_VALUE', 'row must be an array of numbers', `payload.values[${i}]`);
    if (r.length !== width) bad('EI_SVC_DOC_ROW_WIDTH', `row has ${r.length} values, expected ${width}`, `payload.values[${i}]`);
    for (let j = 0; j < r.length; j++) {
      const v = r[j];
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        bad('EI_SVC_DOC_VALUE', 'value must be a finite number', `payload.values[${i}][${j}]`);
      }
    }
    rows[i] = r as number[];
  }
  return rows;
}
