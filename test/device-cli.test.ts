/**
 * The `keys` and `device` commands as a user runs them: keys discovered from the local service
 * and saved to a config file, then `device` started as a subprocess reading that config, sampling
 * on request, and exiting cleanly on SIGTERM; a bad key makes it exit 3 after one attempt.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngestionService } from '../src/service/index.ts';
import { attachRemoteManagement, createRemoteManagement } from '../src/service/remote-mgmt.ts';
import { run as keysCli } from '../src/cli/keys.ts';
import { loadConfig } from '../src/config/index.ts';
import { getJson, postJson } from './device-helpers.ts';
import { startModemSim } from '../firmware-sim/modem/index.ts';

const API_KEY = 'ei_cli_made_up_key_00112233445566';
const HMAC_KEY = 'cli-made-up-hmac-key';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function service() {
  const dir = mkdtempSync(join(tmpdir(), 'dev-cli-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const rm = createRemoteManagement();
  const svc = await startIngestionService({ dataDir: join(dir, 'data'), apiKey: API_KEY, hmacKey: HMAC_KEY, extraRoutes: rm.routes, fsync: false });
  attachRemoteManagement(svc, rm);
  cleanups.push(() => svc.close());
  cleanups.push(() => rm.close());
  return { dir, svc, rm };
}

function spawnCli(args: string[], env: Record<string, string>): { child: ChildProcess; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, ...env, EI_API_KEY: '' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  child.stdout!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  cleanups.push(() => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    return exit;
  });
  return { child, stderr: () => err, exit };
}

describe('keys + device commands', () => {
  it('keys finds the local project; device reads the saved config, samples on request, stops on SIGTERM', async () => {
    const { dir, svc, rm } = await service();
    const cfg = join(dir, 'config.json');
    const wsUrl = svc.url.replace(/^http/, 'ws') + '/remote-mgmt';
    const out = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await keysCli(['--api-key', API_KEY, '--studio', svc.url, '--save', cfg, '--ingestion', svc.url, '--remote-mgmt', wsUrl])).toBe(0);
    } finally {
      out.mockRestore();
    }
    expect(loadConfig(cfg)).toEqual({
      apiKey: API_KEY,
      hmacKey: HMAC_KEY,
      projectId: svc.projectId,
      endpoints: { studio: svc.url, ingestion: svc.url, remoteMgmt: wsUrl },
    });
    expect(statSync(cfg).mode & 0o777).toBe(0o600);

    const dev = spawnCli(['device', '--sensor', 'sim', '--config', cfg, '--device-id', 'cli-dev-1', '--spool', join(dir, 'spool')], {
      EI_INGEST_CONFIG_DIR: join(dir, 'cfgdir'),
    });
    await rm.registry.waitFor(svc.projectId, 'cli-dev-1', (e) => e.kind === 'connected', { timeoutMs: 30_000 });
    const r = await postJson(`${svc.url}/v1/api/${svc.projectId}/device/cli-dev-1/start-sampling`, { label: 'cli', lengthMs: 400, category: 'training', intervalMs: 10 }, API_KEY);
    expect(r.status).toBe(200);
    const fin = await rm.registry.waitFor(svc.projectId, 'cli-dev-1', (e) => !!e.message && ('sampleFinished' in e.message || e.message.sample === false));
    expect(fin.message).toEqual({ sampleFinished: true });
    const list = await getJson(`${svc.url}/v1/api/${svc.projectId}/raw-data?category=training`, API_KEY);
    expect(list.json.samples.map((s: any) => [s.label, s.valuesCount, s.signatureValidate, s.deviceName])).toEqual([['cli', 40, true, 'cli-dev-1']]);

    dev.child.kill('SIGTERM');
    expect(await dev.exit).toBe(0);
    const log = dev.stderr();
    expect(log).toContain('device id cli-dev-1 (explicit)');
    expect(log).toContain('sample stored as cli.cli-dev-1.');
    expect(log).not.toContain(API_KEY);
    expect(log).not.toContain(HMAC_KEY);
  });

  it('device with a bad key exits 3 after a single connection attempt', async () => {
    const { dir, svc } = await service();
    let upgrades = 0;
    svc.server.on('upgrade', () => upgrades++);
    const dev = spawnCli(
      ['device', '--sensor', 'sim', '--api-key', 'ei_wrong_key_abcdef', '--remote-mgmt', svc.url.replace(/^http/, 'ws'), '--endpoint', svc.url, '--no-spool', '--device-id', 'bad-1'],
      { EI_INGEST_CONFIG_DIR: join(dir, 'cfgdir'), EI_INGEST_CONFIG: join(dir, 'none.json') },
    );
    expect(await dev.exit).toBe(3);
    expect(dev.stderr()).toContain('remote management refused the hello: Invalid API key');
    expect(dev.stderr()).not.toContain('ei_wrong_key_abcdef');
    expect(upgrades).toBe(1);
  });

  it('device without any key says how to give one', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dev-cli-'));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const dev = spawnCli(['device', '--sensor', 'sim'], { EI_INGEST_CONFIG_DIR: dir, EI_INGEST_CONFIG: join(dir, 'none.json') });
    expect(await dev.exit).toBe(2);
    expect(dev.stderr()).toMatch(/no API key: give --api-key, set EI_API_KEY/);
  });

  it('device --modem: uploads through the simulated nRF91 modem and is named by its IMEI', async () => {
    const { dir, svc, rm } = await service();
    const sim = await startModemSim({ dialect: 'new', baud: 921600 });
    cleanups.push(() => sim.close());
    const dev = spawnCli(
      ['device', '--sensor', 'sim', '--api-key', API_KEY, '--remote-mgmt', svc.url.replace(/^http/, 'ws'), '--endpoint', svc.url, '--modem', sim.devicePath, '--modem-baud', '921600', '--spool', join(dir, 'spool')],
      { EI_INGEST_CONFIG_DIR: join(dir, 'cfgdir'), EI_INGEST_CONFIG: join(dir, 'none.json') },
    );
    await rm.registry.waitFor(svc.projectId, sim.imei, (e) => e.kind === 'connected', { timeoutMs: 30_000 });
    await postJson(`${svc.url}/v1/api/${svc.projectId}/device/${sim.imei}/start-sampling`, { label: 'lte', lengthMs: 300, category: 'testing', intervalMs: 10 }, API_KEY);
    const fin = await rm.registry.waitFor(svc.projectId, sim.imei, (e) => !!e.message && ('sampleFinished' in e.message || e.message.sample === false), { timeoutMs: 30_000 });
    expect(fin.message, dev.stderr()).toEqual({ sampleFinished: true });
    const list = await getJson(`${svc.url}/v1/api/${svc.projectId}/raw-data?category=testing`, API_KEY);
    expect(list.json.samples.map((s: any) => [s.label, s.valuesCount, s.signatureValidate, s.deviceName])).toEqual([['lte', 30, true, sim.imei]]);
    expect(sim.stats().bytesFromHost).toBeGreaterThan(0);
    expect(dev.stderr()).toContain(`device id ${sim.imei} (imei)`);
    dev.child.kill('SIGTERM');
    expect(await dev.exit).toBe(0);
  });
});
