/**
 * Issue 12, local service: hostile documents and headers get a 400 naming what is wrong, and
 * nothing is stored. (JSON nesting, control characters in labels and metadata.)
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { dataRequest, getJson, rawRequest, tempDir } from './service-helpers.ts';
import { cborDoc, jsonDoc, payload } from './service-docs.ts';

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

describe('control characters in labels and metadata', () => {
  const doc = jsonDoc(payload([1, 2, 3]));
  const cases: [string, Record<string, string>][] = [
    ['x-label with %0A', { 'x-label': 'idle%0Aevil' }],
    ['x-label with %1B (terminal escape)', { 'x-label': '%1B%5B31mred' }],
    ['x-label with %00', { 'x-label': 'a%00b' }],
    ['x-label with %C2%85 (C1 NEL)', { 'x-label': 'a%C2%85b' }],
    ['x-label with %7F', { 'x-label': 'a%7Fb' }],
    ['x-metadata value with \\u0007', { 'x-metadata': '{"site":"a\\u0007b"}' }],
    ['x-metadata key with \\n', { 'x-metadata': '{"si\\nte":"ab"}' }],
  ];
  for (const [name, headers] of cases) {
    it(`${name}: 400 naming the header, nothing stored`, async () => {
      const before = await count();
      const r = await rawRequest(svc.port, dataRequest(KEY, doc, { 'x-file-name': 'ctl.json', 'Content-Type': 'application/json', ...headers }));
      expect(r.status).toBe(400);
      expect(r.body.toString()).toMatch(/control character/);
      expect(r.body.toString()).toContain(Object.keys(headers)[0]);
      expect(await count()).toBe(before);
    });
  }
  it('ordinary percent-encoded labels still work', async () => {
    const r = await rawRequest(svc.port, dataRequest(KEY, doc, { 'x-file-name': 'ok.json', 'Content-Type': 'application/json', 'x-label': 'caf%C3%A9%20noise' }));
    expect(r.status).toBe(200);
  });
});

describe('raw-data/{id} streams its values', () => {
  it('the answer is exactly JSON.stringify of itself, Content-Length included, for rows, flattened values and binary tails', async () => {
    const docs: Buffer[] = [
      jsonDoc(payload([[0.1, -2.5e-7, 3], [1e21, -0, 42]], [{ name: 'a', units: 'm' }, { name: 'b', units: 'm' }, { name: 'c', units: 'm' }])),
      jsonDoc(payload([1.25, 2, 3.5])),
    ];
    for (const d of docs) {
      const up = await rawRequest(svc.port, dataRequest(KEY, d, { 'x-file-name': 'v.json', 'Content-Type': 'application/json' }));
      expect(up.status).toBe(200);
    }
    const tail = Buffer.alloc(8);
    [1, -2, 300, -32768].forEach((v, i) => tail.writeInt16LE(v, i * 2));
    const bin = cborDoc(payload(['Ref-BINARY-i16'], [{ name: 'a', units: 'm' }, { name: 'b', units: 'm' }]), undefined, tail);
    expect((await rawRequest(svc.port, dataRequest(KEY, bin, { 'x-file-name': 'b.cbor', 'Content-Type': 'application/octet-stream' }))).status).toBe(200);
    // Studio lists newest first; sorted by id here, the last three are this test's uploads in order.
    const list = ((await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json.samples as { id: number }[]).sort((a, b) => a.id - b.id);
    for (const { id } of list.slice(-3)) {
      const r = await rawRequest(svc.port, Buffer.from(`GET /v1/api/${svc.projectId}/raw-data/${id} HTTP/1.1\r\nHost: x\r\nx-api-key: ${KEY}\r\nConnection: close\r\n\r\n`));
      expect(r.status).toBe(200);
      expect(Number(r.headers['content-length'])).toBe(r.body.length);
      const text = r.body.toString('utf8');
      expect(text).toBe(JSON.stringify(JSON.parse(text)));
    }
    const flat = await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data/${list[list.length - 2].id}`, KEY);
    expect(flat.json.payload.values).toEqual([[1.25], [2], [3.5]]);
    const last = await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data/${list[list.length - 1].id}`, KEY);
    expect(last.json.payload.values).toEqual([[1, -2], [300, -32768]]);
  });
});
