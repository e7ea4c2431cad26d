/**
 * Contract tests: every /v1 route the local service serves, called through Edge Impulse's own
 * generated Node client (`edge-impulse-api` 1.95.13, pointed at the service on loopback), and every
 * answer checked against the model the client declares (read from its .d.ts with the TypeScript
 * compiler API, see studio-model-check.ts). A field added upstream or dropped here fails.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EdgeImpulseApi } from 'edge-impulse-api';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { attachRemoteManagement, createRemoteManagement, type RemoteManagement } from '../src/service/remote-mgmt.ts';
import { LOCAL_SAMPLE_FIELDS } from '../src/service/studio-model.ts';
import { filesRequest, multipartBody, rawRequest, tempDir, dataRequest } from './service-helpers.ts';
import { jsonDoc, payload, tinyPng, wav } from './service-docs.ts';
import { ModelChecker } from './studio-model-check.ts';

const KEY = 'ei_contract_test_api_key';
const HMAC = 'contract-test-hmac-key';
const models = new ModelChecker([
  'ProjectInfoResponse',
  'ListSamplesResponse',
  'CountSamplesResponse',
  'GetSampleResponse',
  'GenericApiResponse',
  'ListProjectsResponse',
  'GetHmacDevkeyResponse',
  'DevelopmentKeysResponse',
  'ListDevicesResponse',
  'GetDeviceResponse',
  'Sample',
]);

let svc: IngestionService;
let rm: RemoteManagement;
let api: EdgeImpulseApi;
const tmp = tempDir('ei-contract-');
const ids: Record<string, number> = {};

/** Extras allowed on a Sample: the documented local extension fields. */
const SAMPLE_EXTRA = new RegExp(`\\.(${LOCAL_SAMPLE_FIELDS.join('|')})$`);

function expectModel(model: string, value: unknown, allowedExtra: RegExp = /^$/): void {
  const r = models.check(model, value);
  expect(r.errors).toEqual([]);
  expect(r.extras.filter((x) => !allowedExtra.test(x))).toEqual([]);
}

beforeAll(async () => {
  rm = createRemoteManagement();
  svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, hmacKey: HMAC, fsync: false, extraRoutes: rm.routes, studioDevices: rm.registry });
  attachRemoteManagement(svc, rm);
  api = new EdgeImpulseApi({ endpoint: svc.url });
  await api.authenticate({ method: 'apiKey', apiKey: KEY });
  const doc = jsonDoc(payload([[1, 2], [3, 4], [5, 6]], [{ name: 'accX', units: 'm/s2' }, { name: 'accY', units: 'm/s2' }], { device_name: 'dev-1', device_type: 'TEST_BOARD', interval_ms: 10 }), HMAC);
  const r1 = await rawRequest(svc.port, dataRequest(KEY, doc, { 'x-file-name': 'wave.json', 'x-label': 'wave', 'content-type': 'application/json' }));
  expect(r1.status).toBe(200);
  const b = 'contractboundary';
  const files = multipartBody(b, [
    { name: 'data', filename: 'cat.png', contentType: 'image/png', body: tinyPng(8, 6) },
    { name: 'data', filename: 'hum.wav', contentType: 'audio/wav', body: wav([0, 100, -100, 0], 4000) },
  ]);
  const r2 = await rawRequest(svc.port, filesRequest(KEY, b, files, { 'x-label': 'mixed' }, 'testing'));
  expect(r2.status).toBe(200);
  const list = await api.rawData.listSamples(svc.projectId, { category: 'all' });
  for (const s of list.samples) ids[s.filename] = s.id;
});
afterAll(async () => {
  await rm.close();
  await svc.close();
  tmp.cleanup();
});

describe('the model checker itself', () => {
  it('finds a dropped required field, a wrong type and an enum value the model does not have', () => {
    const r = models.check('CountSamplesResponse', { success: true });
    expect(r.errors).toEqual(['CountSamplesResponse.count: required field missing']);
    expect(models.check('CountSamplesResponse', { success: 'yes', count: 1 }).errors[0]).toMatch(/success/);
    expect(models.check('Sample', { chartType: 'pie' }).errors.join('\n')).toMatch(/chartType/);
    expect(models.requiredFields('Sample')).toEqual(expect.arrayContaining(['signatureValidate', 'sha256Hash', 'coldstorageFilename', 'projectId']));
  });
});

describe('projects', () => {
  it('getProjectInfo answers a ProjectInfoResponse (GET /v1/api/{projectId})', async () => {
    const info = await api.projects.getProjectInfo(svc.projectId, {});
    expectModel('ProjectInfoResponse', info);
    expect(info.project.id).toBe(svc.projectId);
    expect(info.project.whitelabelId).toBeNull();
    expect(info.developmentKeys.apiKey).toBeUndefined(); // never echoed
    expect(info.dataSummary.dataCount).toBe(3);
    expect(info.dataSummaryPerCategory.training.dataCount).toBe(1);
  });
  it('listProjects: the key\'s own project as a Project model; getHmacDevkey; listDevkeys answers no keys to an API key', async () => {
    const l = await api.projects.listProjects();
    expectModel('ListProjectsResponse', l);
    expect(l.projects.map((p) => p.id)).toEqual([svc.projectId]);
    const h = await api.projects.getHmacDevkey(svc.projectId);
    expectModel('GetHmacDevkeyResponse', h);
    expect(h.hmacKey).toBe(HMAC);
    const d = await api.projects.listDevkeys(svc.projectId);
    expectModel('DevelopmentKeysResponse', d);
    expect([d.apiKey, d.hmacKey]).toEqual([undefined, undefined]);
  });
  it('another project id is refused with {success:false, error}', async () => {
    await expect(api.projects.getProjectInfo(svc.projectId + 1, {})).rejects.toThrow(/no access/);
  });
});

describe('raw data', () => {
  it('listSamples: Sample models, newest first, labels as a JSON array, filename, limit/offset', async () => {
    const all = await api.rawData.listSamples(svc.projectId, { category: 'all' });
    expectModel('ListSamplesResponse', all, SAMPLE_EXTRA);
    expect(all.samples.map((s) => s.filename)).toEqual(['hum.wav', 'cat.png', 'wave.json']);
    const wave = all.samples.find((s) => s.filename === 'wave.json')!;
    expect(wave).toMatchObject({ signatureValidate: true, signatureMethod: 'HS256', label: 'wave', deviceType: 'TEST_BOARD', intervalMs: 10, frequency: 100, valuesCount: 3, chartType: 'chart' });
    expect(wave.sha256Hash).toMatch(/^[0-9a-f]{64}$/);
    const png = all.samples.find((s) => s.filename === 'cat.png')!;
    expect(png).toMatchObject({ chartType: 'image', category: 'testing', deviceType: 'UNKNOWN' });
    const byLabels = await api.rawData.listSamples(svc.projectId, { category: 'all', labels: JSON.stringify(['wave', 'nope']) });
    expect(byLabels.samples.map((s) => s.filename)).toEqual(['wave.json']);
    const byName = await api.rawData.listSamples(svc.projectId, { category: 'all', filename: 'CAT' });
    expect(byName.samples.map((s) => s.filename)).toEqual(['cat.png']);
    const page = await api.rawData.listSamples(svc.projectId, { category: 'all', limit: 1, offset: 1 });
    expect(page.totalCount).toBe(3);
    expect(page.samples.map((s) => s.filename)).toEqual(['cat.png']);
    const testing = await api.rawData.listSamples(svc.projectId, { category: 'testing' });
    expect(testing.samples.length).toBe(2);
  });
  it('a labels filter that is not a JSON array is a 400 with {success:false, error}', async () => {
    await expect(api.rawData.listSamples(svc.projectId, { category: 'all', labels: 'wave' })).rejects.toThrow(/JSON array/);
  });
  it('countSamples (GET …/raw-data/count) with the same filters', async () => {
    const c = await api.rawData.countSamples(svc.projectId, { category: 'training' });
    expectModel('CountSamplesResponse', c);
    expect(c.count).toBe(1);
    expect((await api.rawData.countSamples(svc.projectId, { category: 'all', labels: '["mixed"]' })).count).toBe(2);
  });
  it('getSample: Sample, payload with intervalMs/frequencyHz, totalPayloadLength', async () => {
    const g = await api.rawData.getSample(svc.projectId, ids['wave.json']!);
    expectModel('GetSampleResponse', g, SAMPLE_EXTRA);
    expect(g.payload).toMatchObject({ device_name: 'dev-1', device_type: 'TEST_BOARD', intervalMs: 10, frequencyHz: 100, values: [[1, 2], [3, 4], [5, 6]] });
    expect(g.payload.sensors).toEqual([{ index: 0, name: 'accX', units: 'm/s2' }, { index: 1, name: 'accY', units: 'm/s2' }]);
    expect(g.totalPayloadLength).toBe(3);
    const first = await api.rawData.getSample(svc.projectId, ids['wave.json']!, { limitPayloadValues: 2 });
    expect([first.payload.values, first.totalPayloadLength]).toEqual([[[1, 2], [3, 4]], 3]);
  });
  it('getSampleAsRaw, getSampleAsImage, getSampleAsAudio answer the bytes', async () => {
    const img = await api.rawData.getSampleAsImage(svc.projectId, ids['cat.png']!, {});
    expect(Buffer.isBuffer(img) && img.equals(tinyPng(8, 6))).toBe(true);
    const audio = await api.rawData.getSampleAsAudio(svc.projectId, ids['hum.wav']!, { axisIx: 0 });
    expect(Buffer.isBuffer(audio) && audio.equals(wav([0, 100, -100, 0], 4000))).toBe(true);
    // A document's axis as 16-bit PCM at the sample's frequency.
    const axis = (await api.rawData.getSampleAsAudio(svc.projectId, ids['wave.json']!, { axisIx: 1 })) as unknown as Buffer;
    expect(axis.readUInt32LE(24)).toBe(100);
    expect([axis.readInt16LE(44), axis.readInt16LE(46), axis.readInt16LE(48)]).toEqual([2, 4, 6]);
    const raw = (await api.rawData.getSampleAsRaw(svc.projectId, ids['hum.wav']!)) as unknown as Buffer;
    expect(Buffer.from(raw).equals(wav([0, 100, -100, 0], 4000))).toBe(true);
    await expect(api.rawData.getSampleAsImage(svc.projectId, ids['wave.json']!, {})).rejects.toThrow(/not an image/);
  });
  it('editLabel changes the label (and lastModified); deleteSample removes it', async () => {
    const before = (await api.rawData.getSample(svc.projectId, ids['hum.wav']!)).sample;
    const e = await api.rawData.editLabel(svc.projectId, ids['hum.wav']!, { label: 'noise' });
    expectModel('GenericApiResponse', e);
    const after = (await api.rawData.getSample(svc.projectId, ids['hum.wav']!)).sample;
    expect(after.label).toBe('noise');
    expect(after.lastModified.getTime()).toBeGreaterThanOrEqual(before.lastModified.getTime());
    expect((await api.rawData.countSamples(svc.projectId, { category: 'all', labels: '["noise"]' })).count).toBe(1);
    expectModel('GenericApiResponse', await api.rawData.deleteSample(svc.projectId, ids['hum.wav']!));
    await expect(api.rawData.getSample(svc.projectId, ids['hum.wav']!)).rejects.toThrow(/No sample/);
    expect((await api.rawData.countSamples(svc.projectId, { category: 'all' })).count).toBe(2);
  });
});

describe('devices', () => {
  it('createDevice, getDevice, listDevices, renameDevice, deleteDevice (DELETE …/device/{id})', async () => {
    expectModel('GenericApiResponse', await api.devices.createDevice(svc.projectId, { deviceId: 'aa:bb:cc', deviceType: 'RASPBERRY_PI', ifNotExists: true }));
    // ifNotExists: a second create is fine; without it, it is refused.
    await api.devices.createDevice(svc.projectId, { deviceId: 'aa:bb:cc', deviceType: 'RASPBERRY_PI', ifNotExists: true });
    await expect(api.devices.createDevice(svc.projectId, { deviceId: 'aa:bb:cc', deviceType: 'RASPBERRY_PI', ifNotExists: false })).rejects.toThrow(/exists/);
    const g = await api.devices.getDevice(svc.projectId, 'aa:bb:cc');
    expectModel('GetDeviceResponse', g);
    expect(g.device).toMatchObject({ deviceId: 'aa:bb:cc', name: 'aa:bb:cc', deviceType: 'RASPBERRY_PI', remote_mgmt_connected: false, remoteMgmtMode: 'disconnected' });
    await api.devices.renameDevice(svc.projectId, 'aa:bb:cc', { name: 'kitchen pi' });
    const l = await api.devices.listDevices(svc.projectId);
    expectModel('ListDevicesResponse', l);
    expect(l.devices.map((d) => d.name)).toEqual(['kitchen pi']);
    expectModel('ProjectInfoResponse', await api.projects.getProjectInfo(svc.projectId, {}));
    expect((await api.projects.getProjectInfo(svc.projectId, {})).devices.map((d) => d.deviceId)).toEqual(['aa:bb:cc']);
    expectModel('GenericApiResponse', await api.devices.deleteDevice(svc.projectId, 'aa:bb:cc'));
    expect((await api.devices.listDevices(svc.projectId)).devices).toEqual([]);
    await expect(api.devices.getDevice(svc.projectId, 'aa:bb:cc')).rejects.toThrow(/no such device/);
  });
});

describe('error bodies under /v1', () => {
  it('are {"success": false, "error": "…"} as JSON for 401, 403, 404 and 405', async () => {
    const get = async (path: string, key: string | undefined, method = 'GET') => {
      const res = await fetch(`${svc.url}${path}`, { method, headers: key ? { 'x-api-key': key } : {} });
      return { status: res.status, type: res.headers.get('content-type'), body: await res.json() };
    };
    for (const [path, key, status, method] of [
      [`/v1/api/${svc.projectId}`, undefined, 401, 'GET'],
      [`/v1/api/${svc.projectId}/raw-data`, 'ei_wrong', 401, 'GET'],
      [`/v1/api/999/raw-data`, KEY, 403, 'GET'],
      [`/v1/api/${svc.projectId}/raw-data/12345`, KEY, 404, 'GET'],
      [`/v1/api/${svc.projectId}/no-such-route`, KEY, 404, 'GET'],
      [`/v1/api/${svc.projectId}/raw-data/count`, KEY, 405, 'POST'],
    ] as const) {
      const r = await get(path, key, method);
      expect([path, r.status, r.type]).toEqual([path, status, 'application/json; charset=utf-8']);
      expect(r.body).toEqual({ success: false, error: expect.any(String) });
      expectModel('GenericApiResponse', r.body);
    }
  });
});
