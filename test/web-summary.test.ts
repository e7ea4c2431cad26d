/**
 * The plot summary (min/max per pixel column) and the Samples page's query, without a browser.
 * The summary is checked against a brute-force min/max over each column's rows.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PlotSummarizer, summarizeRows } from '../src/service/web/plot-summary.ts';
import { summarizeBinary } from '../src/service/web/sample-plot.ts';
import { listSamples } from '../src/service/web/sample-list.ts';
import type { SampleRecord } from '../src/service/store.ts';

/** Brute force: for column c, the rows i with floor(i*C/R) == c. */
function bruteColumns(rows: number[][], columns: number): { min: number[]; max: number[] }[] {
  const R = rows.length;
  const C = Math.min(columns, R);
  const out = Array.from({ length: C }, () => ({ min: rows[0].map(() => Infinity), max: rows[0].map(() => -Infinity) }));
  rows.forEach((r, i) => {
    const c = Math.floor((i * C) / R);
    r.forEach((v, a) => {
      out[c].min[a] = Math.min(out[c].min[a], v);
      out[c].max[a] = Math.max(out[c].max[a], v);
    });
  });
  return out;
}

describe('plot summary', () => {
  it('small samples are sent whole (exact), x in ms', () => {
    const rows = [
      [1, 2],
      [3, 4],
      [5, 6],
    ];
    const s = summarizeRows(rows, 2, 100, 16);
    expect(s.exact).toBe(true);
    expect(s.t).toEqual([0, 16, 32]);
    expect(s.series).toEqual([
      [1, 3, 5],
      [2, 4, 6],
    ]);
  });

  it('every column holds its rows’ min and max, in time order, for any split', () => {
    fc.assert(
      fc.property(fc.array(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 2, maxLength: 2 }), { minLength: 5, maxLength: 400 }), fc.integer({ min: 1, max: 100 }), (rows, columns) => {
        const s = summarizeRows(rows, 2, columns, 10);
        if (s.exact) {
          expect(s.series[0]).toEqual(rows.map((r) => r[0]));
          return;
        }
        const brute = bruteColumns(rows, columns);
        expect(s.t.length).toBe(2 * brute.length);
        brute.forEach((b, c) => {
          for (let a = 0; a < 2; a++) {
            const pair = [s.series[a][2 * c], s.series[a][2 * c + 1]] as number[];
            expect(Math.min(...pair)).toBe(b.min[a]);
            expect(Math.max(...pair)).toBe(b.max[a]);
          }
        });
        for (let i = 1; i < s.t.length; i++) expect(s.t[i]).toBeGreaterThan(s.t[i - 1]);
      }),
      { numRuns: 200 },
    );
  });

  it('a one-row spike in a million rows survives', () => {
    const R = 1_000_000;
    const s = new PlotSummarizer(R, 3, 1000, 1);
    const row = new Float64Array(3);
    for (let i = 0; i < R; i++) {
      row[0] = i === 654_321 ? 99 : 0;
      row[1] = Math.sin(i / 1000);
      row[2] = i === 10 ? Number.NaN : 1;
      s.push(row);
    }
    const out = s.finish();
    expect(out.t).toHaveLength(2000);
    expect(Math.max(...(out.series[0] as number[]))).toBe(99);
    expect(out.series[0].filter((v) => v === 99)).toHaveLength(1);
    // NaN is skipped, not drawn.
    expect(out.series[2].every((v) => v === 1)).toBe(true);
  });

  it('binary tails are summarised straight from the bytes (i16 little-endian)', () => {
    const data = new Int16Array([1, -2, 300, -400, 5, 6]);
    const bytes = new Uint8Array(4 + data.byteLength);
    bytes.set(new Uint8Array(data.buffer), 4);
    const s = summarizeBinary(bytes, 4, 'i16', 2, 3, 100, 10);
    expect(s.series).toEqual([
      [1, 300, 5],
      [-2, -400, 6],
    ]);
  });

  it('refuses nonsense sizes', () => {
    expect(() => new PlotSummarizer(-1, 1, 10, 1)).toThrow(RangeError);
    expect(() => new PlotSummarizer(10, 0, 10, 1)).toThrow(RangeError);
    expect(() => new PlotSummarizer(10, 1, 0, 1)).toThrow(RangeError);
  });
});

function rec(id: number, over: Partial<SampleRecord>): SampleRecord {
  return {
    id,
    projectId: 1,
    category: 'training',
    filename: `f${id}`,
    label: 'a',
    kind: 'document',
    format: 'cbor',
    contentType: 'application/cbor',
    size: 1,
    sha256: '0',
    signatureAlg: 'HS256',
    signatureStatus: 'valid',
    deviceName: 'd1',
    deviceType: 't',
    intervalMs: 10,
    sensors: [],
    rowCount: 1,
    totalLengthMs: 10,
    info: {},
    metadata: {},
    uploadSource: null,
    structuredLabels: null,
    path: `p${id}`,
    attachmentPath: null,
    added: 1000 + id,
    ...over,
  };
}

describe('sample list query', () => {
  const all = [
    rec(1, {}),
    rec(2, { label: 'b', category: 'testing' }),
    rec(3, { deviceName: 'd2', signatureStatus: 'invalid' }),
    rec(4, { label: null, signatureStatus: 'none', signatureAlg: 'none' }),
    rec(5, { label: 'b' }),
  ];
  const q = (s: string) => listSamples(all, new URLSearchParams(s));
  const ids = (s: string) => {
    const r = q(s);
    if ('error' in r) throw new Error(r.error);
    return r.samples.map((x) => x.id);
  };

  it('filters, sorts by time and pages', () => {
    expect(ids('')).toEqual([5, 4, 3, 2, 1]);
    expect(ids('sort=oldest')).toEqual([1, 2, 3, 4, 5]);
    expect(ids('category=testing')).toEqual([2]);
    expect(ids('label=b')).toEqual([5, 2]);
    expect(ids('label=')).toEqual([4]);
    expect(ids('device=d2')).toEqual([3]);
    expect(ids('signature=invalid')).toEqual([3]);
    expect(ids('signature=valid&label=b&category=training')).toEqual([5]);
    expect(ids('limit=2&offset=2')).toEqual([3, 2]);
    const r = q('label=b&limit=1');
    if ('error' in r) throw new Error(r.error);
    expect(r.totalCount).toBe(2);
  });

  it('counts per label, category, device and signature over the project', () => {
    const r = q('category=testing');
    if ('error' in r) throw new Error(r.error);
    expect(r.counts.categories).toEqual({ training: 4, testing: 1 });
    expect(r.counts.labels).toEqual({ a: 2, b: 2, '': 1 });
    expect(r.counts.devices).toEqual({ d1: 4, d2: 1 });
    expect(r.counts.signatures).toEqual({ valid: 3, invalid: 1, none: 1 });
  });

  it('bad parameters are named', () => {
    for (const [s, field] of [
      ['category=x', 'category'],
      ['signature=x', 'signature'],
      ['sort=up', 'sort'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['offset=-1', 'offset'],
      ['limit=abc', 'limit'],
    ]) {
      const r = q(s);
      expect('error' in r && r.error).toMatch(new RegExp(`^${field}`));
    }
  });
});

describe('CBOR rows read from the bytes', () => {
  it('gives the same summary as the full decoder, for every number encoding and for flattened rows', async () => {
    const { encode, decode } = await import('cbor-x');
    const { walkCborRows } = await import('../src/service/web/cbor-values.ts');
    const { parseDocument } = await import('../src/service/document.ts');
    const { accelDoc } = await import('./web-fixtures.ts');
    const check = (bytes: Uint8Array, width: number) => {
      // The service's own checker must accept it; cbor-x (independent) gives the expected rows.
      expect(parseDocument(bytes, { maxDepth: 32, maxValues: 1e7 }).values.kind).toBe('rows');
      const rows = (decode(bytes) as { payload: { values: (number | number[])[] } }).payload.values;
      const got: number[][] = [];
      expect(walkCborRows(bytes, width, (r) => got.push([...r]))).toBe(rows.length);
      expect(got).toEqual(rows.map((r) => (typeof r === 'number' ? [r] : r)));
    };
    check(accelDoc(300, { hmacKey: 'k' }), 3); // our encoder: float32 rows, indefinite values
    // cbor-x: integers of every width, negatives, halves, doubles; definite lengths; extra keys.
    const values = [
      [0, -1, 23],
      [24, -25, 255],
      [65536, -70000, 2 ** 40],
      [0.5, 1.5, -2.25],
      [Math.PI, -Math.E, 1e300],
    ];
    const doc = {
      protected: { ver: 'v1', alg: 'none' },
      signature: '00',
      payload: {
        device_type: 'T',
        interval_ms: 10,
        sensors: [
          { name: 'a', units: 'u' },
          { name: 'b', units: 'u' },
          { name: 'c', units: 'u' },
        ],
        values,
        extra: { nested: [1, 'x', new Uint8Array(3)] },
      },
    };
    check(encode(doc), 3);
    check(encode({ ...doc, payload: { ...doc.payload, sensors: [{ name: 'a', units: 'u' }], values: [1, -2, 3.5] } }), 1);
  });

  it('gives up (null) on what is not plain numeric rows', async () => {
    const { encode } = await import('cbor-x');
    const { walkCborRows } = await import('../src/service/web/cbor-values.ts');
    const base = { protected: { ver: 'v1', alg: 'none' }, signature: '00' };
    expect(walkCborRows(encode({ ...base, payload: { values: ['Ref-BINARY-i16'] } }), 1, () => {})).toBeNull();
    expect(walkCborRows(encode({ ...base, payload: { values: [[1, 2], [3]] } }), 2, () => {})).toBeNull();
    expect(walkCborRows(encode({ ...base, payload: { values: [[1, 2]] } }).subarray(0, 20), 2, () => {})).toBeNull();
  });
});
