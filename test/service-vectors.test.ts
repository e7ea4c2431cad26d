/**
 * Golden vectors (vectors/manifest.json, see vectors/README.md) through the service: every
 * positive vector's body uploads, is stored byte for byte, and gets the right signature status
 * (valid with its own key, invalid once one byte changes); the framed `.http` requests are sent
 * as raw bytes. Skipped while the manifest does not exist. EI_VECTORS_DIR points elsewhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { startIngestionService, type IngestionService, type ProjectConfig } from '../src/service/index.ts';
import { buildRequest, dataRequest, getJson, rawRequest, tempDir } from './service-helpers.ts';

const dir = process.env.EI_VECTORS_DIR ?? join(process.cwd(), 'vectors');
const manifestPath = join(dir, 'manifest.json');
const present = existsSync(manifestPath);

interface Vector {
  id: string;
  tags: string[];
  input: { protected?: { alg?: string }; payload: { device_type: string } };
  options: { format: 'cbor' | 'json'; alg?: string; allowNonFinite?: boolean };
  key: null | { hmac?: string; es256PublicKey?: string };
  expect: { body?: string; length?: number; sha256?: string; contentType?: string; error?: unknown };
  request?: { spec: { apiKey: string; kind: string }; file: string };
}

const vectors: Vector[] = present ? (JSON.parse(readFileSync(manifestPath, 'utf8')).vectors as Vector[]) : [];
const positive = vectors.filter((v) => v.expect.body);

function algOf(v: Vector): string {
  return v.options.alg ?? v.input.protected?.alg ?? 'none';
}

/**
 * What the service must answer: attachments need their image part, non-finite values and empty
 * samples are refused (the service is stricter than the encoder there, by design).
 */
function expectedStatus(v: Vector): number {
  if (v.tags.includes('attachment')) return 400;
  if (/^empty-values/.test(v.id)) return 400;
  if (v.options.allowNonFinite && /nonfinite|non-finite|nan|infinity/i.test(v.id + v.tags.join(' '))) return 400;
  return 200;
}

describe.skipIf(!present)('service: golden vectors', () => {
  const tmp = tempDir('ei-golden-');
  const keyIds = [...new Set(positive.map((v) => JSON.stringify(v.key)))];
  const projects: ProjectConfig[] = keyIds.map((k, i) => {
    const key = JSON.parse(k) as Vector['key'];
    const p: ProjectConfig = { id: i + 1, name: `golden ${i}`, apiKey: `ei_golden_project_${i}_key` };
    if (typeof key?.hmac === 'string') p.hmacKey = key.hmac;
    if (key?.es256PublicKey) p.es256PublicKeys = [key.es256PublicKey];
    return p;
  });
  const projectOf = (v: Vector) => projects[keyIds.indexOf(JSON.stringify(v.key))];
  let svc: IngestionService;
  beforeAll(async () => {
    svc = await startIngestionService({ dataDir: tmp.dir, config: { version: 1, projects }, fsync: false });
  });
  afterAll(async () => {
    await svc.close();
    tmp.cleanup();
  });

  it('has positive vectors', () => {
    expect(positive.length).toBeGreaterThan(50);
  });

  it('every positive vector: stored bytes and signature status', async () => {
    const problems: string[] = [];
    for (const v of positive) {
      const bytes = readFileSync(join(dir, v.expect.body!));
      expect(createHash('sha256').update(bytes).digest('hex')).toBe(v.expect.sha256);
      const p = projectOf(v);
      const name = `${v.id}.${v.options.format}`;
      const r = await rawRequest(svc.port, dataRequest(p.apiKey, bytes, { 'x-file-name': name, 'Content-Type': v.expect.contentType ?? 'application/octet-stream' }));
      const want = expectedStatus(v);
      if (r.status !== want) {
        problems.push(`${v.id}: status ${r.status} (want ${want}) ${r.body.toString().slice(0, 160)}`);
        continue;
      }
      if (want !== 200) continue;
      const list = (await getJson(svc.port, `/v1/api/${p.id}/raw-data`, p.apiKey)).json.samples;
      const s = list.find((x: any) => x.filename === name);
      const sig = algOf(v) === 'none' ? null : true;
      const got = (({ valid: true, invalid: false } as Record<string, boolean>)[s.signatureStatus] ?? null);
      if (got !== sig) problems.push(`${v.id}: signature ${s.signatureStatus}, want ${sig}`);
      const raw = await rawRequest(svc.port, buildRequest('GET', `/v1/api/${p.id}/raw-data/${s.id}/raw`, { Host: 'x', 'x-api-key': p.apiKey }));
      if (!raw.body.equals(bytes)) problems.push(`${v.id}: stored bytes differ`);
    }
    expect(problems).toEqual([]);
  });

  it('every signed vector with one byte changed is flagged invalid', async () => {
    const problems: string[] = [];
    let checked = 0;
    for (const v of positive.filter((x) => algOf(x) !== 'none' && expectedStatus(x) === 200)) {
      const bytes = Buffer.from(readFileSync(join(dir, v.expect.body!)));
      const at = bytes.indexOf(Buffer.from(v.input.payload.device_type, 'utf8'));
      if (at < 0) continue;
      bytes[at] ^= 0x01;
      const p = projectOf(v);
      const name = `bad-${v.id}.${v.options.format}`;
      const r = await rawRequest(svc.port, dataRequest(p.apiKey, bytes, { 'x-file-name': name, 'Content-Type': v.expect.contentType ?? 'application/octet-stream' }));
      if (r.status !== 200) {
        problems.push(`${v.id}: status ${r.status}`);
        continue;
      }
      const list = (await getJson(svc.port, `/v1/api/${p.id}/raw-data`, p.apiKey)).json.samples;
      if (list.find((x: any) => x.filename === name).signatureStatus !== 'invalid') problems.push(`${v.id}: not flagged`);
      checked++;
    }
    expect(problems).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it('framed .http requests sent as raw bytes are stored', async () => {
    for (const v of vectors.filter((x) => x.request?.file)) {
      const t = tempDir('ei-golden-http-');
      const s = await startIngestionService({
        dataDir: t.dir,
        apiKey: v.request!.spec.apiKey,
        hmacKey: v.key?.hmac,
        es256PublicKeys: v.key?.es256PublicKey ? [v.key.es256PublicKey] : undefined,
        fsync: false,
      });
      try {
        const r = await rawRequest(s.port, readFileSync(join(dir, v.request!.file)));
        expect(r.status, `${v.id}: ${r.body.toString().slice(0, 200)}`).toBe(200);
        const list = (await getJson(s.port, `/v1/api/${s.projectId}/raw-data`, v.request!.spec.apiKey)).json.samples;
        expect(list).toHaveLength(1);
        expect(list[0].signatureStatus).toBe(algOf(v) === 'none' ? 'none' : 'valid');
        const raw = await rawRequest(s.port, buildRequest('GET', `/v1/api/${s.projectId}/raw-data/${list[0].id}/raw`, { Host: 'x', 'x-api-key': v.request!.spec.apiKey }));
        expect(raw.body.equals(readFileSync(join(dir, v.expect.body!)))).toBe(true);
      } finally {
        await s.close();
        t.cleanup();
      }
    }
  });
});
