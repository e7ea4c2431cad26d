/**
 * CBOR value loops, one per way values are given. Each writes whole rows while the writer has not
 * filled a chunk (`pos < cap`; `ensureSlack(maxRow)` guarantees a row always fits), remembers the
 * row it stopped at, and returns true when all rows are out. Number checks are latched into the
 * run (QCBOR style) instead of a separate pass over the samples.
 */
import { badValue, flatValueError, float32Overflow, rowError, type ValuesShape } from '../model/validate.ts';
import { cborHead, cborNumber, MT_ARRAY, NUM_FLOAT32, NUM_FLOAT64 } from './cbor.ts';
import { F32_SCRATCH, halfOfScratch, QCBOR_SINGLE, qcborWidthOfScratch } from './float.ts';
import { pullRow } from './pull-row.ts';
import type { RunState } from './run-state.ts';
import type { ByteWriter } from './writer.ts';

// Local copies of imported constants read in hot loops (an imported binding is a getter call under tsx).
const ARRAY = MT_ARRAY;
const F64 = NUM_FLOAT64;
const F32 = NUM_FLOAT32;
const QSINGLE = QCBOR_SINGLE;
/**
 * Integers below 2^24 are float32 values, so a double that fround does not keep can be an
 * integer only at or above 2^24: one range test stands for Math.trunc, and it is false for NaN.
 */
const INT_EXACT = 0x1000000;

/**
 * Typed arrays: the hot path. The write position lives in a local for the whole loop; the slack
 * reserved by `ensureSlack(maxRow)` lets a whole row go out with one bound check (`p < cap`).
 * Non-finite values are latched when not allowed.
 */
export function cborTypedStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  if (plan.shape.kind !== 'typed') return true;
  w.ensureSlack(plan.maxRow + STAGE_SPILL);
  const row = cborTypedLoop(run, w);
  run.row = row;
  return row >= plan.shape.count || run.error !== null;
}

function cborTypedLoop(run: RunState, w: ByteWriter): number {
  const plan = run.plan;
  const { data, width, count } = plan.shape as { data: Float32Array | Float64Array; width: number; count: number };
  const check = !plan.allowNonFinite;
  const rows = !plan.flatten;
  const policy = plan.policy;
  const cap = w.cap;
  const buf = w.buf;
  const dv = w.dv;
  let p = w.pos;
  let row = run.row;
  // The fast loop gets as many rows as surely reach `cap` (each at most maxRow bytes), so it ends
  // less than one row past `cap`; `block` bounds the general loop's stretches.
  const block = Math.max(1, Math.floor((buf.length - cap) / plan.maxRow));
  const maxRow = plan.maxRow;
  let fast = policy !== F32;
  let stretch = 1;
  while (row < count && p < cap) {
    // As in cborRowsLoop: the double-only loop while it applies, else `stretch` general rows.
    const to = Math.min(count, row + (fast ? Math.ceil((cap - p) / maxRow) : stretch));
    if (fast) {
      const q = typedRowsF64(data, width, row, to, buf, dv, p, rows, policy);
      if (q >= 0) {
        p = q;
        row = to;
        continue;
      }
      stretch = stopAt === row ? Math.min(stretch * 2, block) : 1;
      p = stopPos;
      row = stopAt;
      fast = false;
      continue;
    }
    const q = typedRows(data, width, row, to, buf, dv, p, policy, check, rows);
    if (q < 0) {
      w.pos = stopPos;
      return latch(run, data[stopAt], Math.floor(stopAt / width), rows ? stopAt % width : -1);
    }
    p = q;
    row = to;
    fast = policy !== F32;
  }
  w.pos = p;
  return row;
}

/**
 * typedRows for finite values (see arrayRowsF64): returns -1 at the first row holding NaN or
 * ±Infinity, with stopAt = that row and stopPos = where it starts.
 */
function typedRowsF64(data: Float32Array | Float64Array, width: number, from: number, to: number, buf: Uint8Array, dv: DataView, p: number, rows: boolean, policy: number): number {
  if (width === 3 && rows) return rows3(data, true, from, to, buf, p, policy);
  let i = from * width;
  for (let row = from; row < to; row++) {
    const start = p;
    if (rows) p = width < 24 ? ((buf[p] = 0x80 | width), p + 1) : putHead(buf, dv, p, ARRAY, width);
    for (let j = 0; j < width; j++) {
      const x = data[i++];
      if (Math.fround(x) === x || !(x < INT_EXACT && x > -INT_EXACT)) {
        if (x - x !== 0) return stop(row, start); // NaN, ±Infinity: the general loop decides
        RARE[0] = x;
        p = putNumberRare(buf, dv, p, policy);
        continue;
      }
      buf[p] = 0xfb;
      dv.setFloat64(p + 1, x);
      p += 9;
    }
  }
  return p;
}

/**
 * Where a rows function stopped (it then returns -1): typedRows, at a forbidden value (its index
 * in data); the others, at a row (its index).
 */
let stopAt = 0;
let stopPos = 0;

/** Rows [from, to) of typed samples into buf at p; returns the new position (room was made). */
function typedRows(data: Float32Array | Float64Array, width: number, from: number, to: number, buf: Uint8Array, dv: DataView, p: number, policy: number, check: boolean, rows: boolean): number {
  let i = from * width;
  const end = to * width;
  while (i < end) {
    if (rows) p = width < 24 ? ((buf[p] = 0x80 | width), p + 1) : putHead(buf, dv, p, ARRAY, width);
    for (let j = 0; j < width; j++) {
      const x = data[i];
      if (check && (x - x !== 0 || (policy === F32 && Math.fround(x) - Math.fround(x) !== 0))) {
        stopAt = i;
        stopPos = p;
        return -1;
      }
      p = putNumber(buf, dv, p, x, policy);
      i++;
    }
  }
  return p;
}

function latch(run: RunState, x: unknown, row: number, col: number): number {
  // A finite number stops a loop only when float32 rounding (c-sdk) made it infinite.
  run.fail(typeof x === 'number' && x - x === 0 ? float32Overflow(x, row, col) : badValue(x, row, col, run.plan.format));
  return row;
}

/**
 * Plain arrays. inspectDocument (deferValues) checked only the first row's kind; each row's
 * width and each number are checked here, in the writing loop, and the first bad one latched.
 */
export function cborArrayStep(run: RunState, w: ByteWriter): boolean {
  const plan = run.plan;
  if (plan.shape.kind !== 'rows' && plan.shape.kind !== 'flat') return true;
  w.ensureSlack(plan.maxRow + STAGE_SPILL);
  const row = plan.shape.kind === 'flat' ? cborFlatLoop(run, w) : cborRowsLoop(run, w); // no object access after a hot loop (see values-json.ts)
  run.row = row;
  return row >= plan.shape.count || run.error !== null;
}

function cborRowsLoop(run: RunState, w: ByteWriter): number {
  const plan = run.plan;
  const shape = plan.shape as Extract<ValuesShape, { kind: 'rows' }>;
  const width = shape.width;
  const count = shape.count;
  const src = shape.rows;
  const policy = plan.policy;
  const check = !plan.allowNonFinite;
  const rows = !plan.flatten;
  const cap = w.cap;
  const buf = w.buf;
  const dv = w.dv;
  let p = w.pos;
  let row = run.row;
  const block = Math.max(1, Math.floor((buf.length - cap) / plan.maxRow)); // see cborTypedLoop
  const maxRow = plan.maxRow;
  let fast = policy !== F32;
  let stretch = 1;
  while (row < count && p < cap) {
    // The finite-number loop while it applies; where it stops, the general one for `stretch` rows
    // (doubling while the fast loop keeps stopping at once: typed-array rows, say).
    const to = Math.min(count, row + (fast ? Math.ceil((cap - p) / maxRow) : stretch));
    const q = fast ? arrayRowsF64(src, width, row, to, buf, dv, p, rows, policy) : arrayRows(src, width, row, to, buf, dv, p, policy, check, rows);
    if (q >= 0) {
      p = q;
      row = to;
      fast = policy !== F32;
      continue;
    }
    if (fast) {
      stretch = stopAt === row ? Math.min(stretch * 2, block) : 1;
      p = stopPos;
      row = stopAt;
      fast = false;
      continue;
    }
    p = stopPos;
    row = stopAt;
    // The general loop stopped at row stopAt (written up to stopPos): an error, or a typed-array row (allowed).
    const r = src[row];
    const e = rowError(r, row, width);
    if (e !== null) {
      w.pos = p;
      run.fail(e);
      return row;
    }
    if (rows) p = width < 24 ? ((buf[p] = 0x80 | width), p + 1) : putHead(buf, dv, p, ARRAY, width);
    for (let j = 0; j < width; j++) {
      const x = r[j];
      if (typeof x !== 'number' || (check && (x - x !== 0 || (policy === F32 && Math.fround(x) - Math.fround(x) !== 0)))) {
        w.pos = p;
        return latch(run, x, row, j);
      }
      p = putNumber(buf, dv, p, x, policy);
    }
    row++;
  }
  w.pos = p;
  return row;
}

/**
 * Rows [from, to) of plain number arrays into buf at p; returns the new position, or -1 at the
 * first row that is not a plain array of `width` allowed numbers (stopAt/stopPos say where).
 */
function arrayRows(src: ArrayLike<ArrayLike<number>>, width: number, from: number, to: number, buf: Uint8Array, dv: DataView, p: number, policy: number, check: boolean, rows: boolean): number {
  for (let row = from; row < to; row++) {
    const r = src[row];
    if (!Array.isArray(r) || r.length !== width) return stop(row, p);
    const start = p;
    if (rows) p = width < 24 ? ((buf[p] = 0x80 | width), p + 1) : putHead(buf, dv, p, ARRAY, width);
    for (let j = 0; j < width; j++) {
      const x = r[j];
      if (typeof x !== 'number' || (check && (x - x !== 0 || (policy === F32 && Math.fround(x) - Math.fround(x) !== 0)))) return stop(row, start);
      p = putNumber(buf, dv, p, x, policy);
    }
  }
  return p;
}

/**
 * arrayRows for rows of finite numbers (under NUM_SHORTEST and NUM_FLOAT64). A double that
 * neither float32 nor an integer keeps is written inline; any other finite number goes through
 * putNumberRare by the RARE scratch word (no boxing, and the half/single/integer code stays out
 * of this loop: about 15% off a whole N = 100,000 encode+HS256, measured). A row that is not an
 * array of `width` numbers, or holds NaN/±Infinity, stops it (-1, stopAt/stopPos) for the general
 * loop, which checks and reports it. Handling float32-exact values here instead of stopping also
 * removed ~50 B a stop that some processes' optimised outer loop allocated (120 KB a request at
 * N = 100,000, measured).
 */
function arrayRowsF64(src: ArrayLike<ArrayLike<number>>, width: number, from: number, to: number, buf: Uint8Array, dv: DataView, p: number, rows: boolean, policy: number): number {
  if (width === 3 && rows) return rows3(src, false, from, to, buf, p, policy);
  for (let row = from; row < to; row++) {
    const r = src[row];
    if (!Array.isArray(r) || r.length !== width) return stop(row, p);
    const start = p;
    if (rows) p = width < 24 ? ((buf[p] = 0x80 | width), p + 1) : putHead(buf, dv, p, ARRAY, width);
    for (let j = 0; j < width; j++) {
      const x = r[j];
      if (typeof x !== 'number') return stop(row, start);
      if (Math.fround(x) === x || !(x < INT_EXACT && x > -INT_EXACT)) {
        if (x - x !== 0) return stop(row, start); // NaN, ±Infinity: the general loop decides
        RARE[0] = x;
        p = putNumberRare(buf, dv, p, policy);
        continue;
      }
      buf[p] = 0xfb;
      dv.setFloat64(p + 1, x);
      p += 9;
    }
  }
  return p;
}

// Three axes (an accelerometer, a gyroscope) are the common row: unrolled, a row of three plain
// doubles is one test and one 28-byte write (about 1.5× the looped row, measured). A row holding
// any other number is written value by value as in typedRowsF64 / arrayRowsF64.

// They are written into a module-level staging block, then copied out: V8 optimises writes into
// a typed array it sees as a constant far better than into one passed as an argument (half the
// time a row in a microbenchmark; 15–25% off a whole 1,000-row encode even with the copy,
// measured A/B). The copy takes a whole number of KiB from one of a few views made once, so
// nothing is allocated; the up to 1023 bytes past the block land in the writer's slack, where
// nothing is read: the fast loops end less than a row past `cap` and the steps reserve
// maxRow + STAGE_SPILL bytes of slack.
const STAGE_ROWS = 1024;
/** Slack the value steps reserve beyond a row for the copy's spill. */
const STAGE_SPILL = 1024;
const STAGE_BUF = new Uint8Array(STAGE_ROWS * 28);
const STAGE_DV = new DataView(STAGE_BUF.buffer);
const STAGE_VIEWS: Uint8Array[] = [];
for (let k = 0; k * 1024 <= STAGE_BUF.length; k++) STAGE_VIEWS.push(STAGE_BUF.subarray(0, k * 1024));

/** Copies STAGE_BUF[0, n) (and up to STAGE_SPILL − 1 bytes after it) into buf at p. */
function unstage(buf: Uint8Array, p: number, n: number): void {
  const k = (n + 1023) >> 10;
  if (p + k * 1024 <= buf.length) buf.set(STAGE_VIEWS[k]!, p);
  else buf.set(STAGE_BUF.subarray(0, n), p); // not reached while the slack holds (see above)
}

/** Rows of three, typed (`typed`) or plain arrays, through the staging block into buf at p. */
function rows3(src: Float32Array | Float64Array | ArrayLike<ArrayLike<number>>, typed: boolean, from: number, to: number, buf: Uint8Array, p: number, policy: number): number {
  for (let row = from; row < to; ) {
    const end = Math.min(to, row + STAGE_ROWS);
    const n = typed ? typedRows3Staged(src as Float32Array | Float64Array, row, end, policy) : arrayRows3Staged(src as ArrayLike<ArrayLike<number>>, row, end, policy);
    if (n < 0) {
      unstage(buf, p, stopPos);
      stopPos += p;
      return -1;
    }
    unstage(buf, p, n);
    p += n;
    row = end;
  }
  return p;
}

/** Rows [from, to) into STAGE_BUF from 0; its length, or -1 as the other rows functions do. */
function typedRows3Staged(data: Float32Array | Float64Array, from: number, to: number, policy: number): number {
  const buf = STAGE_BUF;
  const dv = STAGE_DV;
  let p = 0;
  let i = from * 3;
  for (let row = from; row < to; row++, i += 3) {
    const x = data[i];
    const y = data[i + 1];
    const z = data[i + 2];
    if (Math.fround(x) !== x && x < INT_EXACT && x > -INT_EXACT && Math.fround(y) !== y && y < INT_EXACT && y > -INT_EXACT && Math.fround(z) !== z && z < INT_EXACT && z > -INT_EXACT) {
      buf[p] = 0x83;
      buf[p + 1] = 0xfb;
      dv.setFloat64(p + 2, x);
      buf[p + 10] = 0xfb;
      dv.setFloat64(p + 11, y);
      buf[p + 19] = 0xfb;
      dv.setFloat64(p + 20, z);
      p += 28;
      continue;
    }
    const start = p;
    buf[p++] = 0x83;
    for (let j = 0; j < 3; j++) {
      const v = data[i + j];
      if (Math.fround(v) === v || !(v < INT_EXACT && v > -INT_EXACT)) {
        if (v - v !== 0) return stop(row, start);
        RARE[0] = v;
        p = putNumberRare(buf, dv, p, policy);
        continue;
      }
      buf[p] = 0xfb;
      dv.setFloat64(p + 1, v);
      p += 9;
    }
  }
  return p;
}

function arrayRows3Staged(src: ArrayLike<ArrayLike<number>>, from: number, to: number, policy: number): number {
  const buf = STAGE_BUF;
  const dv = STAGE_DV;
  let p = 0;
  for (let row = from; row < to; row++) {
    const r = src[row];
    if (!Array.isArray(r) || r.length !== 3) return stop(row, p);
    const x = r[0];
    const y = r[1];
    const z = r[2];
    if (
      typeof x === 'number' && Math.fround(x) !== x && x < INT_EXACT && x > -INT_EXACT &&
      typeof y === 'number' && Math.fround(y) !== y && y < INT_EXACT && y > -INT_EXACT &&
      typeof z === 'number' && Math.fround(z) !== z && z < INT_EXACT && z > -INT_EXACT
    ) {
      buf[p] = 0x83;
      buf[p + 1] = 0xfb;
      dv.setFloat64(p + 2, x);
      buf[p + 10] = 0xfb;
      dv.setFloat64(p + 11, y);
      buf[p + 19] = 0xfb;
      dv.setFloat64(p + 20, z);
      p += 28;
      continue;
    }
    const start = p;
    buf[p++] = 0x83;
    for (let j = 0; j < 3; j++) {
      const v = r[j];
      if (typeof v !== 'number') return stop(row, start);
      if (Math.fround(v) === v || !(v < INT_EXACT && v > -INT_EXACT)) {
        if (v - v !== 0) return stop(row, start);
        RARE[0] = v;
        p = putNumberRare(buf, dv, p, policy);
        continue;
      }
      buf[p] = 0xfb;
      dv.setFloat64(p + 1, v);
      p += 9;
    }
  }
  return p;
}

function stop(at: number, pos: number): number {
  stopAt = at;
  stopPos = pos;
  return -1;
}

function cborFlatLoop(run: RunState, w: ByteWriter): number {
  const plan = run.plan;
  const shape = plan.shape as Extract<ValuesShape, { kind: 'flat' }>;
  const count = shape.count;
  const src = shape.flat;
  const policy = plan.policy;
  const check = !plan.allowNonFinite;
  const rows = !plan.flatten;
  const cap = w.cap;
  const buf = w.buf;
  const dv = w.dv;
  let p = w.pos;
  let row = run.row;
  while (row < count && p < cap) {
    const x = src[row];
    if (typeof x !== 'number' || (check && (x - x !== 0 || (policy === F32 && Math.fround(x) - Math.fround(x) !== 0)))) {
      w.pos = p;
      run.fail(typeof x === 'number' && x - x === 0 ? float32Overflow(x, row, -1) : flatValueError(x, row, plan.format));
      return row;
    }
    if (rows) buf[p++] = 0x81;
    p = putNumber(buf, dv, p, x, policy);
    row++;
  }
  w.pos = p;
  return row;
}

// Number writers for the loops above: plain functions over (buf, dv, p) returning the new
// position, so a loop keeps its position in a local and TurboFan inlines them. They live in this
// module on purpose: under tsx a call to an imported function in a hot loop costs about twice the
// loop (measured), same-module calls inline. Same bytes as cborNumber in cbor.ts.

/** Head of major type `major` with argument `n` (a non-negative safe integer). */
function putHead(buf: Uint8Array, dv: DataView, p: number, major: number, n: number): number {
  const m = major << 5;
  if (n < 24) {
    buf[p] = m | n;
    return p + 1;
  }
  if (n < 0x100) {
    buf[p] = m | 24;
    buf[p + 1] = n;
    return p + 2;
  }
  if (n < 0x10000) {
    buf[p] = m | 25;
    dv.setUint16(p + 1, n);
    return p + 3;
  }
  if (n < 0x1_0000_0000) {
    buf[p] = m | 26;
    dv.setUint32(p + 1, n);
    return p + 5;
  }
  buf[p] = m | 27;
  dv.setUint32(p + 1, Math.floor(n / 0x1_0000_0000));
  dv.setUint32(p + 5, n >>> 0);
  return p + 9;
}

// The rare path takes its number through these scratch words, not as an argument: a double
// passed to a call V8 did not inline is boxed, and in some processes V8 did not inline this path
// (~50 B a float32-exact value, 120 KB a request at N = 100,000 of the bench's data, measured).
const RARE = new Float64Array(1);
const F32S = F32_SCRATCH;

/** The number in F32S (a float32 value or NaN/±Infinity) as half when exact, else single. */
function putHalfOrSingle(buf: Uint8Array, dv: DataView, p: number): number {
  const h = halfOfScratch();
  if (h >= 0) {
    buf[p] = 0xf9;
    dv.setUint16(p + 1, h);
    return p + 3;
  }
  buf[p] = 0xfa;
  dv.setFloat32(p + 1, F32S[0]);
  return p + 5;
}

/**
 * The number in F32S (a float32 value or NaN/±Infinity) as QCBOR writes it for the C SDK layout:
 * half, single, or double for a float32 subnormal (cborFloat32Qcbor's bytes).
 */
function putQcbor(buf: Uint8Array, dv: DataView, p: number): number {
  const h = qcborWidthOfScratch();
  if (h >= 0) {
    buf[p] = 0xf9;
    dv.setUint16(p + 1, h);
    return p + 3;
  }
  if (h === QSINGLE) {
    buf[p] = 0xfa;
    dv.setFloat32(p + 1, F32S[0]);
    return p + 5;
  }
  buf[p] = 0xfb;
  dv.setFloat64(p + 1, F32S[0]);
  return p + 9;
}

/**
 * One number under a policy (NUM_FLOAT64 / NUM_SHORTEST / NUM_FLOAT32), as cborNumber writes it.
 * Kept tiny so TurboFan inlines it into the loops (a call boxes the double): the common case, a
 * double that neither float32 nor an integer keeps, is written here, the rest out of line.
 */
function putNumber(buf: Uint8Array, dv: DataView, p: number, x: number, policy: number): number {
  if (policy === F64 || (policy !== F32 && Math.fround(x) !== x && x === x && x !== Math.trunc(x))) {
    buf[p] = 0xfb;
    dv.setFloat64(p + 1, x);
    return p + 9;
  }
  RARE[0] = x;
  return putNumberRare(buf, dv, p, policy);
}

/** putNumber for the number in RARE when it is not a plain double (or the policy is float64). */
function putNumberRare(buf: Uint8Array, dv: DataView, p: number, policy: number): number {
  const x = RARE[0];
  F32S[0] = x;
  if (policy === F32) return putQcbor(buf, dv, p);
  if (policy !== F64) {
    if (Number.isSafeInteger(x) && (x !== 0 || 1 / x > 0)) {
      return x >= 0 ? putHead(buf, dv, p, 0, x) : putHead(buf, dv, p, 1, -1 - x);
    }
    if (F32S[0] === x || x !== x) return putHalfOrSingle(buf, dv, p);
  }
  buf[p] = 0xfb;
  dv.setFloat64(p + 1, x);
  return p + 9;
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
