/**
 * CBOR value loops, one per way values are given. Each writes whole rows while the writer has not
 * filled a chunk (`pos < cap`; `ensureSlack(maxRow)` guarantees a row always fits), remembers the
 * row it stopped at, and returns true when all rows are out. Number checks are latched into the
 * run (QCBOR style) instead of a separate pass over the samples.
 */
import { DocumentError } from '../model/errors.ts';
import { badRow, badValue, MAX_ROWS, type ValuesShape } from '../model/validate.ts';
import type { PulledRow } from '../model/document.ts';
import { cborHead, cborInt, cborNumber, MT_ARRAY, NUM_FLOAT32, NUM_FLOAT64 } from './cbor.ts';
import { halfBits } from './float.ts';
import type { RunState } from './run-state.ts';
import type { ByteWriter } from './writer.ts';

/**
 * Typed arrays: the hot path. One loop per number policy (the policy test stays out of the
 * loop), no per-value objects; non-finite values are latched when not allowed.
 */
export function cborTypedStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  if (plan.shape.kind !== 'typed') return true;
  w.ensureSlack(plan.maxRow);
  const policy = plan.policy;
  const row = policy === NUM_FLOAT64 ? typedF64(run, w) : policy === NUM_FLOAT32 ? typedF32(run, w) : typedShortest(run, w);
  run.row = row;
  return row >= plan.shape.count || run.error !== null;
}

function rowHead(w: ByteWriter, width: number): void {
  if (width < 24) w.u8(0x80 | width);
  else cborHead(w, MT_ARRAY, width);
}

function typedF64(run: RunState, w: ByteWriter): number {
  const plan = run.plan;
  const { data, width, count } = plan.shape as { data: Float32Array | Float64Array; width: number; count: number };
  const check = !plan.allowNonFinite;
  const flat = plan.flatten;
  const cap = w.cap;
  let row = run.row;
  let i = row * width;
  while (row < count && w.pos < cap) {
    if (!flat) rowHead(w, width);
    for (let j = 0; j < width; j++) {
      const x = data[i++];
      if (check && x - x !== 0) return latch(run, x, row, flat ? -1 : j);
      w.u8(0xfb);
      w.f64(x);
    }
    row++;
  }
  return row;
}

function typedF32(run: RunState, w: ByteWriter): number {
  const plan = run.plan;
  const { data, width, count } = plan.shape as { data: Float32Array | Float64Array; width: number; count: number };
  const check = !plan.allowNonFinite;
  const flat = plan.flatten;
  const cap = w.cap;
  let row = run.row;
  let i = row * width;
  while (row < count && w.pos < cap) {
    if (!flat) rowHead(w, width);
    for (let j = 0; j < width; j++) {
      const x = data[i++];
      if (check && x - x !== 0) return latch(run, x, row, flat ? -1 : j);
      const f = Math.fround(x);
      const h = halfBits(f);
      if (h >= 0) {
        w.u8(0xf9);
        w.u16(h);
      } else {
        w.u8(0xfa);
        w.f32(f);
      }
    }
    row++;
  }
  return row;
}

function typedShortest(run: RunState, w: ByteWriter): number {
  const plan = run.plan;
  const { data, width, count } = plan.shape as { data: Float32Array | Float64Array; width: number; count: number };
  const check = !plan.allowNonFinite;
  const flat = plan.flatten;
  const cap = w.cap;
  let row = run.row;
  let i = row * width;
  while (row < count && w.pos < cap) {
    if (!flat) rowHead(w, width);
    for (let j = 0; j < width; j++) {
      const x = data[i++];
      if (check && x - x !== 0) return latch(run, x, row, flat ? -1 : j);
      const f = Math.fround(x);
      if (f !== x && x === x) {
        w.u8(0xfb); // needs double precision: by far the common case for float64 sensor data
        w.f64(x);
      } else if (Number.isSafeInteger(x) && (x !== 0 || 1 / x > 0)) {
        cborInt(w, x);
      } else {
        const h = halfBits(f);
        if (h >= 0) {
          w.u8(0xf9);
          w.u16(h);
        } else {
          w.u8(0xfa);
          w.f32(f);
        }
      }
    }
    row++;
  }
  return row;
}

function latch(run: RunState, x: number, row: number, col: number): number {
  run.fail(badValue(x, row, col, 'cbor'));
  return row;
}

/** Plain arrays (already fully validated by inspectDocument). */
export function cborArrayStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  if (plan.shape.kind !== 'rows' && plan.shape.kind !== 'flat') return true;
  w.ensureSlack(plan.maxRow);
  const row = cborArrayLoop(run, w); // no object access after a hot loop (see values-json.ts)
  run.row = row;
  return row >= plan.shape.count;
}

function cborArrayLoop(run: RunState, w: ByteWriter): number {
  const plan = run.plan;
  const shape = plan.shape as Extract<ValuesShape, { kind: 'rows' | 'flat' }>;
  const width = shape.width;
  const count = shape.count;
  const policy = plan.policy;
  const cap = w.cap;
  let row = run.row;
  while (row < count && w.pos < cap) {
    if (shape.kind === 'flat') {
      if (!plan.flatten) w.u8(0x81);
      cborNumber(w, shape.flat[row], policy);
    } else {
      const r = shape.rows[row];
      if (!plan.flatten) cborHead(w, MT_ARRAY, width);
      for (let j = 0; j < width; j++) cborNumber(w, r[j], policy);
    }
    row++;
  }
  return row;
}

/** Pull sources: each row is checked as it arrives; the first bad one is latched. */
export function cborPullStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  const shape = plan.shape;
  if (shape.kind !== 'pull') return true;
  const width = shape.width;
  const cap = w.cap;
  w.ensureSlack(plan.maxRow);
  while (w.pos < cap) {
    const r = pullRow(run, shape.pull);
    if (r === null) return true;
    if (run.error) return true;
    if (typeof r === 'number') {
      if (!plan.flatten) w.u8(0x81);
      cborNumber(w, r, plan.policy);
    } else {
      if (!plan.flatten) cborHead(w, MT_ARRAY, width);
      for (let j = 0; j < width; j++) cborNumber(w, r[j], plan.policy);
    }
    run.row++;
  }
  return false;
}

/**
 * Pulls and checks one row; null at the end or after latching an error. Shared with JSON.
 * A bare number is only a row when there is one sensor.
 */
export function pullRow(run: RunState, pull: () => PulledRow | null | undefined): PulledRow | null {
  const plan = run.plan;
  const width = plan.shape.width;
  const row = run.row;
  if (row >= MAX_ROWS) {
    run.fail(new DocumentError('EI_DOC_TOO_MANY_ROWS', 'payload.values', 'more than 2^32 rows'));
    return null;
  }
  let r: PulledRow | null | undefined;
  try {
    r = pull();
  } catch (e) {
    run.fail(new DocumentError('EI_DOC_SOURCE', `payload.values[${row}]`, 'the row source threw', { cause: e }));
    return null;
  }
  if (r === null || r === undefined) return null;
  const check = !plan.allowNonFinite;
  if (typeof r === 'number') {
    if (width !== 1) return failRow(run, badRow(row, r, width));
    if (check && r - r !== 0) return failRow(run, badValue(r, row, -1, plan.format));
    return r;
  }
  if (typeof r !== 'object' || r.length !== width) return failRow(run, badRow(row, r, width));
  for (let j = 0; j < width; j++) {
    const x = r[j];
    if (typeof x !== 'number' || (check && x - x !== 0)) return failRow(run, badValue(x, row, plan.flatten ? -1 : j, plan.format));
  }
  return r;
}

function failRow(run: RunState, e: DocumentError): null {
  run.fail(e);
  return null;
}

/** Binary tail samples, little-endian, after the document (FACTS §1). */
export function tailStep(run: RunState, w: ByteWriter): boolean {
  const shape = run.plan.shape;
  if (shape.kind !== 'tail') return true;
  const { data, tail } = shape;
  const cap = w.cap;
  w.ensureSlack(8);
  let i = run.tailIndex;
  while (i < data.length && w.pos < cap) w.le(data[i++], tail);
  run.tailIndex = i;
  return i >= data.length;
}
