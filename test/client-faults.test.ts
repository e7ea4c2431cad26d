/**
 * Fault injection: a loopback proxy between the client and the local ingestion service that
 * resets connections mid-body, stalls, answers 500/503 itself, or loses the service's answer.
 * With x-disallow-duplicates every sample must end up stored exactly once.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionClient } from '../src/client/client.ts';
import { encodeDocument } from '../src/encode/index.ts';
import { collectBody } from '../src/http/request.ts';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { tcpConnector } from '../src/transport/tcp.ts';
import { mulberry32 } from '../src/device/sensors/sim.ts';

const API_KEY = 'ei_faults_made_up_api_key_0123456789abcdef0123456789abcdef0123';
const HMAC_KEY = 'faults-made-up-hmac-key';

type Fault = 'pass' | 'reset-mid-body' | 'stall' | '500' | '503' | 'lose-response' | 'reset-random';

interface Proxy {
  port: number;
  log: Fault[];
  close(): Promise<void>;
}

/** Chooses a fault for each new client connection. */
async function faultProxy(upstreamPort: number, choose: (n: number) => Fault, rand: () => number = Math.random): Promise<Proxy> {
  const sockets = new Set<Socket>();
  const log: Fault[] = [];
  const server: Server = createServer((client) => {
    const fault = choose(log.length);
    log.push(fault);
    sockets.add(client);
    client.on('error', () => {});
    client.on('close', () => sockets.delete(client));
    if (fault === '500' || fault === '503') {
      client.once('data', () => {
        const text = fault === '503' ? 'Service Unavailable' : 'Internal Server Error';
        client.end(`HTTP/1.1 ${fault} ${text}\r\nContent-Type: text/plain\r\nConnection: close\r\n${fault === '503' ? 'Retry-After: 0\r\n' : ''}Content-Length: ${text.length}\r\n\r\n${text}`);
      });
      return;
    }
    if (fault === 'stall') {
      client.on('data', () => {}); // swallow everything, answer nothing
      return;
    }
    const up = connect(upstreamPort, '127.0.0.1');
    sockets.add(up);
    up.on('error', () => {});
    up.on('close', () => {
      sockets.delete(up);
      client.destroy();
    });
    client.on('close', () => up.destroy());
    let forwarded = 0;
    const cutAt = fault === 'reset-mid-body' ? 400 + Math.floor(rand() * 400) : fault === 'reset-random' ? Math.floor(rand() * 3000) : Infinity;
    client.on('data', (d: Buffer) => {
      if (forwarded + d.length >= cutAt) {
        up.write(d.subarray(0, Math.max(0, cutAt - forwarded)));
        forwarded = cutAt;
        client.resetAndDestroy();
        up.destroy();
        return;
      }
      forwarded += d.length;
      up.write(d);
    });
    up.on('data', (d: Buffer) => {
      // The service got the whole request and answered; the answer never reaches the client.
      if (fault === 'lose-response') {
        client.resetAndDestroy();
        up.destroy();
        return;
      }
      client.write(d);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as { port: number }).port,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

function sample(i: number) {
  return encodeDocument(
    {
      protected: { ver: 'v1', alg: 'HS256', iat: 1_700_000_000 + i },
      payload: {
        device_type: 'FAULTS',
        interval_ms: 10,
        sensors: [{ name: 'x', units: 'm/s2' }],
        values: Array.from({ length: 300 }, (_, r) => [r + i * 1000]),
      },
    } as Parameters<typeof encodeDocument>[0],
    { format: 'cbor', alg: 'HS256', hmacKey: HMAC_KEY },
  );
}

/** Seeded PRNG so a failing schedule can be replayed. */
const prng = mulberry32;

let dir: string;
let svc: IngestionService;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ei-faults-'));
  svc = await startIngestionService({ port: 0, dataDir: dir, apiKey: API_KEY, hmacKey: HMAC_KEY, durability: 'normal', fsync: false });
});
afterAll(async () => {
  await svc.close();
  rmSync(dir, { recursive: true, force: true });
});

function expectStoredExactlyOnce(category: string, bodies: ReturnType<typeof sample>[]) {
  const recs = svc.store.list(svc.projectId, category);
  const want = bodies.map((b) => createHash('sha256').update(collectBody(b)).digest('hex'));
  expect(recs.map((r) => r.sha256).sort()).toEqual([...want].sort());
  expect(recs.every((r) => r.signatureStatus === 'valid')).toBe(true);
}

describe('every sample stored exactly once through faults', () => {
  it('a fixed schedule of every fault kind, one connection per attempt', async () => {
    const schedule: Fault[] = ['reset-mid-body', 'pass', '503', '500', 'pass', 'stall', 'pass', 'lose-response', 'pass', '503', 'reset-mid-body', 'lose-response'];
    const proxy = await faultProxy(svc.port, (n) => schedule[n % schedule.length]!, prng(1));
    const client = new IngestionClient({
      connector: tcpConnector({ host: '127.0.0.1', port: proxy.port }),
      apiKey: API_KEY,
      keepAlive: false,
      retry: { attempts: 8, baseMs: 5, maxMs: 20 },
      timeouts: { firstByteMs: 300, idleMs: 300 },
    });
    const bodies = Array.from({ length: 10 }, (_, i) => sample(i));
    try {
      for (const [i, body] of bodies.entries()) {
        const res = await client.upload(body, { kind: 'files', category: 'testing', fileName: `f${i}.cbor`, disallowDuplicates: true });
        expect(res.status).toBe(200);
      }
    } finally {
      await client.close();
      await proxy.close();
    }
    for (const f of ['reset-mid-body', 'stall', '500', '503', 'lose-response'] as const) expect(proxy.log).toContain(f);
    expectStoredExactlyOnce('testing', bodies);
  });

  it('keep-alive connections reset at random byte offsets, concurrently', async () => {
    const rand = prng(7);
    const proxy = await faultProxy(svc.port, () => (rand() < 0.5 ? 'reset-random' : rand() < 0.5 ? 'pass' : 'lose-response'), rand);
    const client = new IngestionClient({
      connector: tcpConnector({ host: '127.0.0.1', port: proxy.port }),
      apiKey: API_KEY,
      maxConnections: 3,
      retry: { attempts: 30, baseMs: 2, maxMs: 10 },
      timeouts: { firstByteMs: 2000, idleMs: 2000 },
    });
    const bodies = Array.from({ length: 24 }, (_, i) => sample(100 + i));
    try {
      const results = await Promise.all(
        bodies.map((body, i) => client.upload(body, { kind: 'files', category: 'anomaly', fileName: `k${i}.cbor`, disallowDuplicates: true })),
      );
      expect(results.every((r) => r.status === 200)).toBe(true);
      expect(results.some((r) => r.attempts > 1)).toBe(true);
    } finally {
      await client.close();
      await proxy.close();
    }
    expectStoredExactlyOnce('anomaly', bodies);
  });
});
