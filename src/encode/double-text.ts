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
 *  4. exact Schubfach: the reference's 64×128-bit products in 21-bit limbs held in doubles,
 *     reproducing its rounding-to-odd bit for bit.
 * Unlike Java's Schubfach, neither forces two digits (ECMAScript prints 5e-324, not 4.9E-324).
 */

import {
  F_GOFF,
  F_K,
  F_LI,
  F_LLH,
  F_LLL,
  F_LMH,
  F_LML,
  F_POW,
  F_RI,
  F_RLH,
  F_RLL,
  F_RMH,
  F_RML,
  F_DL,
  F_DR,
  F_SIGH,
  F_SIGHH,
  F_SIGHL,
  F_SIGLO,
  FAST_J as FAST_J_TABLE,
  G_LIMBS as G_TABLE,
  Q_STRIDE,
  Q_TABLE as Q_ENTRIES,
} from './double-text-table.ts';

/** Upper bound of bytes writeDouble may write ("-0.00000" + 17 digits). */
export const MAX_DOUBLE_TEXT = 25;

// Local copies: imported bindings are slower in hot code under tsx's module wrapper.
const G = G_TABLE;
const QT = Q_ENTRIES;
const FJ = FAST_J_TABLE;
const STRIDE = Q_STRIDE;
const O_GOFF = F_GOFF;
const O_POW = F_POW;
const O_K = F_K;
const O_RI = F_RI;
const O_RMH = F_RMH;
const O_RML = F_RML;
const O_RLH = F_RLH;
const O_RLL = F_RLL;
const O_LI = F_LI;
const O_LMH = F_LMH;
const O_LML = F_LML;
const O_LLH = F_LLH;
const O_LLL = F_LLL;
const O_SIGH = F_SIGH;
const O_SIGHH = F_SIGHH;
const O_SIGHL = F_SIGHL;
const O_SIGLO = F_SIGLO;
const O_DL = F_DL;
const O_DR = F_DR;

const TWO21 = 2097152;
const INV21 = 1 / TWO21;
const MASK21 = 0x1fffff;
const TWO42 = 4398046511104;
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

/** "0000".."9999" as four ASCII bytes packed in one word, first digit in the lowest byte. */
const QUADS = new Uint32Array(10000);
for (let i = 0; i < 10000; i++) {
  const d0 = (i / 1000) | 0;
  const d1 = ((i / 100) | 0) % 10;
  const d2 = ((i / 10) | 0) % 10;
  const d3 = i % 10;
  QUADS[i] = (48 + d0) | ((48 + d1) << 8) | ((48 + d2) << 16) | ((48 + d3) << 24);
}

/** The four ASCII digits packed in q (see QUADS) at [at, at + 4). */
function put4(buf: Uint8Array, at: number, q: number): void {
  buf[at] = q & 255;
  buf[at + 1] = (q >>> 8) & 255;
  buf[at + 2] = (q >>> 16) & 255;
  buf[at + 3] = q >>> 24;
}

/** "00".."99" as ASCII pairs. */
const PAIRS = new Uint8Array(200);
for (let i = 0; i < 100; i++) {
  PAIRS[2 * i] = 48 + ((i / 10) | 0);
  PAIRS[2 * i + 1] = 48 + (i % 10);
}

// Bit access to the double; word order depends on the platform's endianness.
const F64 = new Float64Array(1);
const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
const HI_WORD = LITTLE ? 1 : 0;
const LO_WORD = LITTLE ? 0 : 1;

/**
 * The high base-10^8 half of the digits, handed to writeDecimal through a typed array: it may
 * exceed the small-integer range, and a double passed to a call that V8 does not inline is boxed.
 */
const HIGH = new Float64Array(1);

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
  F64[0] = x;
  const hi = U32[HI_WORD];
  const be = hi >>> 20;
  if (be === 2047) return writeNonFinite(buf, p, x);
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

/**
 * Same contract as writeDouble but always through the exact (limb) Schubfach path for values the
 * two fast paths would not take. For tests: it lets them cover the rarely taken exact path.
 */
export function writeDoubleExactPath(buf: Uint8Array, p: number, x: number): number {
  if (x < 0) {
    buf[p++] = 45;
    x = -x;
  } else if (x === 0) {
    buf[p] = 48;
    return p + 1;
  }
  if (x < TWO53 && Math.floor(x) === x) return writeInteger(buf, p, x);
  F64[0] = x;
  const hi = U32[HI_WORD];
  if (hi >>> 20 === 2047) return writeNonFinite(buf, p, x);
  return schubfachExact(buf, p, hi >>> 20, hi & 0xfffff);
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
 * defers to schubfachExact. The double is in F64[0]; be and tHi as in schubfachExact.
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

/**
 * Schubfach for the positive double in F64[0] (biased exponent be, top fraction bits tHi), exact:
 * the reference's 64×128-bit products in 21-bit limbs. The low fraction word is read here, not
 * passed: a uint32 above 2^30 would be boxed.
 */
function schubfachExactImpl(buf: Uint8Array, p: number, be: number, tHi: number): number {
  const tLo = U32[LO_WORD];
  let c = tHi * 4294967296 + tLo;
  let base = be * STRIDE;
  if (be !== 0) {
    // Significand exactly 2^52 (above the smallest normal): the gap below x is half the gap
    // above, which needs its own k and left half-width.
    if (c === 0 && be > 1) base = (2047 + be) * STRIDE;
    c += TWO52;
  }
  const out = tLo & 1; // odd significand: interval bounds do not round back to x

  // P = g·c·2^(h+1) with g in six 21-bit limbs and c·2^(h+1) (< 2^59: h ≤ 5) in three.
  const go = QT[base + O_GOFF];
  const c2 = c * QT[base + O_POW];
  const u = Math.floor(c2 * INV21);
  const a0 = c2 - u * TWO21;
  const a2 = Math.floor(u * INV21);
  const a1 = u - a2 * TWO21;
  const g0 = G[go];
  const g1 = G[go + 1];
  const g2 = G[go + 2];
  const g3 = G[go + 3];
  const g4 = G[go + 4];
  const g5 = G[go + 5];
  // Column sums stay below 2^45, so they are exact. Each column is split into its low 21 bits and
  // the rest independently (no long floating-point dependency chain); the pieces are then
  // recombined with one cheap int32 carry pass.
  const c0 = a0 * g0;
  const c1 = a0 * g1 + a1 * g0;
  const c2c = a0 * g2 + a1 * g1 + a2 * g0;
  const c3 = a0 * g3 + a1 * g2 + a2 * g1;
  const c4 = a0 * g4 + a1 * g3 + a2 * g2;
  const c5 = a0 * g5 + a1 * g4 + a2 * g3;
  const c6 = a1 * g5 + a2 * g4;
  const c7 = a2 * g5;
  const h0 = Math.floor(c0 * INV21);
  const h1 = Math.floor(c1 * INV21);
  const h2 = Math.floor(c2c * INV21);
  const h3 = Math.floor(c3 * INV21);
  const h4 = Math.floor(c4 * INV21);
  const h5 = Math.floor(c5 * INV21);
  const h6 = Math.floor(c6 * INV21);
  const h7 = Math.floor(c7 * INV21); // < 2^24
  // q_i = low bits of column i + high part of column i−1 (< 2^25, an int32).
  let t = (c0 - h0 * TWO21) | 0;
  const p0 = t & MASK21;
  t = (t >> 21) + ((c1 - h1 * TWO21) | 0) + (h0 | 0);
  const p1 = t & MASK21;
  t = (t >> 21) + ((c2c - h2 * TWO21) | 0) + (h1 | 0);
  const p2 = t & MASK21;
  t = (t >> 21) + ((c3 - h3 * TWO21) | 0) + (h2 | 0);
  const p3 = t & MASK21;
  t = (t >> 21) + ((c4 - h4 * TWO21) | 0) + (h3 | 0);
  const p4 = t & MASK21;
  t = (t >> 21) + ((c5 - h5 * TWO21) | 0) + (h4 | 0);
  const p5 = t & MASK21;
  t = (t >> 21) + ((c6 - h6 * TWO21) | 0) + (h5 | 0);
  const p6 = t & MASK21;
  t = (t >> 21) + ((c7 - h7 * TWO21) | 0) + (h6 | 0);
  const p7 = t & MASK21;
  const p8 = (t >> 21) + (h7 | 0);

  // P = vbI·2^126 + M·2^63 + Lo. The reference's vb = rop(floor(P / 2^63) / 2^63): integer part
  // vbI with the sticky bit set when M ≠ 0 (Lo is dropped, which absorbs g's excess over 10^-k).
  const lLo = p0 + p1 * TWO21;
  const lHi = p2;
  const mLo = p3 + p4 * TWO21;
  const mHi = p5;
  const sb = mLo !== 0 || mHi !== 0 ? 1 : 0;
  const vbEvenSticky = sb & ~p6 & 1; // what the sticky bit adds to vb

  // Right bound: P + E. Only its offset from vb matters: dr = vbr − vb (a small integer).
  const eri = QT[base + O_RI];
  let sum = lLo + QT[base + O_RLL];
  let hsum = lHi + QT[base + O_RLH] + (sum >= TWO42 ? 1 : 0);
  const carry0 = hsum >= TWO21 ? 1 : 0;
  sum = mLo + QT[base + O_RML] + carry0;
  let cyb = sum >= TWO42 ? 1 : 0;
  sum -= cyb * TWO42;
  hsum = mHi + QT[base + O_RMH] + cyb;
  const carry1 = hsum >= TWO21 ? 1 : 0;
  hsum -= carry1 * TWO21;
  const sr = sum !== 0 || hsum !== 0 ? 1 : 0;
  const dr = eri + carry1 + (sr & ~(p6 + eri + carry1) & 1) - vbEvenSticky;

  // Left bound: P − E' (E' = E, or E/2 at a binade's lower edge). dl = vbl − vb.
  const eli = QT[base + O_LI];
  const ellh = QT[base + O_LLH];
  const borrow0 = lHi < ellh || (lHi === ellh && lLo < QT[base + O_LLL]) ? 1 : 0;
  sum = mLo - QT[base + O_LML] - borrow0;
  cyb = sum < 0 ? 1 : 0;
  sum += cyb * TWO42;
  hsum = mHi - QT[base + O_LMH] - cyb;
  const borrow1 = hsum < 0 ? 1 : 0;
  hsum += borrow1 * TWO21;
  const sl = sum !== 0 || hsum !== 0 ? 1 : 0;
  const dl = -eli - borrow1 + (sl & ~(p6 - eli - borrow1) & 1) - vbEvenSticky;

  // s = vb >> 2 in base 10^8 (sH, sL); f = vb & 3. vbI = p8·2^42 + p7·2^21 + p6 and
  // 2^42 = 43980·10^8 + 46511104.
  const f = (p6 & 3) | sb;
  const r0 = p8 * 46511104 + p7 * TWO21 + p6;
  const rq = Math.floor(r0 / E8);
  const q = p8 * 43980 + rq;
  const r = (r0 - rq * E8) | 0;
  let sH = Math.floor(q / 4); // < 2^31
  let sL = ((q - sH * 4) * 25000000 + ((r - (p6 & 3)) >> 2)) | 0; // < 10^8
  const k = QT[base + O_K] | 0;

  // The reference's decision, with every comparison rewritten relative to vb.
  const r10 = sL % 10;
  const upin = dl + out <= -f - 4 * r10;
  const wpin = 40 - f - 4 * r10 + out <= dr;
  if (upin !== wpin) {
    // One candidate with a digit less (a multiple of 10^(k+1)) lies in the interval.
    sL -= r10;
    if (wpin) {
      sL += 10;
      if (sL >= E8) {
        sL -= E8;
        sH += 1;
      }
    }
  } else {
    const uin = dl + out <= -f;
    const win = 4 - f + out <= dr;
    // Both s and s+1 round-trip: take the closer, the even one on a tie.
    if (uin === win ? f > 2 || (f === 2 && (sL & 1) === 1) : win) {
      sL += 1;
      if (sL >= E8) {
        sL -= E8;
        sH += 1;
      }
    }
  }
  HIGH[0] = sH;
  return writeDecimal(buf, p, sL | 0, k);
}

/**
 * Writes the positive decimal (HIGH[0]·10^8 + low)·10^e10 in ECMAScript's Number::toString
 * layout: trailing zeros are dropped first, then n (position of the decimal point relative to
 * the first digit) picks plain digits, a point inside, "0.000ddd" or exponent form.
 */
function writeDecimal(buf: Uint8Array, p: number, low: number, e10: number): number {
  let high = HIGH[0] | 0; // < 2^31
  let lowCount = 8; // digits of `low` when high ≠ 0 (zero-padded)
  if (low === 0) {
    low = high;
    high = 0;
    e10 += 8;
  }
  // Strip trailing zeros (low < 2^31, so at most 9): 8, 4, 2, then 1 at a time. Int32
  // arithmetic throughout (a float % is a slow library call).
  low |= 0;
  if (low % E8 === 0) {
    low = (low / E8) | 0;
    e10 += 8;
    lowCount -= 8;
  }
  if (low % 10000 === 0) {
    low = (low / 10000) | 0;
    e10 += 4;
    lowCount -= 4;
  }
  if (low % 100 === 0) {
    low = (low / 100) | 0;
    e10 += 2;
    lowCount -= 2;
  }
  if (low % 10 === 0) {
    low = (low / 10) | 0;
    e10 += 1;
    lowCount -= 1;
  }
  const len = high === 0 ? digitCount(low) : digitCount(high) + lowCount;
  const n = len + e10;
  // Where the digit run starts for each layout; the digits are written once, then framed.
  let start: number;
  if (n > 21 || n <= -6) start = p + 1; // d.ddde±x: first digit is moved left over the point
  else if (n >= len) start = p; // ddd000
  else if (n > 0) start = p + 1; // dd.ddd: the n leading digits are moved left
  else start = p + 2 - n; // 0.000ddd
  const end = start + len;
  if (high === 0) {
    writeDigitsBack(buf, end, low, len);
  } else {
    // Inline (not a call) on this hot path: low digits, then high's last 8, then its top.
    if (lowCount === 8) {
      const a = (low / 10000) | 0;
      put4(buf, end - 8, QUADS[a]);
      put4(buf, end - 4, QUADS[low - a * 10000]);
    } else {
      writeDigitsBack(buf, end, low, lowCount);
    }
    const at = end - lowCount;
    const hc = len - lowCount;
    if (hc >= 8) {
      const top = (high / E8) | 0;
      const v = high - top * E8;
      const a = (v / 10000) | 0;
      put4(buf, at - 8, QUADS[a]);
      put4(buf, at - 4, QUADS[v - a * 10000]);
      if (hc === 9) {
        buf[at - 9] = 48 + top;
      } else if (hc === 10) {
        buf[at - 10] = PAIRS[top << 1];
        buf[at - 9] = PAIRS[(top << 1) + 1];
      }
    } else {
      writeDigitsBack(buf, at, high, hc);
    }
  }
  if (n > 21 || n <= -6) {
    buf[p] = buf[p + 1];
    let at = p + 1;
    if (len > 1) {
      buf[at] = 46;
      at += len;
    }
    buf[at++] = 101;
    let e = n - 1;
    if (e < 0) {
      buf[at++] = 45;
      e = -e;
    } else {
      buf[at++] = 43;
    }
    const ec = e >= 100 ? 3 : e >= 10 ? 2 : 1;
    writeDigitsBack(buf, at + ec, e, ec);
    return at + ec;
  }
  if (n >= len) {
    const stop = p + n;
    for (let i = end; i < stop; i++) buf[i] = 48;
    return stop;
  }
  if (n > 0) {
    for (let i = 0; i < n; i++) buf[p + i] = buf[p + i + 1];
    buf[p + n] = 46;
    return end;
  }
  buf[p] = 48;
  buf[p + 1] = 46;
  for (let i = p + 2; i < start; i++) buf[i] = 48;
  return end;
}

/** Exactly `count` digits of v (v < 10^count, v < 2^31) ending just before `end`. */
function writeDigitsBack(buf: Uint8Array, end: number, v: number, count: number): void {
  if (count >= 4) {
    do {
      const q = (v / 10000) | 0;
      put4(buf, end - 4, QUADS[v - q * 10000]);
      v = q;
      end -= 4;
      count -= 4;
    } while (count >= 4);
  }
  if (count >= 2) {
    const q = (v / 100) | 0;
    const d = (v - q * 100) << 1;
    buf[end - 1] = PAIRS[d + 1];
    buf[end - 2] = PAIRS[d];
    v = q;
    end -= 2;
    count -= 2;
  }
  if (count === 1) buf[end - 1] = 48 + v;
}

/** Decimal digits of 1 ≤ v < 10^10. */
function digitCount(v: number): number {
  if (v < 100000) {
    if (v < 100) return v < 10 ? 1 : 2;
    return v < 1000 ? 3 : v < 10000 ? 4 : 5;
  }
  if (v < 10000000) return v < 1000000 ? 6 : 7;
  return v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
}

/**
 * The exact path runs for a few values in a hundred thousand, too rarely for V8 to optimise it
 * during a request; unoptimised, its double arithmetic allocates a heap number per operation
 * (~11 KB a request of 100,000 random 3-axis rows, measured). The first time it is needed it is
 * run over assorted doubles so V8 optimises it at once (~35 ms, once per process).
 */
function schubfachExact(buf: Uint8Array, p: number, be: number, tHi: number): number {
  if (!exactWarm) warmExactPath();
  return schubfachExactImpl(buf, p, be, tHi);
}

let exactWarm = false;
const WARM_CALLS = 10000; // fewer left it in baseline code in some runs (measured)

function warmExactPath(): void {
  exactWarm = true;
  const saved = F64[0]; // the value being converted
  const scratch = new Uint8Array(MAX_DOUBLE_TEXT);
  let a = 0x9e3779b9;
  for (let i = 0; i < WARM_CALLS; i++) {
    // xorshift32 over the bit patterns of normal and subnormal doubles of every exponent.
    a ^= a << 13;
    a ^= a >>> 17;
    a ^= a << 5;
    U32[HI_WORD] = (a >>> 1) % 0x7fe00000;
    U32[LO_WORD] = Math.imul(a, 0x85ebca6b);
    writeDoubleExactPath(scratch, 0, F64[0]);
  }
  F64[0] = saved;
}
