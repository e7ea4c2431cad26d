/**
 * Issue 12, local service: hostile documents and headers get a 400 naming what is wrong, and
 * nothing is stored. (JSON nesting, control characters in labels and metadata.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { dataRequest, getJson, rawRequest, tempDir } from './service-helpers.ts';
import { jsonDoc, payload } from './service-docs.ts';

const KEY = 'ei_robust_test_api_key';
let svc: IngestionService;
const tmp = tempDir();

beforeAll(async () => {
  svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, hmacKey: 'robust-test-hmac', fsync: false });
});
afterAll(async () => {
  await svc.close();
  tmp.cleanup();
});

async function count(): Promise<number> {
  return (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json.samples.length;
}

describe('JSON nesting', () => {
  it('5,000 levels inside protected: 400 naming the path, nothing stored', async () => {
    const before = await count();
    const deep = '['.repeat(5000) + ']'.repeat(5000);
    const doc = Buffer.from(`{"protected":{"ver":"v1","alg":"none","x":${deep}},"signature":"00","payload":${JSON.stringify(payload([1, 2]))}}`);
    const r = await rawRequest(svc.port, dataRequest(KEY, doc, { 'x-file-name': 'deep.json', 'Content-Type': 'application/json' }));
    expect(r.status).toBe(400);
    expect(r.body.toString()).toMatch(/nest/i);
    expect(r.body.toString()).toMatch(/protected/);
    expect(await count()).toBe(before);
  });

  it('nesting within the limit is still accepted', async () => {
    const doc = Buffer.from(`{"protected":{"ver":"v1","alg":"none","x":${'['.repeat(20)}${']'.repeat(20)}},"signature":"00","payload":${JSON.stringify(payload([1, 2]))}}`);
    const r = await rawRequest(svc.port, dataRequest(KEY, doc, { 'x-file-name': 'ok.json', 'Content-Type': 'application/json' }));
    expect(r.status).toBe(200);
  });
});
