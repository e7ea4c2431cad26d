/**
 * Load and restart: 2,000 uploads from 50 keep-alive connections on loopback are all stored once
 * with a consistent index; and closing the service mid-load then reopening it on the same data
 * directory loses nothing that was answered 200. Durability is on (file + directory fsync, WAL
 * synchronous=FULL) as in production.
 */
import { afterAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { buildRequest, getJson, multipartBody, parseResponse, tempDir, type RawResponse } from './service-helpers.ts';
import { cborDoc, jsonDoc, payload } from './service-docs.ts';

const KEY = 'ei_load_test_key';
const HMAC = 'load-test-hmac';
const N = 2000;
const CONNS = 50;
const dirs: { cleanup(): void }[] = [];
afterAll(() => dirs.forEach((d) => d.cleanup()));

interface Job {
  i: number;
  body: Buffer;
  sha: string;
  request: Buffer;
}

function makeJobs(n: number): Job[] {
  return Array.from({ length: n }, (_, i) => {
    const p = payload([[i, i / 7, -i], [i + 1, 0.5, 2]], [{ name: 'x', units: 'm' }, { name: 'y', units: 'm' }, { name: 'z', units: 'm' }]);
    const body = i % 2 ? cborDoc(p, HMAC) : jsonDoc(p, HMAC);
    const name = `load-${i}.${i % 2 ? 'cbor' : 'json'}`;
    let request: Buffer;
    if (i % 4 < 2) {
      request = buildRequest('POST', '/api/training/data', { Host: 'x', 'x-api-key': KEY, 'x-file-name': name, 'x-disallow-duplicates': '1', 'Content-Length': body.length }, body);
    } else {
      const mp = multipartBody('LoAd', [{ name: 'data', filename: name, body }]);
      request = buildRequest('POST', '/api/training/files', { Host: 'x', 'x-api-key': KEY, 'x-disallow-duplicates': '1', 'Content-Type': 'multipart/form-data; boundary=LoAd', 'Content-Length': mp.length }, mp);
    }
    return { i, body, sha: createHash('sha256').update(body).digest('hex'), request };
  });
}

/** One keep-alive connection working through a shared queue; a failed request goes to `failed`. */
async function worker(port: number, queue: Job[], ok: (j: Job, r: RawResponse) => void, failed: Job[], stop: () => boolean): Promise<void> {
  let sock: net.Socket | undefined;
  let buf = Buffer.alloc(0);
  let waiting: { resolve(r: RawResponse): void; reject(e: Error): void } | undefined;
  const connect = () =>
    new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      s.once('connect', () => resolve(s));
      s.once('error', reject);
      s.on('data', (d: Buffer) => {
        buf = Buffer.concat([buf, d]);
        const p = parseResponse(buf);
        if (p && waiting) {
          buf = buf.subarray(p.used);
          const w = waiting;
          waiting = undefined;
          w.resolve(p.res);
        }
      });
      s.on('close', () => {
        sock = undefined;
        waiting?.reject(new Error('closed'));
        waiting = undefined;
      });
      s.on('error', () => {});
    });
  for (;;) {
    const job = queue.shift();
    if (!job) break;
    if (stop()) {
      failed.push(job);
      continue;
    }
    try {
      if (!sock) {
        buf = Buffer.alloc(0);
        sock = await connect();
      }
      const s = sock;
      const res = await new Promise<RawResponse>((resolve, reject) => {
        waiting = { resolve, reject };
        s.write(job.request);
      });
      if (res.status !== 200) throw new Error(`status ${res.status}: ${res.body}`);
      ok(job, res);
      if (res.headers.connection === 'close') sock?.destroy();
    } catch {
      failed.push(job);
      sock?.destroy();
      sock = undefined;
    }
  }
  sock?.end();
}

async function storedShas(svc: IngestionService): Promise<string[]> {
  const r = await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY);
  expect(r.json.success).toBe(true);
  for (const s of r.json.samples) expect(s.signatureValidate).toBe(true);
  return r.json.samples.map((s: any) => s.sha256Hash);
}

function startOn(dir: string) {
  return startIngestionService({ dataDir: dir, apiKey: KEY, hmacKey: HMAC });
}

describe('service under load', () => {
  it(`${N} uploads from ${CONNS} keep-alive connections: all stored once, index consistent`, async () => {
    const t = tempDir('ei-load-');
    dirs.push(t);
    const svc = await startOn(t.dir);
    const jobs = makeJobs(N);
    const queue = [...jobs];
    const okJobs: Job[] = [];
    const failed: Job[] = [];
    const t0 = performance.now();
    await Promise.all(Array.from({ length: CONNS }, () => worker(svc.port, queue, (j) => okJobs.push(j), failed, () => false)));
    const ms = performance.now() - t0;
    console.log(`load: ${N} uploads over ${CONNS} connections in ${ms.toFixed(0)} ms (${((N / ms) * 1000).toFixed(0)}/s)`);
    expect(failed).toEqual([]);
    expect(okJobs.length).toBe(N);
    const shas = await storedShas(svc);
    expect(shas.length).toBe(N);
    expect(new Set(shas)).toEqual(new Set(jobs.map((j) => j.sha)));
    expect(svc.store.integrityCheck()).toBe('ok');
    for (const rec of svc.store.list(svc.projectId).slice(0, 200)) expect(existsSync(svc.store.absolute(rec.path))).toBe(true);
    await svc.close();
  });

  it('a restart in the middle loses nothing answered 200; retries with x-disallow-duplicates store each body once', async () => {
    const t = tempDir('ei-restart-');
    dirs.push(t);
    const jobs = makeJobs(N);
    const queue = [...jobs];
    const answered: Job[] = [];
    const failed: Job[] = [];
    const svc1 = await startOn(t.dir);
    let stopped = false;
    let closing: Promise<void> | undefined;
    const ok = (j: Job): void => {
      answered.push(j);
      if (answered.length === 600 && !closing) {
        // Close while ~50 requests are in flight.
        closing = svc1.close().then(() => {
          stopped = true;
        });
      }
    };
    await Promise.all(Array.from({ length: CONNS }, () => worker(svc1.port, queue, ok, failed, () => closing !== undefined)));
    await closing;
    expect(stopped).toBe(true);
    expect(answered.length).toBeGreaterThanOrEqual(600);
    expect(answered.length + failed.length).toBe(N);

    const svc2 = await startOn(t.dir);
    const after = new Set(await storedShas(svc2));
    const lost = answered.filter((j) => !after.has(j.sha));
    expect(lost.map((j) => j.i)).toEqual([]);
    expect(after.size).toBeLessThanOrEqual(answered.length + CONNS);
    console.log(`restart: ${answered.length} answered before close, ${after.size} stored, ${failed.length} to retry`);

    // Retry everything that failed or was never sent: duplicates of committed-but-unanswered bodies are dropped.
    const retryQueue = [...failed];
    const again: Job[] = [];
    await Promise.all(Array.from({ length: CONNS }, () => worker(svc2.port, retryQueue, () => {}, again, () => false)));
    expect(again).toEqual([]);
    const final = await storedShas(svc2);
    expect(final.length).toBe(N);
    expect(new Set(final).size).toBe(N);
    expect(svc2.store.integrityCheck()).toBe('ok');
    await svc2.close();
  });
});
