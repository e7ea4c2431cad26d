import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyFromBytes, type EncodedBody } from '../src/encode/body.ts';
import { IngestionClient } from '../src/client/client.ts';
import { HttpStatusError, NetworkError, RetriesExhaustedError, TimeoutError, UploadAbortedError } from '../src/client/errors.ts';
import { backoffDelay, parseRetryAfter, resolveRetry } from '../src/client/retry.ts';
import { memoryConnector } from '../src/transport/memory.ts';
import { tcpConnector } from '../src/transport/tcp.ts';
import type { Connector } from '../src/transport/transport.ts';
import { rawServer, reply, type RawServer } from './http-support.ts';

const KEY = 'ei_made_up_key_for_retry_tests_000000000000000000000000000000000';
const spec = { kind: 'data' as const, category: 'training', fileName: 'a.cbor' };
const body = bodyFromBytes(new TextEncoder().encode('sample'), 'application/cbor', '00');

let server: RawServer | null = null;
let client: IngestionClient | null = null;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = null;
  server = null;
});

/** Records requested sleeps instead of waiting. */
function fakeSleep() {
  const waits: number[] = [];
  return { waits, sleep: async (ms: number) => void waits.push(ms) };
}

function tcp(port: number): Connector {
  return tcpConnector({ host: '127.0.0.1', port });
}

describe('retry classification', () => {
  it('retries 503 honouring Retry-After, then succeeds', async () => {
    let n = 0;
    server = await rawServer(() => (++n < 3 ? reply(503, 'busy', ['Retry-After: 2']) : reply(200, 'stored.cbor')));
    const s = fakeSleep();
    client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY, retry: { sleep: s.sleep, random: () => 0.5 } });
    const res = await client.upload(body, spec);
    expect(res).toMatchObject({ status: 200, body: 'stored.cbor', attempts: 3 });
    expect(s.waits).toEqual([2000, 2000]);
    expect(server.requests.map((r) => r.body.toString())).toEqual(['sample', 'sample', 'sample']);
  });

  it('backs off with full jitter on 500 and 429 without Retry-After', async () => {
    const statuses = [500, 429, 502, 200];
    server = await rawServer(() => reply(statuses.shift()!, 'x'));
    const s = fakeSleep();
    client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY, retry: { sleep: s.sleep, random: () => 0.999, baseMs: 100, maxMs: 250 } });
    expect((await client.upload(body, spec)).attempts).toBe(4);
    expect(s.waits).toEqual([99, 199, 249]);
  });

  for (const [status, message] of [
    [400, 'Invalid message: values[1] has 2 items'],
    [401, 'Missing or invalid API key'],
    [421, 'Missing header x-file-name'],
    [404, 'Not found'],
  ] as const) {
    it(`does not retry ${status} and reports the service's message`, async () => {
      server = await rawServer(() => reply(status, message));
      const s = fakeSleep();
      client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY, retry: { sleep: s.sleep } });
      const err = (await client.upload(body, spec).catch((e: unknown) => e)) as HttpStatusError;
      expect(err).toBeInstanceOf(HttpStatusError);
      expect(err).toMatchObject({ status, serviceMessage: message, retryable: false, code: `EI_HTTP_STATUS_${status}` });
      expect(err.message).toContain(message);
      expect(server.requests).toHaveLength(1);
      expect(s.waits).toEqual([]);
    });
  }

  it('redacts the API key if the service echoes it', async () => {
    server = await rawServer((req) => reply(401, `bad key ${req.headers['x-api-key']}`));
    client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY });
    const err = (await client.upload(body, spec).catch((e: unknown) => e)) as HttpStatusError;
    expect(err.message).not.toContain(KEY);
    expect(err.serviceMessage).toBe('bad key ***');
  });

  it('gives up after the configured attempts with the last failure as cause', async () => {
    server = await rawServer(() => reply(503, 'down'));
    const s = fakeSleep();
    client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY, retry: { attempts: 3, sleep: s.sleep } });
    const err = (await client.upload(body, spec).catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(err.attempts).toBe(3);
    expect((err.cause as HttpStatusError).status).toBe(503);
    expect(server.requests).toHaveLength(3);
    expect(s.waits).toHaveLength(2);
  });

  it('gives up at once when Retry-After is longer than maxRetryAfterMs', async () => {
    server = await rawServer(() => reply(429, 'slow down', ['Retry-After: 3600']));
    const s = fakeSleep();
    client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY, retry: { sleep: s.sleep, maxRetryAfterMs: 60_000 } });
    const err = (await client.upload(body, spec).catch((e: unknown) => e)) as HttpStatusError;
    expect(err).toBeInstanceOf(HttpStatusError);
    expect(err.retryAfterMs).toBe(3_600_000);
    expect(server.requests).toHaveLength(1);
  });

  it('retries refused connections as network errors', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
    const port = (probe.address() as { port: number }).port;
    await new Promise((r) => probe.close(r));
    const s = fakeSleep();
    client = new IngestionClient({ connector: tcp(port), apiKey: KEY, retry: { attempts: 3, sleep: s.sleep } });
    const err = (await client.upload(body, spec).catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(err.cause).toBeInstanceOf(NetworkError);
    expect((err.cause as Error).message).toMatch(/ECONNREFUSED/);
    expect(s.waits).toHaveLength(2);
  });

  it('a body that fails mid-stream is not retried and its error comes through unchanged', async () => {
    server = await rawServer(() => reply(200, 'ok'));
    client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY, retry: { sleep: fakeSleep().sleep } });
    class BodyBroke extends Error {}
    const broken: EncodedBody = {
      length: 10_000,
      contentType: 'application/cbor',
      signature: '',
      *chunks() {
        yield new Uint8Array(100);
        throw new BodyBroke('source vanished');
      },
    };
    await expect(client.upload(broken, spec)).rejects.toBeInstanceOf(BodyBroke);
    // Until the client's connection is gone (counted, bounded generously, not a fixed 50 ms).
    const end = Date.now() + 30_000;
    while (server.sockets.size > 0 && Date.now() < end) await new Promise((r) => setTimeout(r, 10));
    expect(server.requests).toHaveLength(0);
    expect(server.sockets.size).toBe(0);
    expect((await client.upload(body, spec)).status).toBe(200);
  });

  it('a missing API key fails before connecting', async () => {
    server = await rawServer(() => reply(200, 'ok'));
    client = new IngestionClient({ connector: tcp(server.port) });
    await expect(client.upload(body, spec)).rejects.toMatchObject({ code: 'EI_HTTP_REQUEST_SPEC', field: 'apiKey' });
    expect(server.connections).toBe(0);
  });

  it('retries a malformed response', async () => {
    let n = 0;
    server = await rawServer((req, socket) => {
      if (++n === 1) {
        socket.end('HTTP/1.1 2OO OK\r\n\r\n');
        return 'handled';
      }
      return reply(200, 'ok');
    });
    client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY, retry: { sleep: fakeSleep().sleep } });
    expect((await client.upload(body, spec)).attempts).toBe(2);
  });
});

describe('timeouts', () => {
  it('connect timeout with a connector that never answers', async () => {
    let aborted = false;
    const never: Connector = {
      authority: 'void',
      connect: (signal) =>
        new Promise((_, reject) => signal?.addEventListener('abort', () => ((aborted = true), reject(new Error('aborted'))))),
    };
    client = new IngestionClient({ connector: never, apiKey: KEY, retry: { attempts: 1 }, timeouts: { connectMs: 50 } });
    const err = (await client.upload(body, spec).catch((e: unknown) => e)) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.phase).toBe('connect');
    expect(aborted).toBe(true);
  });

  it('first-byte timeout when the server reads the request and never answers', async () => {
    server = await rawServer(() => 'handled');
    const s = fakeSleep();
    client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY, retry: { attempts: 2, sleep: s.sleep }, timeouts: { firstByteMs: 80 } });
    const err = (await client.upload(body, spec).catch((e: unknown) => e)) as RetriesExhaustedError;
    expect(err).toBeInstanceOf(RetriesExhaustedError);
    expect(err.cause).toBeInstanceOf(TimeoutError);
    expect((err.cause as TimeoutError).phase).toBe('firstByte');
    expect(server.requests).toHaveLength(2);
    // The wait between the attempts went through the injected sleep (counted, not timed).
    expect(s.waits).toHaveLength(1);
  });

  it('send timeout when the peer stops reading (backpressure never clears)', async () => {
    const conn = memoryConnector(() => {}, { highWaterMark: 1024 });
    const big: EncodedBody = { length: 1 << 20, contentType: 'application/octet-stream', signature: '', *chunks() { const b = new Uint8Array(4096); for (let i = 0; i < 256; i++) yield b; } };
    client = new IngestionClient({ connector: conn, apiKey: KEY, retry: { attempts: 1 }, timeouts: { idleMs: 60 } });
    const err = (await client.upload(big, spec).catch((e: unknown) => e)) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err.phase).toBe('send');
  });

  it('idle timeout while the response trickles in slower than idleMs', async () => {
    server = await rawServer((req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nabc');
      return 'handled';
    });
    client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY, retry: { attempts: 1 }, timeouts: { idleMs: 80 } });
    const err = (await client.upload(body, spec).catch((e: unknown) => e)) as TimeoutError;
    expect(err).toMatchObject({ code: 'EI_TIMEOUT', phase: 'receive' });
  });

  it('total timeout though every byte arrives within idleMs', async () => {
    server = await rawServer((req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n');
      const t = setInterval(() => (socket.destroyed ? clearInterval(t) : socket.write('x')), 20);
      socket.on('close', () => clearInterval(t));
      return 'handled';
    });
    client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY, retry: { attempts: 1 }, timeouts: { idleMs: 500, totalMs: 250, minRateBytesPerSec: 0 } });
    const t0 = Date.now();
    const err = (await client.upload(body, spec).catch((e: unknown) => e)) as TimeoutError;
    expect(err).toMatchObject({ code: 'EI_TIMEOUT', phase: 'total' });
    // Not before the deadline (a loaded machine only makes this longer); the phase shows it was
    // the total deadline, not the idle one or the end of the 100-byte body, that ended it.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(240);
  });

  it('an abort signal stops the upload and the retry wait', async () => {
    server = await rawServer(() => reply(503, 'x'));
    client = new IngestionClient({ connector: tcp(server.port), apiKey: KEY, retry: { baseMs: 10_000, random: () => 1 } });
    const ac = new AbortController();
    setTimeout(() => ac.abort(), 100);
    const err = await client.upload(body, spec, { signal: ac.signal }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UploadAbortedError);
  });
});

describe('retry helpers', () => {
  it('parses Retry-After as seconds or an HTTP date', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter(' 0 ', now)).toBe(0);
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 00:00:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter('-5', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });

  it('full jitter stays within min(maxMs, base·2^(n-1))', () => {
    for (const r of [0, 0.25, 0.999999]) {
      const p = resolveRetry({ baseMs: 100, maxMs: 1000, random: () => r });
      for (let n = 1; n <= 8; n++) {
        const d = backoffDelay(p, n);
        expect(d).toBeGreaterThanOrEqual(0);
        expect(d).toBeLessThan(Math.min(1000, 100 * 2 ** (n - 1)));
      }
    }
    expect(() => resolveRetry({ attempts: 0 })).toThrow(RangeError);
  });
});
