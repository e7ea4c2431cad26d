/**
 * JSON value loops (same contract as values-cbor.ts). Rows are `[a,b,c]` joined by commas; with
 * the float32-shortest policy each number is rounded with Math.fround first (as the C SDK would
 * hold it), then written as JSON.stringify writes that double.
 */
import { badValue, flatValueError, rowError, type ValuesShape } from '../model/validate.ts';
import { jsonNumber, jsonNumberAt } from './json.ts';
import { pullRow } from './values-cbor.ts';
import type { RunState } from './run-state.ts';
import type { ByteWriter } from './writer.ts';

const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;

// Each step is split in two: the loop function returns the row it stopped at and touches no
// object after its loop, because V8 re-enters a cached OSR'd loop and deoptimises at the first
// property store after it, once per chunk (measured: hundreds of deopts per request).

/** Typed arrays: dedicated loop, no per-value objects except String(x) for long decimals. */
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
  while (row < count && w.pos < cap) {
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
  const round = plan.round32;
  const rows = !plan.flatten;
  const cap = w.cap;
  let row = run.row;
  while (row < shape.count && w.pos < cap) {
    if (shape.kind === 'flat') {
      const x = shape.flat[row];
      if (typeof x !== 'number' || x - x !== 0) {
        run.fail(flatValueError(x, row, 'json'));
        return row;
      }
      if (row > 0) w.u8(COMMA);
      if (rows) w.u8(OPEN);
      jsonNumber(w, round ? Math.fround(x) : x);
    } else {
      const r = shape.rows[row];
      const e = Array.isArray(r) && r.length === shape.width ? null : rowError(r, row, shape.width);
      if (e !== null) {
        run.fail(e);
        return row;
      }
      for (let j = 0; j < shape.width; j++) {
        const x = r[j];
        if (typeof x !== 'number' || x - x !== 0) {
          run.fail(badValue(x, row, j, 'json'));
          return row;
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
    row++;
  }
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
