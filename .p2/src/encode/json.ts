/**
 * JSON primitives whose bytes equal `JSON.stringify`'s (ECMA-262 QuoteJSONString and
 * Number::toString), over a ByteWriter. Integers and short decimals (up to 8 fraction digits,
 * e.g. 9.81) are written digit by digit; other numbers go through `String(x)`.
 */
import type { ByteWriter } from './writer.ts';

/** Longest `String(x)` of a finite double ("-1.2345678901234567e-308") plus a separator. */
export const JSON_NUMBER_MAX = 25;

const HEX = '0123456789abcdef';

function escapedLength(c: number): number {
  if (c === 0x22 || c === 0x5c || c === 0x08 || c === 0x09 || c === 0x0a || c === 0x0c || c === 0x0d) return 2;
  return c < 0x20 ? 6 : 1;
}

/** Bytes of `s` as a JSON string, quotes included (`s` well-formed). */
export function jsonStringLength(s: string): number {
  let n = 2;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += escapedLength(c);
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** `s` quoted and escaped as JSON.stringify does (reserves its own room). */
export function jsonString(w: ByteWriter, s: string): void {
  w.reserve(jsonStringLength(s));
  w.u8(0x22);
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0x20 && c !== 0x22 && c !== 0x5c) continue;
    if (i > start) w.utf8(start === 0 && i === s.length ? s : s.slice(start, i));
    start = i + 1;
    w.u8(0x5c);
    switch (c) {
      case 0x22: w.u8(0x22); break;
      case 0x5c: w.u8(0x5c); break;
      case 0x08: w.u8(0x62); break;
      case 0x09: w.u8(0x74); break;
      case 0x0a: w.u8(0x6e); break;
      case 0x0c: w.u8(0x66); break;
      case 0x0d: w.u8(0x72); break;
      default:
        w.u8(0x75);
        w.u8(0x30);
        w.u8(0x30);
        w.u8(HEX.charCodeAt(c >> 4));
        w.u8(HEX.charCodeAt(c & 15));
    }
  }
  if (start === 0) w.utf8(s);
  else if (start < s.length) w.utf8(s.slice(start));
  w.u8(0x22);
}

const POW10 = [1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8];
const SCRATCH = new Float64Array(1);

/**
 * A finite number as JSON.stringify writes it (caller reserved JSON_NUMBER_MAX bytes). Safe
 * integers are written without allocating; -0 is "0".
 */
export function jsonNumber(w: ByteWriter, x: number): void {
  SCRATCH[0] = x;
  jsonNumberAt(w, SCRATCH, 0, false);
}

/**
 * `data[i]` (Math.fround'ed when `round`) as JSON.stringify writes it. Takes the array and index,
 * not the number, so the value loops never box a double into a heap number for the call.
 *
 * Non-integers in [1e-6, 1e7) with at most 8 fraction digits (9.81, 0.0625) are written digit by
 * digit: M = round(|x|·1e8) is that decimal exactly (the error of |x|·1e8 is < 0.1 here), its
 * trailing zeros give the digit count k, and m / 10^k === |x| is an exact round-trip test (both
 * operands exact, division correctly rounded). Below 1e7 no two 8-digit decimals share a double,
 * so the one that round-trips is the shortest, i.e. Number::toString's. Anything else goes
 * through String(x): JS has no allocation-free shortest-double formatting.
 */
export function jsonNumberAt(w: ByteWriter, data: Float32Array | Float64Array, i: number, round: boolean): void {
  const x = round ? Math.fround(data[i]) : data[i];
  const ax = x < 0 ? -x : x;
  if (Number.isSafeInteger(x)) {
    if (x < 0) w.u8(0x2d);
    if (ax < 10) w.u8(0x30 + ax);
    else w.decimal(ax);
    return;
  }
  if (ax >= 1e-6 && ax < 1e7) {
    const t = ax * 1e8;
    const M = Math.round(t);
    if (Math.abs(t - M) <= 0.25) {
      const ip = Math.floor(M / 1e8);
      let lo = (M - ip * 1e8) | 0; // < 1e8
      let k = 8;
      while (lo !== 0 && lo % 10 === 0) {
        lo = (lo / 10) | 0;
        k--;
      }
      const p = POW10[k];
      if (lo !== 0 && (ip * p + lo) / p === ax) {
        if (x < 0) w.u8(0x2d);
        if (ip < 10) w.u8(0x30 + ip);
        else w.decimal(ip);
        w.u8(0x2e);
        w.padded(lo, k);
        return;
      }
    }
  }
  w.ascii(String(x));
}

/**
 * True when jsonNumberAt writes `x` digit by digit (an integer or a decimal of at most 8
 * fraction digits in [1e-6, 1e7)), i.e. without String(x). The value loops sample rows with it
 * to choose between that path and native JSON.stringify of a batch.
 */
export function jsonNumberIsShort(x: number): boolean {
  if (Number.isSafeInteger(x)) return true;
  const ax = x < 0 ? -x : x;
  if (!(ax >= 1e-6 && ax < 1e7)) return false;
  const t = ax * 1e8;
  const M = Math.round(t);
  if (Math.abs(t - M) > 0.25) return false;
  const ip = Math.floor(M / 1e8);
  let lo = (M - ip * 1e8) | 0;
  let k = 8;
  while (lo !== 0 && lo % 10 === 0) {
    lo = (lo / 10) | 0;
    k--;
  }
  const p = POW10[k];
  return lo !== 0 && (ip * p + lo) / p === ax;
}

/** A protected-header value (reserves its own room). */
export function jsonScalar(w: ByteWriter, v: string | number | boolean | null): void {
  if (typeof v === 'string') return jsonString(w, v);
  w.reserve(JSON_NUMBER_MAX);
  if (typeof v === 'number') jsonNumber(w, v);
  else w.ascii(v === null ? 'null' : v ? 'true' : 'false');
}

/** Constant ASCII bytes (punctuation and keys), built once at module load. */
export function asciiBytes(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}
