/**
 * CBOR value loops, one per way values are given. Each writes whole rows while the writer has not
 * filled a chunk (`pos < cap`; `ensureSlack(maxRow)` guarantees a row always fits), remembers the
 * row it stopped at, and returns true when all rows are out. Number checks are latched into the
 * run (QCBOR style) instead of a separate pass over the samples.
 */
import { DocumentError } from '../model/errors.ts';
import { badRow, badValue, MAX_ROWS } from '../model/validate.ts';
import type { PulledRow } from '../model/document.ts';
import { cborHead, cborNumber, MT_ARRAY, NUM_FLOAT32, NUM_FLOAT64, cborFloat32Shortest, cborFloatShortest, cborInt, isCborInt } from './cbor.ts';
import type { RunState } from './run-state.ts';
import type { ByteWriter } from './writer.ts';

/** Typed arrays: the hot path. No per-value objects, one branch on the policy per value. */
export function cborTypedStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  if (plan.shape.kind !== 'typed') return true;
  const { data, width, count } = plan.shape;
  const policy = plan.policy;
  const check = !plan.allowNonFinite;
  const rowHead = plan.flatten ? -1 : 0x80 | width;
  const cap = w.cap;
  w.ensureSlack(plan.maxRow);
  let row = run.row;
  let i = row * width;
  while (row < count && w.pos < cap) {
    if (rowHead >= 0) {
      if (width < 24) w.u8(rowHead);
      else cborHead(w, MT_ARRAY, width);
    }
    for (let j = 0; j < width; j++) {
      const x = data[i++];
      if (check && x - x !== 0) {
        run.fail(badValue(x, row, rowHead < 0 ? -1 : j, 'cbor'));
        return true;
      }
      if (policy === NUM_FLOAT64) {
        w.u8(0xfb);
        w.f64(x);
      } else if (policy === NUM_FLOAT32) {
        cborFloat32Shortest(w, x);
      } else if (isCborInt(x)) {
        cborInt(w, x);
      } else {
        cborFloatShortest(w, x);
      }
    }
    row++;
  }
  run.row = row;
  return row >= count;
}

/** Plain arrays (already fully validated by inspectDocument). */
export function cborArrayStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  const shape = plan.shape;
  if (shape.kind !== 'rows' && shape.kind !== 'flat') return true;
  const width = shape.width;
  const count = shape.count;
  const policy = plan.policy;
  const cap = w.cap;
  w.ensureSlack(plan.maxRow);
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
  run.row = row;
  return row >= count;
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
