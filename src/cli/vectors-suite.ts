/**
 * Definitions of the golden vectors (vectors/README.md describes the files they become). Inputs
 * are written here as manifest-level values: plain JSON plus -0/NaN/±Infinity, Float32Array /
 * Float64Array rows and `{ $source: rows }` pull sources, which vectors-manifest.ts turns into the
 * language-neutral JSON form. Keys are made up for these vectors (the anchors' key is the one
 * printed in Edge Impulse's public documentation, needed to reproduce its signatures).
 */

import { negatives } from './vectors-negative.ts';
import { acc, ALGS, ANCHOR_HMAC, anchorRows, API_KEY, axes, doc, ES_SEED, f, HMAC, HOST, keyFor, LAYOUTS, madeUpKey, type VectorDef } from './vectors-inputs.ts';

export type { VectorAlg, VectorDef, VectorFormat, VectorKey, VectorRequest } from './vectors-inputs.ts';
export { madeUpKey } from './vectors-inputs.ts';

// ------------------------------------------------------------------------------------ vectors

function anchors(): VectorDef[] {
  const seedInput = {
    protected: { alg: 'none', ver: 'v1' },
    signature: '00',
    payload: {
      device_name: '11:22:33:44:55:66',
      device_type: 'NORDIC_NRF91',
      interval_ms: 20,
      sensors: acc,
      values: [
        [0.1627109944820404, -0.803987979888916, 9.82971477508545],
        [0.06699900329113007, -0.7752739787101746, 9.906285285949707],
      ],
    },
  };
  const disco = { device_name: 'ac:87:a3:0a:2d:1b', device_type: 'DISCO-L475VG-IOT01A', interval_ms: 10, sensors: acc, values: anchorRows };
  return [
    {
      id: 'anchor-seed-data-cbor-none',
      description: "The seed's POST /api/training/data example (Python client layout)",
      tags: ['anchor', 'python', 'request'],
      input: seedInput,
      options: { format: 'cbor', layout: 'python', alg: 'none' },
      anchor: 'seed-data-cbor-none',
      request: { kind: 'data', category: 'training', host: HOST, apiKey: API_KEY, fileName: 'test.cbor' },
    },
    {
      id: 'anchor-seed-files-multipart',
      description: "The seed's POST /api/training/files example: the same document in one multipart part",
      tags: ['anchor', 'python', 'request', 'multipart'],
      input: seedInput,
      options: { format: 'cbor', layout: 'python', alg: 'none' },
      anchor: 'seed-files-multipart',
      anchorCompares: 'request-body',
      request: { kind: 'files', category: 'training', host: HOST, apiKey: API_KEY, fileName: 'test.cbor', boundary: '999e13bfdfc8bcc05b97f4784410806e' },
    },
    {
      id: 'anchor-docs-cbor-hs256',
      description: "Edge Impulse docs' CBOR example with iat, signed HS256",
      tags: ['anchor', 'docs', 'iat'],
      input: { protected: { ver: 'v1', alg: 'HS256', iat: 1564138813 }, payload: disco },
      options: { format: 'cbor', layout: 'docs', alg: 'HS256' },
      key: { hmac: ANCHOR_HMAC },
      anchor: 'docs-cbor-hs256',
    },
    {
      id: 'anchor-csdk-hs256-3axis',
      description: 'C SDK (QCBOR) output, 3 axes, HS256',
      tags: ['anchor', 'c-sdk'],
      input: { protected: { ver: 'v1', alg: 'HS256' }, payload: disco },
      options: { format: 'cbor', layout: 'c-sdk', alg: 'HS256' },
      key: { hmac: ANCHOR_HMAC },
      anchor: 'csdk-hs256-3axis',
    },
    {
      id: 'anchor-csdk-hs256-1axis',
      description: 'C SDK output, one axis flattened, no device_name, fractional interval',
      tags: ['anchor', 'c-sdk', '1-axis'],
      input: {
        protected: { ver: 'v1', alg: 'HS256' },
        payload: { device_type: 'TEST_DEVICE', interval_ms: 0.0625, sensors: [{ name: 'audio', units: 'wav' }], values: [0, 1, -1.5, 100000, 3.14159, 65504, 1e-8].map((v) => [f(v)]) },
      },
      options: { format: 'cbor', layout: 'c-sdk', alg: 'HS256' },
      key: { hmac: ANCHOR_HMAC },
      anchor: 'csdk-hs256-1axis',
    },
    {
      id: 'anchor-csdk-none-3axis',
      description: "C SDK output with its 'none' signer (fixed exp field)",
      tags: ['anchor', 'c-sdk', 'exp'],
      input: { protected: { ver: 'v1', alg: 'none', exp: 1564127560 }, payload: disco },
      options: { format: 'cbor', layout: 'c-sdk', alg: 'none' },
      anchor: 'csdk-none-3axis',
    },
    {
      id: 'anchor-csdk-hs256-interval-frac',
      description: 'C SDK output: interval float32(16.666666), integral values as half floats',
      tags: ['anchor', 'c-sdk'],
      input: {
        protected: { ver: 'v1', alg: 'HS256' },
        payload: { device_name: 'dev', device_type: 'T', interval_ms: 16.666666, sensors: [{ name: 'a', units: 'm' }, { name: 'b', units: 'm' }], values: [[1, 2], [3, 4]] },
      },
      options: { format: 'cbor', layout: 'c-sdk', alg: 'HS256' },
      key: { hmac: ANCHOR_HMAC },
      anchor: 'csdk-hs256-interval-frac',
    },
  ];
}

function matrix(): VectorDef[] {
  const out: VectorDef[] = [];
  for (const format of ['cbor', 'json'] as const) {
    for (const layout of LAYOUTS) {
      for (const alg of ALGS) {
        for (const n of [1, 3, 20] as const) {
          const { sensors, values } = axes(n);
          out.push({
            id: `matrix-${layout}-${format}-${alg.toLowerCase()}-${n}axis`,
            description: `${layout} layout, ${format.toUpperCase()}, ${alg}, ${n === 1 ? '1 axis flattened' : `${n} axes`}`,
            tags: ['matrix', layout, format, alg, `${n}-axis`],
            input: doc(sensors, values),
            options: { format, layout, alg },
            key: keyFor(alg),
          });
        }
      }
    }
  }
  return out;
}

const EDGE = [
  0, -0, 5e-324, -5e-324, 2.2250738585072014e-308, 1.401298464324817e-45, 1.1754943508222875e-38,
  3.4028234663852886e38, -3.4028234663852886e38, 3.4028235677973366e38, 1.7976931348623157e308, -1.7976931348623157e308,
  4294967295, 4294967296, 4294967297, -4294967296, -4294967297, 9007199254740991, 9007199254740992, 9007199254740994,
  -9007199254740991, -9007199254740992, 18446744073709552000, 65504, 65505, 65536, 6.103515625e-5, 5.960464477539063e-8,
  0.5, 1.5, -2.25, 0.333251953125, 1e21, 1e-7, 0.1, 123456789.125,
];
// Within float32 range: what the C SDK layout (float32-rounding) can carry.
const EDGE32 = [0, -0, 1.401298464324817e-45, 1.1754943508222875e-38, 3.4028234663852886e38, -3.4028234663852886e38, 4294967296, 16777216, 16777217, 65504, 65505, 6.103515625e-5, 5.960464477539063e-8, 0.1, 1e-7, 0.333251953125];

// QCBOR's width rule under the C SDK layout (FACTS §3), one vector per rule, at its boundaries.
const FLT_MAX = 3.4028234663852886e38;
/** Half only for normal half exponents −14..15 with no bits lost (and ±0): subnormal halves are single. */
const QCBOR_HALF = [
  0, -0, 2 ** -14, -(2 ** -14), 2 ** -14 * (1 + 2 ** -10), 2 ** -24, -(2 ** -24), 1023 * 2 ** -24, 2 ** -15, 3 * 2 ** -24,
  65504, -65504, 65520, 65536, 32768, 1 + 2 ** -10, 1 + 2 ** -11, 2047 * 2 ** -11, 0.5, 1.5,
];
/** Single only for normal float32 exponents −126..127: float32 subnormals are double. */
const QCBOR_SINGLE = [
  2 ** -126, -(2 ** -126), 2 ** -149, -(2 ** -149), 2 ** -126 - 2 ** -149, -(2 ** -126 - 2 ** -149), 2 ** -127, 2 ** -125 * (1 + 2 ** -23),
  FLT_MAX, -FLT_MAX, 3.4028235677973362e38, 2 ** 127, 1e-46, 2 ** -150, 1e-45, 1.0000000000000002, 0.1, 65505, 16777217, 1e-7,
];
/** Finite doubles that float32 rounding makes ±Infinity (the C SDK's float cast): half ±Infinity. */
const QCBOR_INF = [3.4028235677973366e38, -3.4028235677973366e38, 1e39, -1e300, 1.7976931348623157e308, 3.4028235677973362e38];

function qcborRules(): VectorDef[] {
  const one = [{ name: 'x', units: 'N/A' }];
  const v = (id: string, description: string, values: number[], interval: number, allowNonFinite?: true): VectorDef => ({
    id: `edge-qcbor-${id}-c-sdk-cbor`,
    description: `C SDK layout, QCBOR's float widths: ${description}`,
    tags: ['edge-numbers', 'c-sdk', 'qcbor', 'cbor'],
    input: doc(one, values, { interval_ms: interval }),
    options: { format: 'cbor', layout: 'c-sdk', alg: 'HS256', ...(allowNonFinite ? { allowNonFinite } : {}) },
    key: { hmac: HMAC },
  });
  return [
    v('half', 'half for ±0 and normal halves (2^-14 … 65504) with no bits lost; half subnormals (2^-24 … 1023·2^-24), 65520 and 2^16 single; interval_ms 3·2^-24 (a half subnormal) single', QCBOR_HALF, 3 * 2 ** -24),
    v('single', 'single for normal float32 (2^-126 … FLT_MAX); float32 subnormals (2^-149 … 2^-126 − 2^-149) double; values rounding to 0 half; interval_ms 2^-149 double', QCBOR_SINGLE, 2 ** -149),
    v('infinity', 'finite values float32 rounding makes ±Infinity (3.4028235677973366e38 and above) half ±Infinity when the caller opts in (allowNonFinite; refused otherwise, see reject-c-sdk-float32-overflow); the largest double below it FLT_MAX', QCBOR_INF, 10, true),
    {
      id: 'edge-nonfinite-allowed-c-sdk-cbor',
      description: 'NaN and ±Infinity in the C SDK layout when the caller opts in (half 7e00, 7c00, fc00)',
      tags: ['edge-numbers', 'non-finite', 'c-sdk', 'qcbor'],
      input: doc(acc, [[Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], [1, -0, 2]]),
      options: { format: 'cbor', layout: 'c-sdk', alg: 'HS256', allowNonFinite: true },
      key: { hmac: HMAC },
    },
    {
      id: 'edge-none-exp-c-sdk-cbor',
      description: "C SDK layout, alg none: its signer's exp 1564127560 after ver and alg, signature \"00\"",
      tags: ['c-sdk', 'exp', 'none'],
      input: doc(acc, axes(3).values),
      options: { format: 'cbor', layout: 'c-sdk', alg: 'none' },
    },
  ];
}

function edgeNumbers(): VectorDef[] {
  const out: VectorDef[] = [];
  const one = [{ name: 'x', units: 'N/A' }];
  for (const format of ['cbor', 'json'] as const) {
    for (const layout of ['compact', 'docs', 'python'] as const) {
      out.push({
        id: `edge-numbers-${layout}-${format}`,
        description: `±0, subnormals, float32/float64 extremes, integers around 2^32 and 2^53, half-exact values (${layout}, ${format})`,
        tags: ['edge-numbers', layout, format],
        input: doc(one, EDGE),
        options: { format, layout, alg: 'HS256' },
        key: { hmac: HMAC },
      });
    }
    out.push({
      id: `edge-numbers32-c-sdk-${format}`,
      description: `float32-range edge values under the C SDK layout (rounded to float32), ${format}`,
      tags: ['edge-numbers', 'c-sdk', format],
      input: doc(one, EDGE32),
      options: { format, layout: 'c-sdk', alg: 'HS256' },
      key: { hmac: HMAC },
    });
    out.push({
      id: `edge-interval-${format}`,
      description: `fractional and zero-adjacent interval_ms (${format})`,
      tags: ['edge-numbers', 'interval', format],
      input: doc(one, [1, 2], { interval_ms: 0.0625 }),
      options: { format, layout: 'compact', alg: 'none' },
    });
  }
  out.push({
    id: 'edge-interval-zero-image',
    description: 'interval_ms 0 (images), CBOR docs layout',
    tags: ['edge-numbers', 'interval'],
    input: doc([{ name: 'image', units: 'rgba' }], [0xff00ff, 0x00ff00], { interval_ms: 0 }),
    options: { format: 'cbor', layout: 'docs', alg: 'none' },
  });
  for (const layout of ['compact', 'python'] as const) {
    out.push({
      id: `edge-nonfinite-allowed-${layout}-cbor`,
      description: `NaN and ±Infinity in CBOR when the caller opts in (${layout})`,
      tags: ['edge-numbers', 'non-finite', layout],
      input: doc(acc, [[Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY], [1, -0, 2]]),
      options: { format: 'cbor', layout, alg: 'HS256', allowNonFinite: true },
      key: { hmac: HMAC },
    });
  }
  return out;
}

function strings(): VectorDef[] {
  const cases: [string, string, Record<string, unknown>, unknown][] = [
    ['empty-device-name', 'empty device_name and empty units', { device_name: '' }, [{ name: 'x', units: '' }]],
    ['no-device-name', 'device_name absent', { device_name: undefined }, [{ name: 'x', units: 'm' }]],
    ['unicode', 'non-ASCII names: CJK, emoji (astral), combining marks, RTL', { device_name: '加速度計-🚀-é' }, [{ name: 'צירX', units: '°C' }]],
    ['escapes', 'quotes, backslash, control characters, U+2028 (JSON escapes)', { device_name: 'a"b\\c\n\t\u0001\u001f\u007f\u2028\u2029' }, [{ name: '/sl/ash', units: '<>&' }]],
    ['long-name', 'a 300-character name (CBOR text length needs 2 bytes)', { device_name: 'ü'.repeat(150) + 'n'.repeat(150) }, [{ name: 'x'.repeat(24), units: 'y'.repeat(23) }]],
  ];
  const out: VectorDef[] = [];
  for (const format of ['cbor', 'json'] as const) {
    for (const [name, description, extra, sensors] of cases) {
      const payloadExtra = { ...extra };
      const d = doc(sensors, [1.25, -3], payloadExtra) as { payload: Record<string, unknown> };
      if ('device_name' in extra && extra.device_name === undefined) delete d.payload.device_name;
      out.push({ id: `strings-${name}-${format}`, description: `${description} (${format})`, tags: ['strings', format], input: d, options: { format, layout: 'compact', alg: 'HS256' }, key: { hmac: HMAC } });
    }
  }
  return out;
}

function keys(): VectorDef[] {
  const out: VectorDef[] = [];
  const { sensors, values } = axes(3);
  for (const bytes of [0, 32, 33, 64, 65, 200]) {
    for (const format of ['cbor', 'json'] as const) {
      out.push({
        id: `hmac-key-${bytes}-${format}`,
        description: `HS256 with a ${bytes}-byte key${bytes === 0 ? ' (empty: valid HMAC, RFC 2104)' : bytes > 64 ? ' (longer than the SHA-256 block: hashed first)' : bytes > 32 ? ' (the C SDK would truncate it to 32)' : ''}`,
        tags: ['hmac-key', format],
        input: doc(sensors, values),
        options: { format, layout: 'compact', alg: 'HS256' },
        key: { hmac: madeUpKey(bytes) },
      });
    }
  }
  out.push({
    id: 'hmac-key-utf8-cbor',
    description: 'HS256 key with non-ASCII characters: its UTF-8 bytes (33 bytes) are the key',
    tags: ['hmac-key'],
    input: doc(sensors, values),
    options: { format: 'cbor', layout: 'compact', alg: 'HS256' },
    key: { hmac: 'clé-ключ-🔑-made-up' },
  });
  return out;
}

function iat(): VectorDef[] {
  const { sensors, values } = axes(3);
  return [
    { id: 'iat-option-compact-cbor', description: 'iat from the options, added after ver and alg', tags: ['iat'], input: doc(sensors, values), options: { format: 'cbor', layout: 'compact', alg: 'HS256', iat: 1700000000 }, key: { hmac: HMAC } },
    { id: 'iat-option-compact-json', description: 'iat from the options (JSON)', tags: ['iat', 'json'], input: doc(sensors, values), options: { format: 'json', layout: 'compact', alg: 'HS256', iat: 1700000000 }, key: { hmac: HMAC } },
    { id: 'iat-caller-docs-cbor', description: 'iat given in protected by the caller', tags: ['iat'], input: doc(sensors, values, {}, { ver: 'v1', alg: 'HS256', iat: 1564138813 }), options: { format: 'cbor', layout: 'docs', alg: 'HS256' }, key: { hmac: HMAC } },
    { id: 'iat-zero-cbor', description: 'iat 0 (epoch)', tags: ['iat'], input: doc(sensors, values), options: { format: 'cbor', layout: 'compact', alg: 'ES256', iat: 0 }, key: { es256Seed: ES_SEED } },
    { id: 'iat-beyond-2038-cbor', description: 'iat above 2^32 (CBOR 8-byte integer)', tags: ['iat'], input: doc(sensors, values), options: { format: 'cbor', layout: 'compact', alg: 'HS256', iat: 4294967296 }, key: { hmac: HMAC } },
    { id: 'iat-absent-compact-cbor', description: 'no iat (same document as iat-option-compact-cbor)', tags: ['iat'], input: doc(sensors, values), options: { format: 'cbor', layout: 'compact', alg: 'HS256' }, key: { hmac: HMAC } },
  ];
}

function tails(): VectorDef[] {
  const data: Record<string, number[]> = {
    i8: [-128, -1, 0, 1, 127, 5],
    u8: [0, 1, 127, 128, 255, 7],
    i16: [-32768, -1, 0, 1, 32767, 1234],
    u16: [0, 1, 32768, 65535, 4660, 22136],
    i32: [-2147483648, -1, 0, 1, 2147483647, 305419896],
    u32: [0, 1, 2147483648, 4294967295, 305419896, 7],
    f32: [0, -0, 1.5, f(0.1), -65504, f(3.4028234663852886e38)],
  };
  const out: VectorDef[] = [];
  for (const [type, samples] of Object.entries(data)) {
    out.push({
      id: `tail-${type}-hs256`,
      description: `binary tail Ref-BINARY-${type}: 3 rows × 2 axes appended little-endian, HMAC over document + tail`,
      tags: ['binary-tail', type],
      input: doc([{ name: 'a', units: 'N/A' }, { name: 'b', units: 'N/A' }], { tail: type, data: samples }),
      options: { format: 'cbor', layout: 'docs', alg: 'HS256' },
      key: { hmac: HMAC },
      ...(type === 'i16' ? { request: { kind: 'data' as const, category: 'training', host: HOST, apiKey: API_KEY, fileName: 'tail.bin' } } : {}),
    });
  }
  out.push(
    { id: 'tail-i16-none-compact', description: 'binary tail, alg none, compact layout', tags: ['binary-tail'], input: doc([{ name: 'audio', units: 'wav' }], { tail: 'i16', data: [0, 100, -100, 32767] }), options: { format: 'cbor', layout: 'compact', alg: 'none' } },
    { id: 'tail-i16-es256', description: 'binary tail signed ES256', tags: ['binary-tail', 'ES256'], input: doc([{ name: 'audio', units: 'wav' }], { tail: 'i16', data: [0, 100, -100, 32767] }), options: { format: 'cbor', layout: 'compact', alg: 'ES256' }, key: { es256Seed: ES_SEED } },
    {
      id: 'attachment-image-ref',
      description: 'image attachment reference document (values: one Ref-BINARY-image/jpeg string)',
      tags: ['attachment'],
      input: doc([{ name: 'image', units: 'rgba' }], { attachment: 'Ref-BINARY-image/jpeg (4 bytes) 0b8a5a5e2b1c7d8d7a3b1c3c53c3bd48a2f0a6c2fbd0a58c5d0ef5f3e40c2bde' }, { interval_ms: 0 }),
      options: { format: 'cbor', layout: 'compact', alg: 'HS256' },
      key: { hmac: HMAC },
    },
  );
  return out;
}

function shapes(): VectorDef[] {
  const rows = axes(3).values as number[][];
  return [
    { id: 'typed-f64-rows-cbor', description: 'Float64Array rows (row-major) give the same bytes as nested arrays', tags: ['typed'], input: doc(acc, new Float64Array(rows.flat())), options: { format: 'cbor', layout: 'compact', alg: 'HS256' }, key: { hmac: HMAC } },
    { id: 'typed-f32-rows-cbor', description: 'Float32Array rows: float32 values, shortest float that keeps them', tags: ['typed'], input: doc(acc, new Float32Array(rows.flat())), options: { format: 'cbor', layout: 'compact', alg: 'HS256' }, key: { hmac: HMAC } },
    { id: 'typed-f32-rows-json', description: 'Float32Array rows as JSON (printed as the float64 they widen to)', tags: ['typed', 'json'], input: doc(acc, new Float32Array(rows.flat())), options: { format: 'json', layout: 'compact', alg: 'HS256' }, key: { hmac: HMAC } },
    { id: 'source-rows-cbor', description: 'pull source of rows (row count unknown in advance: values indefinite-length)', tags: ['source'], input: doc(acc, { $source: rows }), options: { format: 'cbor', layout: 'compact', alg: 'HS256' }, key: { hmac: HMAC } },
    { id: 'source-rows-json', description: 'pull source of rows, JSON', tags: ['source', 'json'], input: doc(acc, { $source: rows }), options: { format: 'json', layout: 'compact', alg: 'HS256' }, key: { hmac: HMAC } },
    { id: 'empty-values-cbor', description: 'no rows at all', tags: ['edge'], input: doc(acc, []), options: { format: 'cbor', layout: 'compact', alg: 'HS256' }, key: { hmac: HMAC } },
    { id: 'protected-caller-order', description: 'caller-given protected order (alg before ver) and an extra exp field are kept', tags: ['protected'], input: doc(acc, rows, {}, { alg: 'HS256', ver: 'v1', exp: 1564127560 }), options: { format: 'cbor', layout: 'compact', alg: 'HS256' }, key: { hmac: HMAC } },
    { id: 'protected-caller-order-json', description: 'caller-given protected order, JSON', tags: ['protected', 'json'], input: doc(acc, rows, {}, { alg: 'HS256', ver: 'v1', exp: 1564127560 }), options: { format: 'json', layout: 'compact', alg: 'HS256' }, key: { hmac: HMAC } },
    {
      id: 'custom-layout-float64-indefinite',
      description: 'a custom layout: docs key order, float64 numbers, indefinite values',
      tags: ['layout-options'],
      input: doc(acc, rows),
      options: { format: 'cbor', layout: { base: 'docs', numbers: 'float64', valuesIndefinite: true }, alg: 'HS256' },
      key: { hmac: HMAC },
    },
    {
      id: 'request-json-labelled',
      description: 'JSON body framed as a /data request with label, metadata and flags',
      tags: ['request', 'json'],
      input: doc(acc, rows),
      options: { format: 'json', layout: 'compact', alg: 'HS256', iat: 1700000000 },
      key: { hmac: HMAC },
      request: { kind: 'data', category: 'testing', host: HOST, apiKey: API_KEY, fileName: 'idle run 01.json', label: 'idle run', disallowDuplicates: true, metadata: { site: 'lab 2', board: 'nrf9160dk' } },
    },
    {
      id: 'request-files-es256',
      description: 'ES256 CBOR body in a multipart /files request with a fixed boundary',
      tags: ['request', 'multipart', 'ES256'],
      input: doc(acc, rows),
      options: { format: 'cbor', layout: 'compact', alg: 'ES256' },
      key: { es256Seed: ES_SEED },
      request: { kind: 'files', category: 'split', host: HOST, apiKey: API_KEY, fileName: 'walk.01.cbor', label: 'walk', boundary: 'golden0boundary0000000000000001' },
    },
  ];
}

/** Every vector, in manifest order. */
export function vectorDefinitions(): VectorDef[] {
  return [...anchors(), ...matrix(), ...edgeNumbers(), ...qcborRules(), ...strings(), ...keys(), ...iat(), ...tails(), ...shapes(), ...negatives()];
}
