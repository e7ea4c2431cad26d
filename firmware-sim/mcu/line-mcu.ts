/**
 * A simulated sensor MCU speaking the data forwarder's line protocol on a pty: readings at a
 * configurable rate with noise, bursts of garbage lines, and resets (banner, pause, restart).
 * It answers the gateway's `sensors?` with a `# sensors:` note.
 */
import { SerialPort } from 'serialport';

export interface LineMcuOptions {
  /** The pty end the MCU owns. */
  path: string;
  rateHz: number;
  /** Column names with units; default a counter and three accelerometer axes. */
  sensors?: string[];
  /** Noise amplitude on the signal columns (default 0.05). */
  noise?: number;
  /** Probability per line of starting a garbage burst (default 0). */
  garbageRate?: number;
  /** Lines per garbage burst (default 3). */
  garbageBurst?: number;
  /** Reset every N ms (0 = never): prints '# boot', goes silent for `resetPauseMs`. */
  resetEveryMs?: number;
  resetPauseMs?: number;
  /** Column separator (default ','). */
  separator?: string;
  /** Seed for the noise (default 1). */
  seed?: number;
}

export interface LineMcu {
  readonly stats: { lines: number; readings: number; garbage: number; resets: number; queries: number };
  close(): Promise<void>;
}

const GARBAGE = ['Hello world!', 'ERR: i2c timeout', '1.0,2.0', '\u00ff\u00fe\u0001garbage', 'x,y,z,w', '12.5,,3', 'nan,nan,nan,nan'];

export async function startLineMcu(o: LineMcuOptions): Promise<LineMcu> {
  const sensors = o.sensors ?? ['n', 'accX[m/s2]', 'accY[m/s2]', 'accZ[m/s2]'];
  const port = new SerialPort({ path: o.path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  port.on('error', () => undefined);
  const stats = { lines: 0, readings: 0, garbage: 0, resets: 0, queries: 0 };
  let seed = (o.seed ?? 1) >>> 0;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  let inbuf = '';
  port.on('data', (d: Buffer) => {
    inbuf += d.toString('latin1');
    if (inbuf.includes('sensors?')) {
      stats.queries++;
      inbuf = '';
      port.write(`# sensors: ${sensors.join(', ')}\r\n`);
    }
    if (inbuf.length > 1000) inbuf = '';
  });
  const sep = o.separator ?? ',';
  const noise = o.noise ?? 0.05;
  let n = 0;
  let emitted = 0;
  let start = performance.now();
  let pausedUntil = 0;
  let nextReset = o.resetEveryMs ? start + o.resetEveryMs : Infinity;
  port.write('# boot\r\n');
  const tick = () => {
    const now = performance.now();
    if (now >= nextReset) {
      stats.resets++;
      nextReset = now + (o.resetEveryMs ?? 0);
      pausedUntil = now + (o.resetPauseMs ?? 200);
      port.write('# boot\r\n');
    }
    if (now < pausedUntil) {
      start = pausedUntil;
      emitted = 0;
      return;
    }
    const due = Math.floor(((now - start) * o.rateHz) / 1000) - emitted;
    if (due <= 0) return;
    let out = '';
    for (let i = 0; i < due; i++) {
      if (o.garbageRate && rand() < o.garbageRate) {
        for (let g = 0; g < (o.garbageBurst ?? 3); g++) {
          out += GARBAGE[(rand() * GARBAGE.length) | 0] + '\r\n';
          stats.garbage++;
          stats.lines++;
        }
      }
      const phase = (2 * Math.PI * n) / 50;
      const vals = [String(n)];
      for (let c = 1; c < sensors.length; c++) vals.push((Math.sin(phase + c) + (rand() - 0.5) * 2 * noise).toFixed(4));
      out += vals.join(sep) + '\r\n';
      n++;
      stats.readings++;
      stats.lines++;
    }
    emitted += due;
    port.write(out);
  };
  const timer = setInterval(tick, 5);
  return {
    stats,
    close: async () => {
      clearInterval(timer);
      await new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r()));
    },
  };
}
