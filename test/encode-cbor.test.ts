// CBOR encoder: number widths against an independent half/single/double reference, and a
// cbor-x cross-check that every layout decodes to the input values.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decode as cborDecode } from 'cbor-x';
import { encodeToBytes, halfBits, DocumentError, binaryTail, imageAttachmentValues, type DocumentInput, type LayoutName } from '../src/index.ts';

// Independent half decoder (RFC 8949 Appendix D), to build the set of exact half values.
function decodeHalf(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  let val: number;
  if (exp === 0) val = mant * 2 ** -24;
  else if (exp !== 31) val = (mant + 1024) * 2 ** (exp - 25);
  else val = mant === 0 ? Infinity : NaN;
  return h & 0x8000 ? -val : val;
}
/** cbor-x gives 64-bit integers as bigint; compare as numbers. */
function decode(bytes: Uint8Array): any {
  const fix = (v: unknown): unknown => (typeof v === 'bigint' ? Number(v) : Array.isArray(v) ? v.map(fix) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, fix(x)])) : v);
  return fix(cborDecode(bytes));
}
const HALVES = new Map<string, number>();
for (let h = 0; h < 0x10000; h++) {
  const v = decodeHalf(h);
  if (!Number.isNaN(v)) HALVES.set(Object.is(v, -0) ? '-0' : String(v), h);
}
const halfKey = (x: number): string => (Object.is(x, -0) ? '-0' : String(x));

function oneValueDoc(x: number): DocumentInput {
  return { payload: { device_type: 'T', interval_ms: 1, sensors: [{ name: 'a', units: 'u' }], values: [x] } };
}
/** The bytes of the single value inside a compact document (after "values" + 0x81). */
function valueBytes(x: number, layout: LayoutName, allowNonFinite = false): string {
  const hex = Buffer.from(encodeToBytes(oneValueDoc(x), { format: 'cbor', layout, allowNonFinite })).toString('hex');
  const marker = Buffer.from('values').toString('hex');
  const rest = hex.slice(hex.indexOf(marker) + marker.length);
  if (layout === 'python') return rest.slice(2, 20);
  return layout === 'compact' ? rest.slice(2) : rest.slice(2, -2);
}

function refShortest(x: number): string {
  const b = Buffer.alloc(9);
  if (Number.isNaN(x)) return 'f97e00';
  if (HALVES.has(halfKey(x))) return 'f9' + HALVES.get(halfKey(x))!.toString(16).padStart(4, '0');
  if (Math.fround(x) === x) {
    b[0] = 0xfa;
    b.writeFloatBE(x, 1);
    return b.subarray(0, 5).toString('hex');
  }
  b[0] = 0xfb;
  b.writeDoubleBE(x, 1);
  return b.toString('hex');
}

/**
 * QCBOR's widths for the float32 `f` (FACTS §3): half only for ±0, NaN, ±Infinity and normal
 * halves (|f| ≥ 2^-14) that keep it; single for normal float32 (|f| ≥ 2^-126); else double.
 */
function refQcbor(f: number): string {
  const b = Buffer.alloc(9);
  const a = Math.abs(f);
  if (Number.isNaN(f)) return 'f97e00';
  if (HALVES.has(halfKey(f)) && (a === 0 || a >= 2 ** -14)) return 'f9' + HALVES.get(halfKey(f))!.toString(16).padStart(4, '0');
  if (a >= 2 ** -126) {
    b[0] = 0xfa;
    b.writeFloatBE(f, 1);
    return b.subarray(0, 5).toString('hex');
  }
  b[0] = 0xfb;
  b.writeDoubleBE(f, 1);
  return b.toString('hex');
}

describe('float widths', () => {
  it('halfBits agrees with every half value and rejects neighbours', () => {
    for (const [k, h] of HALVES) {
      const x = k === '-0' ? -0 : Number(k);
      expect(halfBits(x)).toBe(h);
    }
    expect(halfBits(65520)).toBe(-1); // rounds to inf in half, not exact
    expect(halfBits(Math.fround(1 + 2 ** -11))).toBe(-1);
    expect(halfBits(2 ** -25)).toBe(-1);
    expect(halfBits(NaN)).toBe(0x7e00);
  });

  it('compact/docs: integers as integers, others shortest exact float (random float32 and doubles)', () => {
    fc.assert(
      fc.property(fc.oneof(fc.float({ noNaN: true }), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.integer({ min: -70000, max: 70000 }).map((i) => i / 64)), (x) => {
        if (!Number.isFinite(x)) return;
        const got = valueBytes(x, 'compact');
        if (Number.isSafeInteger(x) && !Object.is(x, -0)) {
          const dec = decode(Buffer.from(got, 'hex'));
          expect(dec).toBe(x);
          expect(got[0]).toMatch(/[0-3]/); // major 0 or 1
        } else {
          expect(got).toBe(refShortest(x));
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("c-sdk: float32 rounding then QCBOR's width (half subnormals single, float32 subnormals double), never an integer", () => {
    const tiny = fc.integer({ min: 1, max: 2 ** 23 }).chain((k) => fc.constantFrom(k * 2 ** -149, k * 2 ** -24, -k * 2 ** -149, k * 2 ** -33));
    fc.assert(
      fc.property(fc.oneof(fc.double({ noNaN: true, min: -3.5e38, max: 3.5e38 }), fc.float({ noNaN: true }), tiny, fc.integer({ min: -100, max: 100 })), (x) => {
        const got = valueBytes(x, 'c-sdk', true);
        expect(got).toBe(refQcbor(Math.fround(x)));
      }),
      { numRuns: 3000 },
    );
  });

  it('c-sdk: every width at the QCBOR boundaries, values and interval_ms alike', () => {
    const cases: [number, string][] = [
      [2 ** -14, 'f90400'], [2 ** -24, 'fa33800000'], [1023 * 2 ** -24, 'fa387fc000'], [65504, 'f97bff'], [65520, 'fa477ff000'],
      [2 ** -126, 'fa00800000'], [2 ** -149, 'fb36a0000000000000'], [2 ** -126 - 2 ** -149, 'fb380fffffc0000000'],
      [3.4028234663852886e38, 'fa7f7fffff'], [3.4028235677973366e38, 'f97c00'], [-3.4028235677973366e38, 'f9fc00'], [-0, 'f98000'], [1e-46, 'f90000'],
    ];
    for (const [x, want] of cases) {
      expect(valueBytes(x, 'c-sdk', true), String(x)).toBe(want);
      if (Math.abs(Math.fround(x)) === Infinity) continue;
      expect(valueBytes(x, 'c-sdk'), String(x)).toBe(want);
      const doc = { payload: { device_type: 'T', interval_ms: Math.abs(x), sensors: [{ name: 'a', units: 'u' }], values: [1] } };
      const hex = Buffer.from(encodeToBytes(doc, { format: 'cbor', layout: 'c-sdk' })).toString('hex');
      const after = hex.slice(hex.indexOf(Buffer.from('interval_ms').toString('hex')) + 22);
      expect(after.startsWith(refQcbor(Math.fround(Math.abs(x)))), `interval ${x}`).toBe(true);
    }
  });

  it('c-sdk refuses a finite value float32 rounding makes infinite unless allowNonFinite, in every value path and interval_ms', () => {
    const big = -3.4028235677973366e38;
    const sensors = [{ name: 'a', units: 'u' }, { name: 'b', units: 'u' }];
    const inputs: [string, unknown, string][] = [
      ['rows', [[1, 2], [3, big]], 'payload.values[1][1]'],
      ['typed f64', { data: Float64Array.of(1, 2, 3, big), width: 2 }, 'payload.values[1][1]'],
      ['source', [[1, 2], [3, big]][Symbol.iterator](), 'payload.values[1][1]'],
    ];
    for (const [what, values, path] of inputs) {
      const doc = { payload: { device_type: 'T', interval_ms: 1, sensors, values } } as DocumentInput;
      expect(() => encodeToBytes(doc, { format: 'cbor', layout: 'c-sdk' }), what).toThrow(expect.objectContaining({ code: 'EI_DOC_NON_FINITE', path }));
    }
    const flat = { payload: { device_type: 'T', interval_ms: 1, sensors: [sensors[0]], values: [1, big] } };
    expect(() => encodeToBytes(flat, { format: 'cbor', layout: 'c-sdk' })).toThrow(expect.objectContaining({ code: 'EI_DOC_NON_FINITE', path: 'payload.values[1]' }));
    expect(valueBytes(big, 'compact')).toBe('fbc7effffff0000000'); // compact keeps the double (2^128 − 2^103)
    const wide = { payload: { device_type: 'T', interval_ms: 1e39, sensors: [sensors[0]], values: [1] } };
    expect(() => encodeToBytes(wide, { format: 'cbor', layout: 'c-sdk' })).toThrow(expect.objectContaining({ code: 'EI_DOC_INTERVAL' }));
    expect(() => encodeToBytes(wide, { format: 'cbor', layout: 'compact' })).not.toThrow();
  });

  it('compact keeps its own rule: half subnormals half, float32 subnormals single', () => {
    expect(valueBytes(2 ** -24, 'compact')).toBe('f90001');
    expect(valueBytes(1023 * 2 ** -24, 'compact')).toBe('f903ff');
    expect(valueBytes(2 ** -149, 'compact')).toBe('fa00000001');
  });

  it('python: every number float64', () => {
    for (const x of [0, 1, -1.5, 20, 1e300]) {
      const b = Buffer.alloc(9);
      b[0] = 0xfb;
      b.writeDoubleBE(x, 1);
      expect(valueBytes(x, 'python')).toBe(b.toString('hex'));
    }
  });

  it('non-finite values: rejected by default, sent as half with allowNonFinite', () => {
    expect(() => encodeToBytes(oneValueDoc(Infinity), { format: 'cbor' })).toThrow(DocumentError);
    expect(valueBytes(Infinity, 'compact', true)).toBe('f97c00');
    expect(valueBytes(-Infinity, 'compact', true)).toBe('f9fc00');
    expect(valueBytes(NaN, 'compact', true)).toBe('f97e00');
    expect(valueBytes(NaN, 'c-sdk', true)).toBe('f97e00');
  });

  it('integers around 2^32 and 2^53', () => {
    for (const x of [2 ** 32 - 1, 2 ** 32, 2 ** 32 + 1, -(2 ** 32), -(2 ** 32) - 1, 2 ** 53 - 1, -(2 ** 53 - 1), 255, 256, 65535, 65536, -24, -25]) {
      expect(decode(Buffer.from(valueBytes(x, 'compact'), 'hex'))).toBe(x);
    }
    expect(valueBytes(2 ** 53, 'compact')).toBe(refShortest(2 ** 53)); // beyond safe: float
  });
});

const LAYOUTS: LayoutName[] = ['compact', 'docs', 'python', 'c-sdk'];

describe('cbor-x cross-check', () => {
  it('every layout decodes to the input (float32-rounded for c-sdk), arrays and typed arrays', () => {
    const arb = fc.record({
      width: fc.integer({ min: 1, max: 24 }),
      n: fc.integer({ min: 0, max: 40 }),
      seed: fc.integer(),
      layout: fc.constantFrom(...LAYOUTS),
      bufferSize: fc.constantFrom(64, 333, 65536),
      name: fc.string({ unit: 'binary', maxLength: 30 }),
      iat: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
    });
    fc.assert(
      fc.property(arb, ({ width, n, seed, layout, bufferSize, name, iat }) => {
        let s = seed >>> 0 || 7;
        const rnd = (): number => ((s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 1000;
        const data = new Float64Array(n * width);
        for (let i = 0; i < data.length; i++) data[i] = i % 3 === 0 ? Math.round(rnd()) : i % 3 === 1 ? Math.fround(rnd()) : rnd();
        const rows = Array.from({ length: n }, (_, i) => Array.from(data.subarray(i * width, i * width + width)));
        const sensors = Array.from({ length: width }, (_, i) => ({ name: `${name}${i}`, units: 'm/s2' }));
        const base = { device_name: name, device_type: 'DEV', interval_ms: 16.5, sensors };
        for (const values of [rows, { data, width }]) {
          const bytes = encodeToBytes({ payload: { ...base, values } }, { format: 'cbor', layout, bufferSize, hmacKey: 'k', iat });
          const d = decode(bytes);
          expect(d.signature).toMatch(/^[0-9a-f]{64}$/);
          expect(d.protected).toEqual(iat === undefined ? (layout === 'python' ? { alg: 'HS256', ver: 'v1' } : { ver: 'v1', alg: 'HS256' }) : { ...(layout === 'python' ? { alg: 'HS256', ver: 'v1' } : { ver: 'v1', alg: 'HS256' }), iat });
          expect(Object.keys(d)).toEqual(layout === 'python' ? ['payload', 'protected', 'signature'] : ['protected', 'signature', 'payload']);
          expect(d.payload.device_name).toBe(name);
          expect(d.payload.sensors).toEqual(sensors);
          const want = layout === 'c-sdk' ? rows.map((r) => r.map(Math.fround)) : rows;
          const got = (d.payload.values as unknown[]).map((r) => (Array.isArray(r) ? r : [r]));
          expect(got).toEqual(want);
          expect(d.payload.interval_ms).toBe(16.5);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('binary tail: document, then little-endian samples; signed over both', async () => {
    const { createHmac } = await import('node:crypto');
    const samples = new Int16Array([0, 1, -1, 32767, -32768, 1234]);
    const doc: DocumentInput = { payload: { device_type: 'MIC', interval_ms: 0.0625, sensors: [{ name: 'audio', units: 'wav' }], values: binaryTail('i16', samples) } };
    const bytes = Buffer.from(encodeToBytes(doc, { format: 'cbor', layout: 'c-sdk', hmacKey: 'tail-key', bufferSize: 64 }));
    const tail = bytes.subarray(bytes.length - 12);
    expect(Array.from(new Int16Array(tail.buffer.slice(tail.byteOffset, tail.byteOffset + 12)))).toEqual(Array.from(samples));
    const docPart = bytes.subarray(0, bytes.length - 12);
    const d = decode(docPart);
    expect(d.payload.values).toEqual(['Ref-BINARY-i16']);
    expect(docPart.toString('hex')).toContain('9f6e5265662d42494e4152592d693136ff');
    const sig = d.signature as string;
    const zeroed = Buffer.from(bytes);
    zeroed.write('0'.repeat(64), bytes.indexOf(sig), 'latin1');
    expect(createHmac('sha256', 'tail-key').update(zeroed).digest('hex')).toBe(sig);
    // plain number arrays are range-checked
    const bad = { payload: { ...doc.payload, values: binaryTail('u8', [1, 256]) } };
    expect(() => encodeToBytes(bad, { format: 'cbor' })).toThrow(/EI_DOC_TAIL|does not fit/);
    expect(() => encodeToBytes(doc, { format: 'json' })).toThrow(DocumentError);
  });

  it('image attachment reference', async () => {
    const { createHmac } = await import('node:crypto');
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3]);
    const values = imageAttachmentValues('image/jpeg', jpeg, 'img-key');
    const mac = createHmac('sha256', 'img-key').update(jpeg).digest('hex');
    expect(values.attachment).toBe(`Ref-BINARY-image/jpeg (7 bytes) ${mac}`);
    const doc: DocumentInput = { payload: { device_type: 'CAM', interval_ms: 0, sensors: [{ name: 'image', units: 'rgba' }], values } };
    expect(decode(encodeToBytes(doc, { format: 'cbor' })).payload.values).toEqual([values.attachment]);
    expect(JSON.parse(Buffer.from(encodeToBytes(doc, { format: 'json' })).toString()).payload.values).toEqual([values.attachment]);
  });
});
