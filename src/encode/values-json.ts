/**
 * JSON value loops (same contract as values-cbor.ts). Rows are `[a,b,c]` joined by commas; each
 * number is written by writeDouble straight into the buffer, as JSON.stringify would write it
 * (with the float32-shortest policy rounded with Math.fround first, as the C SDK holds it).
 * Nothing is allocated per value: the number goes to the formatter through a scratch word.
 */
import type { DocumentError } from '../model/errors.ts';
import { badValue, flatValueError, float32Overflow, rowError, type ValuesShape } from '../model/validate.ts';
import { DOUBLE_IN, writeDoubleIn } from './double-text.ts';
import { jsonNumber } from './json.ts';
import { pullRow } from './pull-row.ts';
import type { RunState } from './run-state.ts';
import type { ByteWriter } from './writer.ts';

const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;
// Local copies (an imported binding is a getter call under tsx in a hot loop).
const NUM = DOUBLE_IN;
const put = writeDoubleIn;

/**
 * Where a rows function stopped (it then returns -1): at a value it may not write (its index in
 * the typed data, or its row) or a row that is not an array of `width` numbers.
 */
let stopAt = 0;
let stopPos = 0;

function stop(at: number, pos: number): number {
  stopAt = at;
  stopPos = pos;
  return -1;
}

/** Why `v` cannot be written: not a finite number, or one float32 rounding made infinite. */
function valueError(v: unknown, row: number, col: number): DocumentError {
  return typeof v === 'number' && v - v === 0 ? float32Overflow(v, row, col) : badValue(v, row, col, 'json');
}

// Each step is split in two: the loop function returns the row it stopped at and touches no
// object after its loop, because V8 re-enters a cached OSR'd loop and deoptimises at the first
// property store after it, once per chunk (measured: hundreds of deopts per request).

/** Typed arrays (Float32Array / Float64Array, row-major). */
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
  const maxRow = plan.maxRow;
  const cap = w.cap;
  const buf = w.buf;
  let p = w.pos;
  let row = run.row;
  while (row < count && p < cap) {
    // As many rows as surely reach the end of the chunk (each is at most maxRow bytes, and the
    // slack holds one more), so one call writes a whole chunk.
    const to = Math.min(count, row + Math.ceil((cap - p) / maxRow));
    const q = typedRows(data, width, row, to, buf, p, rows, round);
    if (q < 0) {
      w.pos = stopPos;
      run.fail(valueError(data[stopAt], Math.floor(stopAt / width), rows ? stopAt % width : -1));
      return Math.floor(stopAt / width);
    }
    p = q;
    row = to;
  }
  w.pos = p;
  return row;
}

/** Rows [from, to) of typed samples; -1 at a non-finite value (stopAt = its index). */
function typedRows(data: Float32Array | Float64Array, width: number, from: number, to: number, buf: Uint8Array, p: number, rows: boolean, round: boolean): number {
  let i = from * width;
  for (let row = from; row < to; row++) {
    if (row > 0) buf[p++] = COMMA;
    if (rows) buf[p++] = OPEN;
    for (let j = 0; j < width; j++) {
      const x = round ? Math.fround(data[i]) : data[i];
      if (x - x !== 0) return stop(i, p);
      if (j > 0) buf[p++] = COMMA;
      NUM[0] = x;
      p = put(buf, p);
      i++;
    }
    if (rows) buf[p++] = CLOSE;
  }
  return p;
}

/** Plain arrays: row width and numbers are checked here (inspectDocument defers them). */
export function jsonArrayStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  if (plan.shape.kind !== 'rows' && plan.shape.kind !== 'flat') return true;
  w.ensureSlack(plan.maxRow);
  const row = plan.shape.kind === 'flat' ? jsonFlatLoop(run, w) : jsonRowsLoop(run, w);
  run.row = row;
  return row >= plan.shape.count || run.error !== null;
}

function jsonRowsLoop(run: RunState, w: ByteWriter): number {
  const plan = run.plan;
  const shape = plan.shape as Extract<ValuesShape, { kind: 'rows' }>;
  const { width, count } = shape;
  const src = shape.rows;
  const round = plan.round32;
  const rows = !plan.flatten;
  const maxRow = plan.maxRow;
  const cap = w.cap;
  const buf = w.buf;
  let p = w.pos;
  let row = run.row;
  while (row < count && p < cap) {
    const to = Math.min(count, row + Math.ceil((cap - p) / maxRow));
    const q = arrayRows(src, width, row, to, buf, p, rows, round);
    if (q >= 0) {
      p = q;
      row = to;
      continue;
    }
    // Stopped at row stopAt (written up to stopPos): an error, or a typed-array row (allowed).
    p = stopPos;
    row = stopAt;
    const r = src[row];
    const e = rowError(r, row, width);
    if (e !== null) {
      w.pos = p;
      run.fail(e);
      return row;
    }
    for (let j = 0; j < width; j++) {
      const x = r[j];
      const y = typeof x === 'number' && round ? Math.fround(x) : x;
      if (typeof y !== 'number' || y - y !== 0) {
        w.pos = p;
        run.fail(valueError(x, row, j));
        return row;
      }
    }
    if (row > 0) buf[p++] = COMMA;
    if (rows) buf[p++] = OPEN;
    for (let j = 0; j < width; j++) {
      if (j > 0) buf[p++] = COMMA;
      NUM[0] = round ? Math.fround(r[j]) : r[j];
      p = put(buf, p);
    }
    if (rows) buf[p++] = CLOSE;
    row++;
  }
  w.pos = p;
  return row;
}

/**
 * Rows [from, to) of plain number arrays; -1 at the first row that is not a plain array of
 * `width` finite numbers (stopAt = that row, stopPos = where it starts).
 */
function arrayRows(src: ArrayLike<ArrayLike<number>>, width: number, from: number, to: number, buf: Uint8Array, p: number, rows: boolean, round: boolean): number {
  for (let row = from; row < to; row++) {
    const r = src[row];
    if (!Array.isArray(r) || r.length !== width) return stop(row, p);
    const start = p;
    if (row > 0) buf[p++] = COMMA;
    if (rows) buf[p++] = OPEN;
    for (let j = 0; j < width; j++) {
      const v = r[j];
      if (typeof v !== 'number') return stop(row, start);
      const x = round ? Math.fround(v) : v;
      if (x - x !== 0) return stop(row, start);
      if (j > 0) buf[p++] = COMMA;
      NUM[0] = x;
      p = put(buf, p);
    }
    if (rows) buf[p++] = CLOSE;
  }
  return p;
}

function jsonFlatLoop(run: RunState, w: ByteWriter): number {
  const plan = run.plan;
  const shape = plan.shape as Extract<ValuesShape, { kind: 'flat' }>;
  const { count } = shape;
  const src = shape.flat;
  const round = plan.round32;
  const rows = !plan.flatten;
  const cap = w.cap;
  const buf = w.buf;
  let p = w.pos;
  let row = run.row;
  while (row < count && p < cap) {
    const v = src[row];
    const x = typeof v === 'number' && round ? Math.fround(v) : v;
    if (typeof x !== 'number' || x - x !== 0) {
      w.pos = p;
      run.fail(typeof v === 'number' ? valueError(v, row, -1) : flatValueError(v, row, 'json'));
      return row;
    }
    if (row > 0) buf[p++] = COMMA;
    if (rows) buf[p++] = OPEN;
    NUM[0] = x;
    p = put(buf, p);
    if (rows) buf[p++] = CLOSE;
    row++;
  }
  w.pos = p;
  return row;
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
    const row = run.row;
    if (row > 0) w.u8(COMMA);
    if (rows) w.u8(OPEN);
    if (typeof r === 'number') {
      if (!pulledNumber(run, w, r, round, row, -1)) return true;
    } else {
      for (let j = 0; j < shape.width; j++) {
        if (j > 0) w.u8(COMMA);
        if (!pulledNumber(run, w, r[j], round, row, rows ? j : -1)) return true;
      }
    }
    if (rows) w.u8(CLOSE);
    run.row++;
  }
  return false;
}

/** One checked pulled number (finite: pullRow checked it), float32-rounded if the layout says so. */
function pulledNumber(run: RunState, w: ByteWriter, v: number, round: boolean, row: number, col: number): boolean {
  const x = round ? Math.fround(v) : v;
  if (x - x !== 0) {
    run.fail(float32Overflow(v, row, col));
    return false;
  }
  jsonNumber(w, x);
  return true;
}
