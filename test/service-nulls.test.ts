/**
 * Issue 13 "Nulls": the Python SDK (edgeimpulse/python-sdk, data/_functions/upload_numpy.py)
 * builds `json.dumps(asdict(DataAcquisition(protected=Protected(), payload=Payload(...))))`, so
 * every document carries its dataclass defaults `"iat": null`, `"device_name": null` and
 * `"signature": null`, in dataclass field order (protected, payload, signature; payload:
 * device_type, sensors, values, interval_ms, device_name) with Python's `", "`/`": "` separators.
 * Null means absent; a null signature under HS256 is an unsigned sample: stored, flagged invalid.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { filesRequest, getJson, multipartBody, rawRequest, tempDir } from './service-helpers.ts';

const KEY = 'ei_nulls_test_api_key';
let svc: IngestionService;
const tmp = tempDir();

beforeAll(async () => {
  svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, hmacKey: 'nulls-test-hmac', fsync: false });
});
afterAll(async () => {
  await svc.close();
  tmp.cleanup();
});

/** The bytes upload_numpy sends for the docstring's first sample (alg as given). */
function pythonSdkDoc(alg: 'none' | 'HS256'): Buffer {
  const text =
    `{"protected": {"ver": "v1", "alg": "${alg}", "iat": null}, "payload": {"device_type": "EDGE_IMPULSE_PYTHON_SDK", ` +
    `"sensors": [{"name": "accelX", "units": "ms/s"}, {"name": "accelY", "units": "ms/s"}, {"name": "accelZ", "units": "ms/s"}], ` +
    `"values": [[8.81, 0.03, 1.21], [9.83, 1.04, 1.27], [9.12, 0.03, 1.23], [9.14, 2.01, 1.25]], "interval_ms": 100, "device_name": null}, ` +
    `"signature": null}`;
  return Buffer.from(text, 'utf8');
}

async function upload(doc: Buffer, name: string): Promise<{ status: number; json: any }> {
  const boundary = 'pysdkboundary';
  const body = multipartBody(boundary, [{ name: 'data', filename: name, contentType: 'application/json', body: doc }]);
  const r = await rawRequest(svc.port, filesRequest(KEY, boundary, body, { 'x-label': 'up' }));
  return { status: r.status, json: JSON.parse(r.body.toString('utf8')) };
}

describe('Python SDK documents with nulls', () => {
  it('alg none with iat/device_name/signature null: stored, unsigned', async () => {
    const r = await upload(pythonSdkDoc('none'), '0123abcd0123abcd.json');
    expect(r.status).toBe(200);
    expect(r.json.files[0].success).toBe(true);
    const got = await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data/${r.json.files[0].sampleId}`, KEY);
    expect(got.status).toBe(200);
    expect(got.json.payload.values).toEqual([[8.81, 0.03, 1.21], [9.83, 1.04, 1.27], [9.12, 0.03, 1.23], [9.14, 2.01, 1.25]]);
    expect(got.json.payload.device_name).toBeUndefined();
    expect(got.json.sample.protected.iat).toBeUndefined();
  });

  it('alg HS256 with a null signature: stored, flagged invalid', async () => {
    const r = await upload(pythonSdkDoc('HS256'), '0123abcd0123abce.json');
    expect(r.status).toBe(200);
    expect(r.json.files[0].success).toBe(true);
    expect(r.json.files[0].signatureValid).toBe(false);
  });
});
