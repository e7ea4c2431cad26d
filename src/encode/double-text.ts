/**
 * Shortest double → text, byte-exact with ECMAScript's Number::toString(10) (what JSON.stringify
 * writes), straight into a caller's Uint8Array and without allocating.
 *
 * Paths, cheapest first:
 *  1. integers below 2^53: their digits are the shortest text;
 *  2. short decimals: with j chosen so x·10^j < 2^50, the round-trip interval of x scaled by 10^j
 *     is narrower than 1/4, so at most one integer m lies in it, every shorter round-tripping
 *     decimal equals m there, and `m / 10^j === x` (one correctly rounded division, both operands
 *     exact) decides exactly whether m round-trips;
 *  3. everything else: Schubfach (R. Giulietti, "The Schubfach way to render doubles"). Its
 *     decisions are first made on v = x/10^k in double-double arithmetic, each certified by a
 *     margin far above the arithmetic's error; the rare uncertain ones (exact ties, a bound
 *     exactly on a candidate, large integers) are redone by
 *  4. exact Schubfach (double-text-exact.ts): the reference's 64×128-bit products in 21-bit limbs
 *     held in doubles, reproducing its rounding-to-odd bit for bit.
 * Unlike Java's Schubfach, neither forces two digits (ECMAScript prints 5e-324, not 4.9E-324).
 * Paths 1–3 live here; every path hands its digits to writeDecimal / writeDigitsBack
 * (decimal-text.ts) for the layout. Values that may not be small integers cross module
 * boundaries in typed-array scratch words (F64, HIGH, DOUBLE_IN), never as arguments.
 */

import {
  digitCount as digitCountImported,
  HIGH as HIGH_SCRATCH,
  writeDecimal as writeDecimalImported,
  writeDigitsBack as writeDigitsBackImported,
} from './decimal-text.ts';
import {
  F64 as F64_SCRATCH,
  HI_WORD as HI,
  LO_WORD as LO,
  U32 as U32_SCRATCH,
} from './double-bits.ts';
import { schubfachExact as schubfachExactImported } from './double-text-exact.ts';
import {
  F_K,
  F_SIGH,
  F_SIGHH,
  F_SIGHL,
  F_SIGLO,
  F_DL,
  F_DR,
  buildTables,
  FAST_J as FAST_J_TABLE,
  Q_STRIDE,
  Q_TABLE as Q_ENTRIES,
} from './double-text-table.ts';

/** Upper bound of bytes writeDouble may write ("-0.00000" + 17 digits). */
export const MAX_DOUBLE_TEXT = 25;

// Local copies: imported bindings are slower in hot code under tsx's module wrapper.
const F64 = F64_SCRATCH;
const U32 = U32_SCRATCH;
const HI_WORD = HI;
const LO_WORD = LO;
const HIGH = HIGH_SCRATCH;
const writeDecimal = writeDecimalImported;
const writeDigitsBack = writeDigitsBackImported;
const digitCount = digitCountImported;
const schubfachExact = schubfachExactImported;
const QT = Q_ENTRIES;
const FJ = FAST_J_TABLE;
const STRIDE = Q_STRIDE;
const O_K = F_K;
const O_SIGH = F_SIGH;
const O_SIGHH = F_SIGHH;
const O_SIGHL = F_SIGHL;
const O_SIGLO = F_SIGLO;
const O_DL = F_DL;
const O_DR = F_DR;

const TWO52 = 4503599627370496;
const TWO53 = 9007199254740992;
const E8 = 100000000;
const INV_E8 = 1 / E8;
const TWO32 = 4294967296;
const SPLIT = 134217729; // 2^27 + 1, Veltkamp's splitter for doubles
/**
 * Margin of the approximate path: its error on v (in units of 10^k) is below 2^-26, so a
 * decision closer than 2^-20 to its threshold (exact ties, bounds exactly on a candidate) goes to
 * the exact path instead. Random doubles in [-10, 10] land that close about once in 10^5.
 */
const MARGIN = 1 / 1048576;

/** 10^j for j ≤ 22, built by multiplication (each step exact; `10 ** j` is not always). */
const P10 = new Float64Array(23);
{
  let v = 1;
  for (let j = 0; j < 23; j++, v *= 10) P10[j] = v;
}

const NAN_TEXT = new Uint8Array([78, 97, 78]); // "NaN"
const INFINITY_TEXT = new Uint8Array([73, 110, 102, 105, 110, 105, 116, 121]); // "Infinity"

/**
 * Writes the text of `String(x)` for a finite double x (so -0 → "0") into buf at p; returns the
 * new position. The caller guarantees at least MAX_DOUBLE_TEXT (25) bytes of room. Allocates
 * nothing. (NaN and ±Infinity, which JSON cannot carry, come out as String gives them too.)
 */
export function writeDouble(buf: Uint8Array, p: number, x: number): number {
  DOUBLE_IN[0] = x;
  return writeDoubleIn(buf, p);
}

/**
 * Where hot loops hand writeDoubleIn its number: a double passed as an argument to a call V8
 * does not inline is boxed (a heap number per value), a typed-array store is not.
 */
export const DOUBLE_IN = new Float64Array(1);

/** writeDouble of DOUBLE_IN[0]. */
export function writeDoubleIn(buf: Uint8Array, p: number): number {
  let x = DOUBLE_IN[0];
  if (x < 0) {
    buf[p++] = 45;
    x = -x;
  } else if (x === 0) {
    buf[p] = 48;
    return p + 1;
  }
  if (x < TWO53 && Math.floor(x) === x) return writeInteger(buf, p, x);
  if (!tablesBuilt) {
    buildTables();
    tablesBuilt = true;
  }
  F64[0] = x;
  const hi = U32[HI_WORD];
  const be = hi >>> 20;
  if (be === 2047) return writeNonFinite(buf, p, x);
  if (exactOnly) return schubfachExact(buf, p, be, hi & 0xfffff);
  const j = FJ[be];
  if (j >= 0) {
    const scale = P10[j];
    const m = Math.floor(x * scale + 0.5); // exact (x·scale < 2^50); Math.round would branch
    if (m / scale === x) {
      let h = Math.floor(m * INV_E8); // may be one off; fixed below
      let l = m - h * E8;
      if (l >= E8) {
        h += 1;
        l -= E8;
      }
      if (l < 0) {
        h -= 1;
        l += E8;
      }
      HIGH[0] = h;
      return writeDecimal(buf, p, l | 0, -j);
    }
  }
  return schubfach(buf, p, be, hi & 0xfffff);
}

/** Set only inside writeDoubleExactPath. */
let exactOnly = false;
/** The tables are built on the first non-integer value (see buildTables). */
let tablesBuilt = false;

/**
 * Same contract as writeDouble but always through the exact (limb) Schubfach path for values the
 * two fast paths would not take. For tests: it lets them cover the rarely taken exact path.
 */
export function writeDoubleExactPath(buf: Uint8Array, p: number, x: number): number {
  exactOnly = true;
  try {
    return writeDouble(buf, p, x);
  } finally {
    exactOnly = false;
  }
}

/** "NaN" or "Infinity" (the sign is already written), as String(x) has it. */
function writeNonFinite(buf: Uint8Array, p: number, x: number): number {
  const text = x !== x ? NAN_TEXT : INFINITY_TEXT;
  for (let i = 0; i < text.length; i++) buf[p + i] = text[i];
  return p + text.length;
}

/** Positive integer below 2^53: plain digits (at most 16, so never exponent form). */
function writeInteger(buf: Uint8Array, p: number, x: number): number {
  let h = Math.floor(x * INV_E8); // may be one off; fixed below
  let l = x - h * E8;
  if (l >= E8) {
    h += 1;
    l -= E8;
  }
  if (l < 0) {
    h -= 1;
    l += E8;
  }
  if (h === 0) {
    const n = digitCount(l);
    writeDigitsBack(buf, p + n, l, n);
    return p + n;
  }
  const n = digitCount(h);
  writeDigitsBack(buf, p + n + 8, l, 8);
  writeDigitsBack(buf, p + n, h, n);
  return p + n + 8;
}

/**
 * Schubfach's decisions made on v = c·2^q/10^k computed in double-double arithmetic (error below
 * 2^-26 in units of 10^k): s = floor(v) in base 10^8 and v's fraction. Each comparison with a
 * bound or midpoint is certified against MARGIN; an uncertain one (in practice exact cases only)
 * defers to schubfachExact (double-text-exact.ts). The double is in F64[0]; be and tHi as there.
 */
function schubfach(buf: Uint8Array, p: number, be: number, tHi: number): number {
  const tLo = U32[LO_WORD];
  let c = tHi * TWO32 + tLo;
  let base = be * STRIDE;
  if (be !== 0) {
    if (c === 0 && be > 1) base = (2047 + be) * STRIDE;
    c += TWO52;
  }
  // v/10^8 = c·σ' (< 2^31) in double-double: Dekker's exact c·σH = pr + err, plus c·σLo.
  // Its integer part is the high half of s in base 10^8; the fraction, scaled by 10^8, gives
  // the low half and v's own fraction to within 2^-26.
  const sigH = QT[base + O_SIGH];
  const pr = c * sigH;
  const ct = c * SPLIT;
  const ch = ct - (ct - c);
  const cl = c - ch;
  const sh = QT[base + O_SIGHH];
  const sl = QT[base + O_SIGHL];
  const err = ch * sh - pr + ch * sl + cl * sh + cl * sl; // left to right, as Dekker requires
  let sH = Math.floor(pr);
  let t = pr - sH + (err + c * QT[base + O_SIGLO]);
  if (t < 0) {
    t += 1;
    sH -= 1;
  } else if (t >= 1) {
    t -= 1;
    sH += 1;
  }
  const y = t * E8;
  let sL = Math.floor(y);
  const frac = y - sL;
  sL |= 0;
  // frac at 0 (or 1) would make sL itself uncertain: exact cases, left to the exact path.
  if (frac < MARGIN || frac > 1 - MARGIN) return schubfachExact(buf, p, be, tHi);

  const dl = QT[base + O_DL];
  const dr = QT[base + O_DR];
  const r10 = sL % 10;
  // Distance of each candidate's bound test from its threshold (positive: inside). s − r10
  // (a digit shorter) lies frac + r10 below v, s − r10 + 10 lies 10 − r10 − frac above.
  const d1 = dl - (frac + r10);
  const d2 = dr - (10 - r10 - frac);
  if (Math.abs(d1) < MARGIN || Math.abs(d2) < MARGIN) return schubfachExact(buf, p, be, tHi);
  const upin = d1 > 0;
  if (upin !== d2 > 0) {
    // Exactly one shorter candidate inside: it is the shortest (at most one fits).
    sL -= r10;
    if (!upin) {
      sL += 10;
      if (sL >= E8) {
        sL -= E8;
        sH += 1;
      }
    }
  } else {
    // s lies frac below v, s + 1 lies 1 − frac above; d5 tells the closer one.
    const d3 = dl - frac;
    const d4 = dr - (1 - frac);
    const d5 = frac - 0.5;
    if (Math.abs(d3) < MARGIN || Math.abs(d4) < MARGIN || Math.abs(d5) < MARGIN) {
      return schubfachExact(buf, p, be, tHi);
    }
    const uin = d3 > 0;
    // s + 1 when only it lies inside, or both do and it is closer.
    if (uin === d4 > 0 ? d5 > 0 : !uin) {
      sL += 1;
      if (sL >= E8) {
        sL -= E8;
        sH += 1;
      }
    }
  }
  HIGH[0] = sH;
  return writeDecimal(buf, p, sL, QT[base + O_K] | 0);
}
