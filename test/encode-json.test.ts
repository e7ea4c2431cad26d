// JSON output must equal JSON.stringify of the same object, byte for byte (ECMA-262 number
// formatting and string escaping), whatever the document and buffer size.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { encodeDocument, encodeToBytes, DocumentError, type DocumentInput } from '../src/index.ts';

const EDGE = [0, -0, 1, -1, 1e21, 1e-7, 5e-324, -5e-324, 2 ** 53, 2 ** 53 - 1, -(2 ** 53), 1.7976931348623157e308, 0.1, 123456789012345680000, 3.4028234663852886e38, 1e-6, 0.000001234, 2 ** 31, 2 ** 32 + 0.5];

const text = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: fc.constantFrom('"', '\\', '\n', '\u0000', '\u001f', '\u007f', '\u2028', 'é', '😀', 'a', '\t', '\b', '\f', '\r'), maxLength: 20 }),
  fc.string({ unit: 'binary', minLength: 100, maxLength: 600 }),
);
const decimal = fc.tuple(fc.integer({ min: -2e9, max: 2e9 }), fc.integer({ min: 0, max: 10 })).map(([m, k]) => m / 10 ** k);
const num = fc.oneof(fc.double({ noNaN: true, noDefaultInfinity: true }), fc.constantFrom(...EDGE), fc.integer(), fc.float({ noNaN: true, noDefaultInfinity: true }), decimal);

function docArb() {
  return fc.integer({ min: 1, max: 5 }).chain((width) =>
    fc.record({
      width: fc.constant(width),
      names: fc.array(text.filter((s) => s.length > 0), { minLength: width, maxLength: width }),
      units: fc.array(text, { minLength: width, maxLength: width }),
      deviceName: fc.option(text, { nil: undefined }),
      deviceType: text.filter((s) => s.length > 0),
      interval: fc.oneof(fc.double({ min: 0, max: 1e6, noNaN: true }), fc.constantFrom(0, 0.0625, 16.666666, 10)),
      rows: fc.array(fc.array(num, { minLength: width, maxLength: width }), { maxLength: 30 }),
      iat: fc.option(fc.integer({ min: 0, max: 2 ** 40 }), { nil: undefined }),
      extra: fc.option(fc.tuple(text, fc.oneof(text, fc.integer(), fc.boolean(), fc.constant(null), fc.double({ noNaN: true, noDefaultInfinity: true }))), { nil: undefined }),
      bufferSize: fc.constantFrom(64, 100, 4096, 65536),
    }),
  );
}

describe('JSON encoder equals JSON.stringify', () => {
  it('random documents (unicode, escapes, -0, 1e21, 5e-324, long names), arrays and typed arrays', () => {
    fc.assert(
      fc.property(docArb(), (d) => {
        const prot: Record<string, unknown> = { ver: 'v1', alg: 'none' };
        if (d.extra && !['ver', 'alg', 'iat', '__proto__'].includes(d.extra[0])) prot[d.extra[0]] = d.extra[1];
        if (d.iat !== undefined) prot.iat = d.iat;
        const payload: Record<string, unknown> = {};
        if (d.deviceName !== undefined) payload.device_name = d.deviceName;
        payload.device_type = d.deviceType;
        payload.interval_ms = d.interval;
        payload.sensors = d.names.map((name, i) => ({ name, units: d.units[i] }));
        payload.values = d.rows;
        const expected = JSON.stringify({ protected: prot, signature: '00', payload });
        const doc = { protected: prot, payload } as unknown as DocumentInput;
        const got = Buffer.from(encodeToBytes(doc, { format: 'json', bufferSize: d.bufferSize })).toString('utf8');
        expect(got).toBe(expected);
        // Same bytes from a Float64Array (width 1 stays rows here: flattening is off).
        const typed = { protected: prot, payload: { ...payload, values: { data: Float64Array.from(d.rows.flat()), width: d.width } } } as unknown as DocumentInput;
        const got2 = Buffer.from(encodeToBytes(typed, { format: 'json', bufferSize: d.bufferSize, layout: { flattenSingleAxis: false } })).toString('utf8');
        expect(got2).toBe(expected);
      }),
      { numRuns: 300 },
    );
  });

  it('edge numbers one by one', () => {
    for (const x of EDGE) {
      const doc: DocumentInput = { payload: { device_type: 'T', interval_ms: 0, sensors: [{ name: 'a', units: 'u' }], values: [[x]] } };
      const got = Buffer.from(encodeToBytes(doc, { format: 'json' })).toString();
      expect(got).toBe(JSON.stringify({ protected: { ver: 'v1', alg: 'none' }, signature: '00', payload: { device_type: 'T', interval_ms: 0, sensors: [{ name: 'a', units: 'u' }], values: [[x]] } }));
    }
  });

  it('flat single-axis values stay flat; python order puts payload first', () => {
    const doc: DocumentInput = { protected: { alg: 'none', ver: 'v1' }, payload: { device_type: 'T', interval_ms: 1, sensors: [{ name: 'a', units: 'u' }], values: [1.5, -2, 0] } };
    const got = Buffer.from(encodeToBytes(doc, { format: 'json', layout: 'python' })).toString();
    expect(got).toBe(JSON.stringify({ payload: doc.payload, protected: { alg: 'none', ver: 'v1' }, signature: '00' }));
  });

  it('c-sdk layout rounds values to float32 in JSON too', () => {
    const doc: DocumentInput = { payload: { device_type: 'T', interval_ms: 16.666666, sensors: [{ name: 'a', units: 'u' }, { name: 'b', units: 'u' }], values: [[0.1, 9.81]] } };
    const got = JSON.parse(Buffer.from(encodeToBytes(doc, { format: 'json', layout: 'c-sdk' })).toString());
    expect(got.payload.values).toEqual([[Math.fround(0.1), Math.fround(9.81)]]);
    expect(got.payload.interval_ms).toBe(Math.fround(16.666666));
  });

  it('HS256 over JSON: signature is the HMAC of the bytes with 64 zeros, patched in place', async () => {
    const { createHmac } = await import('node:crypto');
    const doc: DocumentInput = { payload: { device_type: 'T', interval_ms: 1, sensors: [{ name: 'a', units: 'u' }], values: { data: new Float32Array([1, 2.5, 3]), width: 1 } } };
    const key = 'a made-up key longer than thirty-two characters, kept whole';
    const body = encodeDocument(doc, { format: 'json', hmacKey: key, iat: 1700000000 });
    const bytes = Buffer.from(encodeToBytes(doc, { format: 'json', hmacKey: key, iat: 1700000000 }));
    const zeroed = Buffer.from(bytes.toString().replace(body.signature, '0'.repeat(64)));
    expect(createHmac('sha256', key).update(zeroed).digest('hex')).toBe(body.signature);
    expect(JSON.parse(bytes.toString()).protected).toEqual({ ver: 'v1', alg: 'HS256', iat: 1700000000 });
  });

  it('rejects non-finite numbers in JSON even with allowNonFinite', () => {
    const doc: DocumentInput = { payload: { device_type: 'T', interval_ms: 1, sensors: [{ name: 'a', units: 'u' }], values: { data: new Float64Array([1, NaN]), width: 1 } } };
    const e = (() => { try { encodeDocument(doc, { format: 'json', allowNonFinite: true }); } catch (x) { return x; } })() as DocumentError;
    expect(e).toBeInstanceOf(DocumentError);
    expect(e.code).toBe('EI_DOC_NON_FINITE');
    expect(e.path).toBe('payload.values[1]');
  });
});
