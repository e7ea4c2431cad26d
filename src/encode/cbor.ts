/**
 * CBOR primitives (RFC 8949) over a ByteWriter. Callers reserve room first (a head is at most 9
 * bytes, a number 9); `cborText` reserves for itself.
 */
import { utf8Length } from '../model/strings.ts';
import { F32_SCRATCH, halfBits, QCBOR_SINGLE, qcborWidthOfScratch } from './float.ts';
import type { ByteWriter } from './writer.ts';

export const MT_UINT = 0;
export const MT_NINT = 1;
export const MT_TEXT = 3;
export const MT_ARRAY = 4;
export const MT_MAP = 5;
export const CBOR_BREAK = 0xff;
export const CBOR_INDEF_ARRAY = 0x9f;

/** Number policies (numeric so the value loops switch on a small integer). */
export const NUM_FLOAT64 = 0;
export const NUM_SHORTEST = 1;
/** The C SDK's: rounded to float32, widths as QCBOR picks them (cborFloat32Qcbor). */
export const NUM_FLOAT32 = 2;
export type NumPolicy = typeof NUM_FLOAT64 | typeof NUM_SHORTEST | typeof NUM_FLOAT32;

/** Head of major type `major` with argument `n` (a non-negative safe integer). */
export function cborHead(w: ByteWriter, major: number, n: number): void {
  const m = major << 5;
  if (n < 24) w.u8(m | n);
  else if (n < 0x100) {
    w.u8(m | 24);
    w.u8(n);
  } else if (n < 0x10000) {
    w.u8(m | 25);
    w.u16(n);
  } else if (n < 0x1_0000_0000) {
    w.u8(m | 26);
    w.u32(n);
  } else {
    w.u8(m | 27);
    w.u32(Math.floor(n / 0x1_0000_0000));
    w.u32(n >>> 0);
  }
}

/** A text string (reserves its own room). */
export function cborText(w: ByteWriter, s: string): void {
  const n = utf8Length(s);
  w.reserve(9 + n);
  cborHead(w, MT_TEXT, n);
  w.utf8(s);
}

/** A safe integer as CBOR major 0/1. */
export function cborInt(w: ByteWriter, x: number): void {
  if (x >= 0) cborHead(w, MT_UINT, x);
  else cborHead(w, MT_NINT, -1 - x);
}

/** The shortest float that keeps `x` exactly (half 0xf9, single 0xfa, double 0xfb). */
export function cborFloatShortest(w: ByteWriter, x: number): void {
  // Exact in float32 (or NaN): the float32 writer picks half or single.
  if (Math.fround(x) === x || x !== x) {
    cborFloat32Shortest(w, x);
  } else {
    w.u8(0xfb);
    w.f64(x);
  }
}

/** `x` rounded to float32 (as a C `float`), then half if that keeps it, else single. */
export function cborFloat32Shortest(w: ByteWriter, x: number): void {
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

/**
 * `x` rounded to float32 (a C `float`), then written as QCBOR does (the C SDK layout): half,
 * single or, for a float32 subnormal, double (see qcborWidthOfScratch).
 */
export function cborFloat32Qcbor(w: ByteWriter, x: number): void {
  F32_SCRATCH[0] = x;
  const h = qcborWidthOfScratch();
  if (h >= 0) {
    w.u8(0xf9);
    w.u16(h);
  } else if (h === QCBOR_SINGLE) {
    w.u8(0xfa);
    w.f32(F32_SCRATCH[0]);
  } else {
    w.u8(0xfb); // QCBOR_DOUBLE
    w.f64(F32_SCRATCH[0]);
  }
}

/** True when `x` goes out as a CBOR integer under the `shortest` policy (-0 stays a float). */
export function isCborInt(x: number): boolean {
  return Number.isSafeInteger(x) && (x !== 0 || 1 / x > 0);
}

/** One number under a policy (room for 9 bytes reserved by the caller). */
export function cborNumber(w: ByteWriter, x: number, policy: NumPolicy): void {
  if (policy === NUM_FLOAT64) {
    w.u8(0xfb);
    w.f64(x);
  } else if (policy === NUM_FLOAT32) {
    cborFloat32Qcbor(w, x);
  } else if (isCborInt(x)) {
    cborInt(w, x);
  } else {
    cborFloatShortest(w, x);
  }
}

/** A protected-header value: integers as integers, other numbers shortest float. */
export function cborScalar(w: ByteWriter, v: string | number | boolean | null): void {
  if (typeof v === 'string') return cborText(w, v);
  w.reserve(9);
  if (typeof v === 'number') cborNumber(w, v, NUM_SHORTEST);
  else if (v === null) w.u8(0xf6);
  else w.u8(v ? 0xf5 : 0xf4);
}

/** Constant bytes of a text string (keys), built once at module load. */
export function cborTextBytes(s: string): Uint8Array {
  const utf8 = new TextEncoder().encode(s);
  const head = utf8.length < 24 ? [0x60 | utf8.length] : [0x78, utf8.length];
  const out = new Uint8Array(head.length + utf8.length);
  out.set(head);
  out.set(utf8, head.length);
  return out;
}
