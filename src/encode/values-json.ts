/**
 * JSON value loops (same contract as values-cbor.ts). Rows are `[a,b,c]` joined by commas; with
 * the float32-shortest policy each number is rounded with Math.fround first (as the C SDK would
 * hold it), then written as JSON.stringify writes that double.
 */
import { badValue } from '../model/validate.ts';
import { jsonNumber } from './json.ts';
import { pullRow } from './values-cbor.ts';
import type { RunState } from './run-state.ts';
import type { ByteWriter } from './writer.ts';

const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;

/** Typed arrays: dedicated loop, no per-value objects except String(x) for non-integers. */
export function jsonTypedStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  if (plan.shape.kind !== 'typed') return true;
  const { data, width, count } = plan.shape;
  const round = plan.round32;
  const rows = !plan.flatten;
  const cap = w.cap;
  w.ensureSlack(plan.maxRow);
  let row = run.row;
  let i = row * width;
  while (row < count && w.pos < cap) {
    if (row > 0) w.u8(COMMA);
    if (rows) w.u8(OPEN);
    for (let j = 0; j < width; j++) {
      const x = data[i++];
      if (x - x !== 0) {
        run.fail(badValue(x, row, rows ? j : -1, 'json'));
        return true;
      }
      if (j > 0) w.u8(COMMA);
      jsonNumber(w, round ? Math.fround(x) : x);
    }
    if (rows) w.u8(CLOSE);
    row++;
  }
  run.row = row;
  return row >= count;
}

/** Plain arrays (validated by inspectDocument). */
export function jsonArrayStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  const shape = plan.shape;
  if (shape.kind !== 'rows' && shape.kind !== 'flat') return true;
  const round = plan.round32;
  const rows = !plan.flatten;
  const cap = w.cap;
  w.ensureSlack(plan.maxRow);
  let row = run.row;
  while (row < shape.count && w.pos < cap) {
    if (row > 0) w.u8(COMMA);
    if (rows) w.u8(OPEN);
    if (shape.kind === 'flat') {
      const x = shape.flat[row];
      jsonNumber(w, round ? Math.fround(x) : x);
    } else {
      const r = shape.rows[row];
      for (let j = 0; j < shape.width; j++) {
        if (j > 0) w.u8(COMMA);
        jsonNumber(w, round ? Math.fround(r[j]) : r[j]);
      }
    }
    if (rows) w.u8(CLOSE);
    row++;
  }
  run.row = row;
  return row >= shape.count;
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
