/** Negative golden vectors: inputs the encoder must reject, with the error code and path. */
import { acc, axes, doc, HMAC, type VectorDef, type VectorKey } from './vectors-inputs.ts';

export function negatives(): VectorDef[] {
  const rows = axes(3).values as number[][];
  const n = (id: string, description: string, input: unknown, code: string, path: string | undefined, options: Partial<VectorDef['options']> = {}, key?: VectorKey): VectorDef => ({
    id: `reject-${id}`,
    description,
    tags: ['negative'],
    input,
    options: { format: 'cbor', layout: 'compact', alg: 'HS256', ...options },
    key: key ?? { hmac: HMAC },
    error: { code, ...(path === undefined ? {} : { path }) },
  });
  return [
    n('row-width', 'a row with 2 values for 3 sensors', doc(acc, [rows[0], [1, 2], rows[2]]), 'EI_DOC_ROW_WIDTH', 'payload.values[1]'),
    n('nan-json', 'NaN cannot be carried by JSON', doc(acc, [[1, 2, 3], [4, Number.NaN, 6]]), 'EI_DOC_NON_FINITE', 'payload.values[1][1]', { format: 'json' }),
    n('infinity-json', 'Infinity in JSON even when allowNonFinite is set', doc(acc, [[1, 2, Number.POSITIVE_INFINITY]]), 'EI_DOC_NON_FINITE', 'payload.values[0][2]', { format: 'json', allowNonFinite: true }),
    n('nan-cbor-no-optin', 'NaN in CBOR without allowNonFinite', doc(acc, [[Number.NaN, 2, 3]]), 'EI_DOC_NON_FINITE', 'payload.values[0][0]'),
    n('empty-sensors', 'no sensors', doc([], []), 'EI_DOC_SENSORS', 'payload.sensors'),
    n('missing-device-type', 'device_type missing', { payload: { interval_ms: 10, sensors: acc, values: rows } }, 'EI_DOC_DEVICE_TYPE', 'payload.device_type'),
    n('negative-interval', 'negative interval_ms', doc(acc, rows, { interval_ms: -1 }), 'EI_DOC_INTERVAL', 'payload.interval_ms'),
    n('nonfinite-interval', 'infinite interval_ms', doc(acc, rows, { interval_ms: Number.POSITIVE_INFINITY }), 'EI_DOC_INTERVAL', 'payload.interval_ms'),
    n('unknown-alg', 'protected.alg RS256', doc(acc, rows, {}, { ver: 'v1', alg: 'RS256' }), 'EI_DOC_ALG', 'protected.alg', { alg: undefined }),
    n('lone-surrogate-name', 'device_name with a lone surrogate', doc(acc, rows, { device_name: 'bad\uD800name' }), 'EI_DOC_STRING', 'payload.device_name'),
    n('lone-surrogate-sensor', 'sensor name with a lone low surrogate', doc([acc[0], { name: '\uDC00x', units: 'm' }, acc[2]], rows), 'EI_DOC_STRING', 'payload.sensors[1].name'),
    n('value-string', 'a value that is a string', doc(acc, [rows[0], [1, '2', 3]]), 'EI_DOC_VALUE_TYPE', 'payload.values[1][1]'),
    n('version', 'protected.ver v2', doc(acc, rows, {}, { ver: 'v2', alg: 'HS256' }), 'EI_DOC_VERSION', 'protected.ver'),
    n('iat-fraction', 'iat not an integer', doc(acc, rows), 'EI_DOC_IAT', undefined, { iat: 1.5 }),
    n('iat-negative', 'negative iat', doc(acc, rows), 'EI_DOC_IAT', undefined, { iat: -1 }),
    n('tail-json', 'binary tail with JSON', doc([{ name: 'a', units: 'N/A' }], { tail: 'i16', data: [1, 2] }), 'EI_DOC_TAIL', undefined, { format: 'json' }),
    n('tail-range', 'tail sample out of range for i8', doc([{ name: 'a', units: 'N/A' }], { tail: 'i8', data: [1, 128] }), 'EI_DOC_TAIL', undefined),
    n('hs256-no-key', 'HS256 without an HMAC key', doc(acc, rows), 'EI_DOC_OPTION', undefined, {}, {}),
    n('unknown-layout', 'unknown layout name', doc(acc, rows), 'EI_DOC_OPTION', 'options.layout', { layout: 'protobuf' }),
    // The C SDK layout's own refusals (a C port reports the same codes; vectors/c/).
    n('c-sdk-row-width', 'C SDK layout: a row with 2 values for 3 sensors', doc(acc, [rows[0], [1, 2]]), 'EI_DOC_ROW_WIDTH', 'payload.values[1]', { layout: 'c-sdk' }),
    n('c-sdk-nan', 'C SDK layout: NaN without allowNonFinite', doc(acc, [rows[0], [1, Number.NaN, 3]]), 'EI_DOC_NON_FINITE', 'payload.values[1][1]', { layout: 'c-sdk' }),
    n('c-sdk-negative-interval', 'C SDK layout: negative interval_ms', doc(acc, rows, { interval_ms: -0.5 }), 'EI_DOC_INTERVAL', 'payload.interval_ms', { layout: 'c-sdk' }),
    n('c-sdk-no-sensors', 'C SDK layout: no sensors', doc([], []), 'EI_DOC_SENSORS', 'payload.sensors', { layout: 'c-sdk', alg: 'none' }),
    n('c-sdk-float32-overflow', 'C SDK layout in CBOR: a finite value float32 rounding makes infinite, without allowNonFinite', doc(acc, [rows[0], [1, 2, -3.4028235677973366e38]]), 'EI_DOC_NON_FINITE', 'payload.values[1][2]', { layout: 'c-sdk' }),
    n('c-sdk-interval-float32-overflow', 'C SDK layout: interval_ms beyond float32 range', doc(acc, rows, { interval_ms: 1e39 }), 'EI_DOC_INTERVAL', 'payload.interval_ms', { layout: 'c-sdk' }),
    n('c-sdk-json-float32-overflow', 'C SDK layout in JSON: a finite value float32 rounding makes infinite', doc(acc, [[1, 3.4028235677973366e38, 2]]), 'EI_DOC_NON_FINITE', 'payload.values[0][1]', { layout: 'c-sdk', format: 'json' }),
  ];
}
