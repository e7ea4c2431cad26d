/**
 * `ei-ingest daemon` as a user runs it: a subprocess on a simulated board's pty, sampling on
 * request through the local service and stopping on SIGTERM; a busy port and a missing --port are
 * refused with clear messages; --list-ports lists without picking anything.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { startIngestionService } from '../src/service/index.ts';
import { attachRemoteManagement, createRemoteManagement } from '../src/service/remote-mgmt.ts';
import { run as daemonCli } from '../src/cli/daemon.ts';
import { startEiBoardSim } from '../firmware-sim/ei-board/index.ts';
import { getJson, postJson } from './device-helpers.ts';
import { runCaptured } from './cli-capture.ts';

const API_KEY = 'ei_daemon_cli_made_up_key_99887766';
const HMAC_KEY = 'daemon-cli-made-up-hmac';
const BOARD_ID = 'aa:bb:cc:00:00:01';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function spawnCli(args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env, EI_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stderr!.on('data', (d) => (out += d));
  child.stdout!.on('data', (d) => (out += d));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exit;
  });
  return { child, output: () => out, exit };
}

describe('daemon command', () => {
  it('runs against a board: hello, sample stored with a valid signature, clean exit on SIGTERM; no key in its output', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daemon-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const sim = await startEiBoardSim({ startDelayMs: 50, deviceId: BOARD_ID });
    cleanups.push(() => sim.close());
    const rm = createRemoteManagement();
    const svc = await startIngestionService({ dataDir: join(dir, 'data'), apiKey: API_KEY, hmacKey: HMAC_KEY, extraRoutes: rm.routes, fsync: false });
    attachRemoteManagement(svc, rm);
    cleanups.push(() => svc.close());
    cleanups.push(() => rm.close());
    const d = spawnCli(
      ['daemon', '--port', `${sim.devicePath}@115200`, '--remote-mgmt', svc.url.replace(/^http/, 'ws') + '/remote-mgmt', '--endpoint', svc.url, '--api-key', API_KEY, '--spool', join(dir, 'spool'), '--timeout', '10000'],
      { EI_INGEST_CONFIG_DIR: join(dir, 'cfg') },
    );
    await rm.registry.waitFor(svc.projectId, BOARD_ID, (e) => e.kind === 'connected', { timeoutMs: 30_000 });
    const r = await postJson(`${svc.url}/v1/api/${svc.projectId}/device/${encodeURIComponent(BOARD_ID)}/start-sampling`, { label: 'cli', lengthMs: 400, category: 'training', intervalMs: 16, sensor: 'Accelerometer' }, API_KEY);
    expect(r.status).toBe(200);
    const fin = await rm.registry.waitFor(svc.projectId, BOARD_ID, (e) => !!e.message && ('sampleFinished' in e.message || e.message.sample === false), { timeoutMs: 30_000 });
    expect(fin.message).toEqual({ sampleFinished: true });
    const stored = (await getJson(`${svc.url}/v1/api/${svc.projectId}/raw-data?category=training`, API_KEY)).json.samples;
    expect(stored.map((s: any) => [s.label, s.valuesCount, s.signatureValidate, s.uploadSource])).toEqual([['cli', 25, true, 'ei-ingest daemon']]);
    d.child.kill('SIGTERM');
    expect(await d.exit).toBe(0);
    expect(d.output()).toContain(`board ${BOARD_ID} (EI_SIM_BOARD, AT 1.8.0, fast transfer at 921600)`);
    expect(d.output()).not.toContain(API_KEY);
    expect(d.output()).not.toContain(HMAC_KEY);
  });

  it('a busy port: exits 1 with EI_DAEMON_PORT_BUSY and the path', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'daemon-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const sim = await startEiBoardSim({ startDelayMs: 50 });
    cleanups.push(() => sim.close());
    const other = new SerialPort({ path: sim.devicePath, baudRate: 115200, autoOpen: false, lock: true });
    await new Promise<void>((res, rej) => other.open((e) => (e ? rej(e) : res())));
    cleanups.push(() => new Promise<void>((r) => other.close(() => r())));
    const d = spawnCli(['daemon', '--port', sim.devicePath, '--remote-mgmt', 'ws://127.0.0.1:9/', '--endpoint', 'http://127.0.0.1:9', '--api-key', API_KEY, '--no-spool'], {
      EI_INGEST_CONFIG_DIR: join(dir, 'cfg'),
    });
    expect(await d.exit).toBe(1);
    expect(d.output()).toContain(`EI_DAEMON_PORT_BUSY: serial port ${sim.devicePath} is in use by another process`);
  });

  it('without --port: usage error naming --list-ports; --list-ports lists and exits 0', async () => {
    const r = await runCaptured(daemonCli, ['--api-key', API_KEY]);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--port is required (see --list-ports)');
    const l = await runCaptured(daemonCli, ['--list-ports']);
    expect(l.code).toBe(0);
    expect(l.out.length).toBeGreaterThan(0);
  });
});
