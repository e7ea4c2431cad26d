/**
 * Tables for the Schubfach shortest double → text writer (double-text.ts and its exact path,
 * double-text-exact.ts), built once with BigInt by buildTables() (the hot path never touches
 * BigInt).
 *
 * Notation follows R. Giulietti, "The Schubfach way to render doubles": a finite positive double
 * is c·2^q; k is the decimal exponent of the candidate grid; g = floor(10^-k·2^S) + 1 with
 * 2^125 ≤ g ≤ 2^126; h = q + 127 − S so that g·c·2^(h+2) / 2^127 ≈ 4·c·2^q / 10^k.
 * Everything here is worked in "half units": P = g·c·2^(h+1) is the product the writer computes,
 * the floor cut of Java's rop sits at bit 63 and the integer part starts at bit 126, which are
 * limb boundaries with 21-bit limbs (63 = 3·21). That alignment is why limbs are 21 bits wide.
 */

/** Smallest and largest decimal exponent k any double needs. */
export const K_MIN = -325;
export const K_MAX = 292;

/** g for every k: six 21-bit limbs (least significant first) at (k − K_MIN)·6. */
export const G_LIMBS = new Float64Array((K_MAX - K_MIN + 1) * 6);

/**
 * Per biased exponent (0..2046) an entry for the regular case, and at 2047 + be one for the
 * boundary case (significand exactly 2^52: the gap below is half the gap above).
 * Fields (see the F_* offsets): offset of g in G_LIMBS, 2^(h+1), k, then the right and left
 * half-widths E = g·2^h (right; left too in the regular case) or g·2^(h−1) (boundary left) split
 * into integer part (bits ≥ 126), middle (bits 63..125, as hi 21 bits + lo 42 bits) and low
 * (bits 0..62, likewise).
 */
export const Q_STRIDE = 20;
export const F_GOFF = 0;
export const F_POW = 1;
export const F_K = 2;
export const F_RI = 3;
export const F_RMH = 4;
export const F_RML = 5;
export const F_RLH = 6;
export const F_RLL = 7;
export const F_LI = 8;
export const F_LMH = 9;
export const F_LML = 10;
export const F_LLH = 11;
export const F_LLL = 12;
/** σ' = 2^q / 10^(k+8) as σH + σLo and σH's Veltkamp halves; the half-widths in units of 10^k. */
export const F_SIGH = 13;
export const F_SIGHH = 14;
export const F_SIGHL = 15;
export const F_SIGLO = 16;
export const F_DL = 17;
export const F_DR = 18;
export const Q_TABLE = new Float64Array(2 * 2047 * Q_STRIDE);

/**
 * Per biased exponent: the largest j ≤ 22 with x·10^j < 2^50 for every x of that binade, or −1.
 * The writer's short-decimal fast path relies on exactly that bound (see double-text.ts).
 */
export const FAST_J = new Int8Array(2047);

// floor(log10(2^q)) and floor(log10(3/4·2^q)), the same integer formulas as Schubfach's reference
// (exact for |q| ≤ 1100: the products stay below 2^53).
function flog10pow2(q: number): number {
  return Math.floor((q * 661971961083) / 2199023255552);
}
function flog10ThreeQuartersPow2(q: number): number {
  return Math.floor((q * 661971961083 - 274743187321) / 2199023255552);
}

function bitLength(n: bigint): number {
  return n.toString(2).length;
}

const gCache = new Map<number, { g: bigint; s: number }>();
/** g = floor(10^-k·2^S) + 1 with floor(...) in [2^125, 2^126). */
function gFor(k: number): { g: bigint; s: number } {
  const hit = gCache.get(k);
  if (hit) return hit;
  let g: bigint;
  let s: number;
  if (k <= 0) {
    const n = 10n ** BigInt(-k);
    s = 126 - bitLength(n);
    g = (s >= 0 ? n << BigInt(s) : n >> BigInt(-s)) + 1n;
  } else {
    const d = 10n ** BigInt(k);
    s = 125 + bitLength(d);
    g = (1n << BigInt(s)) / d + 1n;
  }
  const r = { g, s };
  gCache.set(k, r);
  return r;
}

const M21 = (1n << 21n) - 1n;
const M42 = (1n << 42n) - 1n;
const M63 = (1n << 63n) - 1n;

function putHalfWidth(at: number, e: bigint): void {
  const mid = (e >> 63n) & M63;
  const low = e & M63;
  Q_TABLE[at] = Number(e >> 126n);
  Q_TABLE[at + 1] = Number(mid >> 42n);
  Q_TABLE[at + 2] = Number(mid & M42);
  Q_TABLE[at + 3] = Number(low >> 42n);
  Q_TABLE[at + 4] = Number(low & M42);
}

function putEntry(index: number, q: number, boundary: boolean): void {
  const k = boundary ? flog10ThreeQuartersPow2(q) : flog10pow2(q);
  if (k < K_MIN || k > K_MAX) throw new Error(`double-text table: k ${k} out of range`);
  const { g, s } = gFor(k);
  const h = q + 127 - s;
  // c·2^(h+1) must fit three 21-bit limbs and g·2^(h−1) must be an integer.
  if (h < 1 || h > 8) throw new Error(`double-text table: h ${h} out of range`);
  const at = index * Q_STRIDE;
  Q_TABLE[at + F_GOFF] = (k - K_MIN) * 6;
  Q_TABLE[at + F_POW] = 2 ** (h + 1);
  Q_TABLE[at + F_K] = k;
  putHalfWidth(at + F_RI, g << BigInt(h));
  putHalfWidth(at + F_LI, boundary ? g << BigInt(h - 1) : g << BigInt(h));
  // σ' = σ/10^8 to ~125 bits, as its nearest double plus the nearest double of the rest.
  const num = (1n << BigInt(150 + Math.max(q, 0))) * 10n ** BigInt(Math.max(-k, 0));
  const den = (1n << BigInt(Math.max(-q, 0))) * 10n ** BigInt(Math.max(k, 0) + 8);
  const n = num / den;
  const sigH = Number(n) / 2 ** 150;
  const sigLo = Number(n - BigInt(sigH * 2 ** 150)) / 2 ** 150;
  const t = sigH * 134217729;
  const hh = t - (t - sigH);
  Q_TABLE[at + F_SIGH] = sigH;
  Q_TABLE[at + F_SIGHH] = hh;
  Q_TABLE[at + F_SIGHL] = sigH - hh;
  Q_TABLE[at + F_SIGLO] = sigLo;
  // Half-widths of the rounding interval in units of 10^k: σ/2 above, σ/2 or σ/4 below.
  const sigma = Number((num * 100000000n) / den) / 2 ** 150;
  Q_TABLE[at + F_DL] = boundary ? sigma / 4 : sigma / 2;
  Q_TABLE[at + F_DR] = sigma / 2;
}

let built = false;

/**
 * Fills the tables (once; a few tens of milliseconds of BigInt work). Called by the writer before
 * its first non-integer value, so processes that never write one (CBOR only) do not pay for it.
 */
export function buildTables(): void {
  if (built) return;
  built = true;
  for (let k = K_MIN; k <= K_MAX; k++) {
    const { g } = gFor(k);
    for (let i = 0; i < 6; i++) G_LIMBS[(k - K_MIN) * 6 + i] = Number((g >> BigInt(21 * i)) & M21);
    // g may equal 2^126 exactly; its top limb then holds 2^21 and the value is still exact.
    G_LIMBS[(k - K_MIN) * 6 + 5] = Number(g >> 105n);
  }
  for (let be = 0; be < 2047; be++) {
    const q = be === 0 ? -1074 : be - 1075;
    putEntry(be, q, false);
    if (be >= 2) putEntry(2047 + be, q, true);
    // Binade [2^e, 2^(e+1)): need 10^j ≤ 2^(49−e). Powers involved are exact doubles.
    const e = be === 0 ? -1023 : be - 1023;
    let j = -1;
    if (e <= 49) {
      const lim = 2 ** (49 - e);
      j = 0;
      let pow = 10; // built by multiplication: every 10^j with j ≤ 22 is exact
      while (j < 22 && pow <= lim) {
        j++;
        pow *= 10;
      }
    }
    FAST_J[be] = j;
  }
  gCache.clear();
}
