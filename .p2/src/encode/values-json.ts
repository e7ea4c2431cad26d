/**
 * JSON value loops (same contract as values-cbor.ts). Rows are `[a,b,c]` joined by commas; with
 * the float32-shortest policy each number is rounded with Math.fround first (as the C SDK would
 * hold it), then written as JSON.stringify writes that double.
 */
import { badValue, flatValueError, rowError, type ValuesShape } from '../model/validate.ts';
import { jsonNumber, jsonNumberAt, jsonNumberIsShort } from './json.ts';
import { pullRow } from './values-cbor.ts';
import type { RunState } from './run-state.ts';
import type { ByteWriter } from './writer.ts';

const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;

// Each step is split in two: the loop function returns the row it stopped at and touches no
// object after its loop, because V8 re-enters a cached OSR'd loop and deoptimises at the first
// property store after it, once per chunk (measured: hundreds of deopts per request).

/**
 * Typed arrays: dedicated loop. Short decimals and integers are written digit by digit (no
 * objects); runs of full-precision doubles go in batches through JSON.stringify (jsonTypedBatch).
 */
export function jsonTypedStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  if (plan.shape.kind !== 'typed') return true;
  w.ensureSlack(plan.maxRow);
  const row = jsonTypedLoop(run, w);
  run.row = row;
  return row >= plan.shape.count || run.error !== null;
}

function jsonTypedLoop(run: RunState, w: ByteWriter): number {
  const plan = run.plan;
  const { data, width, count } = plan.shape as { data: Float32Array | Float64Array; width: number; count: number };
  const round = plan.round32;
  const rows = !plan.flatten;
  const cap = w.cap;
  let row = run.row;
  let i = row * width;
  let rowByRow = 0;
  while (row < count && w.pos < cap) {
    if (!round && row > 0 && rowByRow === 0) {
      if (typedRowIsShort(data, row * width, width)) {
        rowByRow = SHORT_RUN;
      } else {
        const next = jsonTypedBatch(run, w, row);
        if (next > row) {
          row = next;
          i = row * width;
          continue;
        }
      }
    }
    if (rowByRow > 0) rowByRow--;
    if (row > 0) w.u8(COMMA);
    if (rows) w.u8(OPEN);
    for (let j = 0; j < width; j++) {
      const x = data[i];
      if (x - x !== 0) {
        run.fail(badValue(x, row, rows ? j : -1, 'json'));
        return row;
      }
      if (j > 0) w.u8(COMMA);
      jsonNumberAt(w, data, i++, round);
    }
    if (rows) w.u8(CLOSE);
    row++;
  }
  return row;
}

// Reused JS arrays that typed rows are copied into for JSON.stringify (one per width in use).
let scratchWidth = 0;
let scratchRows: number[][] = [];
let scratchFlat: number[] = [];

/**
 * A packed double array (built by push: `new Array(n)` would be holey, and JSON.stringify takes a
 * slow element-by-element path on holey arrays).
 */
function packedDoubles(n: number): number[] {
  const a: number[] = [];
  for (let i = 0; i < n; i++) a.push(0.5);
  return a;
}

/**
 * Typed rows [row, end) via JSON.stringify of a reused nested JS array (see jsonBatch): same
 * bytes as jsonNumberAt, formatted natively. Returns `row` (nothing written) when the batch would
 * be short or holds a non-finite value (the row-by-row loop then reports it).
 */
function jsonTypedBatch(run: RunState, w: ByteWriter, row: number): number {
  const plan = run.plan;
  const { data, width, count } = plan.shape as { data: Float32Array | Float64Array; width: number; count: number };
  const room = Math.floor((w.buf.length - w.pos) / plan.maxRow) - 1;
  const end = Math.min(count, row + Math.min(room, BATCH_ROWS));
  const k = end - row;
  if (k < 16) return row;
  const from = row * width;
  const to = end * width;
  for (let i = from; i < to; i++) {
    const x = data[i];
    if (x - x !== 0) return row;
  }
  let text: string;
  if (plan.flatten) {
    if (scratchFlat.length !== BATCH_ROWS) scratchFlat = packedDoubles(BATCH_ROWS);
    const a = scratchFlat;
    for (let t = 0; t < k; t++) a[t] = data[from + t];
    text = JSON.stringify(k === BATCH_ROWS ? a : a.slice(0, k));
  } else {
    if (scratchWidth !== width) {
      scratchRows = [];
      for (let t = 0; t < BATCH_ROWS; t++) scratchRows.push(packedDoubles(width));
      scratchWidth = width;
    }
    const a = scratchRows;
    let i = from;
    for (let t = 0; t < k; t++) {
      const r = a[t];
      for (let j = 0; j < width; j++) r[j] = data[i++];
    }
    text = JSON.stringify(k === BATCH_ROWS ? a : a.slice(0, k));
  }
  const p = w.pos;
  encoder.encodeInto(text, w.buf.subarray(p, p + text.length));
  w.buf[p] = COMMA;
  w.pos = p + text.length - 1;
  return end;
}

/** Plain arrays: row width and numbers are checked here (inspectDocument defers them). */
export function jsonArrayStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  if (plan.shape.kind !== 'rows' && plan.shape.kind !== 'flat') return true;
  w.ensureSlack(plan.maxRow);
  const row = jsonArrayLoop(run, w);
  run.row = row;
  return row >= plan.shape.count || run.error !== null;
}

function jsonArrayLoop(run: RunState, w: ByteWriter): number {
  const plan = run.plan;
  const shape = plan.shape as Extract<ValuesShape, { kind: 'rows' | 'flat' }>;
  // Rows as nested arrays, or bare numbers written bare: JSON.stringify of a slice is exactly the
  // bytes wanted, formatted natively (see jsonBatch).
  const batchable = !plan.round32 && (shape.kind === 'rows' ? !plan.flatten : plan.flatten);
  const cap = w.cap;
  let row = run.row;
  let rowByRow = 0;
  while (row < shape.count && w.pos < cap) {
    if (batchable && row > 0 && rowByRow === 0) {
      if (arrayRowIsShort(shape, row)) {
        rowByRow = SHORT_RUN;
      } else {
        const next = jsonBatch(run, w, row);
        if (next > row) {
          row = next;
          continue;
        }
      }
    }
    if (rowByRow > 0) rowByRow--;
    if (!jsonOneRow(run, w, row)) return row;
    row++;
  }
  return row;
}

const BATCH_ROWS = 2048;
/**
 * Rows written one by one after a sampled row whose numbers all take the digit-by-digit path
 * (short decimals such as 9.81 are written faster that way than by any dtoa); full-precision
 * doubles go in batches through JSON.stringify. The choice is made again after this many rows.
 */
const SHORT_RUN = 256;

function typedRowIsShort(data: Float32Array | Float64Array, i: number, width: number): boolean {
  for (let j = 0; j < width; j++) if (!jsonNumberIsShort(data[i + j])) return false;
  return true;
}

function arrayRowIsShort(shape: Extract<ValuesShape, { kind: 'rows' | 'flat' }>, row: number): boolean {
  if (shape.kind === 'flat') {
    const x = shape.flat[row];
    return typeof x === 'number' && jsonNumberIsShort(x);
  }
  const r = shape.rows[row];
  if (!Array.isArray(r) || r.length !== shape.width) return true; // row by row reports it
  for (let j = 0; j < shape.width; j++) {
    const x = r[j];
    if (typeof x !== 'number' || !jsonNumberIsShort(x)) return false;
  }
  return true;
}
const encoder = new TextEncoder();

/**
 * Rows [row, end) through one native JSON.stringify of a slice: V8 formats doubles several times
 * faster than `String(x)` per value plus a copy, and this is what dominates JSON bodies of
 * full-precision readings. Every row is checked first (width, number type, finite); a batch with
 * anything else (an error, a typed-array row) writes nothing and returns `row` (row by row then).
 * Room for every row at its widest is made first, so the bytes land in the buffer's slack.
 */
function jsonBatch(run: RunState, w: ByteWriter, row: number): number {
  const plan = run.plan;
  const shape = plan.shape as Extract<ValuesShape, { kind: 'rows' | 'flat' }>;
  const maxRow = plan.maxRow;
  const room = Math.floor((w.buf.length - w.pos) / maxRow) - 1;
  const end = Math.min(shape.count, row + Math.min(room, BATCH_ROWS));
  if (end - row < 16) return row;
  const ok = shape.kind === 'rows' ? rowsAreNumbers(shape.rows, row, end, shape.width) : numbersAreFinite(shape.flat, row, end);
  if (ok < end) return row;
  const src = shape.kind === 'rows' ? shape.rows : shape.flat;
  const text = JSON.stringify((src as readonly unknown[]).slice(row, end));
  const p = w.pos;
  encoder.encodeInto(text, w.buf.subarray(p, p + text.length)); // ASCII: one byte per char
  w.buf[p] = COMMA; // the slice's '[' becomes the separator; its ']' is dropped
  w.pos = p + text.length - 1;
  return end;
}

/** First index in [from, to) that is not a plain array of `width` finite numbers, else `to`. */
function rowsAreNumbers(src: ArrayLike<ArrayLike<number>>, from: number, to: number, width: number): number {
  for (let i = from; i < to; i++) {
    const r = src[i];
    if (!Array.isArray(r) || r.length !== width) return i;
    for (let j = 0; j < width; j++) {
      const x = r[j];
      if (typeof x !== 'number' || x - x !== 0) return i;
    }
  }
  return to;
}

function numbersAreFinite(src: ArrayLike<number>, from: number, to: number): number {
  for (let i = from; i < to; i++) {
    const x = src[i];
    if (typeof x !== 'number' || x - x !== 0) return i;
  }
  return to;
}

/** One row (checked; the first error latched, then false). */
function jsonOneRow(run: RunState, w: ByteWriter, row: number): boolean {
  const plan = run.plan;
  const shape = plan.shape as Extract<ValuesShape, { kind: 'rows' | 'flat' }>;
  const round = plan.round32;
  const rows = !plan.flatten;
  if (shape.kind === 'flat') {
    const x = shape.flat[row];
    if (typeof x !== 'number' || x - x !== 0) {
      run.fail(flatValueError(x, row, 'json'));
      return false;
    }
    if (row > 0) w.u8(COMMA);
    if (rows) w.u8(OPEN);
    jsonNumber(w, round ? Math.fround(x) : x);
  } else {
    const r = shape.rows[row];
    const e = Array.isArray(r) && r.length === shape.width ? null : rowError(r, row, shape.width);
    if (e !== null) {
      run.fail(e);
      return false;
    }
    for (let j = 0; j < shape.width; j++) {
      const x = r[j];
      if (typeof x !== 'number' || x - x !== 0) {
        run.fail(badValue(x, row, j, 'json'));
        return false;
      }
    }
    if (row > 0) w.u8(COMMA);
    if (rows) w.u8(OPEN);
    for (let j = 0; j < shape.width; j++) {
      if (j > 0) w.u8(COMMA);
      jsonNumber(w, round ? Math.fround(r[j]) : r[j]);
    }
  }
  if (rows) w.u8(CLOSE);
  return true;
}

/** Pull sources, checked row by row (see pullRow). */
export function jsonPullStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  const shape = plan.shape;
  if (shape.kind !== 'pull') return true;
  const round = plan.round32;
  const rows = !plan.flatten;
  const cap = w.cap;
  w.ensureSlack(plan.maxRow);
  while (w.pos < cap) {
    const r = pullRow(run, shape.pull);
    if (r === null) return true;
    if (run.row > 0) w.u8(COMMA);
    if (rows) w.u8(OPEN);
    if (typeof r === 'number') {
      jsonNumber(w, round ? Math.fround(r) : r);
    } else {
      for (let j = 0; j < shape.width; j++) {
        if (j > 0) w.u8(COMMA);
        jsonNumber(w, round ? Math.fround(r[j]) : r[j]);
      }
    }
    if (rows) w.u8(CLOSE);
    run.row++;
  }
  return false;
}
