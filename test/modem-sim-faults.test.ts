// Fault injection of the modem simulator: connect ERROR, reboot banner, peer reset mid-send,
// no registration, overrun without flow control, slow network; each observed over the real pty.
import { afterEach, describe, expect, it } from 'vitest';
import type { ModemSimOptions } from '../firmware-sim/modem/index.ts';
import type { RawHost } from '../firmware-sim/modem/raw-host.ts';
import { openSimHost } from './modem-sim-host.ts';
import { startPeer } from '../firmware-sim/modem/loopback-peer.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const setup = (opts: Partial<ModemSimOptions> & { dialect: 'new' | 'old' }) => openSimHost(cleanups, { firstHandle: 1, ...opts });

async function register(host: RawHost, eol: string): Promise<void> {
  expect(await host.command('AT+CEREG=1', eol)).toBe('\r\nOK\r\n');
  expect(await host.command('AT+CFUN=1', eol)).toBe('\r\nOK\r\n');
  await host.until('\r\n+CEREG: 1\r\n', 3000);
}

describe('modem faults', () => {
  it('connectError: the next N #XCONNECT answer ERROR, then connecting works', async () => {
    const peer = await startPeer();
    cleanups.push(() => peer.close());
    const { sim, host, eol } = await setup({ dialect: 'new', faults: { connectError: 2 } });
    await register(host, eol);
    await host.command('AT#XSOCKET=1,1,0', eol);
    const connect = `AT#XCONNECT=1,"127.0.0.1",${peer.port}`;
    expect(await host.command(connect, eol)).toBe('\r\nERROR\r\n');
    expect(await host.command(connect, eol)).toBe('\r\nERROR\r\n');
    expect(await host.command(connect, eol)).toBe('\r\n#XCONNECT: 1,1\r\n\r\nOK\r\n');
    expect(peer.received).toHaveLength(1);
    sim.inject({ connectError: 1 });
    await host.command('AT#XSOCKET=1,1,0', eol);
    expect(await host.command(`AT#XCONNECT=2,"127.0.0.1",${peer.port}`, eol)).toBe('\r\nERROR\r\n');
  });

  it('rebootAfterBytes: banner mid-session, sockets and registration gone', async () => {
    const peer = await startPeer();
    cleanups.push(() => peer.close());
    const { sim, host, eol } = await setup({ dialect: 'new' });
    await register(host, eol);
    await host.command('AT#XSOCKET=1,1,0', eol);
    await host.command(`AT#XCONNECT=1,"127.0.0.1",${peer.port}`, eol);
    await host.command('AT#XSEND=1,2,0', eol);
    sim.inject({ rebootAfterBytes: 100 });
    await host.write(Buffer.alloc(300, 0x61));
    expect((await host.until('\r\nReady\r\n')).toString('latin1')).toBe('\r\nReady\r\n');
    await sleep(100);
    // After the reboot: command mode, nothing registered, the socket is gone.
    expect(await host.command('AT', eol)).toMatch(/\r\nOK\r\n$/);
    expect(await host.command('AT+CFUN?', eol)).toBe('\r\n+CFUN: 0\r\n\r\nOK\r\n');
    expect(await host.command('AT#XCLOSE=1', eol)).toBe('\r\nERROR\r\n');
    expect(sim.stats().reboots).toBe(1);
    expect(sim.stats().openSockets).toBe(0);
    // The peer saw at most what was sent before the reboot, then the connection drop.
    expect(Buffer.concat(peer.received[0] ?? []).length).toBeLessThanOrEqual(100);
  });

  it('reboot() on demand prints the banner', async () => {
    const { sim, host, eol } = await setup({ dialect: 'old' });
    sim.reboot();
    expect((await host.until('Ready\r\n')).toString('latin1')).toBe('\r\nReady\r\n');
    expect(await host.command('AT#XSLMVER', eol)).toMatch(/^\r\n#XSLMVER: /);
  });

  it('resetMidSend: peer gets K bytes then a reset; host gets +++ and #XDATAMODE < 0', async () => {
    const peer = await startPeer();
    cleanups.push(() => peer.close());
    const { sim, host, eol } = await setup({ dialect: 'new', baud: 921600, faults: { resetMidSend: 1, resetAfterBytes: 1000 } });
    await register(host, eol);
    await host.command('AT#XSOCKET=1,1,0', eol);
    await host.command(`AT#XCONNECT=1,"127.0.0.1",${peer.port}`, eol);
    expect(await host.command('AT#XSEND=1,2,0,6000', eol)).toBe('\r\nOK\r\n');
    const body = Buffer.alloc(6000, 0x62);
    await host.write(body.subarray(0, 3000));
    expect((await host.until('+++', 3000)).toString('latin1')).toBe('+++');
    await host.write('+++'); // host acknowledges; the modem stops dropping
    const end = (await host.until(/* URC */ '\r\n', 3000)).toString('latin1') + (await host.until('\r\n')).toString('latin1');
    expect(end).toMatch(/^\r\n#XDATAMODE: -\d+\r\n$/);
    expect((await peer.waitForBytes(0, 1000)).length).toBe(1000);
    for (let i = 0; i < 100 && peer.errors.length === 0; i++) await sleep(10);
    expect(peer.errors).toContain('ECONNRESET');
    expect(await host.command('AT#XSEND=1,2,0,10', eol)).toBe('\r\nERROR\r\n');
    expect(await host.command('AT#XRECV=1,0,0,1', eol)).toBe('\r\nERROR\r\n');
    expect(sim.stats().bytesToNetwork).toBe(1000);
  });

  it('noRegistrationMs: stays at +CEREG: 2 and refuses connections until it registers', async () => {
    const peer = await startPeer();
    cleanups.push(() => peer.close());
    const { host, eol } = await setup({ dialect: 'old', faults: { noRegistrationMs: 700 } });
    expect(await host.command('AT+CEREG=1', eol)).toBe('\r\nOK\r\n');
    expect(await host.command('AT+CFUN=1', eol)).toBe('\r\nOK\r\n');
    await host.until('\r\n+CEREG: 2\r\n');
    const t0 = Date.now();
    expect(await host.command('AT+CEREG?', eol)).toBe('\r\n+CEREG: 1,2\r\n\r\nOK\r\n');
    await host.command('AT#XSOCKET=1,1,0', eol);
    expect(await host.command(`AT#XCONNECT="127.0.0.1",${peer.port}`, eol)).toBe('\r\nERROR\r\n');
    await host.until('\r\n+CEREG: 1\r\n', 3000);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(500);
    expect(await host.command(`AT#XCONNECT="127.0.0.1",${peer.port}`, eol)).toBe('\r\n#XCONNECT: 1\r\n\r\nOK\r\n');
  });

  it('slow network: with flow control nothing is lost; without it an overrun drops bytes', async () => {
    const run = async (drop: boolean) => {
      const peer = await startPeer();
      cleanups.push(() => peer.close());
      const { sim, host, eol } = await setup({ dialect: 'new', baud: 921600, faults: { networkLatencyMs: 150, dropBytesWithoutFlowControl: drop } });
      await register(host, eol);
      await host.command('AT#XSOCKET=1,1,0', eol);
      await host.command(`AT#XCONNECT=1,"127.0.0.1",${peer.port}`, eol);
      const n = 20_000;
      expect(await host.command(`AT#XSEND=1,2,0,${n}`, eol)).toBe('\r\nOK\r\n');
      const t0 = Date.now();
      await host.write(Buffer.alloc(n, 0x63));
      await host.until('\r\n#XDATAMODE: 0\r\n', 15000);
      await peer.waitForBytes(0, n, 1000); // returns early only when nothing was lost
      return { got: Buffer.concat(peer.received[0]).length, dropped: sim.stats().droppedFromHost, ms: Date.now() - t0 };
    };
    const held = await run(false);
    expect(held.got).toBe(20_000);
    expect(held.dropped).toBe(0);
    // 20 000 bytes in ≤4096-byte sends, each delayed 150 ms: at least 4 round trips.
    expect(held.ms).toBeGreaterThanOrEqual(600);
    const lossy = await run(true);
    expect(lossy.dropped).toBeGreaterThan(0);
    expect(lossy.got).toBe(20_000 - lossy.dropped);
  });
});
