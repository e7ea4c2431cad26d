/**
 * Validation of an acquisition document before a single byte is encoded. `inspectDocument` checks
 * everything but the numbers of typed and pulled values (the encoders check those inside their
 * value loops and latch the first error, so a million samples are not walked twice) and returns
 * the shape the encoders dispatch on. `validateDocument` checks everything, values included.
 */
import { DocumentError, valuePath } from './errors.ts';
import { loneSurrogateAt } from './strings.ts';
import {
  ALGS,
  TAIL_TYPES,
  type DocumentInput,
  type PulledRow,
  type TailType,
} from './document.ts';

/** Rows beyond this are rejected (CBOR definite heads and the service both stop at 2^32). */
export const MAX_ROWS = 2 ** 32;

export interface ValidateOptions {
  format: 'cbor' | 'json';
  /** Allow NaN/±Infinity in values (CBOR only; JSON can never carry them). */
  allowNonFinite?: boolean;
  /**
   * Leave the per-row checks of plain-array values (row width, number type, finiteness) to the
   * caller: the encoders make them inside their value loops (with {@link rowError} and
   * {@link flatValueError}) and latch the first error, so rows are not walked twice.
   */
  deferValues?: boolean;
}

/** How `payload.values` is given; the encoders have one loop per kind. */
export type ValuesShape =
  | { kind: 'rows'; width: number; count: number; rows: ArrayLike<ArrayLike<number>> }
  | { kind: 'flat'; width: 1; count: number; flat: ArrayLike<number> }
  | { kind: 'typed'; width: number; count: number; data: Float32Array | Float64Array }
  | { kind: 'pull'; width: number; count: -1; pull: () => PulledRow | null | undefined }
  | { kind: 'tail'; width: number; count: number; tail: TailType; data: ArrayLike<number> }
  | { kind: 'attachment'; width: number; count: 1; ref: string };

function isObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Throws EI_DOC_STRING unless `s` is a well-formed string. */
export function checkString(s: unknown, path: string): asserts s is string {
  if (typeof s !== 'string') throw new DocumentError('EI_DOC_STRING', path, `expected a string, got ${typeName(s)}`);
  const at = loneSurrogateAt(s);
  if (at >= 0) throw new DocumentError('EI_DOC_STRING', path, `lone surrogate at index ${at} (not encodable as UTF-8)`);
}

export function typeName(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return 'array';
  if (typeof x === 'number') return Number.isNaN(x) ? 'NaN' : String(x);
  return typeof x;
}

/** The error for a non-number or forbidden non-finite value at (row, col). */
export function badValue(x: unknown, row: number, col: number, format: 'cbor' | 'json'): DocumentError {
  if (typeof x !== 'number') return new DocumentError('EI_DOC_VALUE_TYPE', valuePath(row, col), `expected a number, got ${typeName(x)}`);
  const why = format === 'json' ? 'JSON cannot carry it' : 'pass allowNonFinite to send it in CBOR';
  return new DocumentError('EI_DOC_NON_FINITE', valuePath(row, col), `${typeName(x)} is not finite (${why})`);
}

/**
 * The error for a finite value that float32 rounding (the c-sdk layout) turns into ±Infinity:
 * JSON cannot carry it, and CBOR sends it only with allowNonFinite (as the C SDK's float cast would).
 */
export function float32Overflow(x: number, row: number, col: number): DocumentError {
  return new DocumentError('EI_DOC_NON_FINITE', valuePath(row, col), `${x} is beyond float32's range, and this layout rounds values to float32 (the resulting infinity needs allowNonFinite in CBOR; JSON cannot carry it)`);
}

/** The error for a row of the wrong width (or not a row at all). */
export function badRow(row: number, got: unknown, width: number): DocumentError {
  const what = got !== null && typeof got === 'object' && typeof (got as ArrayLike<number>).length === 'number' ? `${(got as ArrayLike<number>).length} values` : typeName(got);
  return new DocumentError('EI_DOC_ROW_WIDTH', valuePath(row, -1), `row has ${what}, expected ${width} (one per sensor)`);
}

/** The error for row `i` of plain-array values if it is not a row of `width` numbers' length, else null. */
export function rowError(r: unknown, i: number, width: number): DocumentError | null {
  if (!(Array.isArray(r) || isTyped(r)) || r.length !== width) return badRow(i, r, width);
  return null;
}

/** The error for a bad bare number `x` at flat (single-sensor) position `i`. */
export function flatValueError(x: unknown, i: number, format: 'cbor' | 'json'): DocumentError {
  if (Array.isArray(x)) return new DocumentError('EI_DOC_VALUES', valuePath(i, -1), 'mixes bare numbers and rows');
  return badValue(x, i, -1, format);
}

/** Checks the protected header (types only; the encoder decides the final order). */
export function checkProtected(p: unknown): void {
  if (p === undefined) return;
  if (!isObject(p)) throw new DocumentError('EI_DOC_SHAPE', 'protected', `expected an object, got ${typeName(p)}`);
  // for-in over own keys: the same order as Object.keys without allocating its array.
  for (const key in p) {
    if (!Object.hasOwn(p, key)) continue;
    const v = p[key];
    checkString(key, 'protected (field name)');
    if (v === undefined) continue;
    // Paths are built only on error: a string per field per request otherwise.
    if (key === 'ver') {
      if (v !== 'v1') throw new DocumentError('EI_DOC_VERSION', 'protected.ver', `expected "v1", got ${JSON.stringify(v)}`);
    } else if (key === 'alg') {
      if (!(ALGS as readonly unknown[]).includes(v)) throw new DocumentError('EI_DOC_ALG', 'protected.alg', `unknown alg ${JSON.stringify(v)} (none, HS256 or ES256)`);
    } else if (key === 'iat') {
      checkIat(v, 'protected.iat');
    } else if (typeof v === 'string') {
      if (loneSurrogateAt(v) >= 0) checkString(v, `protected.${key}`);
    } else if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new DocumentError('EI_DOC_PROTECTED', `protected.${key}`, `${typeName(v)} is not finite`);
    } else if (typeof v !== 'boolean' && v !== null) {
      throw new DocumentError('EI_DOC_PROTECTED', `protected.${key}`, `expected a string, number, boolean or null, got ${typeName(v)}`);
    }
  }
}

export function checkIat(v: unknown, path: string): void {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new DocumentError('EI_DOC_IAT', path, `expected non-negative integer seconds, got ${typeName(v)}`);
  }
}

function isTyped(x: unknown): x is Float32Array | Float64Array {
  return x instanceof Float32Array || x instanceof Float64Array;
}

/**
 * Checks everything except the numbers inside typed and pulled values, and tells the encoders
 * how values are given.
 * @throws DocumentError
 */
export function inspectDocument(doc: DocumentInput, opts: ValidateOptions): ValuesShape {
  if (!isObject(doc)) throw new DocumentError('EI_DOC_SHAPE', 'document', `expected an object, got ${typeName(doc)}`);
  checkProtected(doc.protected);
  const p = doc.payload as unknown;
  if (!isObject(p)) throw new DocumentError('EI_DOC_SHAPE', 'payload', `expected an object, got ${typeName(p)}`);
  if (p.device_name !== undefined) checkString(p.device_name, 'payload.device_name');
  if (typeof p.device_type !== 'string' || p.device_type === '') {
    throw new DocumentError('EI_DOC_DEVICE_TYPE', 'payload.device_type', p.device_type === undefined ? 'missing (required)' : `expected a non-empty string, got ${typeName(p.device_type)}`);
  }
  checkString(p.device_type, 'payload.device_type');
  const iv = p.interval_ms;
  if (typeof iv !== 'number' || !Number.isFinite(iv) || iv < 0) {
    throw new DocumentError('EI_DOC_INTERVAL', 'payload.interval_ms', iv === undefined ? 'missing (required)' : `expected a finite number >= 0, got ${typeName(iv)}`);
  }
  const sensors = p.sensors;
  if (!Array.isArray(sensors) || sensors.length === 0) {
    throw new DocumentError('EI_DOC_SENSORS', 'payload.sensors', Array.isArray(sensors) ? 'empty (at least one sensor)' : `expected an array, got ${typeName(sensors)}`);
  }
  for (let i = 0; i < sensors.length; i++) {
    const s = sensors[i] as unknown;
    if (!isObject(s)) throw new DocumentError('EI_DOC_SENSOR', `payload.sensors[${i}]`, `expected {name, units}, got ${typeName(s)}`);
    if (typeof s.name !== 'string' || s.name === '') throw new DocumentError('EI_DOC_SENSOR', `payload.sensors[${i}].name`, 'expected a non-empty string');
    if (loneSurrogateAt(s.name) >= 0) checkString(s.name, `payload.sensors[${i}].name`); // path built only on error
    if (typeof s.units !== 'string') throw new DocumentError('EI_DOC_SENSOR', `payload.sensors[${i}].units`, 'expected a string');
    if (loneSurrogateAt(s.units) >= 0) checkString(s.units, `payload.sensors[${i}].units`);
  }
  return inspectValues(p.values, sensors.length, opts);
}

function inspectValues(v: unknown, width: number, opts: ValidateOptions): ValuesShape {
  const allowNF = opts.allowNonFinite === true && opts.format === 'cbor';
  if (Array.isArray(v)) {
    if (v.length >= MAX_ROWS) throw new DocumentError('EI_DOC_TOO_MANY_ROWS', 'payload.values', 'more than 2^32 rows');
    const deferred = opts.deferValues === true;
    if (v.length > 0 && !Array.isArray(v[0]) && !isTyped(v[0])) {
      if (width !== 1) throw badRow(0, v[0], width);
      for (let i = 0; i < v.length && !deferred; i++) {
        const x = v[i];
        if (typeof x !== 'number' || (x - x !== 0 && !allowNF)) throw flatValueError(x, i, opts.format);
      }
      return { kind: 'flat', width: 1, count: v.length, flat: v as number[] };
    }
    for (let i = 0; i < v.length && !deferred; i++) {
      const r = v[i] as unknown;
      const e = rowError(r, i, width);
      if (e !== null) throw e;
      for (let j = 0; j < width; j++) {
        const x = (r as ArrayLike<unknown>)[j];
        if (typeof x !== 'number' || (x - x !== 0 && !allowNF)) throw badValue(x, i, j, opts.format);
      }
    }
    return { kind: 'rows', width, count: v.length, rows: v as number[][] };
  }
  if (isTyped(v)) return typedShape(v, width, width);
  if (!isObject(v) && typeof v !== 'function') {
    throw new DocumentError('EI_DOC_VALUES', 'payload.values', `expected rows, a typed array, a row source, a binary tail or an attachment, got ${typeName(v)}`);
  }
  if (typeof v === 'function') return { kind: 'pull', width, count: -1, pull: v as () => PulledRow | null | undefined };
  const o = v as Record<string, unknown>;
  if ('data' in o && 'width' in o && !('tail' in o)) {
    if (!isTyped(o.data)) throw new DocumentError('EI_DOC_VALUES', 'payload.values.data', 'expected a Float32Array or Float64Array');
    return typedShape(o.data, o.width, width);
  }
  if ('tail' in o) {
    if (opts.format !== 'cbor') throw new DocumentError('EI_DOC_TAIL', 'payload.values', 'binary tails exist only in CBOR bodies');
    if (!(TAIL_TYPES as readonly unknown[]).includes(o.tail)) throw new DocumentError('EI_DOC_TAIL', 'payload.values.tail', `unknown tail type ${JSON.stringify(o.tail)} (${TAIL_TYPES.join(', ')})`);
    const data = o.data as ArrayLike<number> | undefined;
    if (data === null || typeof data !== 'object' || typeof data.length !== 'number') throw new DocumentError('EI_DOC_TAIL', 'payload.values.data', 'expected an array or typed array of samples');
    if (data.length % width !== 0) throw badRow(Math.floor(data.length / width), { length: data.length % width }, width);
    if (data.length / width >= MAX_ROWS) throw new DocumentError('EI_DOC_TOO_MANY_ROWS', 'payload.values', 'more than 2^32 rows');
    const tail = o.tail as TailType;
    if (!ArrayBuffer.isView(data) || !matchesTail(data, tail)) checkTailNumbers(data, tail, width);
    return { kind: 'tail', width, count: data.length / width, tail, data };
  }
  if ('attachment' in o) {
    checkString(o.attachment, 'payload.values.attachment');
    if (!o.attachment.startsWith('Ref-BINARY-')) throw new DocumentError('EI_DOC_VALUES', 'payload.values.attachment', 'expected a "Ref-BINARY-..." reference');
    return { kind: 'attachment', width, count: 1, ref: o.attachment };
  }
  if (typeof (o as { next?: unknown }).next === 'function') {
    const it = o as unknown as Iterator<PulledRow>;
    return { kind: 'pull', width, count: -1, pull: iteratorPull(it) };
  }
  const iterable = o as unknown as Partial<Iterable<PulledRow>>;
  const open = iterable[Symbol.iterator];
  if (typeof open === 'function') {
    return { kind: 'pull', width, count: -1, pull: iteratorPull(open.call(iterable)) };
  }
  throw new DocumentError('EI_DOC_VALUES', 'payload.values', 'expected rows, a typed array, a row source, a binary tail or an attachment');
}

function iteratorPull(it: Iterator<PulledRow>): () => PulledRow | null {
  return () => {
    const r = it.next();
    return r.done ? null : r.value;
  };
}

function typedShape(data: Float32Array | Float64Array, w: unknown, width: number): ValuesShape {
  if (w !== width) throw new DocumentError('EI_DOC_ROW_WIDTH', 'payload.values.width', `width ${typeName(w)} does not match ${width} sensors`);
  if (data.length % width !== 0) throw badRow(Math.floor(data.length / width), { length: data.length % width }, width);
  const count = data.length / width;
  if (count >= MAX_ROWS) throw new DocumentError('EI_DOC_TOO_MANY_ROWS', 'payload.values', 'more than 2^32 rows');
  return { kind: 'typed', width, count, data };
}

const TAIL_ARRAYS: Record<TailType, unknown> = {
  i8: Int8Array, u8: Uint8Array, i16: Int16Array, u16: Uint16Array, i32: Int32Array, u32: Uint32Array, f32: Float32Array,
};
const TAIL_RANGE: Record<TailType, [number, number]> = {
  i8: [-128, 127], u8: [0, 255], i16: [-32768, 32767], u16: [0, 65535], i32: [-(2 ** 31), 2 ** 31 - 1], u32: [0, 2 ** 32 - 1], f32: [-Infinity, Infinity],
};

function matchesTail(data: ArrayBufferView, tail: TailType): boolean {
  return data.constructor === TAIL_ARRAYS[tail];
}

function checkTailNumbers(data: ArrayLike<number>, tail: TailType, width: number): void {
  const [lo, hi] = TAIL_RANGE[tail];
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    const row = Math.floor(i / width);
    const col = width === 1 ? -1 : i % width;
    if (typeof x !== 'number') throw badValue(x, row, col, 'cbor');
    if (tail !== 'f32' && (!Number.isInteger(x) || x < lo || x > hi)) {
      throw new DocumentError('EI_DOC_TAIL', valuePath(row, col), `${typeName(x)} does not fit ${tail}`);
    }
  }
}

/**
 * Full validation, values included (typed arrays walked too). `encodeDocument` does not need it:
 * it checks the same things before emitting anything. Pull sources are not read.
 * @throws DocumentError
 */
export function validateDocument(doc: DocumentInput, opts: ValidateOptions): void {
  const shape = inspectDocument(doc, opts);
  if (shape.kind !== 'typed' || (opts.allowNonFinite === true && opts.format === 'cbor')) return;
  const { data, width } = shape;
  for (let i = 0; i < data.length; i++) {
    const x = data[i];
    if (x - x !== 0) throw badValue(x, Math.floor(i / width), width === 1 ? -1 : i % width, opts.format);
  }
}
