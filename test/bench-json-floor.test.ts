import { describe, expect, it } from 'vitest';
import { jsonDigitFloor } from './bench/json-floor.ts';
import { samplesF64 } from './bench/harness.ts';

// The benchmark's JSON ceiling must write what it claims (valid JSON rows holding the samples to
// 17 significant digits), or its ratio would bound nothing.
describe('bench JSON digit floor', () => {
  it('writes the samples as JSON rows of 17-digit numbers', () => {
    const data = samplesF64(2_000, 3, 7);
    data[4] = -0.000123;
    data[5] = 9.999999999999998;
    const f = jsonDigitFloor(data, 3, 'made-up-key');
    f.op();
    const text = Buffer.from(f.text()).toString('latin1');
    expect(f.bytes).toBe(text.length);
    const rows = JSON.parse(text) as number[][];
    expect(rows).toHaveLength(2_000);
    for (let i = 0; i < data.length; i++) {
      const got = rows[Math.floor(i / 3)]![i % 3]!;
      expect(Math.abs(got - data[i]!)).toBeLessThanOrEqual(1e-16 + Math.abs(data[i]!) * 1e-15);
    }
    // 17 digits, a point and sign for every value: the bytes a full-precision encoder writes too.
    expect(text.match(/-?\d\.\d{16}/g)).toHaveLength(data.length);
  });

  it('refuses values it cannot write in its fixed form', () => {
    expect(() => jsonDigitFloor(new Float64Array([12]), 1, 'k')).toThrow(RangeError);
  });
});
