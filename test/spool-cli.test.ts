import { describe, it, expect, vi, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../src/cli/spool.ts';
import { Spool } from '../src/spool/index.ts';
import { startIngestionService } from '../src/service/index.ts';
import { encodeToBytes } from '../src/encode/index.ts';
import { runCaptured } from './cli-capture.ts';

const API_KEY = 'ei_spool_cli_made_up_key';
const HMAC_KEY = 'made-up-spool-hmac';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const cli = (args: string[]) => runCaptured(run, args);

function doc(i: number, key: string): Uint8Array {
  return encodeToBytes(
    { payload: { device_type: 'TEST', interval_ms: 10, sensors: [{ name: 'x', units: 'N/A' }], values: [i, i + 1, i + 2] } },
    { format: 'cbor', hmacKey: key, alg: 'HS256', iat: 1_700_000_000 },
  );
}

describe('ei-ingest spool', () => {
  it('status, list, drain, and dead letters with retry-dead', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spool-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sdir = join(dir, 'spool');
    const s = await Spool.open(sdir);
    for (let i = 0; i < 3; i++) await s.enqueue(doc(i, HMAC_KEY), { spec: { kind: 'data', category: 'training', fileName: `ok${i}.cbor`, label: 'good' }, contentType: 'application/cbor' });
    await s.enqueue(doc(99, 'wrong-key'), { spec: { kind: 'data', category: 'training', fileName: 'bad.cbor', label: 'bad' }, contentType: 'application/cbor' });
    await s.close();

    let r = await cli(['status', '--dir', sdir, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ count: 4, deadCount: 0 });
    r = await cli(['list', '--dir', sdir]);
    expect(r.out).toMatch(/waiting \(4\)/);
    expect(r.out).toMatch(/training\/good {2}ok0\.cbor/);

    const strict = await startIngestionService({ dataDir: join(dir, 'svc1'), apiKey: API_KEY, hmacKey: HMAC_KEY, strictSignatures: true, fsync: false });
    cleanups.push(() => strict.close());
    r = await cli(['drain', '--dir', sdir, '--endpoint', strict.url, '--api-key', API_KEY, '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ delivered: 3, dead: 1, waiting: 0 });
    expect(r.out + r.err).not.toContain(API_KEY);
    r = await cli(['list', '--dir', sdir, '--json']);
    const listed = JSON.parse(r.out);
    expect(listed.dead).toHaveLength(1);
    expect(listed.dead[0].note).toMatchObject({ status: 400 });

    // Draining again sends nothing twice.
    r = await cli(['drain', '--dir', sdir, '--endpoint', strict.url, '--api-key', API_KEY, '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ delivered: 0, waiting: 0 });

    r = await cli(['retry-dead', '--dir', sdir, '--json']);
    expect(JSON.parse(r.out)).toEqual({ moved: 1 });
    const lenient = await startIngestionService({ dataDir: join(dir, 'svc2'), apiKey: API_KEY, hmacKey: HMAC_KEY, fsync: false });
    cleanups.push(() => lenient.close());
    r = await cli(['drain', '--dir', sdir, '--endpoint', lenient.url, '--api-key', API_KEY, '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ delivered: 1, dead: 0, waiting: 0 });
    const res = await fetch(`${strict.url}/v1/api/${strict.projectId}/raw-data`, { headers: { 'x-api-key': API_KEY } });
    expect(((await res.json()) as { samples: unknown[] }).samples).toHaveLength(3);
  });

  it('drain keeps samples when the service is down and says so; bad usage exits 2', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spool-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const sdir = join(dir, 'spool');
    const s = await Spool.open(sdir);
    await s.enqueue(doc(1, HMAC_KEY), { spec: { kind: 'data', category: 'training', fileName: 'a.cbor' }, contentType: 'application/cbor' });
    await s.close();
    const r = await cli(['drain', '--dir', sdir, '--endpoint', 'http://127.0.0.1:9', '--api-key', API_KEY, '--attempts', '2', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ delivered: 0, waiting: 1 });
    expect((await cli(['frobnicate', '--dir', sdir])).code).toBe(2);
    vi.stubEnv('EI_API_KEY', '');
    vi.stubEnv('EI_INGEST_CONFIG_DIR', dir); // no config file there
    try {
      expect((await cli(['drain', '--dir', sdir, '--endpoint', 'http://127.0.0.1:9'])).code).toBe(2); // no API key
    } finally {
      vi.unstubAllEnvs();
    }
  });

  it('drain --order none --connections 4 delivers a backlog of several batches; a bad --order names the flag', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spool-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const svc = await startIngestionService({ dataDir: join(dir, 'svc'), apiKey: API_KEY, hmacKey: HMAC_KEY, fsync: false });
    cleanups.push(() => svc.close());
    const sdir = join(dir, 'spool');
    const s = await Spool.open(sdir);
    for (let i = 0; i < 40; i++) await s.enqueue(doc(i, HMAC_KEY), { spec: { kind: 'data', category: 'training', fileName: `s${i}.cbor`, label: 'bulk' }, contentType: 'application/cbor' });
    await s.close();
    const bad = await cli(['drain', '--dir', sdir, '--endpoint', svc.url, '--api-key', API_KEY, '--order', 'sideways']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/--order/);
    const r = await cli(['drain', '--dir', sdir, '--endpoint', svc.url, '--api-key', API_KEY, '--order', 'none', '--connections', '4', '--batch-files', '5', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ delivered: 40, waiting: 0, dead: 0 });
    // Each stored once, whatever the order: the service's own index holds 40 distinct files.
    const stored = svc.store.list(1, 'training');
    expect(stored.map((x) => x.filename).sort()).toEqual(Array.from({ length: 40 }, (_, i) => `s${i}.cbor`).sort());
  });
});

