import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { MAX_DOUBLE_TEXT, writeDouble, writeDoubleExactPath } from '../src/encode/double-text.ts';

// Every case: the bytes written must equal String(x) (ECMAScript Number::toString), byte for byte.

type Writer = (buf: Uint8Array, p: number, x: number) => number;

const buf = new Uint8Array(64);
const decoder = new TextDecoder();

/** Checks one value; returns null or a description of the mismatch (decoded text vs String). */
function mismatch(write: Writer, x: number): string | null {
  const end = write(buf, 0, x);
  const want = String(x);
  let same = end === want.length;
  for (let i = 0; same && i < end; i++) same = buf[i] === want.charCodeAt(i);
  if (same && end <= MAX_DOUBLE_TEXT) return null;
  return `${want} → ${JSON.stringify(decoder.decode(buf.subarray(0, end)))} (${end} bytes)`;
}

/** Runs `count` values from `next` through both paths; returns the first few mismatches. */
function sweep(count: number, next: () => number): string[] {
  const bad: string[] = [];
  for (let i = 0; i < count && bad.length < 10; i++) {
    const x = next();
    const a = mismatch(writeDouble, x);
    if (a !== null) bad.push(`writeDouble ${a}`);
    const b = mismatch(writeDoubleExactPath, x);
    if (b !== null) bad.push(`exact path ${b}`);
  }
  return bad;
}

/** Checks x and -x through both paths, adding any mismatch to `bad`. */
function checkBothSigns(x: number, bad: string[]): void {
  for (const w of [writeDouble, writeDoubleExactPath]) {
    const m = mismatch(w, x);
    const n = mismatch(w, -x);
    if (m !== null) bad.push(m);
    if (n !== null) bad.push(n);
  }
}

// xorshift128+ (seeded): reproducible 32-bit words.
function prng(seed: number): () => number {
  let s0 = seed >>> 0 || 1;
  let s1 = (seed * 2654435761) >>> 0 || 2;
  return () => {
    let x = s0;
    const y = s1;
    s0 = y;
    x ^= x << 23;
    x ^= x >>> 17;
    x ^= y ^ (y >>> 26);
    s1 = x >>> 0;
    return (s0 + s1) >>> 0;
  };
}

const f64 = new Float64Array(1);
const u64 = new BigUint64Array(f64.buffer);
const u32 = new Uint32Array(f64.buffer);

/** Adjacent doubles (toward +∞ / −∞) of a finite positive x, through the bit pattern. */
function nextUp(x: number): number {
  f64[0] = x;
  u64[0] += 1n;
  return f64[0];
}
function nextDown(x: number): number {
  f64[0] = x;
  u64[0] -= 1n;
  return f64[0];
}

describe('writeDouble: edge values', () => {
  it('matches String(x) on the listed edge cases', () => {
    const ulp1e21 = 1e21 - nextDown(1e21);
    const list = [
      0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072014e-308,
      nextDown(2.2250738585072014e-308), -nextDown(2.2250738585072014e-308),
      1.7976931348623157e308, -1.7976931348623157e308, 2 ** 53 - 1, 2 ** 53, 2 ** 53 + 1, 2 ** 53 + 2, 2 ** 63, 1e21,
      1e21 - ulp1e21, nextDown(1e21), 999999999999999900000, 1e-7, nextDown(1e-7), 0.000001, nextDown(0.000001),
      123e-20, 0.1, 0.2, 0.3, 0.1 + 0.2, 1 / 3, 2 / 3, Math.PI, 9007199254740993, 9.81, 0.125, 1234.5, 1e22,
      1e23, 5e-7, 1.5e-7, 1e-6, 1e20, 123456789012345680000, 4.35, 0.000123, 1.7976931348623157e308 / 3,
    ];
    const bad: string[] = [];
    for (const x of list) checkBothSigns(x, bad);
    expect(bad).toEqual([]);
    // -0 prints as "0", like String(-0).
    const end = writeDouble(buf, 0, -0);
    expect(decoder.decode(buf.subarray(0, end))).toBe('0');
    expect(decoder.decode(buf.subarray(0, writeDouble(buf, 0, 5e-324)))).toBe('5e-324');
    expect(decoder.decode(buf.subarray(0, writeDouble(buf, 0, 1e21)))).toBe('1e+21');
  });

  it('writes NaN and ±Infinity as String does (not JSON values, but never garbage)', () => {
    for (const x of [NaN, Infinity, -Infinity]) expect(mismatch(writeDouble, x)).toBeNull();
  });

  it('matches String(x) on every power of 2 and its neighbours, both signs', () => {
    const bad: string[] = [];
    for (let e = -1074; e <= 1023; e++) {
      const x = 2 ** e;
      const around = [x, nextUp(x), e > -1074 ? nextDown(x) : x];
      for (const v of around) checkBothSigns(v, bad);
    }
    expect(bad).toEqual([]);
  });

  it('matches String(x) on every power of 10 (1e-323..1e308) and its neighbours', () => {
    const bad: string[] = [];
    for (let e = -323; e <= 308; e++) {
      const x = Number(`1e${e}`);
      for (const v of [x, nextUp(x), nextDown(x), nextUp(nextUp(x)), nextDown(nextDown(x))]) {
        if (Number.isFinite(v)) checkBothSigns(v, bad);
      }
    }
    expect(bad).toEqual([]);
  });

  it('matches String(x) on the smallest subnormals and the largest finite values', () => {
    const bad: string[] = [];
    for (let i = 1n; i <= 5000n; i++) {
      u64[0] = i;
      const a = mismatch(writeDouble, f64[0]);
      if (a !== null) bad.push(a);
      u64[0] = 0x7fefffffffffffffn - i + 1n;
      const b = mismatch(writeDouble, f64[0]);
      if (b !== null) bad.push(b);
    }
    expect(bad).toEqual([]);
  });
});

describe('writeDouble: random inputs', () => {
  it('matches String(x) on 2,000,000 random bit patterns (all exponents)', () => {
    const next = prng(0x5eed1234);
    const bad = sweep(2_000_000, () => {
      for (;;) {
        u32[0] = next();
        u32[1] = next();
        const x = f64[0];
        if (Number.isFinite(x)) return x;
      }
    });
    expect(bad).toEqual([]);
  });

  it('matches String(x) on 500,000 random doubles in [-10, 10]', () => {
    const next = prng(42);
    const bad = sweep(500_000, () => ((next() * 2 ** 21 + (next() >>> 11)) / 2 ** 53) * 20 - 10);
    expect(bad).toEqual([]);
  });

  it('matches String(x) on 500,000 random short decimals (1–17 digits, exponent −30..30)', () => {
    const next = prng(7);
    const bad = sweep(500_000, () => {
      const digits = 1 + (next() % 17);
      let m = '';
      for (let i = 0; i < digits; i++) m += String(next() % 10);
      const e = (next() % 61) - 30;
      return Number(`${next() & 1 ? '-' : ''}${m}e${e}`);
    });
    expect(bad).toEqual([]);
  });

  it('matches String(x) for fast-check doubles', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        expect(mismatch(writeDouble, x)).toBeNull();
        expect(mismatch(writeDoubleExactPath, x)).toBeNull();
      }),
      { numRuns: 20_000 },
    );
  });
});

describe('writeDouble: buffer handling', () => {
  it('writes only [p, end) at an offset and returns the end', () => {
    const big = new Uint8Array(200);
    const next = prng(99);
    const values = [0, -0, 5e-324, -1.2345678901234567e-7, 1e21, -123456789012345680000, 0.1, -Math.PI, 42];
    for (let i = 0; i < 2000; i++) {
      u32[0] = next();
      u32[1] = next();
      if (Number.isFinite(f64[0])) values.push(f64[0]);
    }
    for (const x of values) {
      const p = 37 + (values.indexOf(x) % 11);
      big.fill(0xaa);
      const end = writeDouble(big, p, x);
      expect(decoder.decode(big.subarray(p, end))).toBe(String(x));
      for (let i = 0; i < p; i++) if (big[i] !== 0xaa) throw new Error(`byte ${i} before p changed for ${x}`);
      for (let i = end; i < big.length; i++) if (big[i] !== 0xaa) throw new Error(`byte ${i} after end changed for ${x}`);
    }
  });

  it('never needs more than MAX_DOUBLE_TEXT bytes, and some value needs all of them', () => {
    expect(MAX_DOUBLE_TEXT).toBe(25);
    // "-0.00000" then 17 digits: the longest text Number::toString produces.
    let x = -0.0000012345678901234567;
    while (String(x).length < 25) x = nextDown(x);
    expect(String(x).length).toBe(25);
    const end = writeDouble(buf, 0, x);
    expect(end).toBe(25);
    expect(decoder.decode(buf.subarray(0, end))).toBe(String(x));
  });
});
