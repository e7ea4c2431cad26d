// The C SDK layout's QCBOR width vectors (issue 17), checked with an independent decoder: cbor-x
// decodes every value item of the stored bytes to the float32 rounding of its input, and each
// item's width is the one QCBOR's rule gives, computed here from the value's magnitude alone.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decode } from 'cbor-x';
import { describe, expect, it } from 'vitest';
import type { Manifest } from '../src/cli/vectors-check.ts';
import { plainValue } from '../src/cli/vectors-manifest.ts';

const VECTORS = join(import.meta.dirname, '..', 'vectors');
const manifest = JSON.parse(readFileSync(join(VECTORS, 'manifest.json'), 'utf8')) as Manifest;

/** Half exactness without any bit tricks: a multiple of half's unit in the last place at a's binade. */
function isHalf(a: number): boolean {
  if (a > 65504) return false;
  let k = 0;
  while (2 ** k > a) k--;
  while (2 ** (k + 1) <= a) k++;
  return Number.isInteger(a / 2 ** Math.max(k - 10, -24));
}

/** QCBOR's head byte for the float32 `f` (FACTS §3). */
function qcborHead(f: number): number {
  const a = Math.abs(f);
  if (a === 0 || !Number.isFinite(f)) return 0xf9;
  if (a >= 2 ** -14 && isHalf(a)) return 0xf9;
  return a >= 2 ** -126 ? 0xfa : 0xfb;
}

/** The float items of an indefinite-length `values` of bare numbers, and the interval_ms item. */
function items(bin: Uint8Array): { values: Uint8Array[]; interval: Uint8Array } {
  const b = Buffer.from(bin);
  const size = (h: number) => (h === 0xf9 ? 3 : h === 0xfa ? 5 : h === 0xfb ? 9 : -1);
  const iv = b.indexOf(Buffer.from('kinterval_ms')) + 12;
  const interval = bin.subarray(iv, iv + size(bin[iv]));
  let p = b.indexOf(Buffer.from('fvalues')) + 7;
  expect(bin[p++]).toBe(0x9f);
  const values: Uint8Array[] = [];
  while (bin[p] !== 0xff) {
    const n = size(bin[p]);
    expect(n, `item head 0x${bin[p].toString(16)} at ${p}`).toBeGreaterThan(0);
    values.push(bin.subarray(p, p + n));
    p += n;
  }
  return { values, interval };
}

const qcbor = manifest.vectors.filter((v) => v.tags.includes('qcbor') && 'body' in v.expect && v.input && (v.input as { payload: { sensors: unknown[] } }).payload.sensors.length === 1);

describe('QCBOR width vectors (c-sdk)', () => {
  it('exist for the half, single and infinity rules', () => {
    expect(qcbor.map((v) => v.id).sort()).toEqual(['edge-qcbor-half-c-sdk-cbor', 'edge-qcbor-infinity-c-sdk-cbor', 'edge-qcbor-single-c-sdk-cbor']);
  });

  it.each(qcbor.map((v) => [v.id, v] as const))('%s: cbor-x decodes each item to fround(input), in the width QCBOR gives', (_id, v) => {
    const bin = new Uint8Array(readFileSync(join(VECTORS, (v.expect as { body: string }).body)));
    const input = plainValue(v.input) as { payload: { values: number[]; interval_ms: number } };
    const { values, interval } = items(bin);
    expect(values.length).toBe(input.payload.values.length);
    input.payload.values.forEach((x, i) => {
      const f = Math.fround(x);
      expect(Object.is(decode(values[i]), f), `value ${i} (${x})`).toBe(true);
      expect(values[i][0], `width of value ${i} (${x})`).toBe(qcborHead(f));
    });
    const fi = Math.fround(input.payload.interval_ms);
    expect(decode(interval)).toBe(fi);
    expect(interval[0]).toBe(qcborHead(fi));
    // The whole document decodes too (cbor-x reads the indefinite array and every width).
    expect((decode(bin) as { payload: { values: number[] } }).payload.values.map((x) => Object.is(x, -0) ? '-0' : x)).toEqual(input.payload.values.map((x) => (Object.is(Math.fround(x), -0) ? '-0' : Math.fround(x))));
  });

  it('cover the boundaries the issue names', () => {
    const all = qcbor.flatMap((v) => (plainValue(v.input) as { payload: { values: number[] } }).payload.values);
    for (const x of [2 ** -14, 2 ** -24, 1023 * 2 ** -24, 2 ** -126, 2 ** -149, 2 ** -126 - 2 ** -149, 65504, 65520, 3.4028234663852886e38, 3.4028235677973366e38, -3.4028235677973366e38]) {
      expect(all, String(x)).toContain(x);
    }
  });
});
