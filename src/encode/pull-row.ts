/**
 * Reading a pull source (an iterator or callback of rows from a live sensor), shared by the CBOR
 * and JSON value steps: each row is checked as it arrives and the first bad one latched.
 */
import type { PulledRow } from '../model/document.ts';
import { DocumentError } from '../model/errors.ts';
import { badRow, badValue, float32Overflow, MAX_ROWS } from '../model/validate.ts';
import type { RunState } from './run-state.ts';

/**
 * Pulls and checks one row; null at the end or after latching an error.
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
    if (check && plan.round32 && Math.fround(r) - Math.fround(r) !== 0) return failRow(run, float32Overflow(r, row, -1));
    return r;
  }
  if (typeof r !== 'object' || r.length !== width) return failRow(run, badRow(row, r, width));
  for (let j = 0; j < width; j++) {
    const x = r[j];
    if (typeof x !== 'number' || (check && x - x !== 0)) return failRow(run, badValue(x, row, plan.flatten ? -1 : j, plan.format));
    if (check && plan.round32 && Math.fround(x) - Math.fround(x) !== 0) return failRow(run, float32Overflow(x, row, plan.flatten ? -1 : j));
  }
  return r;
}

function failRow(run: RunState, e: DocumentError): null {
  run.fail(e);
  return null;
}
