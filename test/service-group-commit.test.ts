/**
 * The service commits a whole `/files` request with few fsyncs (issue 15): every file's data
 * fsynced, one directory fsync per directory touched, one index transaction for all rows; each
 * entry carries the status the file would have got alone; duplicates within one request are found.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { filesRequest, getJson, multipartBody, rawRequest, tempDir } from './service-helpers.ts';
import { jsonDoc, payload } from './service-docs.ts';

const KEY = 'ei_group_commit_test_key';
let svc: IngestionService;
const tmp = tempDir('ei-svc-gc-');
beforeAll(async () => {
  svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, fsync: true });
});
afterAll(async () => {
  await svc.close();
  tmp.cleanup();
});

function storedFiles(): string[] {
  return readdirSync(join(tmp.dir, 'samples', String(svc.projectId)));
}
async function post(parts: { name: string; body: Buffer }[], headers: Record<string, string> = {}) {
  const body = multipartBody('GC', parts.map((p) => ({ name: 'data', filename: p.name, contentType: 'application/json', body: p.body })));
  const r = await rawRequest(svc.port, filesRequest(KEY, 'GC', body, headers));
  return { status: r.status, json: JSON.parse(r.body.toString('utf8')) as { success: boolean; files: any[] } };
}

describe('/files group commit', () => {
  it('20 files: 20 data fsyncs, one directory fsync, one index transaction; every entry 200', async () => {
    const before = { ...svc.store.syncCounts };
    const parts = Array.from({ length: 20 }, (_, i) => ({ name: `s${i}.json`, body: jsonDoc(payload([i, i + 1])) }));
    const r = await post(parts);
    expect(r.status).toBe(200);
    expect(r.json.files.map((f) => [f.success, f.status])).toEqual(parts.map(() => [true, 200]));
    const c = svc.store.syncCounts;
    expect(c.file - before.file).toBe(20);
    expect(c.dir - before.dir).toBe(1);
    expect(c.indexCommits - before.indexCommits).toBe(1);
    // Every answered file is indexed and on disk under its stored path.
    const listed = (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json.samples as any[];
    for (const f of r.json.files) expect(listed.some((s) => s.id === f.sampleId && s.filename === f.fileName)).toBe(true);
    expect(storedFiles().length).toBe(listed.length);
  });

  it("a project's sample folder deleted by hand while serving is made again: the next request stores", async () => {
    const first = await post([{ name: 'before.json', body: jsonDoc(payload([1, 2])) }]);
    expect(first.status).toBe(200);
    rmSync(join(tmp.dir, 'samples', String(svc.projectId)), { recursive: true, force: true });
    const r = await post([{ name: 'after.json', body: jsonDoc(payload([3, 4])) }]);
    expect(r.status).toBe(200);
    expect(r.json.files.map((f) => f.success)).toEqual([true]);
    expect(storedFiles().length).toBe(1);
  });

  it('x-disallow-duplicates finds a duplicate within the same request: stored once, answered with its sampleId', async () => {
    const filesBefore = storedFiles().length;
    const a = jsonDoc(payload([1001, 1002]));
    const b = jsonDoc(payload([2001, 2002]));
    const r = await post(
      [
        { name: 'a.json', body: a },
        { name: 'b.json', body: b },
        { name: 'a-again.json', body: a },
        { name: 'b-again.json', body: b },
      ],
      { 'x-disallow-duplicates': '1' },
    );
    expect(r.status).toBe(200);
    const [fa, fb, fa2, fb2] = r.json.files;
    expect([fa.duplicate, fb.duplicate, fa2.duplicate, fb2.duplicate]).toEqual([undefined, undefined, true, true]);
    expect(fa2.sampleId).toBe(fa.sampleId);
    expect(fb2.sampleId).toBe(fb.sampleId);
    expect(fa2.fileName).toBe('a.json'); // the stored sample's name, as a lone duplicate answers
    expect(r.json.files.every((f) => f.status === 200)).toBe(true);
    expect(storedFiles().length).toBe(filesBefore + 2);
    // Sent again: all four are duplicates of what the first request stored.
    const again = await post([{ name: 'x.json', body: b }, { name: 'y.json', body: a }], { 'x-disallow-duplicates': '1' });
    expect(again.json.files.map((f) => [f.duplicate, f.sampleId])).toEqual([[true, fb.sampleId], [true, fa.sampleId]]);
    expect(storedFiles().length).toBe(filesBefore + 2);
  });

  it('a refused file gets its own 400 in its entry; the others are stored in the same commit', async () => {
    const filesBefore = storedFiles().length;
    const before = { ...svc.store.syncCounts };
    const r = await post([
      { name: 'ok1.json', body: jsonDoc(payload([5, 6])) },
      { name: 'bad.json', body: Buffer.from('{"protected":') },
      { name: 'ok2.json', body: jsonDoc(payload([7, 8])) },
    ]);
    expect(r.status).toBe(200);
    expect(r.json.success).toBe(false);
    expect(r.json.files.map((f) => [f.success, f.status])).toEqual([[true, 200], [false, 400], [true, 200]]);
    expect(typeof r.json.files[1].error).toBe('string');
    expect(svc.store.syncCounts.indexCommits - before.indexCommits).toBe(1);
    expect(svc.store.syncCounts.dir - before.dir).toBe(1);
    expect(storedFiles().length).toBe(filesBefore + 2);
  });
});
