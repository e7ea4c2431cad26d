/**
 * Edge Impulse's own client code, run (not replayed) against the local service: the uploader's
 * `upload()` (build/cli-common/make-image.js) and the remote-management client of the data
 * forwarder / daemon / Linux tools (build/cli-common/remote-mgmt-service.js), both as shipped in
 * the npm package `edge-impulse-linux` 1.25.2, with its own bundled Studio client
 * (build/sdk/studio).
 *
 * That package is not a dependency of this project (454 packages, and sharp's install step fetches
 * a binary), so these tests run only when `EI_LINUX_PACKAGE` names an installed copy, e.g.
 *   npm install --ignore-scripts --prefix /tmp/eil edge-impulse-linux@1.25.2
 *   EI_LINUX_PACKAGE=/tmp/eil/node_modules/edge-impulse-linux npx vitest run test/compat-real-clients.test.ts
 * (like serialport's hardware tests, which run only when a variable names a port).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
import { join } from 'node:path';
import WebSocket from 'ws';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { attachRemoteManagement, createRemoteManagement, type RemoteManagement } from '../src/service/remote-mgmt.ts';
import { getJson, tempDir } from './service-helpers.ts';
import { jsonDoc, payload, tinyJpeg } from './service-docs.ts';
import { postJson } from './device-helpers.ts';

const PKG = process.env.EI_LINUX_PACKAGE;
const KEY = 'ei_real_clients_test_key';
const HMAC = 'real-clients-hmac';

describe.skipIf(!PKG)('edge-impulse-linux 1.25.2 client code against the local service', () => {
  const req = createRequire(import.meta.url);
  let svc: IngestionService;
  let rm: RemoteManagement;
  const tmp = tempDir('ei-real-');
  let config: any;
  let Api: any;

  beforeAll(async () => {
    rm = createRemoteManagement();
    svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, hmacKey: HMAC, fsync: false, extraRoutes: rm.routes, studioDevices: rm.registry });
    attachRemoteManagement(svc, rm);
    Api = req(join(PKG!, 'build/sdk/studio/api.js')).EdgeImpulseApi;
    const api = new Api({ endpoint: svc.url, extraHeaders: { 'User-Agent': 'EDGE_IMPULSE_CLI' } });
    await api.authenticate({ method: 'apiKey', apiKey: KEY });
    const ws = svc.url.replace('http', 'ws');
    config = { api, endpoints: { internal: { ingestion: svc.url, api: `${svc.url}/v1`, ws, apiWs: ws }, device: { ingestion: svc.url, api: `${svc.url}/v1`, ws } }, setDeviceUpload: true, host: '127.0.0.1' };
  });
  afterAll(async () => {
    await rm.close();
    await svc.close();
    tmp.cleanup();
  });

  it("the uploader's upload(): image with bounding boxes, metadata and an attachment; a multi-label CSV", async () => {
    const { upload } = req(join(PKG!, 'build/cli-common/make-image.js'));
    const base = { projectId: svc.projectId, allowDuplicates: false, apiKey: KEY, config, addDateId: false, configFactory: {} };
    await upload({
      ...base,
      filename: 'street.jpg',
      buffer: tinyJpeg(64, 48),
      label: { type: 'label', label: 'road scene' },
      category: 'training',
      boundingBoxes: [{ label: 'car', x: 1, y: 2, width: 30, height: 20 }],
      metadata: { site: 'north gate' },
      attachments: [{ filename: '/somewhere/notes.txt', buffer: Buffer.from('two cars') }],
    });
    await upload({
      ...base,
      filename: 'walk.json',
      buffer: jsonDoc(payload([1, 2, 3, 4]), HMAC),
      label: { type: 'multi-label', labels: [{ startIndex: 0, endIndex: 1, label: 'idle' }, { startIndex: 2, endIndex: 3, label: 'walk' }] },
      category: 'testing',
      boundingBoxes: undefined,
      metadata: undefined,
      attachments: undefined,
    });
    const samples = (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data?category=all`, KEY)).json.samples;
    expect(samples.map((s: any) => s.filename).sort()).toEqual(['street.jpg', 'walk.json']);
    const img = samples.find((s: any) => s.filename === 'street.jpg');
    expect(img).toMatchObject({ label: 'road scene', boundingBoxes: [{ label: 'car', x: 1, y: 2, width: 30, height: 20 }], metadata: { site: 'north gate' }, deviceType: 'EDGE_IMPULSE_CLI', uploadSource: 'EDGE_IMPULSE_CLI_UPLOADER' });
    expect(img.attachments).toEqual([{ filename: 'notes.txt', size: 8, contentType: 'text/plain' }]);
    expect(samples.find((s: any) => s.filename === 'walk.json').structuredLabels).toHaveLength(2);
  });

  it('its remote-management client (hello v4, createDevice, getDevice, project info) connects, then runs a sample request', async () => {
    const { RemoteMgmt } = req(join(PKG!, 'build/cli-common/remote-mgmt-service.js'));
    const requests: unknown[] = [];
    const device = Object.assign(new EventEmitter(), {
      connected: () => true,
      getDeviceId: async () => 'real-forwarder-1',
      getDeviceType: async () => 'DATA_FORWARDER',
      getSensors: () => [{ name: 'Sensor with 2 axes (accX, accY)', maxSampleLengthS: 60, frequencies: [100] }],
      getConnectionType: () => 'daemon',
      supportsSnapshotStreaming: () => false,
      supportsSnapshotStreamingWhileCapturing: () => false,
      startSnapshotStreaming: async () => undefined,
      stopSnapshotStreaming: async () => undefined,
      beforeConnect: async () => undefined,
      sampleRequest: async (data: unknown, ee: EventEmitter) => {
        requests.push(data);
        ee.emit('started');
        ee.emit('uploading');
      },
    });
    const client = new RemoteMgmt(svc.projectId, { apiKey: KEY, hmacKey: HMAC }, config, device, undefined, (url: string) => new WebSocket(url), async (name: string) => name);
    try {
      await client.connect(false);
      for (let i = 0; i < 200 && !client.isConnected; i++) await new Promise((r) => setTimeout(r, 25));
      expect(client.isConnected).toBe(true);
      const d = rm.registry.get(svc.projectId, 'real-forwarder-1')!;
      expect(d).toMatchObject({ connected: true, mode: 'ingestion', deviceType: 'DATA_FORWARDER' });
      const r = await postJson(`${svc.url}/v1/api/${svc.projectId}/device/real-forwarder-1/start-sampling`, { label: 'wave', lengthMs: 1000, intervalMs: 10, category: 'training' }, KEY);
      expect(r.status).toBe(200);
      const finished = await rm.registry.waitFor(svc.projectId, 'real-forwarder-1', (e) => e.kind === 'from-device' && !!e.message && 'sampleFinished' in e.message, { timeoutMs: 10_000 });
      expect(finished.message).toEqual({ sampleFinished: true });
      expect(requests).toEqual([{ label: 'wave', length: 1000, path: '/api/training/data', hmacKey: HMAC, interval: 10 }]);
    } finally {
      client.connect = async () => undefined; // it reconnects on close; stop that before closing
      client.disconnect();
    }
  });
});
