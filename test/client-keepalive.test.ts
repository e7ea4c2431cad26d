import { afterEach, describe, expect, it } from 'vitest';
import { bodyFromBytes, type EncodedBody } from '../src/encode/body.ts';
import { IngestionClient } from '../src/client/client.ts';
import { HttpStatusError } from '../src/client/errors.ts';
import { memoryConnector, type MemoryTransport } from '../src/transport/memory.ts';
import { tcpConnector } from '../src/transport/tcp.ts';
import { rawServer, reply, type RawServer } from './http-support.ts';

const KEY = 'ei_made_up_key_for_tests_0000000000000000000000000000000000000000';
const spec = { kind: 'data' as const, category: 'training', fileName: 'a.cbor' };
const body = (s: string) => bodyFromBytes(new TextEncoder().encode(s), 'application/cbor', '00');

/** A body whose chunks are views of one reused buffer (as the encoder yields them). */
function borrowedBody(total: number, chunk: number): { body: EncodedBody; expected: Buffer } {
  const expected = Buffer.alloc(total);
  for (let i = 0; i < total; i++) expected[i] = (i * 31 + 7) & 0xff;
  return {
    expected,
    body: {
      length: total,
      contentType: 'application/octet-stream',
      signature: '',
      *chunks() {
        const buf = new Uint8Array(chunk);
        for (let off = 0; off < total; off += chunk) {
          const n = Math.min(chunk, total - off);
          buf.set(expected.subarray(off, off + n));
          yield buf.subarray(0, n);
          buf.fill(0xee); // would corrupt the upload if the transport still held the view
        }
      },
    },
  };
}

let server: RawServer | null = null;
let client: IngestionClient | null = null;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = null;
  server = null;
});

describe('keep-alive over TCP', () => {
  it('reuses one connection for many uploads', async () => {
    server = await rawServer((req) => reply(200, `stored ${req.index}`));
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY });
    for (let i = 1; i <= 25; i++) {
      const res = await client.upload(body(`sample ${i}`), { ...spec, fileName: `s${i}.cbor` });
      expect(res).toMatchObject({ status: 200, body: `stored ${i}`, attempts: 1 });
    }
    expect(server.connections).toBe(1);
    expect(server.requests.map((r) => r.body.toString())).toEqual(Array.from({ length: 25 }, (_, i) => `sample ${i + 1}`));
    expect(server.requests[3]!.headers).toMatchObject({ host: `127.0.0.1:${server.port}`, 'x-api-key': KEY, 'x-file-name': 's4.cbor' });
    expect(client.stats).toEqual({ connectionsOpened: 1, requestsSent: 25 });
  });

  it('reconnects when the server answers Connection: close', async () => {
    server = await rawServer((req, socket) => {
      socket.end(reply(200, 'ok', ['Connection: close']));
      return 'handled';
    });
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY });
    for (let i = 0; i < 5; i++) expect((await client.upload(body('x'), spec)).status).toBe(200);
    expect(server.connections).toBe(5);
  });

  it('recovers, without spending an attempt, when the server drops an idle connection', async () => {
    server = await rawServer((req, socket) => {
      // Answer as keep-alive, then close a moment later (server-side keep-alive timeout).
      setTimeout(() => socket.destroy(), 20);
      return reply(200, `r${req.connection}`);
    });
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY, retry: { attempts: 1 } });
    for (let i = 1; i <= 4; i++) {
      // attempts: 1 — a dropped kept-alive connection must not cost the upload its only attempt.
      const res = await client.upload(body('x'), spec);
      expect(res).toMatchObject({ status: 200, attempts: 1 });
      await new Promise((r) => setTimeout(r, 60));
    }
    expect(server.requests).toHaveLength(4);
    expect(server.connections).toBeGreaterThanOrEqual(2);
  });

  it('closes idle connections itself after keepAliveMs', async () => {
    server = await rawServer(() => reply(200, 'ok'));
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY, timeouts: { keepAliveMs: 50 } });
    await client.upload(body('a'), spec);
    await client.upload(body('b'), spec);
    expect(server.connections).toBe(1);
    // Until the server sees the connection closed (the server never closes it; only the client's
    // idle timer can), bounded generously instead of a fixed 400 ms.
    const end = Date.now() + 30_000;
    while (server.sockets.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(server.sockets.size).toBe(0);
    await client.upload(body('c'), spec);
    expect(server.connections).toBe(2);
  });

  it('keepAlive: false sends Connection: close and opens one connection per upload', async () => {
    server = await rawServer((req, socket) => {
      socket.end(reply(200, 'ok'));
      return 'handled';
    });
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY, keepAlive: false });
    for (let i = 0; i < 3; i++) await client.upload(body('x'), spec);
    expect(server.connections).toBe(3);
    expect(server.requests.every((r) => r.headers['connection'] === 'close')).toBe(true);
  });

  it('spreads concurrent uploads over at most maxConnections', async () => {
    server = await rawServer(async (req) => {
      await new Promise((r) => setTimeout(r, 10));
      return reply(200, req.body.toString());
    });
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY, maxConnections: 3 });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => client!.upload(body(`n${i}`), spec)));
    expect(results.map((r) => r.body)).toEqual(Array.from({ length: 12 }, (_, i) => `n${i}`));
    expect(server.connections).toBe(3);
  });

  it('streams a large borrowed-chunk body intact (write awaited before the iterator advances)', async () => {
    server = await rawServer((req) => reply(200, String(req.body.byteLength)));
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY });
    const { body: big, expected } = borrowedBody(3 * 1024 * 1024 + 17, 16 * 1024);
    const progress: number[] = [];
    const res = await client.upload(big, spec, { onProgress: (sent, total) => progress.push(sent / total) });
    expect(res.body).toBe(String(expected.byteLength));
    expect(server.requests[0]!.body.equals(expected)).toBe(true);
    expect(progress.at(-1)).toBe(1);
  });

  it('takes an early answer (401 before the body was read) without retrying', async () => {
    server = await rawServer(
      () => reply(200),
      (head, socket) => {
        socket.end(reply(401, 'Missing or invalid API key', ['Connection: close']));
        return true;
      },
    );
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY });
    const { body: big } = borrowedBody(8 * 1024 * 1024, 64 * 1024);
    const err = await client.upload(big, spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err).toMatchObject({ status: 401, serviceMessage: 'Missing or invalid API key', retryable: false });
    expect(server.connections).toBe(1);
  });
});

describe('over the in-memory transport', () => {
  /** A tiny HTTP responder on a MemoryTransport server end. */
  function serve(srv: MemoryTransport, answer: (n: number, bytes: Buffer) => string, readDelay = 0) {
    void (async () => {
      let buf = Buffer.alloc(0);
      let n = 0;
      for (;;) {
        if (readDelay) await new Promise((r) => setTimeout(r, readDelay));
        const c = await srv.read().catch(() => null);
        if (!c) return;
        buf = Buffer.concat([buf, c]);
        for (;;) {
          const end = buf.indexOf('\r\n\r\n');
          if (end < 0) break;
          const len = Number(/content-length: (\d+)/i.exec(buf.subarray(0, end).toString())![1]);
          if (buf.byteLength < end + 4 + len) break;
          const bodyBytes = buf.subarray(end + 4, end + 4 + len);
          buf = buf.subarray(end + 4 + len);
          const a = answer(++n, Buffer.from(bodyBytes));
          if (a) await srv.write(new TextEncoder().encode(a)).catch(() => {});
        }
      }
    })();
  }

  it('a reused connection that dies before any response byte is retried at once, uncounted', async () => {
    let conns = 0;
    const conn = memoryConnector((srv) => {
      const n = ++conns;
      if (n === 1) {
        // First connection: answers one request, then drops the next one unanswered
        // (the server's keep-alive timeout firing just as the client reuses it).
        let served = 0;
        serve(srv, () => {
          if (++served === 2) {
            srv.destroy();
            return '';
          }
          return reply(200, 'first');
        });
      } else serve(srv, () => reply(200, `conn${n}`));
    });
    client = new IngestionClient({ connector: conn, apiKey: KEY, retry: { attempts: 1 } });
    expect((await client.upload(body('a'), spec)).body).toBe('first');
    expect(await client.upload(body('b'), spec)).toMatchObject({ body: 'conn2', attempts: 1 });
    expect(conn.connections).toBe(2);
  });

  it('a fresh connection that dies is a counted, classified network failure', async () => {
    const conn = memoryConnector((srv) => void srv.read().then(() => srv.destroy()));
    client = new IngestionClient({ connector: conn, apiKey: KEY, retry: { attempts: 1 } });
    const err = await client.upload(body('a'), spec).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'EI_NETWORK', retryable: true, staleConnection: false });
    expect(conn.connections).toBe(1);
  });

  it('uploads with backpressure (tiny high-water mark) and keeps the connection', async () => {
    const received: Buffer[] = [];
    const conn = memoryConnector((srv) => serve(srv, (n, b) => (received.push(b), reply(200, `m${n}`))), { highWaterMark: 1024 });
    client = new IngestionClient({ connector: conn, apiKey: KEY });
    const { body: big, expected } = borrowedBody(200_000, 4096);
    expect((await client.upload(big, spec)).body).toBe('m1');
    expect((await client.upload(body('second'), spec)).body).toBe('m2');
    expect(received[0]!.equals(expected)).toBe(true);
    expect(received[1]!.toString()).toBe('second');
    expect(conn.connections).toBe(1);
  });

  it('the exact request bytes reach a memory peer', async () => {
    const seen: Buffer[] = [];
    const conn = memoryConnector((srv) => {
      void (async () => {
        const parts: Uint8Array[] = [];
        for (;;) {
          const c = await srv.read();
          if (!c) break;
          parts.push(c);
          const all = Buffer.concat(parts);
          if (all.includes('--B--\r\n')) {
            seen.push(all);
            await srv.write(new TextEncoder().encode(reply(200, 'ok')));
          }
        }
      })();
    });
    client = new IngestionClient({ connector: conn, apiKey: KEY });
    await client.upload(body('payload'), { ...spec, kind: 'files', boundary: 'B', host: 'h.test' });
    const part = '--B\r\nContent-Disposition: form-data; name="data"; filename="a.cbor"\r\nContent-Type: application/cbor\r\n\r\npayload\r\n--B--\r\n';
    expect(seen[0]!.toString()).toBe(
      'POST /api/training/files HTTP/1.1\r\nHost: h.test\r\n' +
        `x-api-key: ${KEY}\r\nContent-Type: multipart/form-data; boundary=B\r\nContent-Length: ${part.length}\r\n\r\n` +
        part,
    );
  });
});
