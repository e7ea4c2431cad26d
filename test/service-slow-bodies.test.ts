/**
 * Issue 12, slow bodies: trickling uploads hold at most their caps (beyond: 503 + Retry-After,
 * body not read), bodies below the minimum rate get 408, and a legitimate upload from another
 * address succeeds while 1,000 trickling connections try to hold the service. Results are
 * counted; no timing is asserted (deadlines are generous).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { execSync } from 'node:child_process';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { buildRequest, parseResponse, rawRequest, dataRequest, tempDir, type RawResponse } from './service-helpers.ts';
import { jsonDoc, payload } from './service-docs.ts';

const KEY = 'ei_slow_bodies_api_key';
const doc = jsonDoc(payload([1, 2, 3]));

/**
 * Opens a connection from `from`, sends the head and the first byte of a 100,000-byte upload,
 * then one more byte every `everyMs` (never finishing). `answer` resolves with the response when
 * one comes, or null when the connection closes without one (e.g. closed by us while held).
 */
function trickle(port: number, from: string, everyMs: number): { answer: Promise<RawResponse | null>; close(): void } {
  const sock = net.connect({ host: '127.0.0.1', port, localAddress: from });
  const head = buildRequest('POST', '/api/training/data', { Host: 'localhost', 'x-api-key': KEY, 'x-file-name': 't.json', 'Content-Type': 'application/json', 'Content-Length': 100_000 });
  let buf = Buffer.alloc(0);
  let timer: NodeJS.Timeout | undefined;
  const answer = new Promise<RawResponse | null>((resolve) => {
    sock.on('connect', () => {
      sock.write(head);
      sock.write('{');
      timer = setInterval(() => sock.write(' '), everyMs);
    });
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const p = parseResponse(buf);
      if (p) {
        clearInterval(timer);
        sock.destroy();
        resolve(p.res);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearInterval(timer);
      resolve(parseResponse(buf)?.res ?? null);
    });
  });
  return { answer, close: () => sock.destroy() };
}

/** Waits (bounded) until `cond` holds: the server's own count, not a guess at its speed. */
async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 600 && !cond(); i++) await new Promise((r) => setTimeout(r, 50));
  expect(cond()).toBe(true);
}

function loopbackAliasesWork(): boolean {
  try {
    execSync(`${process.execPath} -e "const s=require('net').connect({host:'127.0.0.1',port:1,localAddress:'127.0.0.2'});s.on('error',e=>process.exit(e.code==='ECONNREFUSED'?0:1))"`, { timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}
const aliases = loopbackAliasesWork();

describe.skipIf(!aliases)('caps on uploads in flight (small scale)', () => {
  let svc: IngestionService;
  const tmp = tempDir();
  beforeAll(async () => {
    svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, fsync: false, limits: { maxUploadsPerClient: 3, maxUploads: 5, retryAfterS: 7, minBodyBytesPerSec: 0 } });
  });
  afterAll(async () => {
    await svc.close();
    tmp.cleanup();
  });

  it('per client: the 4th from one address gets 503 + Retry-After; others still get in', async () => {
    const held = [1, 2, 3].map(() => trickle(svc.port, '127.0.0.2', 200));
    await until(() => svc.uploadsInFlight === 3);
    const fourth = trickle(svc.port, '127.0.0.2', 200);
    const r = await fourth.answer;
    expect(r?.status).toBe(503);
    expect(r?.headers['retry-after']).toBe('7');
    // Another address still gets a slot and is stored.
    const ok = await rawRequest(svc.port, dataRequest(KEY, doc, { 'x-file-name': 'ok.json', 'Content-Type': 'application/json' }));
    expect(ok.status).toBe(200);
    // Total cap: 3 held + 2 more from a third address fill the 5 slots.
    const more = [1, 2].map(() => trickle(svc.port, '127.0.0.3', 200));
    await until(() => svc.uploadsInFlight === 5);
    const over = await rawRequest(svc.port, dataRequest(KEY, doc, { 'x-file-name': 'over.json', 'Content-Type': 'application/json' }));
    expect(over.status).toBe(503);
    for (const h of [...held, ...more]) h.close();
    await Promise.all([...held, ...more].map((h) => h.answer));
    // Slots are released when the connections go.
    let after: RawResponse | undefined;
    for (let i = 0; i < 50 && after?.status !== 200; i++) {
      after = await rawRequest(svc.port, dataRequest(KEY, doc, { 'x-file-name': 'after.json', 'Content-Type': 'application/json' }));
      if (after.status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(after?.status).toBe(200);
  });
});

describe('minimum body rate', () => {
  let svc: IngestionService;
  const tmp = tempDir();
  beforeAll(async () => {
    svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, fsync: false, limits: { minBodyBytesPerSec: 1000, bodyRateWindowMs: 300 } });
  });
  afterAll(async () => {
    await svc.close();
    tmp.cleanup();
  });

  it('a body trickling far below the rate gets 408 and frees its slot', async () => {
    const t = trickle(svc.port, '127.0.0.1', 100);
    const r = await t.answer;
    expect(r?.status).toBe(408);
    expect(r?.body.toString()).toMatch(/slower than 1000 bytes\/s/);
  });
});

describe.skipIf(!aliases)('1,000 trickling connections (issue scale)', () => {
  let svc: IngestionService;
  const tmp = tempDir();
  beforeAll(async () => {
    svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, fsync: false });
  });
  afterAll(async () => {
    await svc.close();
    tmp.cleanup();
  });

  it('a legitimate upload succeeds while they are open; each is held or refused 503', async () => {
    const N = 1000;
    // Spread over two attacker addresses: both per-client caps fill, the total cap does not.
    const attackers = Array.from({ length: N }, (_, i) => trickle(svc.port, i % 2 ? '127.0.0.2' : '127.0.0.3', 1000));
    let answered = 0;
    for (const a of attackers) void a.answer.then(() => answered++);
    // Every attacker is either refused or holds a slot (counted by the server) before we go on.
    for (let i = 0; i < 600 && answered + svc.uploadsInFlight < N; i++) await new Promise((r) => setTimeout(r, 100));
    expect(answered + svc.uploadsInFlight).toBe(N);
    expect(svc.uploadsInFlight).toBe(2 * svc.limits.maxUploadsPerClient);
    const legit = await rawRequest(svc.port, dataRequest(KEY, doc, { 'x-file-name': 'legit.json', 'Content-Type': 'application/json' }), { timeoutMs: 30_000 });
    expect(legit.status).toBe(200);
    for (const a of attackers) a.close();
    const answers = await Promise.all(attackers.map((a) => a.answer));
    const refused = answers.filter((r) => r?.status === 503).length;
    const held = answers.filter((r) => r === null).length;
    expect(refused + held).toBe(N);
    expect(held).toBeLessThanOrEqual(2 * svc.limits.maxUploadsPerClient);
    expect(refused).toBeGreaterThanOrEqual(N - 2 * svc.limits.maxUploadsPerClient);
    for (let i = 0; i < 100 && svc.uploadsInFlight > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(svc.uploadsInFlight).toBe(0);
  }, 60_000);
});
