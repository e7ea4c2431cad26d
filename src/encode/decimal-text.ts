/**
 * Digits and exponent in ECMAScript's Number::toString layout, written straight into a caller's
 * Uint8Array without allocating: writeDecimal (plain digits, a point inside, "0.000ddd" or
 * exponent form) and the digit helpers the double-text writers share.
 */

const E8 = 100000000;

/** "0000".."9999" as four ASCII bytes packed in one word, first digit in the lowest byte. */
export const QUADS = new Uint32Array(10000);
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

/**
 * The high base-10^8 half of the digits, handed to writeDecimal through a typed array: it may
 * exceed the small-integer range, and a double passed to a call that V8 does not inline is boxed.
 */
export const HIGH = new Float64Array(1);

/**
 * Writes the positive decimal (HIGH[0]·10^8 + low)·10^e10 in ECMAScript's Number::toString
 * layout: trailing zeros are dropped first, then n (position of the decimal point relative to
 * the first digit) picks plain digits, a point inside, "0.000ddd" or exponent form.
 * Needs low < 10^8 and HIGH[0] < 2^31; writes at most 24 bytes; returns the new position.
 */
export function writeDecimal(buf: Uint8Array, p: number, low: number, e10: number): number {
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
export function writeDigitsBack(buf: Uint8Array, end: number, v: number, count: number): void {
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
export function digitCount(v: number): number {
  if (v < 100000) {
    if (v < 100) return v < 10 ? 1 : 2;
    return v < 1000 ? 3 : v < 10000 ? 4 : 5;
  }
  if (v < 10000000) return v < 1000000 ? 6 : 7;
  return v < 100000000 ? 8 : v < 1000000000 ? 9 : 10;
}
