// The encoder's fast paths give the same bytes and errors as the plain ones: the single-pass
// buffer for mid-size bodies, the JSON row loops (numbers by writeDouble, checked against
// JSON.stringify), the CBOR row loops (against the per-value pull path), and the value checks
// fused into the writing loops (no separate validation walk).
import { describe, expect, it } from 'vitest';
import { encodeDocument, encodeToBytes, type DocumentInput } from '../src/index.ts';
import { mulberry32 } from '../src/device/sensors/sim.ts';

const sensors3 = [
  { name: 'accX', units: 'm/s2' },
  { name: 'accY', units: 'm/s2' },
  { name: 'accZ', units: 'm/s2' },
];

const rng = mulberry32;

const EDGE = [0, -0, 1e21, 5e-324, -5e-324, 2 ** 53, 1.7976931348623157e308, 0.1, 9.81, 1e-7, 123456789, -(2 ** 31), 65504, 1.5, 16777217];

/** n rows: mostly full-precision doubles, some edge numbers and short decimals. */
function rows(n: number, width: number, seed: number): number[][] {
  const r = rng(seed);
  const out: number[][] = [];
  for (let i = 0; i < n; i++) {
    const row: number[] = [];
    for (let j = 0; j < width; j++) {
      const k = r();
      row.push(k < 0.1 ? EDGE[Math.floor(r() * EDGE.length)]! : k < 0.2 ? Math.round(r() * 1e4) / 100 : (r() - 0.5) * 20);
    }
    out.push(row);
  }
  return out;
}

function doc(values: unknown, width = 3): DocumentInput {
  return {
    protected: { ver: 'v1', alg: 'HS256', iat: 1_700_000_000 },
    payload: { device_name: 'd', device_type: 'T', interval_ms: 10, sensors: sensors3.slice(0, width), values } as DocumentInput['payload'],
  };
}

function collect(body: { chunks(): Iterable<Uint8Array> }): { bytes: Buffer; sizes: number[] } {
  const parts: Buffer[] = [];
  const sizes: number[] = [];
  for (const c of body.chunks()) {
    parts.push(Buffer.from(c));
    sizes.push(c.length);
  }
  return { bytes: Buffer.concat(parts), sizes };
}

describe('JSON and CBOR row loops', () => {
  it('equal JSON.stringify for many rows, nested and bare, across buffer sizes', () => {
    for (const [n, width] of [[5000, 3], [3000, 1], [40, 2]] as const) {
      const values = rows(n, width, n + width);
      const flat = values.map((r) => r[0]!);
      for (const v of width === 1 ? [values, flat] : [values]) {
        const d = doc(v, width);
        const bytes = Buffer.from(encodeToBytes(d, { format: 'json', alg: 'none' })).toString('utf8');
        expect(bytes).toBe(JSON.stringify({ protected: { ver: 'v1', alg: 'none', iat: 1_700_000_000 }, signature: '00', payload: d.payload }));
        for (const bufferSize of [64, 1000, 65536]) {
          expect(Buffer.from(encodeToBytes(d, { format: 'json', alg: 'none', bufferSize })).toString('utf8')).toBe(bytes);
        }
      }
    }
  });

  it('a bad row deep inside a long body is reported at its own path, in both formats', () => {
    const cases: [unknown, string, string][] = [
      [NaN, 'EI_DOC_NON_FINITE', 'payload.values[1234][1]'],
      ['x', 'EI_DOC_VALUE_TYPE', 'payload.values[1234][1]'],
      [undefined, 'EI_DOC_VALUE_TYPE', 'payload.values[1234][1]'],
    ];
    for (const [bad, code, path] of cases) {
      for (const format of ['json', 'cbor'] as const) {
        const values: unknown[][] = rows(3000, 3, 7);
        values[1234]![1] = bad;
        expect(() => encodeDocument(doc(values), { format, hmacKey: 'k' })).toThrow(expect.objectContaining({ code, path }));
      }
    }
    for (const format of ['json', 'cbor'] as const) {
      const short: unknown[] = rows(3000, 3, 8);
      short[2999] = [1, 2];
      expect(() => encodeDocument(doc(short), { format, hmacKey: 'k' })).toThrow(expect.objectContaining({ code: 'EI_DOC_ROW_WIDTH', path: 'payload.values[2999]' }));
      const flat: unknown[] = rows(3000, 1, 9).map((r) => r[0]);
      flat[2500] = [1];
      expect(() => encodeDocument(doc(flat, 1), { format, hmacKey: 'k' })).toThrow(expect.objectContaining({ code: 'EI_DOC_VALUES', path: 'payload.values[2500]' }));
    }
  });

  it('typed rows (Float64Array, Float32Array; nested, flattened, single-axis rows) equal JSON.stringify', () => {
    for (const width of [3, 1]) {
      const plain = rows(3000, width, 20 + width);
      for (const Typed of [Float64Array, Float32Array]) {
        const data = Typed.from(plain.flat().map((x) => (Math.abs(x) > 3e38 ? 1.25 : x))); // float32 has no 1.8e308
        const asRows = Array.from({ length: 3000 }, (_, i) => Array.from(data.subarray(i * width, i * width + width)));
        for (const flattenSingleAxis of width === 1 ? [true, false] : [undefined]) {
          const d = doc({ data, width }, width);
          const layout = flattenSingleAxis === undefined ? 'compact' : { flattenSingleAxis };
          const values = flattenSingleAxis === true ? asRows.map((r) => r[0]) : asRows;
          const want = JSON.stringify({ protected: { ver: 'v1', alg: 'none', iat: 1_700_000_000 }, signature: '00', payload: { ...d.payload, values } });
          expect(Buffer.from(encodeToBytes(d, { format: 'json', alg: 'none', layout })).toString('utf8')).toBe(want);
          expect(Buffer.from(encodeToBytes(d, { format: 'json', alg: 'none', layout, bufferSize: 512 })).toString('utf8')).toBe(want);
        }
      }
    }
    const data = Float64Array.from(rows(3000, 3, 30).flat());
    data[3 * 2222 + 2] = -Infinity;
    expect(() => encodeDocument(doc({ data, width: 3 }), { format: 'json', hmacKey: 'k' })).toThrow(expect.objectContaining({ code: 'EI_DOC_NON_FINITE', path: 'payload.values[2222][2]' }));
  });

  it('c-sdk JSON: a value float32 rounding makes infinite is refused at its path (JSON has no Infinity)', () => {
    const values = rows(100, 3, 31).map((r) => r.map((x) => (Math.abs(x) > 3e38 ? 1.5 : x)));
    values[42]![2] = 1e39;
    const data = Float64Array.from(values.flat());
    let i = 0;
    const pulled = () => (i < values.length ? values[i++] : null);
    for (const v of [values, { data, width: 3 }, pulled]) {
      expect(() => encodeDocument(doc(v), { format: 'json', layout: 'c-sdk', hmacKey: 'k' })).toThrow(expect.objectContaining({ code: 'EI_DOC_NON_FINITE', path: 'payload.values[42][2]', message: expect.stringContaining('float32') }));
    }
    // Without float32 rounding the same value is an ordinary double.
    expect(() => encodeDocument(doc(values), { format: 'json', hmacKey: 'k' })).not.toThrow();
  });

  it('typed-array rows among plain rows are written like plain ones', () => {
    const plain = rows(3000, 3, 11);
    const mixed: unknown[] = plain.map((r, i) => (i % 500 === 7 ? Float64Array.from(r) : r));
    for (const format of ['json', 'cbor'] as const) {
      expect(Buffer.from(encodeToBytes(doc(mixed), { format, hmacKey: 'k' })).equals(Buffer.from(encodeToBytes(doc(plain), { format, hmacKey: 'k' })))).toBe(true);
    }
  });
});

describe('single-pass buffer (bodies up to singlePassLimit)', () => {
  it('gives the bytes and signature of the two-pass stream, in chunks of at most 64 KiB', () => {
    for (const format of ['cbor', 'json'] as const) {
      for (const values of [rows(20_000, 3, 3), { data: Float64Array.from(rows(20_000, 3, 4).flat()), width: 3 }]) {
        const d = doc(values);
        const one = encodeDocument(d, { format, hmacKey: 'k' });
        const two = encodeDocument(d, { format, hmacKey: 'k', singlePassLimit: 0 });
        expect(one.signature).toBe(two.signature);
        expect(one.length).toBe(two.length);
        const a = collect(one);
        const b = collect(two);
        expect(a.bytes.equals(b.bytes)).toBe(true);
        expect(a.bytes.length).toBe(one.length);
        expect(a.sizes.length).toBe(Math.ceil(one.length / 65536));
        expect(a.sizes.slice(0, -1).every((s) => s === 65536)).toBe(true);
        expect(collect(one).bytes.equals(a.bytes)).toBe(true); // a retry re-encodes: same bytes
      }
    }
  });

  it('an unsent body gives its buffer to the next encode and still streams correctly later', () => {
    const d1 = doc(rows(20_000, 3, 5));
    const d2 = doc(rows(20_000, 3, 6));
    const first = encodeDocument(d1, { format: 'cbor', hmacKey: 'k' });
    const second = encodeDocument(d2, { format: 'cbor', hmacKey: 'k' }); // takes first's buffer
    const b2 = collect(second).bytes;
    const b1 = collect(first).bytes; // re-encoded
    expect(b1.equals(collect(encodeDocument(d1, { format: 'cbor', hmacKey: 'k', singlePassLimit: 0 })).bytes)).toBe(true);
    expect(b2.equals(collect(encodeDocument(d2, { format: 'cbor', hmacKey: 'k', singlePassLimit: 0 })).bytes)).toBe(true);
    expect(() => encodeDocument(d1, { format: 'cbor', hmacKey: 'k', singlePassLimit: -1 })).toThrow(expect.objectContaining({ code: 'EI_DOC_OPTION' }));
  });

  it('CBOR row loops (unrolled 3-axis rows included) equal the pull path, which writes each value with cborNumber', () => {
    // The pull path shares no value-writing code with the row loops, so this checks the loops'
    // float64 / half / single / integer choices, not just that two fast paths agree.
    const f32ish = (x: number) => Math.fround(x);
    for (const width of [1, 2, 3]) {
      const base = rows(3000, width, 40 + width);
      // Some rows made of float32 values, integers above 2^24 and halves, to hit the rare path inside a row.
      const values = base.map((r, i) => (i % 7 === 0 ? r.map((x, j) => (j === 0 ? f32ish(x) : j === 1 ? 2 ** 24 + i : x)) : i % 11 === 0 ? r.map(() => 0.5) : r));
      for (const numbers of ['shortest', 'float64', 'float32-shortest'] as const) {
        const layout = { base: 'compact' as const, numbers, valuesIndefinite: true, flattenSingleAxis: false };
        const opts = { format: 'cbor' as const, hmacKey: 'k', layout, allowNonFinite: true }; // float32 rounding makes 1.8e308 Infinity
        let i = 0;
        const pulled = encodeToBytes(doc(() => (i < values.length ? values[i++] : null), width), opts);
        // Chunk sizes that put row and staging-block ends at every offset relative to a chunk's end.
        for (const bufferSize of [undefined, 64, 1000, 4099, 70_000]) {
          const o = { ...opts, bufferSize };
          const nested = encodeToBytes(doc(values, width), o);
          const typed = encodeToBytes(doc({ data: Float64Array.from(values.flat()), width }, width), o);
          expect(Buffer.from(nested).equals(Buffer.from(pulled)), `nested, width ${width}, ${numbers}, buffer ${bufferSize}`).toBe(true);
          expect(Buffer.from(typed).equals(Buffer.from(pulled)), `typed, width ${width}, ${numbers}, buffer ${bufferSize}`).toBe(true);
        }
      }
    }
  });

  it('CBOR shortest floats: typed input and nested arrays give the same bytes (integers as integers)', () => {
    const values = rows(4000, 3, 12);
    const typed = { data: Float64Array.from(values.flat()), width: 3 };
    expect(Buffer.from(encodeToBytes(doc(typed), { format: 'cbor', hmacKey: 'k' })).equals(Buffer.from(encodeToBytes(doc(values), { format: 'cbor', hmacKey: 'k' })))).toBe(true);
  });
});
