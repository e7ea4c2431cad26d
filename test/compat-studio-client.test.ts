/**
 * The Studio client calls (edge-impulse-api 1.95.13, the generated Node client the CLIs use),
 * captured on the wire from the client itself against a recording server, then replayed byte for
 * byte to the local service: each request line (method, path, query as the client encodes it,
 * e.g. `labels=%5B%22a%22%5D`), the x-api-key header and the JSON body. Each replay must be
 * answered 200 `{success: true, …}` and do what it says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgeImpulseApi } from 'edge-impulse-api';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { attachRemoteManagement, createRemoteManagement, type RemoteManagement } from '../src/service/remote-mgmt.ts';
import { buildRequest, dataRequest, rawRequest, tempDir } from './service-helpers.ts';
import { jsonDoc, payload } from './service-docs.ts';
import { rawServer, reply, type RawRequest } from './http-support.ts';

const KEY = 'ei_studio_client_compat_key';
const HMAC = 'studio-client-hmac';
let svc: IngestionService;
let rm: RemoteManagement;
const tmp = tempDir('ei-studio-client-');
let sampleId = 0;

beforeAll(async () => {
  rm = createRemoteManagement();
  svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, hmacKey: HMAC, fsync: false, extraRoutes: rm.routes, studioDevices: rm.registry });
  attachRemoteManagement(svc, rm);
  const r = await rawRequest(svc.port, dataRequest(KEY, jsonDoc(payload([1, 2, 3]), HMAC), { 'x-file-name': 'a.json', 'x-label': 'a', 'content-type': 'application/json' }));
  expect(r.status).toBe(200);
  sampleId = svc.store.list(svc.projectId)[0]!.id;
});
afterAll(async () => {
  await rm.close();
  await svc.close();
  tmp.cleanup();
});

/** Runs `call` against a recording server and returns the request the client sent. */
async function capture(call: (api: EdgeImpulseApi) => Promise<unknown>): Promise<RawRequest> {
  const rec = await rawServer(() => reply(200, JSON.stringify({ success: true }), ['Content-Type: application/json']));
  try {
    const api = new EdgeImpulseApi({ endpoint: `http://127.0.0.1:${rec.port}` });
    await api.authenticate({ method: 'apiKey', apiKey: KEY });
    await call(api).catch(() => undefined); // the minimal answer may not satisfy the client; the request is what counts
    expect(rec.requests).toHaveLength(1);
    return rec.requests[0]!;
  } finally {
    await rec.close();
  }
}

/** Sends the captured request to the service unchanged (its path, key, content type and body). */
async function replay(req: RawRequest): Promise<{ status: number; json: any }> {
  const headers: Record<string, string | number> = { Host: `127.0.0.1:${svc.port}`, 'x-api-key': req.headers['x-api-key']!, Connection: 'close' };
  if (req.headers['content-type']) headers['Content-Type'] = req.headers['content-type'];
  if (req.body.length > 0 || req.method === 'POST') headers['Content-Length'] = req.body.length;
  const r = await rawRequest(svc.port, buildRequest(req.method, req.path, headers, req.body));
  const text = r.body.toString('utf8');
  return { status: r.status, json: r.headers['content-type']?.startsWith('application/json') ? JSON.parse(text) : text };
}

describe('Studio client requests replayed', () => {
  const P = () => svc.projectId;
  it('projects.getProjectInfo → GET /v1/api/{id}', async () => {
    const req = await capture((api) => api.projects.getProjectInfo(P(), {}));
    expect([req.method, req.path, req.headers['x-api-key']]).toEqual(['GET', `/v1/api/${P()}`, KEY]);
    const r = await replay(req);
    expect(r.status).toBe(200);
    expect(r.json.project.id).toBe(P());
  });

  it('rawData.listSamples with labels as a JSON array in the query, filename, limit, offset', async () => {
    const req = await capture((api) => api.rawData.listSamples(P(), { category: 'training', labels: JSON.stringify(['a', 'b']), filename: 'a', limit: 5, offset: 0 }));
    expect(req.path).toBe(`/v1/api/${P()}/raw-data?category=training&limit=5&offset=0&labels=%5B%22a%22%2C%22b%22%5D&filename=a`);
    const r = await replay(req);
    expect(r.status).toBe(200);
    expect(r.json.samples.map((s: any) => s.filename)).toEqual(['a.json']);
  });

  it('rawData.countSamples, getSample, getSampleAsRaw', async () => {
    const count = await capture((api) => api.rawData.countSamples(P(), { category: 'training', labels: '["a"]' }));
    expect(count.path).toBe(`/v1/api/${P()}/raw-data/count?category=training&labels=%5B%22a%22%5D`);
    expect((await replay(count)).json).toEqual({ success: true, count: 1 });
    const get = await capture((api) => api.rawData.getSample(P(), sampleId));
    expect(get.path).toBe(`/v1/api/${P()}/raw-data/${sampleId}`);
    expect((await replay(get)).json.payload.values).toEqual([[1], [2], [3]]);
    const raw = await capture((api) => api.rawData.getSampleAsRaw(P(), sampleId));
    expect(raw.path).toBe(`/v1/api/${P()}/raw-data/${sampleId}/raw`);
    expect((await replay(raw)).status).toBe(200);
  });

  it('devices.createDevice / renameDevice / deleteDevice with their JSON bodies', async () => {
    const create = await capture((api) => api.devices.createDevice(P(), { deviceId: 'pi-1', deviceType: 'RASPBERRY_PI', ifNotExists: true }));
    expect([create.method, create.path, create.headers['content-type'], create.body.toString()]).toEqual(['POST', `/v1/api/${P()}/devices/create`, 'application/json', '{"deviceId":"pi-1","deviceType":"RASPBERRY_PI","ifNotExists":true}']);
    expect((await replay(create)).json).toEqual({ success: true });
    const rename = await capture((api) => api.devices.renameDevice(P(), 'pi-1', { name: 'garage' }));
    expect([rename.method, rename.path]).toEqual(['POST', `/v1/api/${P()}/devices/pi-1/rename`]);
    expect((await replay(rename)).json).toEqual({ success: true });
    expect(rm.registry.get(P(), 'pi-1')!.name).toBe('garage');
    const del = await capture((api) => api.devices.deleteDevice(P(), 'pi-1'));
    expect([del.method, del.path]).toEqual(['DELETE', `/v1/api/${P()}/device/pi-1`]);
    expect((await replay(del)).json).toEqual({ success: true });
    expect(rm.registry.get(P(), 'pi-1')).toBeUndefined();
  });

  it('rawData.editLabel then deleteSample', async () => {
    const edit = await capture((api) => api.rawData.editLabel(P(), sampleId, { label: 'b' }));
    expect([edit.method, edit.path, edit.body.toString()]).toEqual(['POST', `/v1/api/${P()}/raw-data/${sampleId}/edit-label`, '{"label":"b"}']);
    expect((await replay(edit)).json).toEqual({ success: true });
    expect(svc.store.get(P(), sampleId)!.label).toBe('b');
    const del = await capture((api) => api.rawData.deleteSample(P(), sampleId));
    expect([del.method, del.path]).toEqual(['DELETE', `/v1/api/${P()}/raw-data/${sampleId}`]);
    expect((await replay(del)).json).toEqual({ success: true });
    expect(svc.store.get(P(), sampleId)).toBeUndefined();
  });
});
