/**
 * The device client against the service's remote-management endpoint (bare HTTP server, fake
 * uploader): hello, status order, refusals, busy, keepalive, and a connection drop mid-sample.
 * The full loop through the real ingestion service is in device-e2e.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket, { WebSocketServer } from 'ws';
import { encode as cborEncode } from 'cbor-x';
import type { AddressInfo } from 'node:net';
import { decode as cborDecode } from 'cbor-x';
import { createHmac } from 'node:crypto';
import { DeviceClient } from '../src/device/client.ts';
import { SimSource } from '../src/device/sensors/sim.ts';
import type { DeviceStatus } from '../src/device/messages.ts';
import { deviceMessages, getJson, postJson, progressRises, recordingUploader, startBareRemoteMgmt, statusTrace, SUCCESS_ORDER } from './device-helpers.ts';

const API_KEY = 'ei_test_key_for_remote_mgmt_0001';
const HMAC_KEY = 'test-hmac-key-remote-mgmt';
const PROJECT = 7;
const ctx = { resolveApiKey: (k: string) => (k === API_KEY ? { projectId: PROJECT, hmacKey: HMAC_KEY } : null) };

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: { apiKey?: string; failures?: number; speed?: number; deviceId?: string } = {}) {
  const svc = await startBareRemoteMgmt(ctx);
  cleanups.push(() => svc.close());
  const uploader = recordingUploader(opts.failures ?? 0);
  const statuses: DeviceStatus[] = [];
  const dev = new DeviceClient({
    url: svc.url.replace('http', 'ws') + '/remote-mgmt',
    apiKey: opts.apiKey ?? API_KEY,
    deviceId: opts.deviceId ?? 'test-device-1',
    deviceType: 'ei-ingest-test',
    source: new SimSource({ speed: opts.speed ?? 4, seed: 3 }),
    uploader,
    backoff: { initialMs: 50, maxMs: 400 },
  });
  dev.on('status', (s) => statuses.push(s));
  cleanups.push(() => dev.stop());
  return { svc, dev, uploader, statuses };
}

describe('remote management: device client ↔ local service', () => {
  it('hello is accepted and the device is listed with its sensor', async () => {
    const { svc, dev } = await setup();
    dev.start();
    await dev.waitConnected();
    const list = await getJson(`${svc.url}/v1/api/${PROJECT}/devices`, API_KEY);
    expect(list.status).toBe(200);
    expect(list.json.devices).toHaveLength(1);
    expect(list.json.devices[0]).toMatchObject({
      deviceId: 'test-device-1',
      deviceType: 'ei-ingest-test',
      remote_mgmt_connected: true,
      sensors: [{ name: 'Accelerometer', frequencies: [62.5, 100], maxSampleLengthS: 60 }],
    });
    // The logged hello has its key redacted.
    const hello = svc.rm.registry.get(PROJECT, 'test-device-1')!.events.find((e) => e.message && 'hello' in e.message)!;
    expect(JSON.stringify(hello)).not.toContain(API_KEY);
    // Wrong key, wrong project: refused.
    expect((await getJson(`${svc.url}/v1/api/${PROJECT}/devices`, 'ei_nope')).status).toBe(401);
    expect((await getJson(`${svc.url}/v1/api/${PROJECT + 1}/devices`, API_KEY)).status).toBe(403);
    const one = await getJson(`${svc.url}/v1/api/${PROJECT}/device/test-device-1`, API_KEY);
    expect(one.json.device).toEqual(list.json.devices[0]);
    expect((await getJson(`${svc.url}/v1/api/${PROJECT}/devices/nobody`, API_KEY)).status).toBe(404);
    const wrongMethod = await fetch(`${svc.url}/v1/api/${PROJECT}/devices`, { method: 'PUT', headers: { 'x-api-key': API_KEY } });
    expect(wrongMethod.status).toBe(405);
    // Delete: the device is dropped from the list (and closed; it reconnects on its own).
    const dropped = new Promise<void>((r) => dev.once('disconnected', () => r()));
    const del = await fetch(`${svc.url}/v1/api/${PROJECT}/devices/test-device-1`, { method: 'DELETE', headers: { 'x-api-key': API_KEY } });
    expect(del.status).toBe(200);
    await dropped;
    await dev.waitConnected();
    expect((await getJson(`${svc.url}/v1/api/${PROJECT}/devices`, API_KEY)).json.devices.map((d: any) => d.deviceId)).toEqual(['test-device-1']);
  });

  it('start-sampling → statuses in the documented order, signed CBOR upload with label and length', async () => {
    const { svc, dev, uploader, statuses } = await setup();
    dev.start();
    await dev.waitConnected();
    const r = await postJson(
      `${svc.url}/v1/api/${PROJECT}/device/test-device-1/start-sampling`,
      { label: 'wave', lengthMs: 2000, category: 'testing', intervalMs: 10, sensor: 'Accelerometer' },
      API_KEY,
    );
    expect(r).toEqual({ status: 200, json: { success: true } });
    await svc.rm.registry.waitFor(PROJECT, 'test-device-1', (e) => !!e.message && ('sampleFinished' in e.message || e.message.sample === false));
    const dev1 = svc.rm.registry.get(PROJECT, 'test-device-1')!;
    // The sample request the device got: path from the category, the project's HMAC key (redacted in the log).
    const req = dev1.events.find((e) => e.kind === 'to-device' && e.message && 'sample' in e.message)!;
    expect(req.message).toEqual({ sample: { label: 'wave', length: 2000, path: '/api/testing/data', hmacKey: '***', interval: 10, sensor: 'Accelerometer' } });
    const msgs = deviceMessages(dev1.events);
    expect(statusTrace(msgs)).toMatch(SUCCESS_ORDER);
    expect(statusTrace(msgs)).toContain('r');
    expect(progressRises(msgs)).toBe(true);
    expect(statusTrace(statuses as never)).toBe(statusTrace(msgs));

    expect(uploader.got).toHaveLength(1);
    const up = uploader.got[0]!;
    expect(up.spec).toMatchObject({ kind: 'data', category: 'testing', label: 'wave' });
    expect(up.contentType).toBe('application/cbor');
    const doc = cborDecode(up.body) as any;
    expect(doc.protected).toMatchObject({ ver: 'v1', alg: 'HS256' });
    expect(doc.payload.device_name).toBe('test-device-1');
    expect(doc.payload.interval_ms).toBe(10);
    expect(doc.payload.values).toHaveLength(200);
    expect(doc.payload.sensors.map((s: any) => s.name)).toEqual(['accX', 'accY', 'accZ']);
    // HS256 over the bytes with the signature zeroed (FACTS §1).
    const sig = doc.signature as string;
    const zeroed = Buffer.from(up.body);
    const at = zeroed.indexOf(Buffer.from(sig));
    zeroed.fill('0', at, at + 64);
    expect(createHmac('sha256', HMAC_KEY).update(zeroed).digest('hex')).toBe(sig);
  });

  it('reports an upload failure as sample:false, never sampleFinished', async () => {
    const { svc, dev, uploader } = await setup({ failures: 1 });
    dev.start();
    await dev.waitConnected();
    await postJson(`${svc.url}/v1/api/${PROJECT}/device/test-device-1/start-sampling`, { label: 'x', lengthMs: 300, category: 'training', intervalMs: 10 }, API_KEY);
    const ev = await svc.rm.registry.waitFor(PROJECT, 'test-device-1', (e) => !!e.message && ('sampleFinished' in e.message || e.message.sample === false));
    expect(ev.message).toEqual({ sample: false, error: 'uploading failed: upload failed: HTTP 503' });
    expect(statusTrace(deviceMessages(svc.rm.registry.get(PROJECT, 'test-device-1')!.events))).toMatch(/^Ssr*UX$/);
    expect(uploader.got).toHaveLength(0);
  });

  it('refuses requests it cannot do (sensor, length, path) with sample:false, and a second one while busy', async () => {
    const { svc, dev } = await setup({ speed: 1 });
    dev.start();
    await dev.waitConnected();
    const start = (body: object) => postJson(`${svc.url}/v1/api/${PROJECT}/device/test-device-1/start-sampling`, body, API_KEY);
    const next = () => svc.rm.registry.waitFor(PROJECT, 'test-device-1', (e) => e.kind === 'from-device' && !!e.message && 'sample' in e.message, { afterSeq: seq() });
    const seq = () => svc.rm.registry.get(PROJECT, 'test-device-1')!.events.at(-1)!.seq;
    let w = next();
    await start({ label: 'x', lengthMs: 1000, intervalMs: 10, sensor: 'Microphone' });
    expect((await w).message).toEqual({ sample: false, error: 'unknown sensor "Microphone" (this device has "Accelerometer")' });
    w = next();
    await start({ label: 'x', lengthMs: 61_000, intervalMs: 10 });
    expect((await w).message).toEqual({ sample: false, error: 'sample length 61000 ms exceeds the maximum of 60000 ms' });
    w = next();
    await start({ label: 'x', lengthMs: 1500, intervalMs: 10 });
    expect((await w).message).toEqual({ sample: true });
    w = next();
    await start({ label: 'y', lengthMs: 500, intervalMs: 10 });
    expect((await w).message).toEqual({ sample: false, error: 'device is busy with another sample' });
    // Service-side validation of the start-sampling body.
    const bad = await start({ label: '', lengthMs: 1, intervalMs: 1 });
    expect(bad).toEqual({ status: 400, json: { success: false, error: 'label must be a non-empty string' } });
    const bad2 = await start({ label: 'a', lengthMs: 100, intervalMs: 1, category: 'nope' });
    expect(bad2.json.error).toMatch(/^category/);
    const missing = await postJson(`${svc.url}/v1/api/${PROJECT}/device/ghost/start-sampling`, { label: 'a', lengthMs: 100, intervalMs: 1 }, API_KEY);
    expect(missing).toEqual({ status: 400, json: { success: false, error: 'device ghost is not connected' } });
  });

  it('a bad API key: hello refused with a clear error, one connection, no retry storm', async () => {
    const { svc, dev } = await setup({ apiKey: 'ei_wrong_key_0000' });
    dev.start();
    const err = await dev.done.then(() => null, (e) => e);
    expect(err).toMatchObject({ code: 'EI_DEVICE_HELLO_REFUSED', message: 'remote management refused the hello: Invalid API key' });
    expect(err.message).not.toContain('ei_wrong_key_0000');
    // Backoff here starts at 50 ms: a retrying client would have connected several times by now.
    await new Promise((r) => setTimeout(r, 1000));
    expect(dev.connectionAttempts).toBe(1);
    expect(svc.upgrades()).toBe(1);
    expect(svc.rm.registry.list(PROJECT)).toHaveLength(0);
  });

  it('connection dropped mid-sample: the device reconnects, the sample completes and sampleFinished arrives on the new connection', async () => {
    const { svc, dev, uploader, statuses } = await setup({ speed: 1 });
    dev.start();
    await dev.waitConnected();
    const reg = svc.rm.registry;
    await postJson(`${svc.url}/v1/api/${PROJECT}/device/test-device-1/start-sampling`, { label: 'drop', lengthMs: 1500, category: 'training', intervalMs: 10 }, API_KEY);
    await reg.waitFor(PROJECT, 'test-device-1', (e) => !!e.message && 'sampleReading' in e.message);
    expect(svc.rm.dropConnection(PROJECT, 'test-device-1')).toBe(true);
    const disc = await reg.waitFor(PROJECT, 'test-device-1', (e) => e.kind === 'disconnected');
    const reconnected = await reg.waitFor(PROJECT, 'test-device-1', (e) => e.kind === 'connected', { afterSeq: disc.seq });
    const fin = await reg.waitFor(PROJECT, 'test-device-1', (e) => !!e.message && ('sampleFinished' in e.message || e.message.sample === false), {
      afterSeq: reconnected.seq,
    });
    expect(fin.message).toEqual({ sampleFinished: true });
    expect(dev.connectionAttempts).toBe(2);
    expect(uploader.got).toHaveLength(1);
    expect((cborDecode(uploader.got[0]!.body) as any).payload.values).toHaveLength(150);
    // Device side: the full documented order was produced, whatever reached the service.
    expect(statusTrace(statuses as never)).toMatch(SUCCESS_ORDER);
    // Service side: what reached it is still in order (a subsequence of the full order).
    expect(statusTrace(deviceMessages(reg.get(PROJECT, 'test-device-1')!.events))).toMatch(/^Ssr*U?F$/);
  });

  it('service side: a CBOR hello makes the session CBOR; a non-hello first message is refused', async () => {
    const svc = await startBareRemoteMgmt(ctx);
    cleanups.push(() => svc.close());
    const wsUrl = svc.url.replace('http', 'ws');
    const ws = new WebSocket(wsUrl + '/');
    cleanups.push(() => ws.terminate());
    const inbox: { binary: boolean; msg: any }[] = [];
    const next = () => new Promise<{ binary: boolean; msg: any }>((r) => ws.once('message', (d, binary) => r({ binary, msg: binary ? cborDecode(d as Buffer) : JSON.parse(String(d)) })));
    await new Promise((r) => ws.once('open', r));
    let got = next();
    ws.send(cborEncode({ hello: { version: 3, apiKey: API_KEY, deviceId: 'cbor-1', deviceType: 't', connection: 'ip', sensors: [{ name: 'S', frequencies: [100], maxSampleLengthS: 10 }], supportsSnapshotStreaming: false } }));
    inbox.push(await got);
    got = next();
    await postJson(`${svc.url}/v1/api/${PROJECT}/device/cbor-1/start-sampling`, { label: 'c', lengthMs: 100, intervalMs: 10, category: 'anomaly' }, API_KEY);
    inbox.push(await got);
    expect(inbox).toEqual([
      { binary: true, msg: { hello: true, serverTimestamp: expect.any(Number) } },
      { binary: true, msg: { sample: { label: 'c', length: 100, path: '/api/anomaly/data', hmacKey: HMAC_KEY, interval: 10 } } },
    ]);
    ws.send(cborEncode({ sample: true }));
    const ev = await svc.rm.registry.waitFor(PROJECT, 'cbor-1', (e) => e.kind === 'from-device' && !!e.message && 'sample' in e.message);
    expect(ev.message).toEqual({ sample: true });

    const bad = new WebSocket(wsUrl + '/remote-mgmt');
    cleanups.push(() => bad.terminate());
    await new Promise((r) => bad.once('open', r));
    const answer = new Promise<any>((r) => bad.once('message', (d) => r(JSON.parse(String(d)))));
    const closed = new Promise<number>((r) => bad.once('close', (code) => r(code)));
    bad.send(JSON.stringify({ sampleFinished: true }));
    expect(await answer).toEqual({ hello: false, err: 'expected a hello message first' });
    expect(await closed).toBe(1008);
    // Unknown WebSocket paths are refused.
    const other = new WebSocket(wsUrl + '/elsewhere');
    cleanups.push(() => other.terminate());
    await expect(new Promise((res, rej) => (other.once('open', res), other.once('error', rej)))).rejects.toBeTruthy();
  });

  it('keepalive: a server that never answers pings is dropped after the pong timeout and reconnected', async () => {
    // A raw server: accepts every hello, but with autoPong off it never answers pings.
    const wss = new WebSocketServer({ port: 0, host: '127.0.0.1', autoPong: false });
    cleanups.push(() => new Promise((r) => (wss.clients.forEach((c) => c.terminate()), wss.close(() => r(null)))));
    let connections = 0;
    // Measured on the server: its connection starts before the device's ping timer and ends after
    // the device's drop, so a loaded machine can only lengthen what it sees.
    const served: { ms: number; pings: number }[] = [];
    wss.on('connection', (ws) => {
      connections++;
      const since = performance.now();
      let pings = 0;
      ws.on('ping', () => pings++);
      ws.on('close', () => served.push({ ms: performance.now() - since, pings }));
      ws.on('message', () => ws.send(JSON.stringify({ hello: true })));
    });
    await new Promise((r) => wss.once('listening', r));
    const dev = new DeviceClient({
      url: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`,
      apiKey: API_KEY,
      deviceId: 'ka-1',
      deviceType: 't',
      source: new SimSource(),
      uploader: recordingUploader(),
      pingIntervalMs: 100,
      pongTimeoutMs: 150,
      backoff: { initialMs: 50, maxMs: 100 },
    });
    cleanups.push(() => dev.stop());
    const lifetimes: number[] = [];
    let since = 0;
    dev.on('connected', () => (since = performance.now()));
    const twoDrops = new Promise<void>((r) =>
      dev.on('disconnected', () => {
        lifetimes.push(performance.now() - since);
        if (lifetimes.length === 2) r();
      }),
    );
    dev.start();
    await twoDrops;
    const end = Date.now() + 30_000;
    while (served.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(served.length).toBeGreaterThanOrEqual(2);
    // Each dropped connection carried an unanswered ping and lived at least one ping period plus
    // the pong timeout (100 + 150 ms; 5 ms for timer rounding), and was dropped by the keepalive,
    // not by something minutes later.
    for (const s of served.slice(0, 2)) {
      expect(s.pings).toBeGreaterThanOrEqual(1);
      expect(s.ms).toBeGreaterThanOrEqual(245);
      expect(s.ms).toBeLessThan(30_000);
    }
    await dev.waitConnected();
    expect(connections).toBe(3);
  });

  it('an upgrade answered 401 is a final refusal too (no retries)', async () => {
    const { createServer } = await import('node:http');
    const server = createServer((_q, res) => res.writeHead(404).end());
    let upgrades = 0;
    server.on('upgrade', (_req, socket) => {
      upgrades++;
      socket.end('HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    cleanups.push(() => new Promise((r) => server.close(r)));
    const dev = new DeviceClient({
      url: `ws://127.0.0.1:${(server.address() as AddressInfo).port}`,
      apiKey: 'ei_whatever',
      deviceId: 'u-1',
      deviceType: 't',
      source: new SimSource(),
      uploader: recordingUploader(),
      backoff: { initialMs: 20, maxMs: 40 },
    });
    cleanups.push(() => dev.stop());
    dev.start();
    await expect(dev.done).rejects.toMatchObject({ code: 'EI_DEVICE_HELLO_REFUSED', message: expect.stringContaining('HTTP 401') });
    await new Promise((r) => setTimeout(r, 300));
    expect(upgrades).toBe(1);
    expect(dev.connectionAttempts).toBe(1);
  });

  it('keepalive: a healthy server keeps the connection across many pings', async () => {
    const { dev } = await setup();
    const drops: number[] = [];
    (dev as any).o.pingIntervalMs = 50;
    // Generous: a loaded machine may answer a ping late; what is counted is the rounds survived.
    (dev as any).o.pongTimeoutMs = 10_000;
    dev.on('disconnected', (d) => drops.push(d.code));
    dev.start();
    await dev.waitConnected();
    let pongs = 0;
    (dev as any).ws.on('pong', () => pongs++);
    const end = Date.now() + 45_000;
    while (pongs < 10 && drops.length === 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(pongs).toBeGreaterThanOrEqual(10);
    expect(drops).toEqual([]);
    expect(dev.isConnected).toBe(true);
    expect(dev.connectionAttempts).toBe(1);
  });

  it('reconnects with backoff while the server is down, then connects', async () => {
    const { svc, dev } = await setup();
    const port = Number(new URL(svc.url).port);
    await svc.close();
    const delays: number[] = [];
    dev.on('disconnected', (d) => d.willRetryInMs !== null && delays.push(d.willRetryInMs));
    dev.start();
    // Until two retries were scheduled (counted; a loaded machine makes fewer attempts per second).
    const end = Date.now() + 30_000;
    while (delays.length < 2 && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
    expect(delays.length).toBeGreaterThanOrEqual(2);
    // Exponential with jitter: each delay within [cap/2, cap] for cap = 50 * 2^n (max 400).
    delays.forEach((d, n) => {
      const cap = Math.min(400, 50 * 2 ** n);
      expect(d).toBeGreaterThanOrEqual(cap / 2);
      expect(d).toBeLessThanOrEqual(cap);
    });
    expect(dev.isConnected).toBe(false);
    // Bring a server back on the same port: the device finds it.
    const again = await startBareRemoteMgmtOnPort(port);
    cleanups.push(() => again.close());
    await dev.waitConnected();
    expect(dev.isConnected).toBe(true);
  });
});

async function startBareRemoteMgmtOnPort(port: number) {
  const { createServer } = await import('node:http');
  const { createRemoteManagement } = await import('../src/service/remote-mgmt.ts');
  const rm = createRemoteManagement();
  const server = createServer(async (req, res) => {
    if (!(await rm.routes(req, res, ctx))) res.writeHead(404).end();
  });
  rm.attach(server, ctx);
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', () => r()));
  return {
    async close() {
      await rm.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
