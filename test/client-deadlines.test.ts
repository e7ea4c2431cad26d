// A deadline on everything (issue 12): an endless 100 Continue stream, a response trickling a byte
// at a time, and the memory an attempt keeps while it runs. Raw `net` servers on port 0 count what
// they sent; nothing here asserts a duration.
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { afterEach, describe, expect, it } from 'vitest';
import { bodyFromBytes } from '../src/encode/body.ts';
import { IngestionClient } from '../src/client/client.ts';
import { Connection, DEFAULT_TIMEOUTS, _inspect, attemptBudgetMs } from '../src/client/connection.ts';
import { NetworkError, TimeoutError } from '../src/client/errors.ts';
import { DEFAULT_RESPONSE_LIMITS } from '../src/http/response-parser.ts';
import { frameRequest } from '../src/http/request.ts';
import { tcpConnector } from '../src/transport/tcp.ts';
import type { Connector, Transport } from '../src/transport/transport.ts';
import { rawServer, type RawServer } from './http-support.ts';
import { runUpload } from '../src/cli/upload.ts';

const KEY = 'ei_made_up_key_for_deadline_tests_00000000000000000000000000000';
const spec = { kind: 'data' as const, category: 'training', fileName: 'a.cbor' };
const body = bodyFromBytes(new TextEncoder().encode('sample'), 'application/cbor', '00');
const CONTINUE = 'HTTP/1.1 100 Continue\r\n\r\n';

let server: (RawServer & { written?: () => number }) | null = null;
let client: IngestionClient | null = null;
afterEach(async () => {
  await client?.close();
  await server?.close();
  client = null;
  server = null;
});

/** Answers every request with `count` interim responses (or endless ones), then optionally a 200. */
async function continueServer(count: number, final: boolean): Promise<RawServer & { written: () => number }> {
  let written = 0;
  const s = await rawServer((_req, socket) => {
    let n = 0;
    const pump = () => {
      while (!socket.destroyed && n < count) {
        n++;
        written++;
        if (!socket.write(CONTINUE)) return void socket.once('drain', pump);
      }
      if (final && !socket.destroyed) socket.write('HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\nstored.ok');
    };
    pump();
    return 'handled';
  });
  return Object.assign(s, { written: () => written });
}

describe('interim responses are limited per request', () => {
  it(`an endless 100 Continue stream fails the attempt with EI_NETWORK_TOO_MANY_INTERIM after ${DEFAULT_RESPONSE_LIMITS.maxInterimResponses}`, async () => {
    // Old code: the parser skipped interim responses for ever and each one re-armed the idle
    // timer, so this attempt never ended (and grew memory; see the next block).
    const srv = await continueServer(1_000_000, false);
    server = srv;
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY, retry: { attempts: 1 }, timeouts: { idleMs: 20_000 } });
    const err = (await client.upload(body, spec).catch((e: unknown) => e)) as NetworkError;
    expect(err).toBeInstanceOf(NetworkError);
    expect(err.code).toBe('EI_NETWORK_TOO_MANY_INTERIM');
    expect((err.cause as { code: string; max: number })).toMatchObject({ code: 'EI_HTTP_TOO_MANY_INTERIM', max: 8 });
    // The client closed the connection: the server stopped well short of its million.
    expect(srv.written()).toBeLessThan(1_000_000);
  });

  it('up to the limit they are skipped and the final answer is read; the limit is configurable', async () => {
    server = await continueServer(8, true);
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY, retry: { attempts: 1 } });
    expect(await client.upload(body, spec)).toMatchObject({ status: 200, body: 'stored.ok' });
    await client.close();
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY, retry: { attempts: 1 }, limits: { maxInterimResponses: 3 } });
    const err = (await client.upload(body, spec).catch((e: unknown) => e)) as NetworkError;
    expect(err.code).toBe('EI_NETWORK_TOO_MANY_INTERIM');
  });
});

/** A transport that answers with `n` separate 100 Continue chunks, then a 200. */
function continueTransport(n: number, onRead: (i: number, chunk: Uint8Array) => Promise<void> | void): Connector {
  let reads = 0;
  let open = true;
  const t: Transport = {
    get isOpen() {
      return open;
    },
    async write() {},
    async read() {
      const i = reads++;
      if (i < n) {
        const chunk = new TextEncoder().encode(CONTINUE);
        await onRead(i, chunk);
        return chunk;
      }
      return new TextEncoder().encode('HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n');
    },
    async close() {
      open = false;
    },
  };
  return { authority: 'mem', connect: async () => t };
}

describe('no memory kept per read while an attempt runs', () => {
  it('the pending set of the connection stays at most 2 (one read + one wait) across 5,000 reads', async () => {
    let conn: Connection | null = null;
    let most = 0;
    const connector = continueTransport(5000, () => {
      most = Math.max(most, _inspect.waiting(conn!));
    });
    conn = await Connection.open(connector, DEFAULT_TIMEOUTS);
    const request = frameRequest(body, { ...spec, host: 'mem', apiKey: KEY });
    const ex = await conn.exchange(request, { limits: { maxInterimResponses: Number.MAX_SAFE_INTEGER } });
    expect(ex.response.status).toBe(200);
    expect(most).toBeGreaterThan(0);
    expect(most).toBeLessThanOrEqual(2);
  });

  it('chunks already parsed are garbage while the same attempt is still reading (forced GC, WeakRefs)', async () => {
    // Old code raced every read against one never-settling promise: each race left a reaction on
    // it holding its result, so every chunk stayed reachable until the attempt ended.
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const refs: WeakRef<Uint8Array>[] = [];
    let alive = -1;
    const N = 400;
    const connector = continueTransport(N + 1, async (i, chunk) => {
      if (i < N) refs.push(new WeakRef(chunk));
      else {
        // Still inside the attempt: let the earlier reads' jobs finish, then collect.
        await new Promise((r) => setImmediate(r));
        gc();
        await new Promise((r) => setImmediate(r));
        gc();
        alive = refs.slice(0, N - 10).filter((r) => r.deref() !== undefined).length;
      }
    });
    const conn = await Connection.open(connector, DEFAULT_TIMEOUTS);
    const ex = await conn.exchange(frameRequest(body, { ...spec, host: 'mem', apiKey: KEY }), { limits: { maxInterimResponses: Number.MAX_SAFE_INTEGER } });
    expect(ex.response.status).toBe(200);
    expect(alive).toBe(0);
  });
});

describe('a minimum receive rate and a default total deadline', () => {
  it('a response trickling slower than the minimum rate fails with phase minRate, though each byte beats the idle timer', async () => {
    // Old code: each byte re-armed the idle timer and there was no default deadline, so a 1 byte/s
    // peer kept the attempt alive for as long as it liked (here: the 1,000-byte body).
    let sent = 0;
    server = await rawServer((_req, socket) => {
      socket.write('HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n');
      const t = setInterval(() => {
        if (socket.destroyed || sent >= 1000) return clearInterval(t);
        sent++;
        socket.write('x');
      }, 25);
      socket.on('close', () => clearInterval(t));
      return 'handled';
    });
    // 40 bytes/s at best against a floor of 1,000 bytes/s, after a 2 s grace (= idleMs, which a
    // byte every 25 ms never lets fire unless the machine stalls for 2 s).
    client = new IngestionClient({
      connector: tcpConnector({ host: '127.0.0.1', port: server.port }),
      apiKey: KEY,
      retry: { attempts: 1 },
      timeouts: { idleMs: 2000, minRateBytesPerSec: 1000, totalMs: 0 },
    });
    const err = (await client.upload(body, spec).catch((e: unknown) => e)) as TimeoutError;
    expect(err).toBeInstanceOf(TimeoutError);
    expect(err).toMatchObject({ code: 'EI_TIMEOUT', phase: 'minRate' });
    expect(sent).toBeLessThan(1000);
  });

  it('a fast response is not affected by the rate floor', async () => {
    server = await rawServer(() => 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    client = new IngestionClient({ connector: tcpConnector({ host: '127.0.0.1', port: server.port }), apiKey: KEY, retry: { attempts: 1 } });
    expect(await client.upload(body, spec)).toMatchObject({ status: 200, body: 'ok' });
  });

  it('defaults: a total deadline per attempt and a minimum rate, the deadline growing with the request', () => {
    // Old defaults: totalMs 0 (no deadline at all).
    expect(DEFAULT_TIMEOUTS.totalMs).toBe(300_000);
    expect(DEFAULT_TIMEOUTS.minRateBytesPerSec).toBe(1024);
    expect(attemptBudgetMs(DEFAULT_TIMEOUTS, 0)).toBe(300_000);
    expect(attemptBudgetMs(DEFAULT_TIMEOUTS, 100 * 1024 * 1024)).toBe(300_000 + 102_400_000);
    expect(attemptBudgetMs({ ...DEFAULT_TIMEOUTS, totalMs: 0 }, 1 << 20)).toBe(0);
  });

  it('`upload --help` documents --timeout and --min-rate; bad values are usage errors', async () => {
    let out = '';
    let err = '';
    const io = { stdout: { write: (s: string) => void (out += s) }, stderr: { write: (s: string) => void (err += s) }, env: {}, isTTY: false };
    expect(await runUpload(['--help'], io)).toBe(0);
    expect(out).toMatch(/--timeout S .*deadline per attempt/);
    expect(out).toMatch(/--min-rate B .*bytes\/s/);
    expect(await runUpload(['x.cbor', '--api-key', 'k', '--min-rate', 'fast'], io)).toBe(2);
    expect(err).toMatch(/--min-rate must be an integer/);
  });
});
