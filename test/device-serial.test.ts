/**
 * The serial sensor source on a real pseudo-terminal pair (socat): rate detection, garbage lines,
 * interval checks, a stalled MCU. The writer here is a minimal line-protocol MCU; the
 * firmware-sim MCUs drive the same source in device-e2e-mcu.test.ts.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { SerialPort } from 'serialport';
import { openPtyPair, type PtyPair } from '../firmware-sim/modem/pty-pair.ts';
import { SerialSource } from '../src/device/sensors/serial.ts';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

/**
 * Writes `hz` readings a second in 20 ms batches; every `garbageEvery`-th line is junk. With
 * `limit` it stops (closes its end) after that many readings, however late the timer runs.
 */
async function miniMcu(path: string, hz: number, garbageEvery = 0, limit = Infinity): Promise<{ stop(): void; written: () => number }> {
  const port = new SerialPort({ path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((r, j) => port.open((e) => (e ? j(e) : r())));
  let n = 0;
  let lines = 0;
  const t0 = performance.now();
  const timer = setInterval(() => {
    const due = Math.min(limit, Math.floor(((performance.now() - t0) * hz) / 1000));
    let out = '';
    while (n < due) {
      lines++;
      if (garbageEvery && lines % garbageEvery === 0) out += '#garbage\xff,,\r\n';
      else out += `${n},${(n * 0.5).toFixed(1)},${-n}\r\n`, n++;
    }
    if (out) port.write(out);
    if (n >= limit) stop();
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

/**
 * A fake port on a synthetic clock: when the source asks `sensors?` (detection has started), it
 * delivers `chunks` — [arrival ms, readings in the chunk] — each stamped with its own arrival
 * time, so the rate the source computes depends on the arrival pattern only, not on the machine.
 */
function scriptedPort(chunks: [number, number][], clock: { now: number }) {
  const ev = new EventEmitter();
  let n = 0;
  const port = {
    isOpen: false,
    open(cb: (e: Error | null) => void) {
      port.isOpen = true;
      cb(null);
    },
    close(cb?: (e: Error | null) => void) {
      port.isOpen = false;
      cb?.(null);
    },
    on(name: string, cb: (...a: any[]) => void) {
      ev.on(name, cb);
      return port;
    },
    write() {
      for (const [t, k] of chunks) {
        clock.now = t;
        ev.emit('data', Buffer.from(Array.from({ length: k }, () => `${n++},1,2\n`).join('')));
      }
    },
  };
  return () => port;
}

async function pty(): Promise<PtyPair> {
  const p = await openPtyPair();
  cleanups.push(() => p.close());
  return p;
}

describe('serial sensor source (pty)', () => {
  it('detects a rate and the axis count on a real pty, records exactly the readings asked for at it, skipping garbage', async () => {
    const p = await pty();
    const src = new SerialSource({ path: p.hostPath, detectMs: 1000 });
    cleanups.push(() => src.close());
    const opening = src.open();
    await new Promise((r) => setTimeout(r, 100)); // the reader must be open before bytes flow
    await miniMcu(p.simPath, 100, 7);
    await opening;
    // The value measured from real arrival times depends on how loaded the machine is; its
    // accuracy is shown on synthetic arrival times below. Here: one rate, and it is the one used.
    expect(src.frequencies).toHaveLength(1);
    expect(Number.isFinite(src.frequencies[0]) && src.frequencies[0]! > 0).toBe(true);
    const interval = src.acceptInterval(1000 / src.frequencies[0]!);
    expect(interval).toBeCloseTo(1000 / src.frequencies[0]!, 9);
    const progress: number[] = [];
    const rec = await src.record({ intervalMs: interval, lengthMs: 500, onProgress: (f) => progress.push(f) });
    expect(rec.intervalMs).toBe(interval);
    expect(rec.values.length).toBe(Math.round(500 / interval));
    expect(rec.axes.map((a) => a.name)).toEqual(['axis1', 'axis2', 'axis3']);
    // Consecutive readings from the MCU: nothing lost or duplicated, garbage skipped.
    for (let i = 1; i < rec.values.length; i++) expect(rec.values[i]![0]).toBe(rec.values[i - 1]![0]! + 1);
    expect(rec.values.every((r) => r[1] === r[0]! * 0.5 && r[2] === -r[0]!)).toBe(true);
    expect(src.skipped).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(1);
  });

  it('rate detection ignores a backlog delivered in the first chunk (synthetic clock, bursty delivery)', async () => {
    const clock = { now: 0 };
    // 60 readings queued before we listened, all in the first chunk; then 100 Hz in 50 ms bursts.
    const chunks: [number, number][] = [[5, 60]];
    for (let t = 50; t <= 800; t += 50) chunks.push([t, 5]);
    const src = new SerialSource({ path: 'fake', detectMs: 800, clock: () => clock.now, portFactory: scriptedPort(chunks, clock) as never });
    await src.open();
    // Counting the backlog would give 160 Hz or more.
    expect(src.frequencies).toEqual([100]);
    expect(src.acceptInterval(10)).toBe(10);
    await src.close();
  });

  it('rate detection survives a loaded reader: jittered chunks and a 250 ms stall with a catch-up burst (synthetic clock)', async () => {
    const clock = { now: 0 };
    // A 100 Hz MCU (reading i made at 10·i ms); the reader wakes at irregular times, never early,
    // and gets every reading made by then.
    const wakes: number[] = [];
    let seed = 3;
    for (let t = 0; t < 1000; ) {
      seed = (seed * 1103515245 + 12345) >>> 0;
      t += 7 + (seed >>> 24) % 30; // 7..36 ms between reads
      if (t > 450 && t < 700) t = 700; // stalled: nothing read for 250 ms, then one catch-up chunk
      wakes.push(t);
    }
    const chunks: [number, number][] = [];
    let made = 0;
    for (const t of wakes) {
      const upTo = Math.floor(t / 10) + 1;
      chunks.push([t, upTo - made]);
      made = upTo;
    }
    const src = new SerialSource({ path: 'fake', detectMs: 800, clock: () => clock.now, portFactory: scriptedPort(chunks, clock) as never });
    await src.open();
    expect(src.frequencies[0]).toBeGreaterThanOrEqual(98);
    expect(src.frequencies[0]).toBeLessThanOrEqual(102);
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
    // The MCU goes silent after 15 of the 30 readings asked for, however late its timer runs; the
    // recording's own deadline (not the test's) ends it, and the test's timeout would catch a hang.
    await miniMcu(p.simPath, 100, 0, 15);
    await expect(src.record({ intervalMs: 10, lengthMs: 300 })).rejects.toMatchObject({
      code: 'EI_SENSOR_TIMEOUT',
      message: expect.stringMatching(/stalled after 15 of 30 readings/),
    });
  });
});
