/**
 * The serial sensor source on a real pseudo-terminal pair (socat): rate detection, garbage lines,
 * interval checks, a stalled MCU. The writer here is a minimal line-protocol MCU; the
 * firmware-sim MCUs drive the same source in device-e2e-mcu.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { SerialPort } from 'serialport';
import { openPtyPair, type PtyPair } from '../firmware-sim/modem/pty-pair.ts';
import { SerialSource } from '../src/device/sensors/serial.ts';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/** Writes `hz` readings a second in 20 ms batches; every `garbageEvery`-th line is junk. */
async function miniMcu(path: string, hz: number, garbageEvery = 0): Promise<{ stop(): void; written: () => number }> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((r, j) => port.open((e) => (e ? j(e) : r())));
  let n = 0;
  let lines = 0;
  const t0 = performance.now();
  const timer = setInterval(() => {
    const due = Math.floor(((performance.now() - t0) * hz) / 1000);
    let out = '';
    while (n < due) {
      lines++;
      if (garbageEvery && lines % garbageEvery === 0) out += '#garbage\xff,,\r\n';
      else out += `${n},${(n * 0.5).toFixed(1)},${-n}\r\n`, n++;
    }
    if (out) port.write(out);
  }, 20);
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    clearInterval(timer);
    port.close();
  };
  cleanups.push(stop);
  return { stop, written: () => n };
}

async function pty(): Promise<PtyPair> {
  const p = await openPtyPair();
  cleanups.push(() => p.close());
  return p;
}

describe('serial sensor source (pty)', () => {
  it('detects the MCU rate and axis count, records exactly the readings asked for, skipping garbage', async () => {
    const p = await pty();
    const src = new SerialSource({ path: p.hostPath, detectMs: 1000 });
    cleanups.push(() => src.close());
    const opening = src.open();
    await new Promise((r) => setTimeout(r, 100)); // the reader must be open before bytes flow
    await miniMcu(p.simPath, 100, 7);
    await opening;
    expect(src.frequencies).toHaveLength(1);
    expect(src.frequencies[0]).toBeGreaterThan(92);
    expect(src.frequencies[0]).toBeLessThan(108);
    const interval = src.acceptInterval(1000 / src.frequencies[0]!);
    const progress: number[] = [];
    const rec = await src.record({ intervalMs: interval, lengthMs: 500, onProgress: (f) => progress.push(f) });
    expect(rec.values.length).toBe(Math.round(500 / interval));
    expect(rec.axes.map((a) => a.name)).toEqual(['axis1', 'axis2', 'axis3']);
    // Consecutive readings from the MCU: nothing lost or duplicated, garbage skipped.
    for (let i = 1; i < rec.values.length; i++) expect(rec.values[i]![0]).toBe(rec.values[i - 1]![0]! + 1);
    expect(rec.values.every((r) => r[1] === r[0]! * 0.5 && r[2] === -r[0]!)).toBe(true);
    expect(src.skipped).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(1);
  });

  it('rate detection ignores a backlog delivered in the first chunk (fake port, bursty delivery)', async () => {
    const { EventEmitter } = await import('node:events');
    const timers: NodeJS.Timeout[] = [];
    cleanups.push(() => timers.forEach(clearInterval));
    const factory = () => {
      const ev = new EventEmitter();
      let n = 0;
      const lines = (k: number) => Array.from({ length: k }, () => `${n++},1,2\n`).join('');
      const port = {
        isOpen: false,
        open(cb: (e: Error | null) => void) {
          port.isOpen = true;
          cb(null);
          // 60 readings queued before we listened, all in the first chunk; then 100 Hz in 50 ms bursts.
          setTimeout(() => ev.emit('data', Buffer.from(lines(60))), 5);
          timers.push(setInterval(() => ev.emit('data', Buffer.from(lines(5))), 50));
        },
        close(cb?: (e: Error | null) => void) {
          port.isOpen = false;
          cb?.(null);
        },
        on(name: string, cb: (...a: any[]) => void) {
          ev.on(name, cb);
          return port;
        },
        write() {},
      };
      return port;
    };
    const src = new SerialSource({ path: 'fake', detectMs: 800, portFactory: factory as never });
    await src.open();
    expect(src.frequencies[0]).toBeGreaterThan(85);
    expect(src.frequencies[0]).toBeLessThan(115);
    await src.close();
  });

  it('refuses an interval the MCU does not run at', async () => {
    const src = new SerialSource({ path: '/nonexistent', frequencyHz: 100, axes: [{ name: 'x', units: 'g' }] });
    expect(src.acceptInterval(10.1)).toBe(10);
    expect(() => src.acceptInterval(20)).toThrow(expect.objectContaining({ code: 'EI_DEVICE_SAMPLE_REJECTED' }));
    await expect(src.open()).rejects.toMatchObject({ code: 'EI_SENSOR_OPEN' });
  });

  it('a stalled MCU fails the recording with a timeout, not a hang', async () => {
    const p = await pty();
    const src = new SerialSource({ path: p.hostPath, frequencyHz: 100, axes: ['a', 'b', 'c'].map((name) => ({ name, units: 'N/A' })) });
    cleanups.push(() => src.close());
    await src.open();
    const mcu = await miniMcu(p.simPath, 100);
    setTimeout(() => mcu.stop(), 150);
    const t0 = Date.now();
    await expect(src.record({ intervalMs: 10, lengthMs: 300 })).rejects.toMatchObject({
      code: 'EI_SENSOR_TIMEOUT',
      message: expect.stringMatching(/stalled after \d+ of 30 readings/),
    });
    expect(Date.now() - t0).toBeLessThan(5000);
  });
});
