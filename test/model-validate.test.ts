// Table of documents that must be rejected before any byte is produced, each with its stable
// code and the path of the field at fault; run through both formats.
import { describe, expect, it } from 'vitest';
import { encodeDocument, validateDocument, DocumentError, loneSurrogateAt, utf8Length, type DocumentInput, type EncodeOptions } from '../src/index.ts';

const ok = (): Record<string, any> => ({
  payload: { device_name: 'd', device_type: 'T', interval_ms: 10, sensors: [{ name: 'a', units: 'u' }, { name: 'b', units: 'u' }], values: [[1, 2], [3, 4]] },
});
function withPayload(patch: Record<string, unknown>): Record<string, any> {
  const d = ok();
  Object.assign(d.payload, patch);
  return d;
}

const BAD: Array<[string, Record<string, any>, string, string, Partial<EncodeOptions>?]> = [
  ['row too short', withPayload({ values: [[1, 2], [3]] }), 'EI_DOC_ROW_WIDTH', 'payload.values[1]'],
  ['row too long', withPayload({ values: [[1, 2], [3, 4], [5, 6, 7]] }), 'EI_DOC_ROW_WIDTH', 'payload.values[2]'],
  ['flat values with two sensors', withPayload({ values: [1, 2] }), 'EI_DOC_ROW_WIDTH', 'payload.values[0]'],
  ['NaN in a row', withPayload({ values: Array.from({ length: 18 }, (_, i) => (i === 17 ? [1, NaN] : [1, 2])) }), 'EI_DOC_NON_FINITE', 'payload.values[17][1]'],
  ['Infinity in typed rows', withPayload({ values: { data: new Float64Array([1, 2, 3, Infinity]), width: 2 } }), 'EI_DOC_NON_FINITE', 'payload.values[1][1]'],
  ['string value', withPayload({ values: [[1, '2']] }), 'EI_DOC_VALUE_TYPE', 'payload.values[0][1]'],
  ['typed length not a multiple of width', withPayload({ values: { data: new Float32Array(5), width: 2 } }), 'EI_DOC_ROW_WIDTH', 'payload.values[2]'],
  ['typed width mismatch', withPayload({ values: { data: new Float32Array(6), width: 3 } }), 'EI_DOC_ROW_WIDTH', 'payload.values.width'],
  ['empty sensors', withPayload({ sensors: [], values: [] }), 'EI_DOC_SENSORS', 'payload.sensors'],
  ['sensor without name', withPayload({ sensors: [{ units: 'u' }, { name: 'b', units: 'u' }] }), 'EI_DOC_SENSOR', 'payload.sensors[0].name'],
  ['missing device_type', withPayload({ device_type: undefined }), 'EI_DOC_DEVICE_TYPE', 'payload.device_type'],
  ['empty device_type', withPayload({ device_type: '' }), 'EI_DOC_DEVICE_TYPE', 'payload.device_type'],
  ['negative interval', withPayload({ interval_ms: -1 }), 'EI_DOC_INTERVAL', 'payload.interval_ms'],
  ['NaN interval', withPayload({ interval_ms: NaN }), 'EI_DOC_INTERVAL', 'payload.interval_ms'],
  ['infinite interval', withPayload({ interval_ms: Infinity }), 'EI_DOC_INTERVAL', 'payload.interval_ms'],
  ['lone surrogate in device_name', withPayload({ device_name: 'ab\ud800c' }), 'EI_DOC_STRING', 'payload.device_name'],
  ['lone low surrogate in sensor units', withPayload({ sensors: [{ name: 'a', units: '\udc00' }, { name: 'b', units: 'u' }] }), 'EI_DOC_STRING', 'payload.sensors[0].units'],
  ['unknown alg in protected', { ...ok(), protected: { ver: 'v1', alg: 'RS256' } }, 'EI_DOC_ALG', 'protected.alg'],
  ['unknown alg option', ok(), 'EI_DOC_ALG', 'options.alg', { alg: 'HS512' as never }],
  ['wrong ver', { ...ok(), protected: { ver: 'v2' } }, 'EI_DOC_VERSION', 'protected.ver'],
  ['fractional iat', { ...ok(), protected: { iat: 1.5 } }, 'EI_DOC_IAT', 'protected.iat'],
  ['negative iat option', ok(), 'EI_DOC_IAT', 'options.iat', { iat: -1 }],
  ['object in protected', { ...ok(), protected: { x: {} } }, 'EI_DOC_PROTECTED', 'protected.x'],
  ['HS256 without key', ok(), 'EI_DOC_OPTION', 'options.hmacKey', { alg: 'HS256' }],
  ['payload missing', {}, 'EI_DOC_SHAPE', 'payload'],
  ['values missing', withPayload({ values: undefined }), 'EI_DOC_VALUES', 'payload.values'],
  ['unknown layout', ok(), 'EI_DOC_OPTION', 'options.layout', { layout: 'rust' as never }],
];

describe('document validation', () => {
  for (const format of ['cbor', 'json'] as const) {
    for (const [name, doc, code, path, opts] of BAD) {
      it(`${format}: ${name} → ${code} at ${path}`, () => {
        let err: unknown;
        try {
          encodeDocument(doc as DocumentInput, { format, ...opts });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(DocumentError);
        const e = err as DocumentError;
        expect(e.code).toBe(code);
        expect(e.path).toBe(path);
        expect(e.message.startsWith(path)).toBe(true);
      });
    }
  }

  it('NaN is accepted in CBOR only with allowNonFinite', () => {
    const doc = withPayload({ values: [[1, NaN]] }) as DocumentInput;
    expect(() => encodeDocument(doc, { format: 'cbor' })).toThrow(DocumentError);
    expect(encodeDocument(doc, { format: 'cbor', allowNonFinite: true }).length).toBeGreaterThan(0);
    expect(() => encodeDocument(doc, { format: 'json', allowNonFinite: true })).toThrow(DocumentError);
  });

  it('validateDocument checks typed values too, without encoding', () => {
    expect(() => validateDocument(withPayload({ values: { data: new Float32Array([1, 2, NaN, 4]), width: 2 } }) as DocumentInput, { format: 'cbor' })).toThrow(expect.objectContaining({ path: 'payload.values[1][0]' }));
    expect(() => validateDocument(ok() as DocumentInput, { format: 'json' })).not.toThrow();
  });

  it('more than 2^32 rows from a pull source is rejected (guard checked near the limit)', async () => {
    const { makePlan } = await import('../src/encode/plan.ts');
    const { EncodeRun } = await import('../src/encode/run.ts');
    const { acquireWriter, releaseWriter } = await import('../src/encode/writer.ts');
    const endless = (): number[] => [1, 2];
    const plan = makePlan({ payload: { device_type: 'T', interval_ms: 1, sensors: [{ name: 'a', units: 'u' }, { name: 'b', units: 'u' }], values: endless } }, { format: 'cbor' });
    const w = acquireWriter(plan.bufferSize);
    const run = new EncodeRun(plan, w, '00');
    run.next(); // header + one chunk of rows
    expect(run.error).toBeNull();
    run.row = 2 ** 32 - 3; // pretend almost 2^32 rows went out already
    while (run.next() !== null);
    releaseWriter(w);
    expect(run.error?.code).toBe('EI_DOC_TOO_MANY_ROWS');
    expect(run.row).toBe(2 ** 32);
  });

  it('string helpers', () => {
    expect(loneSurrogateAt('a😀b')).toBe(-1);
    expect(loneSurrogateAt('a\ud83d')).toBe(1);
    expect(loneSurrogateAt('\ude00x')).toBe(0);
    for (const s of ['', 'abc', 'é', '€', '😀', 'a😀é€']) expect(utf8Length(s)).toBe(Buffer.byteLength(s));
  });

  it('protected fields keep the caller order; ver/alg added first; iat replaced in place', () => {
    const d = { ...ok(), protected: { iat: 5, custom: 'x', alg: 'none' } } as unknown as DocumentInput;
    const j = JSON.parse(Buffer.from([...encodeDocument(d, { format: 'json', iat: 9 }).chunks()][0]).toString());
    expect(Object.keys(j.protected)).toEqual(['ver', 'iat', 'custom', 'alg']);
    expect(j.protected.iat).toBe(9);
    const p = JSON.parse(Buffer.from([...encodeDocument(ok() as DocumentInput, { format: 'json', layout: 'python' }).chunks()][0]).toString());
    expect(Object.keys(p.protected)).toEqual(['alg', 'ver']);
  });
});
