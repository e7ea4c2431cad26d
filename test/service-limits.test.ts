/**
 * Limits and robustness: file/part/request sizes enforced while streaming, header size,
 * slowloris timeouts, nothing stored half-way, nothing outside the data dir, no key echoed, TLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import net from 'node:net';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { anchor, buildRequest, dataRequest, filesRequest, getJson, multipartBody, rawRequest, tempDir } from './service-helpers.ts';
import { jsonDoc, payload } from './service-docs.ts';

const KEY = 'ei_limits_test_secret_api_key';
const HMAC = 'limits-test-secret-hmac';
let svc: IngestionService;
const tmp = tempDir();

beforeAll(async () => {
  svc = await startIngestionService({
    dataDir: tmp.dir,
    apiKey: KEY,
    hmacKey: HMAC,
    fsync: false,
    limits: { maxFiles: 3, maxParts: 6, maxFileBytes: 4096, maxRequestBytes: 20_000, maxLabelFileBytes: 2048, maxHeaderBytes: 4096, headersTimeoutMs: 600, requestTimeoutMs: 1500, idleTimeoutMs: 800, maxDrainBytes: 8192 },
  });
});
afterAll(async () => {
  await svc.close();
  tmp.cleanup();
});

async function count(): Promise<number> {
  return (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json.samples.length;
}

/** Opens a socket, writes `head`, then resolves with what came back and how long until close. */
function holdOpen(write: (s: net.Socket) => void): Promise<{ text: string; ms: number }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const s = net.connect(svc.port, '127.0.0.1', () => write(s));
    let text = '';
    s.on('data', (d) => (text += d.toString('latin1')));
    s.on('error', () => {});
    s.on('close', () => resolve({ text, ms: Date.now() - t0 }));
  });
}

describe('size limits', () => {
  it('a declared body over the file limit is refused before it is sent', async () => {
    const head = buildRequest('POST', '/api/training/data', { Host: 'x', 'x-api-key': KEY, 'x-file-name': 'big.cbor', 'Content-Length': 10_000_000_000 });
    const r = await rawRequest(svc.port, head, { timeoutMs: 3000 });
    expect(r.status).toBe(400);
    expect(r.headers.connection).toBe('close');
    expect(r.body.toString()).toMatch(/exceeds the limit of 4096 bytes/);
  });

  it('a chunked body growing past the limit is cut off while streaming', async () => {
    const before = await count();
    const res = await holdOpen((s) => {
      s.write(buildRequest('POST', '/api/training/data', { Host: 'x', 'x-api-key': KEY, 'x-file-name': 'c.cbor', 'Transfer-Encoding': 'chunked' }));
      const chunk = Buffer.alloc(1000, 0x41);
      let n = 0;
      const iv = setInterval(() => {
        if (s.destroyed || n++ > 50) return clearInterval(iv);
        s.write(`${chunk.length.toString(16)}\r\n`);
        s.write(chunk);
        s.write('\r\n');
      }, 5);
    });
    expect(res.text).toMatch(/^HTTP\/1.1 400/);
    expect(res.text).toMatch(/exceeds the limit/);
    expect(await count()).toBe(before);
  });

  it('more files than allowed, an oversized part, too many parts: 400, nothing stored', async () => {
    const before = await count();
    const doc = jsonDoc(payload([1]));
    const four = multipartBody('B', Array.from({ length: 4 }, (_, i) => ({ name: 'data', filename: `f${i}.json`, body: doc })));
    const r1 = await rawRequest(svc.port, filesRequest(KEY, 'B', four));
    expect(r1.status).toBe(400);
    expect(JSON.parse(r1.body.toString()).error).toMatch(/more than 3 files/);
    const big = multipartBody('B', [{ name: 'data', filename: 'ok.json', body: doc }, { name: 'data', filename: 'big.json', body: Buffer.alloc(5000, 0x20) }]);
    const r2 = await rawRequest(svc.port, filesRequest(KEY, 'B', big));
    expect(r2.status).toBe(400);
    const labels = Array.from({ length: 7 }, () => ({ name: 'info.labels', body: '{"version":1,"files":[]}' }));
    const r3 = await rawRequest(svc.port, filesRequest(KEY, 'B', multipartBody('B', [{ name: 'data', filename: 'x.json', body: doc }, ...labels])));
    expect(r3.status).toBe(400);
    expect(await count()).toBe(before);
    expect(readdirSync(join(tmp.dir, 'tmp'))).toEqual([]);
  });

  it('a too-large head gets 431 and the server carries on', async () => {
    const r = await rawRequest(svc.port, buildRequest('GET', '/v1/api/projects', { Host: 'x', 'x-api-key': KEY, 'x-pad': 'a'.repeat(8000) }));
    expect(r.status).toBe(431);
    expect((await getJson(svc.port, '/v1/api/projects', KEY)).status).toBe(200);
  });
});

describe('Expect: 100-continue', () => {
  it('a wrong key or an oversized body is refused before the body is sent; a good one gets 100', async () => {
    const head = (key: string, len: number) =>
      buildRequest('POST', '/api/training/data', { Host: 'x', 'x-api-key': key, 'x-file-name': 'e.json', 'Content-Length': len, Expect: '100-continue' });
    const r1 = await rawRequest(svc.port, head('ei_wrong', 100), { timeoutMs: 3000 });
    expect(r1.status).toBe(401);
    const r2 = await rawRequest(svc.port, head(KEY, 100_000), { timeoutMs: 3000 });
    expect(r2.status).toBe(400);
    const body = jsonDoc(payload([1]));
    const got = await new Promise<string>((resolve) => {
      const s = net.connect(svc.port, '127.0.0.1', () => s.write(head(KEY, body.length)));
      let text = '';
      s.on('data', (d) => {
        text += d.toString('latin1');
        if (text.startsWith('HTTP/1.1 100') && !text.includes('HTTP/1.1 200')) s.write(body);
        if (text.includes('HTTP/1.1 200') && text.endsWith('e.json')) s.end();
      });
      s.on('close', () => resolve(text));
    });
    expect(got).toMatch(/^HTTP\/1.1 100 Continue\r\n\r\nHTTP\/1.1 200 OK/);
  });
});

describe('timeouts (slowloris)', () => {
  it('a head that never completes is dropped', async () => {
    const r = await holdOpen((s) => s.write('POST /api/training/data HTTP/1.1\r\nHost: x\r\nx-api-key: '));
    expect(r.ms).toBeLessThan(4000);
  });

  it('a body trickling in is cut off by the request timeout', async () => {
    const r = await holdOpen((s) => {
      s.write(buildRequest('POST', '/api/training/data', { Host: 'x', 'x-api-key': KEY, 'x-file-name': 'slow.cbor', 'Content-Length': 3000 }));
      const iv = setInterval(() => (s.destroyed ? clearInterval(iv) : s.write('a')), 100);
    });
    expect(r.ms).toBeLessThan(6000);
    expect(await count()).toBeGreaterThanOrEqual(0);
    const list = (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json.samples;
    expect(list.some((s: any) => s.filename === 'slow.cbor')).toBe(false);
  });

  it('an idle connection is closed', async () => {
    const r = await holdOpen(() => {});
    expect(r.ms).toBeLessThan(4000);
  });
});

describe('hygiene', () => {
  it('errors never contain the API key or the HMAC key', async () => {
    const bad = [
      dataRequest(KEY, Buffer.from('{"protected":{"ver":"v1","alg":"HS256"},"signature":"zz","payload":{}}'), { 'x-file-name': 'e.json' }),
      dataRequest(KEY, Buffer.from([0xa1, 0x61]), { 'x-file-name': 'e.cbor', 'x-label': KEY }),
      dataRequest(KEY, jsonDoc(payload([1])), { 'x-file-name': 'e.json', 'x-metadata': `{"${HMAC}":1}` }),
      buildRequest('POST', '/api/training/files', { Host: 'x', 'x-api-key': KEY, 'Content-Type': 'multipart/form-data; boundary=Z', 'Content-Length': 5 }, Buffer.from('--Z\r\n')),
      buildRequest('GET', `/v1/api/${svc.projectId}/raw-data/99999`, { Host: 'x', 'x-api-key': KEY }),
    ];
    for (const req of bad) {
      const r = await rawRequest(svc.port, req);
      expect(r.status).toBeGreaterThanOrEqual(400);
      expect(r.status).toBeLessThan(500);
      const text = r.body.toString('latin1');
      expect(text).not.toContain(KEY);
      expect(text).not.toContain(HMAC);
    }
  });

  it('stored files are UUID-named inside the data dir; temp dir left empty', async () => {
    const r = await rawRequest(svc.port, dataRequest(KEY, jsonDoc(payload([1])), { 'x-file-name': encodeURIComponent('..\\..\\x/../../y.json') }));
    expect(r.status).toBe(200);
    for (const d of readdirSync(join(tmp.dir, 'samples'))) {
      for (const f of readdirSync(join(tmp.dir, 'samples', d))) expect(f).toMatch(/^[0-9a-f-]{36}\.(json|cbor|csv|wav|jpg|png)$/);
    }
    expect(readdirSync(join(tmp.dir, 'tmp'))).toEqual([]);
  });
});

describe('TLS', () => {
  it('serves HTTPS when given a key and certificate', async () => {
    const t = tempDir();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=localhost',
      '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1', '-keyout', join(t.dir, 'k.pem'), '-out', join(t.dir, 'c.pem')], { stdio: 'ignore' });
    const cert = readFileSync(join(t.dir, 'c.pem'));
    const seed = anchor('seed-data-cbor-none');
    const key = seed.request!.headers['X-Api-Key'];
    const s = await startIngestionService({ dataDir: join(t.dir, 'd'), apiKey: key, tls: { key: readFileSync(join(t.dir, 'k.pem')), cert }, fsync: false });
    try {
      expect(s.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
      const r = await rawRequest(s.port, dataRequest(key, Buffer.from(seed.hex, 'hex'), { 'x-file-name': 'test.cbor' }), { tls: { ca: cert } });
      expect(r.status).toBe(200);
      expect(r.body.toString()).toBe('test.cbor');
    } finally {
      await s.close();
      t.cleanup();
    }
  });
});

describe('odd request targets and ports', () => {
  it('an unparsable target is 400, not 500', async () => {
    const r = await rawRequest(svc.port, Buffer.from(`GET // HTTP/1.1\r\nHost: x\r\nx-api-key: ${KEY}\r\n\r\n`));
    expect(r.status).toBe(400);
  });

  it('a port in use rejects the start and releases the data directory', async () => {
    const t = tempDir();
    try {
      await expect(startIngestionService({ dataDir: t.dir, port: svc.port, apiKey: 'ei_x_key_123' })).rejects.toMatchObject({ code: 'EADDRINUSE' });
      const ok = await startIngestionService({ dataDir: t.dir, apiKey: 'ei_x_key_123', fsync: false });
      await ok.close();
    } finally {
      t.cleanup();
    }
  });
});

describe('aborted uploads', () => {
  it('a client vanishing mid-body leaves nothing behind (data and files)', async () => {
    const before = await count();
    const doc = jsonDoc(payload([1, 2, 3]));
    const mp = multipartBody('B', [{ name: 'data', filename: 'gone.json', body: doc }]);
    for (const req of [
      buildRequest('POST', '/api/training/data', { Host: 'x', 'x-api-key': KEY, 'x-file-name': 'gone.json', 'Content-Length': doc.length }, doc),
      filesRequest(KEY, 'B', mp),
    ]) {
      await new Promise<void>((resolve) => {
        const s = net.connect(svc.port, '127.0.0.1', () => {
          s.write(req.subarray(0, req.length - 10));
          setTimeout(() => s.destroy(), 50);
        });
        s.on('error', () => {});
        s.on('close', () => resolve());
      });
    }
    await new Promise((r) => setTimeout(r, 100));
    expect(await count()).toBe(before);
    expect(readdirSync(join(tmp.dir, 'tmp'))).toEqual([]);
    expect((await getJson(svc.port, '/v1/api/projects', KEY)).status).toBe(200);
  });
});
