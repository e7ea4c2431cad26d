/**
 * Exact Schubfach for the values the fast path of double-text.ts cannot decide (exact ties, a
 * bound exactly on a candidate, large integers): the reference's 64×128-bit products in 21-bit
 * limbs held in doubles, reproducing its rounding-to-odd bit for bit (R. Giulietti, "The
 * Schubfach way to render doubles"). Rarely taken, so it warms itself up for the JIT on first use.
 * Takes the double from the shared F64 scratch (double-bits.ts) and hands its digits to
 * writeDecimal (decimal-text.ts); it never imports double-text.ts (no import cycle).
 */

import {
  F64 as F64_SCRATCH,
  HI_WORD as HI,
  LO_WORD as LO,
  U32 as U32_SCRATCH,
} from './double-bits.ts';
import { HIGH as HIGH_SCRATCH, writeDecimal as writeDecimalImported } from './decimal-text.ts';
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
  G_LIMBS as G_TABLE,
  Q_STRIDE,
  Q_TABLE as Q_ENTRIES,
} from './double-text-table.ts';

// Local copies: imported bindings are slower in hot code under tsx's module wrapper.
const F64 = F64_SCRATCH;
const U32 = U32_SCRATCH;
const HI_WORD = HI;
const LO_WORD = LO;
const HIGH = HIGH_SCRATCH;
const writeDecimal = writeDecimalImported;
const G = G_TABLE;
const QT = Q_ENTRIES;
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

const TWO21 = 2097152;
const INV21 = 1 / TWO21;
const MASK21 = 0x1fffff;
const TWO42 = 4398046511104;
const TWO52 = 4503599627370496;
const TWO53 = 9007199254740992;
const E8 = 100000000;

/**
 * Exact Schubfach of the positive finite double in F64[0] (biased exponent be, top fraction bits
 * tHi) written at p; returns the new position.
 * The exact path runs for a few values in a hundred thousand, too rarely for V8 to optimise it
 * during a request; unoptimised, its double arithmetic allocates a heap number per operation
 * (~11 KB a request of 100,000 random 3-axis rows, measured). The first time it is needed it is
 * run over assorted doubles so V8 optimises it at once (~35 ms, once per process).
 */
export function schubfachExact(buf: Uint8Array, p: number, be: number, tHi: number): number {
  if (!exactWarm) warmExactPath();
  return schubfachExactImpl(buf, p, be, tHi);
}

let exactWarm = false;
const WARM_CALLS = 10000; // fewer left it in baseline code in some runs (measured)

function warmExactPath(): void {
  exactWarm = true;
  const saved = F64[0]; // the value being converted
  const scratch = new Uint8Array(32); // room for any writeDecimal output (at most 24 bytes)
  let a = 0x9e3779b9;
  for (let i = 0; i < WARM_CALLS; i++) {
    // xorshift32 over the bit patterns of normal and subnormal doubles of every exponent.
    a ^= a << 13;
    a ^= a >>> 17;
    a ^= a << 5;
    U32[HI_WORD] = (a >>> 1) % 0x7fe00000;
    U32[LO_WORD] = Math.imul(a, 0x85ebca6b);
    // Zero and integers below 2^53 never reach this path: writeDouble takes them first.
    const x = F64[0];
    if (x === 0 || (x < TWO53 && Math.floor(x) === x)) continue;
    const hi = U32[HI_WORD];
    schubfachExact(scratch, 0, hi >>> 20, hi & 0xfffff);
  }
  F64[0] = saved;
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
