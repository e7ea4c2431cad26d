// The modem simulator's `latencyMs` option: a one-way network latency with sends pipelined
// (a delay line), unlike the `networkLatencyMs` fault that delays each send in turn. Bytes are
// counted; times are only lower bounds the simulator guarantees, and a generous upper bound that
// delaying every send in turn could not meet.
import { afterEach, describe, expect, it } from 'vitest';
import { startPeer } from '../firmware-sim/modem/loopback-peer.ts';
import { startModemSim } from '../firmware-sim/modem/index.ts';
import { openSimHost } from './modem-sim-host.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('modem simulator network latency', () => {
  it('connect takes a round trip, a send arrives one way later, an answer one more', async () => {
    const peer = await startPeer((sock, all) => {
      if (all.length === 4) sock.write('pong');
    });
    cleanups.push(() => peer.close());
    const { host, eol } = await openSimHost(cleanups, { dialect: 'new', firstHandle: 1, latencyMs: 200 });
    await host.command('AT+CFUN=1', eol);
    await new Promise((r) => setTimeout(r, 100));
    await host.command('AT#XSOCKET=1,1,0', eol);
    let t = performance.now();
    expect(await host.command(`AT#XCONNECT=1,"127.0.0.1",${peer.port}`, eol)).toBe('\r\n#XCONNECT: 1,1\r\n\r\nOK\r\n');
    expect(performance.now() - t).toBeGreaterThanOrEqual(399);
    t = performance.now();
    expect(await host.command('AT#XSEND=1,2,0,4', eol)).toBe('\r\nOK\r\n');
    await host.write(Buffer.from('ping'));
    await host.until('\r\n#XDATAMODE: 0\r\n', 5000);
    expect(await peer.waitForBytes(0, 4, 5000)).toEqual(Buffer.from('ping'));
    const answer = await host.command('AT#XRECV=1,0,0,5', eol);
    expect(answer).toContain('pong');
    expect(performance.now() - t).toBeGreaterThanOrEqual(399);
  });

  it('sends pipeline: 20 data-mode sessions over a 250 ms path finish far sooner than 20 one-way trips', async () => {
    const peer = await startPeer();
    cleanups.push(() => peer.close());
    const { host, eol, sim } = await openSimHost(cleanups, { dialect: 'new', firstHandle: 1, latencyMs: 250, baud: 921600 });
    await host.command('AT+CFUN=1', eol);
    await new Promise((r) => setTimeout(r, 100));
    await host.command('AT#XSOCKET=1,1,0', eol);
    await host.command(`AT#XCONNECT=1,"127.0.0.1",${peer.port}`, eol);
    const t = performance.now();
    for (let i = 0; i < 20; i++) {
      expect(await host.command('AT#XSEND=1,2,0,100', eol)).toBe('\r\nOK\r\n');
      await host.write(Buffer.alloc(100, 0x41 + i));
      await host.until('\r\n#XDATAMODE: 0\r\n', 5000);
    }
    const got = await peer.waitForBytes(0, 2000, 10_000);
    expect(got.length).toBe(2000);
    for (let i = 0; i < 20; i++) expect(got[i * 100]).toBe(0x41 + i); // in order
    // Each send waiting its one-way trip in turn would take ≥ 20 × 250 ms = 5 s.
    expect(performance.now() - t).toBeLessThan(4500);
    expect(sim.stats().bytesToNetwork).toBe(2000);
  });

  it('refuses a negative latency', async () => {
    await expect(startModemSim({ dialect: 'new', latencyMs: -1 })).rejects.toThrow(RangeError);
  });
});
