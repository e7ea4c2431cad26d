/**
 * Simulated sensor: a sine per axis (different frequency and phase each) plus uniform noise from a
 * seeded generator, produced in real time (or `speed` times faster, for tests) so progress and
 * timing behave like a real sensor.
 */
import { SensorError } from '../errors.ts';
import type { Axis, RecordRequest, Recording, SensorSource } from './source.ts';
import { readingCount } from './source.ts';

export interface SimSourceOptions {
  name?: string;
  axes?: Axis[];
  frequencies?: number[];
  maxSampleLengthS?: number;
  /** Amplitude of the sines (default 10). */
  amplitude?: number;
  /** Peak noise (default 0.5). */
  noise?: number;
  seed?: number;
  /** 1 = real time (default); 10 = ten times faster than real time. */
  speed?: number;
}

const DEFAULT_AXES: Axis[] = [
  { name: 'accX', units: 'm/s2' },
  { name: 'accY', units: 'm/s2' },
  { name: 'accZ', units: 'm/s2' },
];

/** Small seeded PRNG (mulberry32): reproducible noise without a dependency; tests and the bench reuse it. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class SimSource implements SensorSource {
  readonly name: string;
  readonly frequencies: number[];
  readonly maxSampleLengthS: number;
  readonly axes: Axis[];
  private readonly amplitude: number;
  private readonly noise: number;
  private readonly speed: number;
  private readonly rand: () => number;
  private t0 = 0;

  constructor(o: SimSourceOptions = {}) {
    this.name = o.name ?? 'Accelerometer';
    this.axes = o.axes ?? DEFAULT_AXES;
    this.frequencies = o.frequencies ?? [62.5, 100];
    this.maxSampleLengthS = o.maxSampleLengthS ?? 60;
    this.amplitude = o.amplitude ?? 10;
    this.noise = o.noise ?? 0.5;
    this.speed = o.speed ?? 1;
    this.rand = mulberry32(o.seed ?? 1);
    if (!(this.speed > 0)) throw new RangeError('sim source: speed must be > 0');
  }

  async open(): Promise<void> {}

  /** A generator can produce any rate. */
  acceptInterval(intervalMs: number): number {
    return intervalMs;
  }

  async record(req: RecordRequest): Promise<Recording> {
    const n = readingCount(req.lengthMs, req.intervalMs);
    const values: number[][] = [];
    const start = Date.now();
    const tickMs = 50;
    while (values.length < n) {
      if (req.signal?.aborted) throw new SensorError('EI_SENSOR_ABORTED', 'recording aborted');
      // Catch up with (scaled) wall-clock time, then sleep a tick.
      const due = Math.min(n, Math.floor(((Date.now() - start) * this.speed) / req.intervalMs) + 1);
      while (values.length < due) values.push(this.reading(values.length, req.intervalMs));
      req.onProgress?.(values.length / n);
      if (values.length < n) await new Promise((r) => setTimeout(r, tickMs));
    }
    this.t0 += n;
    return { intervalMs: req.intervalMs, axes: this.axes.map((a) => ({ ...a })), values };
  }

  private reading(i: number, intervalMs: number): number[] {
    const t = ((this.t0 + i) * intervalMs) / 1000;
    return this.axes.map((_, k) => {
      const v = this.amplitude * Math.sin(2 * Math.PI * (1 + k) * t + k) + this.noise * (2 * this.rand() - 1);
      return Math.round(v * 1000) / 1000;
    });
  }

  async close(): Promise<void> {}
}
