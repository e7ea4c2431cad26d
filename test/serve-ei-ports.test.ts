/**
 * `ei-ingest serve --ei-ports`: one service answering where edge-impulse-cli / edge-impulse-linux
 * go with `EI_HOST=<IP>` (FACTS §10): Studio API, remote management and ingestion, each on its own
 * port. The tests let the system pick the three ports (0) so they never collide.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import WebSocket from 'ws';
import { EdgeImpulseApi } from 'edge-impulse-api';
import { EI_PORTS } from '../src/service/ei-ports.ts';
import { dataRequest, rawRequest, tempDir } from './service-helpers.ts';
import { jsonDoc, payload } from './service-docs.ts';

const KEY = 'ei_ports_test_api_key';
const HMAC = 'ei-ports-hmac';
const tmp = tempDir('ei-ports-');
let child: ChildProcess;
let out = '';
let urls: { ingestion: string; studio: string; rm: string };

beforeAll(async () => {
  child = spawn(
    process.execPath,
    ['--import', 'tsx', 'src/cli.ts', 'serve', '--ei-ports', '--port', '0', '--studio-port', '0', '--remote-mgmt-port', '0', '--data', join(tmp.dir, 'd'), '--api-key', KEY, '--hmac-key', HMAC],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 20_000);
    child.stdout!.on('data', () => {
      const m = /^(http:\/\/\S+)\nstudio (http:\/\/\S+)\/v1; remote management (ws:\/\/\S+);/.exec(out);
      if (m) {
        clearTimeout(timer);
        urls = { ingestion: m[1]!, studio: m[2]!, rm: m[3]! };
        resolve();
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
});
afterAll(async () => {
  child.removeAllListeners('exit');
  await new Promise((r) => {
    child.once('exit', r);
    child.kill('SIGTERM');
  });
  tmp.cleanup();
});

describe('serve --ei-ports', () => {
  it('documents the fixed ports the official CLIs use', () => {
    expect(EI_PORTS).toEqual({ studio: 4800, remoteMgmt: 4802, ingestion: 4810 });
  });

  it('three distinct ports: ingestion upload, Studio read through edge-impulse-api, remote-management hello', async () => {
    const ports = new Set([urls.ingestion, urls.studio, urls.rm].map((u) => new URL(u).port));
    expect(ports.size).toBe(3);
    const r = await rawRequest(Number(new URL(urls.ingestion).port), dataRequest(KEY, jsonDoc(payload([1, 2]), HMAC), { 'x-file-name': 'p.json', 'content-type': 'application/json' }));
    expect(r.status).toBe(200);
    const api = new EdgeImpulseApi({ endpoint: urls.studio });
    await api.authenticate({ method: 'apiKey', apiKey: KEY });
    const list = await api.rawData.listSamples(1, { category: 'training' });
    expect(list.samples.map((s) => [s.filename, s.signatureValidate])).toEqual([['p.json', true]]);
    const ws = new WebSocket(`${urls.rm}/`);
    try {
      await new Promise((res, rej) => ws.once('open', res).once('error', rej));
      const answer = new Promise<any>((res) => ws.once('message', (d) => res(JSON.parse(String(d)))));
      ws.send(JSON.stringify({ hello: { version: 4, apiKey: KEY, deviceId: 'p1', deviceType: 'X', connection: 'ip', sensors: [], supportsSnapshotStreaming: false, mode: 'ingestion' } }));
      expect((await answer).hello).toBe(true);
      // The device is visible on the Studio port: one registry behind all three.
      expect((await api.devices.listDevices(1)).devices.map((d) => d.deviceId)).toEqual(['p1']);
    } finally {
      ws.terminate();
    }
  });

  it('--studio-port without --ei-ports is a usage error', async () => {
    const c = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--studio-port', '0'], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    c.stderr!.on('data', (d) => (err += d));
    const code = await new Promise((r) => c.once('exit', r));
    expect(code).toBe(2);
    expect(err).toContain('--studio-port and --remote-mgmt-port go with --ei-ports');
  });
});
