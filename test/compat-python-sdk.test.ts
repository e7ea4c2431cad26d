/**
 * The Edge Impulse Python SDK's uploads, replayed byte for byte as its published source builds
 * them (python-sdk `edgeimpulse/data/_functions/upload.py` `_upload_sample_with_progress`, the
 * dataclasses of `edgeimpulse/data/sample_type.py`), and as `requests`/urllib3 frame them:
 * - headers x-api-key, x-upload-source EDGE_IMPULSE_PYTHON_SDK, x-disallow-duplicates, x-label,
 *   x-bounding-boxes (json.dumps of the list), x-metadata (json.dumps), after requests' defaults;
 * - a `DataAcquisition` goes as `json.dumps(asdict(...))` — `", "`/`": "` separators, field order
 *   of the dataclasses, `"iat": null`, `"device_name": null`, `"signature": null` — in a `data`
 *   part typed `application/cbor`; other files in a part typed `multipart/form-data`;
 * - structured labels as a second `data` part `structured_labels.labels` (application/json);
 * - urllib3's encode_multipart_formdata: `--<32 hex>\r\n`, Content-Disposition, Content-Type,
 *   blank line, data, `\r\n`, closing `--<32 hex>--\r\n`.
 * The SDK then reads `files[i].success`, `sampleId`, `projectId`, `fileName`.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { getJson, rawRequest, tempDir } from './service-helpers.ts';
import { tinyJpeg } from './service-docs.ts';

const KEY = 'ei_python_sdk_compat_key';
const HMAC = 'python-sdk-hmac';
const BOUNDARY = '3f1c0b5e9a7d4c2b8e6f0a1d2c3b4a59'; // urllib3: 16 random bytes, hex
let svc: IngestionService;
const tmp = tempDir('ei-pysdk-');
beforeAll(async () => {
  svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, hmacKey: HMAC, fsync: false });
});
afterAll(async () => {
  await svc.close();
  tmp.cleanup();
});

/** Python's json.dumps with default separators, for the JSON values used here. */
function pyDumps(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return `[${v.map(pyDumps).join(', ')}]`;
  if (typeof v === 'object') return `{${Object.entries(v as object).map(([k, x]) => `${JSON.stringify(k)}: ${pyDumps(x)}`).join(', ')}}`;
  return JSON.stringify(v);
}

type Field = { filename: string; body: Buffer | string; type: string };

/** requests.post(url, headers=…, files=[("data", (filename, data, type)), …]) on the wire. */
function sdkRequest(category: string, headers: [string, string][], files: Field[]): Buffer {
  const chunks: Buffer[] = [];
  for (const f of files) {
    chunks.push(Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="data"; filename="${f.filename}"\r\nContent-Type: ${f.type}\r\n\r\n`, 'latin1'));
    chunks.push(Buffer.from(f.body));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`));
  const body = Buffer.concat(chunks);
  const head = [
    `POST /api/${category}/files HTTP/1.1`,
    `Host: 127.0.0.1:${svc.port}`,
    'User-Agent: python-requests/2.32.3',
    'Accept-Encoding: gzip, deflate',
    'Accept: */*',
    'Connection: keep-alive',
    ...headers.map(([k, v]) => `${k}: ${v}`),
    `Content-Length: ${body.length}`,
    `Content-Type: multipart/form-data; boundary=${BOUNDARY}`,
  ];
  return Buffer.concat([Buffer.from(head.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

/** asdict(DataAcquisition(protected=Protected(...), payload=Payload(...), signature=None)). */
function dataAcquisition(alg: 'none' | 'HS256', values: number[][]): string {
  return pyDumps({
    protected: { ver: 'v1', alg, iat: null },
    payload: { device_type: 'EDGE_IMPULSE_PYTHON_SDK', sensors: [{ name: 'accX', units: 'm/s2' }, { name: 'accY', units: 'm/s2' }], values, interval_ms: 10, device_name: null },
    signature: null,
  });
}

async function send(bytes: Buffer) {
  const r = await rawRequest(svc.port, bytes);
  return { status: r.status, json: JSON.parse(r.body.toString('utf8')) };
}
async function sample(name: string): Promise<any> {
  return (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data?filename=${encodeURIComponent(name)}`, KEY)).json.samples[0];
}
const BASE: [string, string][] = [
  ['x-api-key', KEY],
  ['x-upload-source', 'EDGE_IMPULSE_PYTHON_SDK'],
  ['x-disallow-duplicates', '1'],
];

describe('Python SDK replays', () => {
  it('upload_numpy-style DataAcquisition with nulls, typed application/cbor: stored unsigned, label and metadata applied', async () => {
    const doc = dataAcquisition('none', [[1.5, -2], [3, 4.25], [5, 6]]);
    expect(doc).toContain('"iat": null');
    const r = await send(sdkRequest('training', [...BASE, ['x-label', 'wave'], ['x-metadata', pyDumps({ source: 'numpy' })]], [{ filename: 'wave.01.json', body: doc, type: 'application/cbor' }]));
    expect(r.status).toBe(200);
    expect(r.json.success).toBe(true);
    expect(r.json.files[0]).toMatchObject({ success: true, sampleId: expect.any(Number), projectId: svc.projectId, fileName: 'wave.01.json' });
    const s = await sample('wave.01.json');
    expect(s).toMatchObject({ label: 'wave', signatureStatus: 'none', signatureValidate: false, valuesCount: 3, intervalMs: 10, metadata: { source: 'numpy' }, deviceType: 'EDGE_IMPULSE_PYTHON_SDK', uploadSource: 'EDGE_IMPULSE_PYTHON_SDK' });
    expect(s.deviceName).toBeUndefined(); // "device_name": null is absent
    const got = (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data/${s.id}`, KEY)).json;
    expect(got.payload.values).toEqual([[1.5, -2], [3, 4.25], [5, 6]]);
  });

  it('HS256 with "signature": null is stored as an unsigned sample flagged invalid', async () => {
    const r = await send(sdkRequest('training', [...BASE, ['x-label', 'signed']], [{ filename: 'signed.json', body: dataAcquisition('HS256', [[1, 2]]), type: 'application/cbor' }]));
    expect(r.status).toBe(200);
    expect(r.json.files[0].success).toBe(true);
    expect((await sample('signed.json')).signatureStatus).toBe('invalid');
  });

  it('an image with x-bounding-boxes (json.dumps of the list), part typed multipart/form-data', async () => {
    const boxes = [{ label: 'dog', x: 2, y: 3, width: 10, height: 8 }];
    const r = await send(sdkRequest('testing', [...BASE, ['x-label', 'dog'], ['x-bounding-boxes', pyDumps(boxes)]], [{ filename: 'dog.jpg', body: tinyJpeg(32, 24), type: 'multipart/form-data' }]));
    expect(r.status).toBe(200);
    expect(r.json.files[0].success).toBe(true);
    expect(await sample('dog.jpg')).toMatchObject({ category: 'testing', label: 'dog', boundingBoxes: boxes, imageDimensions: { width: 32, height: 24 } });
  });

  it('structured_labels as a second data part', async () => {
    const labels = [{ label: 'noise', startIndex: 0, endIndex: 1 }, { label: 'water', startIndex: 2, endIndex: 3 }];
    const r = await send(
      sdkRequest('training', BASE, [
        { filename: 'tap.json', body: dataAcquisition('none', [[1, 1], [2, 2], [3, 3], [4, 4]]), type: 'application/cbor' },
        { filename: 'structured_labels.labels', body: pyDumps({ version: 1, type: 'structured-labels', structuredLabels: { 'tap.json': labels } }), type: 'application/json' },
      ]),
    );
    expect(r.status).toBe(200);
    expect(r.json.files).toHaveLength(1); // the label file is not a sample
    expect((await sample('tap.json')).structuredLabels).toEqual([{ startIndex: 0, endIndex: 1, label: 'noise' }, { startIndex: 2, endIndex: 3, label: 'water' }]);
  });

  it('a duplicate (x-disallow-duplicates: 1) answers 200 with the existing sample, nothing new stored', async () => {
    const before = (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data/count?category=all`, KEY)).json.count;
    const doc = dataAcquisition('none', [[1.5, -2], [3, 4.25], [5, 6]]);
    const r = await send(sdkRequest('training', [...BASE, ['x-label', 'wave']], [{ filename: 'wave.02.json', body: doc, type: 'application/cbor' }]));
    expect(r.status).toBe(200);
    expect(r.json.files[0]).toMatchObject({ success: true, duplicate: true });
    expect((await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data/count?category=all`, KEY)).json.count).toBe(before);
  });
});
