/**
 * The link emulator (firmware-sim/link): bytes and events are counted; the only timings asserted
 * are lower bounds the emulator itself guarantees (latency, serialisation) and generous upper
 * bounds that a stop-and-wait link could not meet.
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { startLink, type Link } from '../firmware-sim/link/index.ts';
import { LinkPipe } from '../firmware-sim/link/pipe.ts';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

interface Echo {
  port: number;
  received: Buffer[];
  errors: string[];
}

/** Echo server that also records what each connection sent; `reply` overrides the echo. */
async function echoServer(reply?: (sock: net.Socket, data: Buffer) => void, onEnd?: (sock: net.Socket) => void): Promise<Echo> {
  const received: Buffer[] = [];
  const errors: string[] = [];
  const socks = new Set<net.Socket>();
  const server = net.createServer({ allowHalfOpen: true }, (s) => {
    socks.add(s);
    const i = received.push(Buffer.alloc(0)) - 1;
    s.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
    s.on('data', (d) => {
      received[i] = Buffer.concat([received[i]!, d]);
      if (reply) reply(s, d);
      else s.write(d);
    });
    s.on('end', () => (onEnd ? onEnd(s) : s.end()));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(
    () =>
      new Promise<void>((r) => {
        for (const s of socks) s.destroy();
        server.close(() => r());
      }),
  );
  return { port: (server.address() as net.AddressInfo).port, received, errors };
}

async function link(o: Omit<Parameters<typeof startLink>[0], 'target'>, port: number): Promise<Link> {
  const l = await startLink({ target: { port }, ...o });
  cleanups.push(() => l.close());
  return l;
}

/** Connects, writes `data`, half-closes, collects everything until the server closes. */
function exchange(port: number, data: Buffer): Promise<{ got: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port, allowHalfOpen: true });
    const parts: Buffer[] = [];
    s.on('data', (d) => parts.push(d));
    s.on('error', (e: NodeJS.ErrnoException) => resolve({ got: Buffer.concat(parts), error: e.code ?? e.message }));
    s.on('end', () => {
      s.end();
      resolve({ got: Buffer.concat(parts) });
    });
    s.on('connect', () => s.end(data));
  });
}

const pattern = (n: number) => Buffer.from(Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff));

describe('link emulator', () => {
  it('carries bytes both ways unchanged and counts them', async () => {
    const echo = await echoServer();
    const l = await link({ latencyMs: 5, bitsPerSecond: 50e6 }, echo.port);
    const data = pattern(300_000);
    const r = await exchange(l.port, data);
    expect(r.error).toBeUndefined();
    expect(r.got.equals(data)).toBe(true);
    expect(echo.received[0]!.equals(data)).toBe(true);
    const st = l.stats();
    expect(st).toMatchObject({ connections: 1, bytesUp: 300_000, bytesDown: 300_000, resets: 0 });
  });

  it('a round trip takes at least twice the one-way latency', async () => {
    const echo = await echoServer();
    const l = await link({ latencyMs: 120 }, echo.port);
    const t0 = performance.now();
    const r = await exchange(l.port, Buffer.from('ping'));
    expect(r.got.toString()).toBe('ping');
    expect(performance.now() - t0).toBeGreaterThanOrEqual(239);
  });

  it('a new connection pays the handshake: its first bytes reach the server 1.5 round trips after connect', async () => {
    const echo = await echoServer();
    const l = await link({ latencyMs: 100 }, echo.port);
    const t0 = performance.now();
    const r = await exchange(l.port, Buffer.from('x'));
    expect(r.got.toString()).toBe('x');
    // handshake (2 × 100) + request (100) + answer (100)
    expect(performance.now() - t0).toBeGreaterThanOrEqual(399);
  });

  it('serialises at the bandwidth: 100 KB at 800 kbit/s take at least 1 s', async () => {
    const echo = await echoServer(() => {});
    const l = await link({ bitsPerSecond: 800_000 }, echo.port);
    const t0 = performance.now();
    const s = net.connect({ host: '127.0.0.1', port: l.port });
    cleanups.push(() => void s.destroy());
    s.write(pattern(100_000));
    const deadline = Date.now() + 20_000;
    while ((echo.received[0]?.length ?? 0) < 100_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(echo.received[0]!.length).toBe(100_000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(990);
  });

  it('connections share the bandwidth: two sending 50 KB each at 800 kbit/s take at least 1 s', async () => {
    const echo = await echoServer(() => {});
    const l = await link({ bitsPerSecond: 800_000, handshake: false }, echo.port);
    const t0 = performance.now();
    const socks = [0, 1].map(() => net.connect({ host: '127.0.0.1', port: l.port }));
    for (const s of socks) {
      cleanups.push(() => void s.destroy());
      s.write(pattern(50_000));
    }
    const deadline = Date.now() + 20_000;
    const total = () => echo.received.reduce((a, b) => a + b.length, 0);
    while (total() < 100_000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(total()).toBe(100_000);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(990);
  });

  it('pipelines: 40 writes 5 ms apart over a 150 ms link arrive in far less than 40 round trips', async () => {
    const echo = await echoServer();
    const l = await link({ latencyMs: 150 }, echo.port);
    const s = net.connect({ host: '127.0.0.1', port: l.port });
    cleanups.push(() => void s.destroy());
    await new Promise((r) => s.once('connect', r));
    let got = 0;
    s.on('data', (d) => (got += d.length));
    const t0 = performance.now();
    for (let i = 0; i < 40; i++) {
      s.write(pattern(100));
      await new Promise((r) => setTimeout(r, 5));
    }
    const deadline = Date.now() + 20_000;
    while (got < 4000 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(got).toBe(4000);
    // Stop-and-wait would need 40 × 300 ms = 12 s.
    expect(performance.now() - t0).toBeLessThan(6000);
  });

  it('resets a connection after the given bytes (server sees exactly those), only as many times as asked', async () => {
    const echo = await echoServer(() => {});
    const l = await link({ latencyMs: 2, faults: { resetAfterBytes: 5000, resets: 1 } }, echo.port);
    const first = await exchange(l.port, pattern(20_000));
    expect(first.error).toBe('ECONNRESET');
    const deadline = Date.now() + 5000;
    while (echo.errors.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    expect(echo.received[0]!.equals(pattern(20_000).subarray(0, 5000))).toBe(true);
    expect(echo.errors).toContain('ECONNRESET');
    const second = await exchange(l.port, pattern(20_000));
    expect(second.error).toBeUndefined();
    expect(echo.received[1]!.length).toBe(20_000);
    expect(l.stats()).toMatchObject({ connections: 2, resets: 1 });
  });

  it('stalls both directions after the given bytes, then carries on', async () => {
    const echo = await echoServer();
    const l = await link({ faults: { stallAfterBytes: 10, stallMs: 400, stalls: 1 } }, echo.port);
    const t0 = performance.now();
    const r = await exchange(l.port, pattern(64));
    expect(r.got.equals(pattern(64))).toBe(true);
    expect(performance.now() - t0).toBeGreaterThanOrEqual(399);
    expect(l.stats().stalls).toBe(1);
  });

  it('refuses the next N connections', async () => {
    const echo = await echoServer();
    const l = await link({ faults: { refuse: 2 } }, echo.port);
    expect((await exchange(l.port, Buffer.from('a'))).error).toBe('ECONNRESET');
    expect((await exchange(l.port, Buffer.from('b'))).error).toBe('ECONNRESET');
    expect((await exchange(l.port, Buffer.from('c'))).got.toString()).toBe('c');
    expect(l.stats()).toMatchObject({ connections: 3, refused: 2 });
  });

  it('a half-close travels behind the data: the server answers after the client ended', async () => {
    let seen = Buffer.alloc(0);
    const echo = await echoServer(
      (_s, d) => (seen = Buffer.concat([seen, d])),
      (s) => setTimeout(() => s.end(Buffer.concat([seen, Buffer.from('!')])), 50),
    );
    const l = await link({ latencyMs: 20 }, echo.port);
    const r = await exchange(l.port, Buffer.from('late'));
    expect(r.got.toString()).toBe('late!');
  });

  it('refuses a target off loopback', async () => {
    await expect(startLink({ target: { host: '10.0.0.1', port: 80 } })).rejects.toThrow(RangeError);
  });
});

describe('link pipe', () => {
  it('pauses its source above the in-flight bound and resumes it below half of it, keeping order', async () => {
    const got: number[] = [];
    const events: boolean[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    const p = new LinkPipe({
      latencyMs: 20,
      bitsPerSecond: 0,
      maxInFlight: 1000,
      deliver: (c) => {
        got.push(c[0]!);
        return true;
      },
      backpressure: (pause) => events.push(pause),
    });
    for (let i = 0; i < 10; i++) p.push(Buffer.alloc(300, i));
    expect(p.bytesInFlight).toBe(3000);
    p.end(done);
    await finished;
    expect(got).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(events).toEqual([true, false]);
    expect(p.delivered).toBe(3000);
  });

  it('holds delivery while the far end is full and goes on after drained()', async () => {
    const got: number[] = [];
    let full = true;
    const p = new LinkPipe({ latencyMs: 0, bitsPerSecond: 0, maxInFlight: 1e6, deliver: (c) => (got.push(c[0]!), !full), backpressure: () => {} });
    p.push(Buffer.from([1]));
    p.push(Buffer.from([2]));
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual([1]);
    full = false;
    p.drained();
    await new Promise((r) => setTimeout(r, 30));
    expect(got).toEqual([1, 2]);
  });
});
