/**
 * End to end against the local ingestion service (src/service) over TCP and TLS: documents
 * encoded and signed by our encoder, sent by the client, stored, and read back.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'cbor-x';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionClient } from '../src/client/client.ts';
import { HttpStatusError } from '../src/client/errors.ts';
import { encodeDocument } from '../src/encode/index.ts';
import { collectBody } from '../src/http/request.ts';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { runUpload } from '../src/cli/upload.ts';
import { makeCerts, type TestCerts } from './http-support.ts';

const API_KEY = 'ei_e2e_made_up_api_key_0123456789abcdef0123456789abcdef01234567';
const HMAC_KEY = 'e2e-made-up-hmac-key';

function doc(i: number) {
  return {
    protected: { ver: 'v1', alg: 'HS256', iat: 1_700_000_000 + i },
    payload: {
      device_name: `dev-${i}`,
      device_type: 'E2E',
      interval_ms: 10,
      sensors: [
        { name: 'accX', units: 'm/s2' },
        { name: 'accY', units: 'm/s2' },
      ],
      values: Array.from({ length: 20 + i }, (_, r) => [r * 0.5 + i, -r - i * 0.25]),
    },
  };
}

/** Recomputes the HS256 signature over the stored bytes (FACTS §1 signing rule). */
function verifyHs256(bytes: Buffer, signature: string): boolean {
  const at = bytes.indexOf(Buffer.from(signature, 'latin1'));
  if (at < 0) return false;
  const zeroed = Buffer.from(bytes);
  zeroed.fill(0x30, at, at + 64);
  return createHmac('sha256', HMAC_KEY).update(zeroed).digest('hex') === signature;
}

function storedBytes(svc: IngestionService, id: number): Buffer {
  const rec = svc.store.get(svc.projectId, id)!;
  return readFileSync(svc.store.absolute(rec.path));
}

async function roundTrip(svc: IngestionService, client: IngestionClient, kind: 'files' | 'data', format: 'cbor' | 'json', first: number) {
  const before = svc.store.count(svc.projectId);
  for (let i = first; i < first + 4; i++) {
    const body = encodeDocument(doc(i) as Parameters<typeof encodeDocument>[0], { format, alg: 'HS256', hmacKey: HMAC_KEY });
    const res = await client.upload(body, { kind, category: 'training', fileName: `s${i}.${format}`, label: 'wave', disallowDuplicates: true });
    expect(res.status).toBe(200);
  }
  const recs = svc.store.list(svc.projectId).slice(-4);
  expect(svc.store.count(svc.projectId)).toBe(before + 4);
  for (const [k, rec] of recs.entries()) {
    const i = first + k;
    const bytes = storedBytes(svc, rec.id);
    const parsed = (format === 'cbor' ? decode(bytes) : JSON.parse(bytes.toString('utf8'))) as ReturnType<typeof doc> & { signature: string };
    expect(parsed.payload.values).toEqual(doc(i).payload.values);
    expect(parsed.payload.device_name).toBe(`dev-${i}`);
    expect(verifyHs256(bytes, parsed.signature)).toBe(true);
    expect(rec).toMatchObject({ signatureStatus: 'valid', label: 'wave', category: 'training' });
  }
}

let dir: string;
let certs: TestCerts;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ei-upload-e2e-'));
  certs = makeCerts();
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
  certs.cleanup();
});

describe('over TCP', () => {
  let svc: IngestionService;
  let client: IngestionClient;
  beforeAll(async () => {
    svc = await startIngestionService({ port: 0, dataDir: join(dir, 'tcp'), apiKey: API_KEY, hmacKey: HMAC_KEY, durability: 'normal', fsync: false });
    client = new IngestionClient({ endpoint: svc.url, apiKey: API_KEY });
  });
  afterAll(async () => {
    await client.close();
    await svc.close();
  });

  it('stores CBOR /files uploads that decode to the inputs with valid signatures', () => roundTrip(svc, client, 'files', 'cbor', 0));
  it('stores JSON /data uploads the same way', () => roundTrip(svc, client, 'data', 'json', 10));
  it('reuses one connection for all of them', () => expect(client.stats.connectionsOpened).toBe(1));

  it('refuses a duplicate when asked, and stores it when allowed', async () => {
    const body = encodeDocument(doc(50) as Parameters<typeof encodeDocument>[0], { format: 'cbor', alg: 'HS256', hmacKey: HMAC_KEY });
    const spec = { kind: 'files' as const, category: 'testing', fileName: 'dup.cbor', disallowDuplicates: true };
    const n = svc.store.count(svc.projectId);
    JSON.parse((await client.upload(body, spec)).body);
    const second = JSON.parse((await client.upload(body, spec)).body) as { files: Array<{ duplicate?: boolean }> };
    expect(second.files[0]!.duplicate).toBe(true);
    expect(svc.store.count(svc.projectId)).toBe(n + 1);
    await client.upload(body, { ...spec, disallowDuplicates: false });
    expect(svc.store.count(svc.projectId)).toBe(n + 2);
  });

  it('reports 401 with the service message and does not retry', async () => {
    const bad = new IngestionClient({ endpoint: svc.url, apiKey: 'ei_wrong_key_made_up_for_test' });
    const body = encodeDocument(doc(1) as Parameters<typeof encodeDocument>[0], { format: 'cbor', alg: 'HS256', hmacKey: HMAC_KEY });
    const err = (await bad.upload(body, { kind: 'files', category: 'training', fileName: 'x.cbor' }).catch((e: unknown) => e)) as HttpStatusError;
    await bad.close();
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err.status).toBe(401);
    expect(err.serviceMessage.length).toBeGreaterThan(0);
    expect(err.message).not.toContain('ei_wrong_key_made_up_for_test');
  });

  it('the framed request body equals what the service stored', async () => {
    const body = encodeDocument(doc(77) as Parameters<typeof encodeDocument>[0], { format: 'cbor', alg: 'HS256', hmacKey: HMAC_KEY });
    const res = JSON.parse((await client.upload(body, { kind: 'files', category: 'training', fileName: 'exact.cbor' })).body) as { files: Array<{ sampleId: number }> };
    expect(storedBytes(svc, res.files[0]!.sampleId).equals(collectBody(body))).toBe(true);
  });
});

describe('over TLS', () => {
  let svc: IngestionService;
  beforeAll(async () => {
    svc = await startIngestionService({ port: 0, dataDir: join(dir, 'tls'), apiKey: API_KEY, hmacKey: HMAC_KEY, tls: { key: certs.key, cert: certs.cert }, durability: 'normal', fsync: false });
  });
  afterAll(() => svc.close());

  it('stores uploads over a verified TLS connection (CA made in the test)', async () => {
    expect(svc.url).toMatch(/^https:/);
    const client = new IngestionClient({ endpoint: svc.url.replace('127.0.0.1', 'localhost'), tls: { ca: certs.ca }, apiKey: API_KEY });
    try {
      await roundTrip(svc, client, 'files', 'cbor', 100);
      expect(client.stats.connectionsOpened).toBe(1);
    } finally {
      await client.close();
    }
  });

  it('refuses the service certificate without the CA', async () => {
    const client = new IngestionClient({ endpoint: svc.url, apiKey: API_KEY, retry: { attempts: 1 } });
    const body = encodeDocument(doc(1) as Parameters<typeof encodeDocument>[0], { format: 'cbor', alg: 'HS256', hmacKey: HMAC_KEY });
    await expect(client.upload(body, { kind: 'files', category: 'training', fileName: 'x.cbor' })).rejects.toMatchObject({ code: 'EI_NETWORK' });
    await client.close();
    expect(svc.store.count(svc.projectId)).toBe(4);
  });
});

describe('upload CLI', () => {
  let svc: IngestionService;
  beforeAll(async () => {
    svc = await startIngestionService({ port: 0, dataDir: join(dir, 'cli'), apiKey: API_KEY, hmacKey: HMAC_KEY, durability: 'normal', fsync: false });
  });
  afterAll(() => svc.close());

  function io(env: Record<string, string> = {}) {
    let out = '';
    let err = '';
    return { io: { stdout: { write: (s: string) => void (out += s) }, stderr: { write: (s: string) => void (err += s) }, env, isTTY: false }, out: () => out, err: () => err };
  }

  function wav(samples: number): Buffer {
    const data = Buffer.alloc(samples * 2);
    for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(Math.sin(i / 5) * 1000), i * 2);
    const h = Buffer.alloc(44);
    h.write('RIFF', 0);
    h.writeUInt32LE(36 + data.length, 4);
    h.write('WAVE', 8);
    h.write('fmt ', 12);
    h.writeUInt32LE(16, 16);
    h.writeUInt16LE(1, 20);
    h.writeUInt16LE(1, 22);
    h.writeUInt32LE(16000, 24);
    h.writeUInt32LE(32000, 28);
    h.writeUInt16LE(2, 32);
    h.writeUInt16LE(16, 34);
    h.write('data', 36);
    h.writeUInt32LE(data.length, 40);
    return Buffer.concat([h, data]);
  }

  it('uploads a mixed set, re-signs documents, skips duplicates on a second run, reports failures', async () => {
    const d = join(dir, 'files');
    rmSync(d, { recursive: true, force: true });
    const { mkdirSync } = await import('node:fs');
    mkdirSync(d);
    // An unsigned JSON document: the CLI re-signs it with the HMAC key from the environment.
    const unsigned = { protected: { ver: 'v1', alg: 'none' }, signature: '00', payload: doc(3).payload };
    writeFileSync(join(d, 'idle.1.json'), JSON.stringify(unsigned));
    writeFileSync(join(d, 'wave.2.cbor'), collectBody(encodeDocument(doc(4) as Parameters<typeof encodeDocument>[0], { format: 'cbor', alg: 'HS256', hmacKey: HMAC_KEY })));
    writeFileSync(join(d, 'walk.3.csv'), 'timestamp,accX,accY\n0,1,2\n10,3,4\n20,5,6\n');
    writeFileSync(join(d, 'noise.4.wav'), wav(800));
    writeFileSync(join(d, 'notes.txt'), 'not a sample');

    const a = io({ EI_API_KEY: API_KEY, EI_HMAC_KEY: HMAC_KEY });
    const code = await runUpload([join(d, '*'), '--endpoint', svc.url, '--json', '--concurrency', '2', '--category', 'testing'], a.io);
    const summary = JSON.parse(a.out()) as { stored: number; duplicates: number; failed: number; files: Array<{ file: string; status: string; error?: string }> };
    expect(code).toBe(1);
    expect(summary).toMatchObject({ stored: 4, duplicates: 0, failed: 1 });
    expect(summary.files.find((f) => f.status === 'failed')!.file).toMatch(/notes\.txt$/);
    expect(a.out()).not.toContain(API_KEY);

    const recs = svc.store.list(svc.projectId);
    expect(recs).toHaveLength(4);
    const json = recs.find((r) => r.filename.startsWith('idle'))!;
    expect(json).toMatchObject({ signatureStatus: 'valid', category: 'testing', label: 'idle', uploadSource: 'ei-ingest' });
    const stored = JSON.parse(storedBytes(svc, json.id).toString('utf8')) as { protected: { alg: string }; payload: { values: unknown } };
    expect(stored.protected.alg).toBe('HS256');
    expect(stored.payload.values).toEqual(doc(3).payload.values);

    // Second run, plain output: everything is a duplicate (default x-disallow-duplicates: 1).
    const b = io({ EI_API_KEY: API_KEY, EI_HMAC_KEY: HMAC_KEY });
    const code2 = await runUpload([join(d, 'idle.1.json'), join(d, 'wave.2.cbor'), join(d, 'walk.3.csv'), '--endpoint', svc.url, '--category', 'testing'], b.io);
    expect(code2).toBe(0);
    expect(b.out()).toMatch(/^duplicate {2}.*idle\.1\.json/m);
    expect(b.out()).toContain('0 stored, 3 skipped as duplicate, 0 failed');
    expect(svc.store.count(svc.projectId)).toBe(4);
  });

  it('sends info.labels as an extra part; the service labels the sample from it', async () => {
    const d = join(dir, 'labelled');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'sample.csv'), 'timestamp,accX\n0,7\n10,8\n20,9\n');
    writeFileSync(
      join(d, 'info.labels'),
      JSON.stringify({ version: 1, files: [{ path: 'sample.csv', name: 'sample.csv', category: 'training', label: { type: 'label', label: 'jump' } }] }),
    );
    const c = io({ EI_API_KEY: API_KEY });
    expect(await runUpload([d, '--endpoint', svc.url, '--json'], c.io)).toBe(0);
    expect(JSON.parse(c.out())).toMatchObject({ stored: 1, failed: 0 });
    const rec = svc.store.list(svc.projectId).at(-1)!;
    expect(rec).toMatchObject({ label: 'jump' });
    expect(rec.filename).toMatch(/^sample/);
  });

  it('reports the service message for a wrong key and exits non-zero', async () => {
    const d = join(dir, 'files');
    const c = io();
    const code = await runUpload([join(d, 'walk.3.csv'), '--endpoint', svc.url, '--api-key', 'ei_not_the_key_made_up'], c.io);
    expect(code).toBe(1);
    expect(c.out()).toMatch(/failed +.*walk\.3\.csv: 401/);
    expect(c.out()).not.toContain('ei_not_the_key_made_up');
  });

  it('uploads through a simulated nRF91 modem with --modem', async () => {
    const { startModemSim } = await import('../firmware-sim/modem/index.ts');
    const sim = await startModemSim({ dialect: 'new', baud: 921_600, registrationDelayMs: 20 });
    try {
      const d = join(dir, 'modem');
      const { mkdirSync } = await import('node:fs');
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'cell.9.csv'), 'timestamp,accX\n0,1\n10,2\n20,3\n');
      const before = svc.store.count(svc.projectId);
      const m = io({ EI_API_KEY: API_KEY });
      const code = await runUpload([join(d, 'cell.9.csv'), '--endpoint', svc.url, '--modem', sim.devicePath, '--baud', '921600', '--json'], m.io);
      expect(m.err()).toBe('');
      expect(code).toBe(0);
      expect(JSON.parse(m.out())).toMatchObject({ stored: 1, failed: 0 });
      expect(svc.store.count(svc.projectId)).toBe(before + 1);
      expect(svc.store.list(svc.projectId).at(-1)!.filename).toMatch(/^cell/);
    } finally {
      await sim.close();
    }
  });

  it('rejects usage errors with exit 2', async () => {
    expect(await runUpload([], io({ EI_API_KEY: 'x' }).io)).toBe(2);
    expect(await runUpload(['a.csv'], io().io)).toBe(2);
    expect(await runUpload(['a.csv', '--category', 'prod'], io({ EI_API_KEY: 'x' }).io)).toBe(2);
    expect(await runUpload(['a.csv', '--label', 'x', '--no-label'], io({ EI_API_KEY: 'x' }).io)).toBe(2);
    expect(await runUpload(['a.csv', '--endpoint', 'ftp://x'], io({ EI_API_KEY: 'x' }).io)).toBe(2);
    expect(await runUpload(['nothing-here-*.csv'], io({ EI_API_KEY: 'x' }).io)).toBe(2);
  });
});
