/**
 * A microcontroller on a serial port that streams readings in the data forwarder's line protocol
 * at its own fixed rate. The rate is given or detected from arrival times when the port opens;
 * Studio may only ask for that rate (the MCU cannot resample). Readings that arrive while no sample
 * is being recorded are discarded.
 */
import { serialPortClass } from '../../optional.ts';
import { SampleRejectedError, SensorError } from '../errors.ts';
import { ReadingCollector } from './collect.ts';
import { LineSplitter, parseReadingLine } from './lines.ts';
import type { Axis, RecordRequest, Recording, SensorSource } from './source.ts';
import { intervalsMatch, readingCount } from './source.ts';

/** The part of a serialport instance this source uses (tests may pass SerialPortMock). */
export interface SerialLike {
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  on(ev: 'data', cb: (d: Buffer) => void): unknown;
  on(ev: 'close' | 'error', cb: (e?: Error) => void): unknown;
  /** Used once, to ask the MCU for its sensor names (`sensors?`). */
  write?(data: string): unknown;
  readonly isOpen: boolean;
}

export interface SerialSourceOptions {
  path: string;
  baudRate?: number;
  name?: string;
  /** Axis names (units default to `N/A`); default `axis1..axisN` from the first reading's width. */
  axes?: Axis[];
  /** The MCU's rate; detected when absent. */
  frequencyHz?: number;
  maxSampleLengthS?: number;
  /** How long to listen when detecting the rate (default 2 s). */
  detectMs?: number;
  /** Arrival clock in ms for rate detection (default performance.now); tests pass a synthetic one. */
  clock?: () => number;
  portFactory?: (path: string, baudRate: number) => SerialLike;
}

export class SerialSource implements SensorSource {
  readonly name: string;
  readonly maxSampleLengthS: number;
  private frequency: number | undefined;
  private axes: Axis[] | undefined;
  private port: SerialLike | undefined;
  private collector: ReadingCollector | undefined;
  private lineTap: ((line: string) => void) | undefined;
  private opening: Promise<void> | undefined;
  private closedByPeer = false;
  /** Lines skipped while recording (garbage, wrong width). */
  skipped = 0;

  constructor(private readonly o: SerialSourceOptions) {
    this.name = o.name ?? 'Sensor';
    this.maxSampleLengthS = o.maxSampleLengthS ?? 60;
    this.frequency = o.frequencyHz;
    this.axes = o.axes;
  }

  get frequencies(): number[] {
    return this.frequency === undefined ? [] : [this.frequency];
  }

  open(): Promise<void> {
    if (this.port?.isOpen) return Promise.resolve();
    this.opening ??= this.doOpen().finally(() => (this.opening = undefined));
    return this.opening;
  }

  private async doOpen(): Promise<void> {
    const baud = this.o.baudRate ?? 115200;
    const port = this.o.portFactory
      ? this.o.portFactory(this.o.path, baud)
      : (new (serialPortClass())({ path: this.o.path, baudRate: baud, autoOpen: false }) as unknown as SerialLike);
    const splitter = new LineSplitter((line) => this.onLine(line));
    port.on('data', (d) => splitter.push(d));
    port.on('close', () => {
      this.closedByPeer = true;
      this.collector?.abort('EI_SENSOR_CLOSED', `serial port ${this.o.path} closed`);
    });
    port.on('error', () => {});
    await new Promise<void>((res, rej) =>
      port.open((err) =>
        err ? rej(new SensorError('EI_SENSOR_OPEN', `cannot open serial port ${this.o.path}: ${err.message}`, { cause: err })) : res(),
      ),
    );
    this.port = port;
    this.closedByPeer = false;
    if (this.frequency === undefined || this.axes === undefined) await this.detect();
  }

  /**
   * Listens for a while: the width is the most common reading width (garbage such as a stray
   * `1.0,2.0` must not decide it), the rate comes from the arrival times of readings of that
   * width. Also asks `sensors?`: an MCU that answers `# sensors: accX[m/s2], …` names its axes.
   */
  private async detect(): Promise<void> {
    const clock = this.o.clock ?? (() => performance.now());
    const seen: { t: number; w: number }[] = [];
    let named: Axis[] | undefined;
    this.lineTap = (line) => {
      const m = /^#\s*sensors:\s*(.+)$/.exec(line.trim());
      if (m) {
        named = m[1]!.split(',').map((s) => {
          const [, name, units] = /^\s*([^[\]]+?)\s*(?:\[([^\]]*)\])?\s*$/.exec(s) ?? [undefined, s.trim(), undefined];
          return { name: name ?? s.trim(), units: units && units.length > 0 ? units : 'N/A' };
        });
        return;
      }
      const row = parseReadingLine(line);
      if (row !== null) seen.push({ t: clock(), w: row.length });
    };
    const detectStart = clock();
    if (this.axes === undefined) this.port?.write?.('sensors?\r\n');
    await new Promise((r) => setTimeout(r, this.o.detectMs ?? 2000));
    this.lineTap = undefined;
    const counts = new Map<number, number>();
    for (const s of seen) counts.set(s.w, (counts.get(s.w) ?? 0) + 1);
    const width = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    // Skip the first part of the window: bytes queued in the port before we listened arrive
    // there all at once and would inflate the rate.
    const warmup = detectStart + Math.min(300, (this.o.detectMs ?? 2000) / 4);
    const times = seen.filter((s) => s.w === width && s.t >= warmup).map((s) => s.t);
    if (times.length < 3 || width === undefined) {
      throw new SensorError('EI_SENSOR_DETECT', `no readings from ${this.o.path} to detect the rate; pass the frequency`);
    }
    if (this.axes === undefined) {
      this.axes =
        named && named.length === width
          ? named
          : Array.from({ length: width }, (_, i) => ({ name: `axis${i + 1}`, units: 'N/A' }));
    }
    if (this.frequency === undefined) {
      // Whole-window average from the first chunk's arrival: robust to the bursty delivery of
      // ptys and USB serial. The first chunk itself is not counted, since it may hold readings
      // made before t0 (a backlog, or a burst after a stall).
      const t0 = times[0]!;
      const after = times.filter((t) => t - t0 > 1);
      if (after.length < 2) throw new SensorError('EI_SENSOR_DETECT', `too few readings from ${this.o.path} to detect the rate; pass the frequency`);
      const hz = (after.length * 1000) / (after[after.length - 1]! - t0);
      this.frequency = Number(hz.toPrecision(3));
    }
  }

  private onLine(line: string): void {
    this.lineTap?.(line);
    if (this.collector?.line(line)) this.collector = undefined;
  }

  acceptInterval(intervalMs: number): number {
    if (this.frequency === undefined) throw new SampleRejectedError('sensor rate not known yet');
    const own = 1000 / this.frequency;
    if (!intervalsMatch(own, intervalMs)) {
      throw new SampleRejectedError(`sensor ${this.name} runs at ${this.frequency} Hz only (interval ${own.toFixed(3)} ms)`);
    }
    return own;
  }

  async record(req: RecordRequest): Promise<Recording> {
    if (!this.port?.isOpen || this.closedByPeer) await this.open();
    if (this.collector) throw new SensorError('EI_SENSOR_BUSY', 'already recording');
    const n = readingCount(req.lengthMs, req.intervalMs);
    const c = new ReadingCollector(n, this.axes?.length, req.onProgress);
    this.collector = c;
    // A stalled MCU must not hang the sample: allow twice the length plus slack.
    const timer = setTimeout(() => c.abort('EI_SENSOR_TIMEOUT', `serial port ${this.o.path} stalled`), req.lengthMs * 2 + 3000);
    const onAbort = () => c.abort('EI_SENSOR_ABORTED', 'recording aborted');
    req.signal?.addEventListener('abort', onAbort);
    try {
      const values = await c.result;
      return { intervalMs: req.intervalMs, axes: (this.axes ?? []).map((a) => ({ ...a })), values };
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      this.skipped += c.skipped;
      if (this.collector === c) this.collector = undefined;
    }
  }

  async close(): Promise<void> {
    const p = this.port;
    this.port = undefined;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
  }
}
