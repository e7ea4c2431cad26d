/**
 * Replays of what Edge Impulse's device-side tools send to remote management and then to the
 * Studio API, as their published sources build them:
 * - edge-impulse-linux-cli `cli/linux/remote-mgmt-service.ts` (sendHello, checkName,
 *   getProjectInfo): a JSON hello version 4 in `mode: 'inference'` with `inferenceInfo` and
 *   `availableRecords` and `sensors: []`; after `{hello: true}` it calls `devices.createDevice`
 *   `{deviceId, deviceType, ifNotExists: true}`, `devices.getDevice`, maybe `renameDevice`, and
 *   `projects.getProjectInfo` (reading `project.whitelabelId`), all through edge-impulse-api.
 * - edge-impulse-cli `cli-common/remote-mgmt-service.ts` (the data forwarder and daemon): hello
 *   version 4 with `mode: 'ingestion'`, its sensors and `connection: 'daemon'`.
 * - the hello types of `shared/MgmtInterfaceTypes.ts` (v3 without `mode`), and firmware sending
 *   CBOR binary frames (FACTS §6).
 * Each asserts what the service answers and what it records.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { decode as cborDecode, encode as cborEncode } from 'cbor-x';
import { EdgeImpulseApi } from 'edge-impulse-api';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { attachRemoteManagement, createRemoteManagement, type RemoteManagement } from '../src/service/remote-mgmt.ts';
import { tempDir } from './service-helpers.ts';
import { ModelChecker } from './studio-model-check.ts';

const KEY = 'ei_linux_runner_compat_key';
const HMAC = 'linux-runner-hmac';
let svc: IngestionService;
let rm: RemoteManagement;
let api: EdgeImpulseApi;
const tmp = tempDir('ei-linux-');
const models = new ModelChecker(['GetDeviceResponse', 'ListDevicesResponse', 'ProjectInfoResponse']);

beforeAll(async () => {
  rm = createRemoteManagement();
  svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, hmacKey: HMAC, fsync: false, extraRoutes: rm.routes, studioDevices: rm.registry });
  attachRemoteManagement(svc, rm);
  api = new EdgeImpulseApi({ endpoint: svc.url });
  await api.authenticate({ method: 'apiKey', apiKey: KEY });
});
afterAll(async () => {
  await rm.close();
  await svc.close();
  tmp.cleanup();
});

/** Opens a WebSocket, sends one frame, resolves with the first answer (decoded) and its frame kind. */
async function hello(frame: string | Buffer): Promise<{ ws: WebSocket; binary: boolean; msg: any }> {
  const ws = new WebSocket(svc.url.replace('http', 'ws') + '/');
  await new Promise((r, j) => ws.once('open', r).once('error', j));
  const answer = new Promise<{ binary: boolean; msg: any }>((r) =>
    ws.once('message', (d, binary) => r({ binary, msg: binary ? cborDecode(d as Buffer) : JSON.parse(String(d)) })),
  );
  ws.send(frame);
  return { ws, ...(await answer) };
}

describe('edge-impulse-linux runner', () => {
  it('hello v4 (inference) → {hello:true, serverTimestamp}; then devices/create, getDevice, rename, getProjectInfo', async () => {
    // Key order as the runner's object literal builds it (sendHello).
    const frame = JSON.stringify({
      hello: {
        version: 4,
        apiKey: KEY,
        deviceId: 'dc:a6:32:01:02:03',
        deviceType: 'RASPBERRY_PI_4',
        connection: 'ip',
        sensors: [],
        supportsSnapshotStreaming: false,
        inferenceInfo: { projectId: 1, projectOwner: 'someone', projectName: 'kws', deploymentVersion: 7, modelType: 'object_detection' },
        mode: 'inference',
        availableRecords: { firstIndex: 0, firstTimestamp: 0, lastIndex: 0, lastTimestamp: 0 },
      },
    });
    const before = Date.now();
    const { ws, binary, msg } = await hello(frame);
    try {
      expect(binary).toBe(false);
      expect(msg).toEqual({ hello: true, serverTimestamp: expect.any(Number) });
      expect(msg.serverTimestamp).toBeGreaterThanOrEqual(before);
      // checkName(): createDevice with ifNotExists, getDevice, rename when the name is the id.
      await api.devices.createDevice(svc.projectId, { deviceId: 'dc:a6:32:01:02:03', deviceType: 'RASPBERRY_PI_4', ifNotExists: true });
      const got = await api.devices.getDevice(svc.projectId, 'dc:a6:32:01:02:03');
      expect(models.check('GetDeviceResponse', got).errors).toEqual([]);
      expect(got.device).toMatchObject({ name: 'dc:a6:32:01:02:03', remote_mgmt_connected: true, remoteMgmtMode: 'inference', sensors: [] });
      expect(got.device!.inferenceInfo).toEqual({ projectId: 1, projectOwner: 'someone', projectName: 'kws', deployedVersion: 7, modelType: 'objectDetection' });
      await api.devices.renameDevice(svc.projectId, 'dc:a6:32:01:02:03', { name: 'porch-pi' });
      const info = await api.projects.getProjectInfo(svc.projectId, {});
      expect(info.project.whitelabelId).toBeNull();
      expect(models.check('ProjectInfoResponse', info).errors).toEqual([]);
      expect(info.devices.map((d) => [d.deviceId, d.name])).toEqual([['dc:a6:32:01:02:03', 'porch-pi']]);
      // What the service logged: the hello (key redacted), then its answer.
      const events = rm.registry.get(svc.projectId, 'dc:a6:32:01:02:03')!.events.filter((e) => e.message);
      expect(events.map((e) => e.kind)).toEqual(['from-device', 'to-device']);
      expect((events[0]!.message as any).hello.apiKey).toBe('***');
    } finally {
      ws.terminate();
    }
  });
});

describe('edge-impulse-cli data forwarder and daemon', () => {
  it('hello v4 (ingestion, connection daemon, with sensors) is an ingestion device', async () => {
    const frame = JSON.stringify({
      hello: {
        apiKey: KEY,
        deviceId: 'forwarder-1',
        deviceType: 'DATA_FORWARDER',
        connection: 'daemon',
        sensors: [{ name: 'Sensor with 3 axes (accX, accY, accZ)', maxSampleLengthS: 10000, frequencies: [62.5] }],
        supportsSnapshotStreaming: false,
        version: 4,
        mode: 'ingestion',
      },
    });
    const { ws, msg } = await hello(frame);
    try {
      expect(msg.hello).toBe(true);
      const d = (await api.devices.getDevice(svc.projectId, 'forwarder-1')).device!;
      expect(d).toMatchObject({ remoteMgmtMode: 'ingestion', deviceType: 'DATA_FORWARDER', sensors: [{ name: 'Sensor with 3 axes (accX, accY, accZ)', maxSampleLengthS: 10000, frequencies: [62.5] }] });
      expect(d.inferenceInfo).toBeUndefined();
    } finally {
      ws.terminate();
    }
  });

  it('hello v3 (no mode) is accepted as an ingestion device', async () => {
    const { ws, msg } = await hello(
      JSON.stringify({ hello: { version: 3, apiKey: KEY, deviceId: 'fw-v3', deviceType: 'DISCO-L475VG', connection: 'daemon', sensors: [{ name: 'Built-in accelerometer', maxSampleLengthS: 300, frequencies: [62.5, 100] }], supportsSnapshotStreaming: false } }),
    );
    try {
      expect(msg.hello).toBe(true);
      expect((await api.devices.getDevice(svc.projectId, 'fw-v3')).device!.remoteMgmtMode).toBe('ingestion');
    } finally {
      ws.terminate();
    }
  });

  it('CBOR binary frames (firmware): hello v4 answered in CBOR; JSON text in a binary frame is answered as JSON', async () => {
    const c = await hello(Buffer.from(cborEncode({ hello: { version: 4, apiKey: KEY, deviceId: 'cbor-v4', deviceType: 'NRF9160', connection: 'ip', sensors: [], supportsSnapshotStreaming: false, mode: 'ingestion' } })));
    c.ws.terminate();
    expect(c.binary).toBe(true);
    expect(c.msg).toEqual({ hello: true, serverTimestamp: expect.any(Number) });
    const j = await hello(Buffer.from(JSON.stringify({ hello: { version: 4, apiKey: KEY, deviceId: 'bin-json', deviceType: 'X', connection: 'ip', sensors: [], supportsSnapshotStreaming: false, mode: 'ingestion' } })));
    j.ws.terminate();
    expect(j.msg.hello).toBe(true);
  });

  it('refuses unknown versions, a v4 without mode, and an inference hello without inferenceInfo', async () => {
    const base = { apiKey: KEY, deviceId: 'bad-1', deviceType: 'X', connection: 'ip', sensors: [], supportsSnapshotStreaming: false };
    for (const [h, err] of [
      [{ ...base, version: 5, mode: 'ingestion' }, /version/],
      [{ ...base, version: 2 }, /version/],
      [{ ...base, version: 4 }, /mode/],
      [{ ...base, version: 4, mode: 'inference' }, /inferenceInfo/],
    ] as const) {
      const { ws, msg } = await hello(JSON.stringify({ hello: h }));
      ws.terminate();
      expect(msg).toEqual({ hello: false, err: expect.stringMatching(err) });
    }
    await expect(api.devices.getDevice(svc.projectId, 'bad-1')).rejects.toThrow(/no such device/);
  });
});
