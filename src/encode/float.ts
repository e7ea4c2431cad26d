/**
 * Float width decisions for CBOR's preferred serialisation (RFC 8949 §4.2.2): a number goes out in
 * the shortest of half / single / double that keeps its value. No allocation: one shared scratch
 * word, and the half conversion done by hand from the float32 bits.
 */

/**
 * Scratch float32 that `halfOfScratch` reads. Hot loops store their number here instead of
 * passing it: a double passed to a call V8 did not inline is boxed (a HeapNumber per call).
 */
export const F32_SCRATCH = new Float32Array(1);
const u32 = new Uint32Array(F32_SCRATCH.buffer);

/**
 * IEEE half bits of `x` if `x` (already a float32 value, or NaN/±Infinity) is exactly a half,
 * else -1. NaN maps to the canonical quiet NaN 0x7e00.
 */
export function halfBits(x: number): number {
  F32_SCRATCH[0] = x;
  return halfOfScratch();
}

/** halfBits of the value in F32_SCRATCH. */
export function halfOfScratch(): number {
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : 0x7e00;
  if (exp === 0) return mant === 0 ? sign : -1; // float32 subnormals are far below half's range
  const e = exp - 127;
  if (e > 15 || e < -24) return -1;
  if (e >= -14) return (mant & 0x1fff) === 0 ? sign | ((e + 15) << 10) | (mant >>> 13) : -1;
  // Half subnormal: value = k × 2^-24 with k = (1.mant × 2^23) × 2^(e+1).
  const m = mant | 0x800000;
  const shift = -(e + 1);
  return (m & ((1 << shift) - 1)) === 0 ? sign | (m >>> shift) : -1;
}

/** Value of half bits `h` as a number (for tests and decoders). */
export function halfToNumber(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m === 0 ? s * Infinity : NaN;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** qcborWidthOfScratch: write a single (0xfa) / a double (0xfb); any other result is half bits. */
export const QCBOR_SINGLE = -1;
export const QCBOR_DOUBLE = -2;

/**
 * The width QCBOR's preferred serialisation (IEEE754_DoubleToSmallest at the commit Edge
 * Impulse's C SDK pins; FACTS §3) gives the float32 value in F32_SCRATCH: half bits for ±0, NaN
 * (canonical 0x7e00), ±Infinity and normal half exponents −14..15 with no bits lost; else
 * QCBOR_SINGLE for normal float32 exponents (−126..127); else (a float32 subnormal)
 * QCBOR_DOUBLE. Unlike halfOfScratch, a half subnormal is not half (it becomes single).
 */
export function qcborWidthOfScratch(): number {
  const b = u32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  const mant = b & 0x7fffff;
  if (exp === 0xff) return mant === 0 ? sign | 0x7c00 : 0x7e00;
  if (exp === 0) return mant === 0 ? sign : QCBOR_DOUBLE;
  const e = exp - 127;
  if (e >= -14 && e <= 15 && (mant & 0x1fff) === 0) return sign | ((e + 15) << 10) | (mant >>> 13);
  return QCBOR_SINGLE;
}
