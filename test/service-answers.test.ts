/**
 * Issue 12, "every request gets an answer": raw `net` sockets send exactly the bytes under test.
 * A stored sample is answered 200 whatever follows it on the connection; a body that ends early
 * or a bad chunk size is answered 400 (408 at the timeout), never a silent close.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { buildRequest, getJson, parseResponse, tempDir } from './service-helpers.ts';
import { jsonDoc, payload } from './service-docs.ts';

const KEY = 'ei_answers_test_api_key';
let svc: IngestionService;
let slow: IngestionService;
const tmp = tempDir();
const tmp2 = tempDir();

beforeAll(async () => {
  svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, hmacKey: 'answers-hmac', fsync: false });
  slow = await startIngestionService({ dataDir: tmp2.dir, apiKey: KEY, fsync: false, limits: { requestTimeoutMs: 800, idleTimeoutMs: 500, headersTimeoutMs: 400 } });
});
afterAll(async () => {
  await svc.close();
  await slow.close();
  tmp.cleanup();
  tmp2.cleanup();
});

/** Writes `chunks` in order (then half-closes when `end`), resolves with all bytes until close. */
function exchange(port: number, chunks: (string | Uint8Array)[], end: boolean, timeoutMs = 15_000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error(`no close within ${timeoutMs} ms; got ${JSON.stringify(buf.toString('latin1').slice(0, 200))}`));
    }, timeoutMs);
    sock.on('connect', () => {
      for (const c of chunks) sock.write(c);
      if (end) sock.end();
    });
    sock.on('data', (d: Buffer) => (buf = Buffer.concat([buf, d])));
    sock.on('end', () => sock.end()); // like any client: the server's FIN ends our side too
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      resolve(buf);
    });
  });
}

function post(body: Uint8Array, headers: Record<string, string | number> = {}): Buffer {
  return buildRequest('POST', '/api/training/data', { Host: 'localhost', 'x-api-key': KEY, 'x-file-name': 'a.json', 'Content-Type': 'application/json', 'Content-Length': body.length, ...headers }, body);
}

async function count(s: IngestionService): Promise<number> {
  return (await getJson(s.port, `/v1/api/${s.projectId}/raw-data`, KEY)).json.samples.length;
}

const doc = (n: number) => jsonDoc(payload([n, n + 1, n + 2]));

describe('a stored sample is answered 200', () => {
  it('when junk follows on the connection', async () => {
    const before = await count(svc);
    const out = await exchange(svc.port, [Buffer.concat([post(doc(1)), Buffer.from('GARBAGE \x01\x02 NOT HTTP\r\n\r\n')])], false);
    const r = parseResponse(out);
    expect(r?.res.status).toBe(200);
    expect(await count(svc)).toBe(before + 1);
  });

  it('when junk arrives in a later write', async () => {
    const before = await count(svc);
    const out = await exchange(svc.port, [post(doc(2)), '\x00\x00\x00junk'], false);
    expect(parseResponse(out)?.res.status).toBe(200);
    expect(await count(svc)).toBe(before + 1);
  });

  it('when the client half-closes right after the body', async () => {
    const before = await count(svc);
    const out = await exchange(svc.port, [post(doc(3))], true);
    expect(parseResponse(out)?.res.status).toBe(200);
    expect(await count(svc)).toBe(before + 1);
  });

  it('and a pipelined second request is answered too', async () => {
    const before = await count(svc);
    const out = await exchange(svc.port, [Buffer.concat([post(doc(4)), post(doc(5), { Connection: 'close' })])], true);
    const first = parseResponse(out);
    expect(first?.res.status).toBe(200);
    expect(parseResponse(out.subarray(first!.used))?.res.status).toBe(200);
    expect(await count(svc)).toBe(before + 2);
  });
});

describe('a broken body is answered, never silently closed', () => {
  it('body shorter than Content-Length, then half-close: 400, nothing stored', async () => {
    const before = await count(svc);
    const body = doc(6);
    const out = await exchange(svc.port, [post(body).subarray(0, post(body).length - 10)], true);
    expect(parseResponse(out)?.res.status).toBe(400);
    expect(await count(svc)).toBe(before);
  });

  it('bad chunk size: 400, nothing stored', async () => {
    const before = await count(svc);
    const head = buildRequest('POST', '/api/training/data', { Host: 'localhost', 'x-api-key': KEY, 'x-file-name': 'a.json', 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
    const out = await exchange(svc.port, [head, '5\r\n{"pro\r\nzz\r\nabc\r\n0\r\n\r\n'], false);
    expect(parseResponse(out)?.res.status).toBe(400);
    expect(await count(svc)).toBe(before);
  });

  it('bad chunk size after a good chunk, then half-close: 400', async () => {
    const head = buildRequest('POST', '/api/training/data', { Host: 'localhost', 'x-api-key': KEY, 'x-file-name': 'a.json', 'Transfer-Encoding': 'chunked' });
    const out = await exchange(svc.port, [head, '3\r\nabc\r\n-1\r\n'], true);
    expect(parseResponse(out)?.res.status).toBe(400);
  });

  it('body shorter than Content-Length, connection left open: 408 at the timeout', async () => {
    const before = await count(slow);
    const body = doc(7);
    const out = await exchange(slow.port, [post(body).subarray(0, post(body).length - 10)], false);
    expect(parseResponse(out)?.res.status).toBe(408);
    expect(await count(slow)).toBe(before);
  });

  it('a body that stops mid-way on /files (multipart), then half-close: 400', async () => {
    const b = '--xx\r\nContent-Disposition: form-data; name="data"; filename="a.json"\r\n\r\n{"protected"';
    const req = buildRequest('POST', '/api/training/files', { Host: 'localhost', 'x-api-key': KEY, 'Content-Type': 'multipart/form-data; boundary=xx', 'Content-Length': b.length + 100 }, Buffer.from(b));
    const out = await exchange(svc.port, [req], true);
    expect(parseResponse(out)?.res.status).toBe(400);
  });
});

describe('no request is left hanging', () => {
  it('every upload above released its slot (its handler finished)', async () => {
    for (let i = 0; i < 100 && (svc.uploadsInFlight > 0 || slow.uploadsInFlight > 0); i++) await new Promise((r) => setTimeout(r, 100));
    expect(svc.uploadsInFlight).toBe(0);
    expect(slow.uploadsInFlight).toBe(0);
  });
});
