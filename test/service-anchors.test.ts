/**
 * Acceptance against the anchor vectors (/work/shared/reference/anchor-vectors.json): the seed's
 * two requests sent as raw bytes over TCP are stored and read back decoded; every anchor uploads
 * with the right stored bytes and signature status; a corrupted byte flips HS256 to invalid, and
 * strict mode then answers 400.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { anchor, buildRequest, dataRequest, getJson, loadAnchors, rawRequest, tempDir } from './service-helpers.ts';

const seed = anchor('seed-data-cbor-none');
const seedFiles = anchor('seed-files-multipart');
const SEED_KEY = seed.request!.headers['X-Api-Key'];
const HMAC = loadAnchors().find((a) => a.hmacKey)!.hmacKey!;

/** Raw request bytes exactly as the anchor documents them. */
function anchorRequest(a: ReturnType<typeof anchor>): Buffer {
  const r = a.request!;
  return buildRequest(r.method, r.path, { Host: r.host, ...r.headers }, Buffer.from(a.hex, 'hex'));
}

/** Flips one bit inside the device_type text so the document stays well-formed. */
function corrupt(a: ReturnType<typeof anchor>): Buffer {
  const bytes = Buffer.from(a.hex, 'hex');
  const at = bytes.indexOf(Buffer.from(a.input!.payload.device_type, 'utf8'));
  expect(at).toBeGreaterThan(0);
  bytes[at] ^= 0x01;
  return bytes;
}

function expectedRows(a: ReturnType<typeof anchor>): number[][] {
  const rows = a.input!.payload.values as (number | number[])[];
  const f = a.id.startsWith('seed') ? (x: number) => x : Math.fround; // float32 anchors (valuesNote)
  return rows.map((r) => (Array.isArray(r) ? r.map(f) : [f(r)]));
}

describe('service: seed requests over a raw TCP socket', () => {
  let svc: IngestionService;
  const tmp = tempDir();
  beforeAll(async () => {
    svc = await startIngestionService({ dataDir: tmp.dir, apiKey: SEED_KEY, hmacKey: HMAC, fsync: false });
  });
  afterAll(async () => {
    await svc.close();
    tmp.cleanup();
  });

  it('stores seed-data-cbor-none and returns its decoded values', async () => {
    const res = await rawRequest(svc.port, anchorRequest(seed));
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body.toString()).toBe('test.cbor');

    const list = await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data?category=training`, SEED_KEY);
    expect(list.json.success).toBe(true);
    const s = list.json.samples.find((x: any) => x.filename === 'test.cbor');
    expect(s).toMatchObject({ category: 'training', label: 'test', signatureStatus: 'none', deviceType: 'NORDIC_NRF91', intervalMs: 20, totalLengthMs: 40 });
    expect(s.sensors).toEqual((seed.input!.payload.sensors as object[]).map((x, index) => ({ index, ...x })));

    const one = await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data/${s.id}`, SEED_KEY);
    expect(one.json.payload.values).toEqual(seed.input!.payload.values);
    expect(one.json.payload.device_name).toBe('11:22:33:44:55:66');
    const raw = await rawRequest(svc.port, buildRequest('GET', `/v1/api/${svc.projectId}/raw-data/${s.id}/raw`, { Host: 'x', 'x-api-key': SEED_KEY }));
    expect(raw.body.toString('hex')).toBe(seed.hex);
  });

  it('stores seed-files-multipart: JSON answer, the wrapped document stored unchanged', async () => {
    const res = await rawRequest(svc.port, anchorRequest(seedFiles));
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body.toString());
    expect(body.success).toBe(true);
    expect(body.files).toHaveLength(1);
    expect(body.files[0]).toMatchObject({ success: true, projectId: svc.projectId, fileName: 'test.cbor' });
    const id = body.files[0].sampleId;
    const raw = await rawRequest(svc.port, buildRequest('GET', `/v1/api/${svc.projectId}/raw-data/${id}/raw`, { Host: 'x', 'x-api-key': SEED_KEY }));
    expect(raw.body.toString('hex')).toBe(seed.hex);
    const one = await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data/${id}`, SEED_KEY);
    expect(one.json.payload.values).toEqual(seed.input!.payload.values);
  });
});

describe('service: every anchor vector', () => {
  let svc: IngestionService;
  let strict: IngestionService;
  let wrongKey: IngestionService;
  const tmp = tempDir();
  const docs = loadAnchors().filter((a) => a.input);
  beforeAll(async () => {
    svc = await startIngestionService({ dataDir: `${tmp.dir}/a`, apiKey: 'ei_test_key_1', hmacKey: HMAC, fsync: false });
    strict = await startIngestionService({ dataDir: `${tmp.dir}/b`, apiKey: 'ei_test_key_1', hmacKey: HMAC, strictSignatures: true, fsync: false });
    wrongKey = await startIngestionService({ dataDir: `${tmp.dir}/c`, apiKey: 'ei_test_key_1', hmacKey: 'another-key', fsync: false });
  });
  afterAll(async () => {
    await Promise.all([svc.close(), strict.close(), wrongKey.close()]);
    tmp.cleanup();
  });

  it('covers all document anchors', () => {
    expect(docs.map((d) => d.id)).toEqual(expect.arrayContaining(['seed-data-cbor-none', 'docs-cbor-hs256', 'csdk-hs256-3axis', 'csdk-hs256-1axis', 'csdk-none-3axis', 'csdk-hs256-interval-frac']));
  });

  for (const a of loadAnchors().filter((x) => x.input)) {
    const signed = a.input!.protected.alg === 'HS256';
    it(`${a.id}: stored bytes, decoded values and signature status`, async () => {
      const bytes = Buffer.from(a.hex, 'hex');
      const res = await rawRequest(svc.port, dataRequest('ei_test_key_1', bytes, { 'x-file-name': `${a.id}.cbor` }));
      expect(res.status).toBe(200);
      const list = await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, 'ei_test_key_1');
      const s = list.json.samples.find((x: any) => x.filename === `${a.id}.cbor`);
      expect((({ valid: true, invalid: false } as Record<string, boolean>)[s.signatureStatus] ?? null)).toBe(signed ? true : null);
      expect(s.sha256Hash).toBe(createHash('sha256').update(bytes).digest('hex'));
      const raw = await rawRequest(svc.port, buildRequest('GET', `/v1/api/${svc.projectId}/raw-data/${s.id}/raw`, { Host: 'x', 'x-api-key': 'ei_test_key_1' }));
      expect(raw.body.equals(bytes)).toBe(true);
      const one = await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data/${s.id}`, 'ei_test_key_1');
      expect(one.json.payload.values).toEqual(expectedRows(a));
      expect(one.json.payload.intervalMs).toBe(a.id.startsWith('csdk') ? Math.fround(a.input!.payload.interval_ms) : a.input!.payload.interval_ms);

      // The same bytes under a different HMAC key: flagged, not rejected.
      const w = await rawRequest(wrongKey.port, dataRequest('ei_test_key_1', bytes, { 'x-file-name': `${a.id}.cbor` }));
      expect(w.status).toBe(200);
      const wl = await getJson(wrongKey.port, `/v1/api/1/raw-data`, 'ei_test_key_1');
      expect(wl.json.samples.find((x: any) => x.filename === `${a.id}.cbor`).signatureStatus).toBe(signed ? 'invalid' : 'none');
    });

    it(`${a.id}: one corrupted byte → ${signed ? 'invalid, and 400 when strict' : 'still unsigned'}`, async () => {
      const bad = corrupt(a);
      const res = await rawRequest(svc.port, dataRequest('ei_test_key_1', bad, { 'x-file-name': `bad-${a.id}.cbor` }));
      expect(res.status).toBe(200);
      const list = await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, 'ei_test_key_1');
      expect(list.json.samples.find((x: any) => x.filename === `bad-${a.id}.cbor`).signatureStatus).toBe(signed ? 'invalid' : 'none');

      const st = await rawRequest(strict.port, dataRequest('ei_test_key_1', bad, { 'x-file-name': `bad-${a.id}.cbor` }));
      expect(st.status).toBe(signed ? 400 : 200);
      if (signed) expect(st.body.toString()).toMatch(/signature/i);
      const ok = await rawRequest(strict.port, dataRequest('ei_test_key_1', Buffer.from(a.hex, 'hex'), { 'x-file-name': `good-${a.id}.cbor` }));
      expect(ok.status).toBe(200);
      const sl = await getJson(strict.port, `/v1/api/1/raw-data`, 'ei_test_key_1');
      expect(sl.json.samples.some((x: any) => x.filename === `bad-${a.id}.cbor`)).toBe(!signed);
    });
  }

  it('docs-cbor-hs256 carries the documented signature', () => {
    const a = anchor('docs-cbor-hs256');
    expect(Buffer.from(a.hex, 'hex').toString('latin1')).toContain(a.signature!);
  });
});
