// The simulated UART paces bytes at baud/10 per second in both directions (a pty alone moves them
// at memory speed), and counts bytes on the wire. Pacing is a functional property here: bounds are
// loose on purpose (2-core CI machine).
import { afterEach, describe, expect, it } from 'vitest';
import { startModemSim, type ModemSim } from '../firmware-sim/modem/index.ts';
import { RawHost } from '../firmware-sim/modem/raw-host.ts';
import { startPeer } from '../firmware-sim/modem/loopback-peer.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function connected(baud: number, onConn?: Parameters<typeof startPeer>[1]) {
  const peer = await startPeer(undefined, onConn);
  cleanups.push(() => peer.close());
  const sim: ModemSim = await startModemSim({ dialect: 'new', baud, registrationDelayMs: 10, firstHandle: 1 });
  cleanups.push(() => sim.close());
  const host = await RawHost.open(sim.devicePath, baud);
  cleanups.push(() => host.close());
  expect(await host.command('AT', '\r')).toMatch(/\r\nOK\r\n$/);
  await host.command('AT+CEREG=1', '\r');
  await host.command('AT+CFUN=1', '\r');
  await host.until('\r\n+CEREG: 1\r\n', 3000);
  await host.command('AT#XSOCKET=1,1,0', '\r');
  expect(await host.command(`AT#XCONNECT=1,"127.0.0.1",${peer.port}`, '\r')).toBe('\r\n#XCONNECT: 1,1\r\n\r\nOK\r\n');
  return { peer, sim, host };
}

describe('serial line pacing', () => {
  it('host → modem: 11.5 KB at 115200 baud takes about one second and is counted', async () => {
    const { peer, sim, host } = await connected(115200);
    const n = 11_520; // 1 s of line time at 11 520 bytes/s
    const body = Buffer.alloc(n);
    for (let i = 0; i < n; i++) body[i] = i & 0xff;
    const cmd = `AT#XSEND=1,2,0,${n}\r`;
    expect(await host.command(cmd.slice(0, -1), '\r')).toBe('\r\nOK\r\n');
    const before = sim.stats();
    const t0 = performance.now();
    await host.write(body);
    await host.until('\r\n#XDATAMODE: 0\r\n', 10_000);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(800);
    expect(ms).toBeLessThan(5000);
    const after = sim.stats();
    expect(after.bytesFromHost - before.bytesFromHost).toBe(n);
    expect(after.bytesToHost - before.bytesToHost).toBe('\r\n#XDATAMODE: 0\r\n'.length);
    expect(await peer.waitForBytes(0, n)).toEqual(body);
  });

  it('modem → host: 6 × 2048-byte #XRECV at 115200 baud take over a second', async () => {
    const blob = Buffer.alloc(6 * 2048, 0x5a);
    const { sim, host } = await connected(115200, (sock) => sock.write(blob));
    await new Promise((r) => setTimeout(r, 100));
    const before = sim.stats().bytesToHost;
    const t0 = performance.now();
    let total = 0;
    for (let i = 0; i < 6; i++) {
      await host.write('AT#XRECV=1,0,0,5\r');
      await host.until('#XRECV: 1,0,2048\r\n');
      total += (await host.take(2048)).length;
      await host.take(6);
    }
    const ms = performance.now() - t0;
    expect(total).toBe(blob.length);
    // 12 288 payload bytes + headers at 11 520 bytes/s ≈ 1.07 s.
    expect(ms).toBeGreaterThanOrEqual(900);
    expect(ms).toBeLessThan(6000);
    const wire = sim.stats().bytesToHost - before;
    expect(wire).toBe(6 * (2048 + '\r\n#XRECV: 1,0,2048\r\n'.length + '\r\nOK\r\n'.length));
  });

  it('a faster line is faster: 46 KB at 921600 baud stays near the line rate', async () => {
    const { peer, host } = await connected(921600);
    const n = 46_080; // 0.5 s of line time at 92 160 bytes/s
    await host.command(`AT#XSEND=1,2,0,${n}`, '\r');
    const t0 = performance.now();
    await host.write(Buffer.alloc(n, 0x41));
    await host.until('\r\n#XDATAMODE: 0\r\n', 10_000);
    const ms = performance.now() - t0;
    expect(ms).toBeGreaterThanOrEqual(400);
    expect(ms).toBeLessThan(4000);
    expect((await peer.waitForBytes(0, n)).length).toBe(n);
  });
});
