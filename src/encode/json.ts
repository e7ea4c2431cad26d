/**
 * JSON primitives whose bytes equal `JSON.stringify`'s (ECMA-262 QuoteJSONString and
 * Number::toString), over a ByteWriter; numbers by writeDouble (double-text.ts).
 */
import { MAX_DOUBLE_TEXT, writeDouble } from './double-text.ts';
import type { ByteWriter } from './writer.ts';

/** Room for one number and its separator. */
export const JSON_NUMBER_MAX = MAX_DOUBLE_TEXT + 1;

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

/**
 * A finite number as JSON.stringify writes it (caller reserved JSON_NUMBER_MAX bytes); -0 is
 * "0". Written by writeDouble straight into the buffer: nothing is allocated.
 */
export function jsonNumber(w: ByteWriter, x: number): void {
  if (x - x !== 0) throw new RangeError('jsonNumber: JSON cannot carry NaN or Infinity'); // callers check first
  w.pos = writeDouble(w.buf, w.pos, x);
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
