/**
 * Collects a fixed number of readings of a fixed width from a line stream; shared by the serial
 * and command sources. Lines that are not readings, or have the wrong number of values (an MCU
 * reset mid-line, a banner), are counted and skipped rather than ending the sample.
 */
import { SensorError } from '../errors.ts';
import { parseReadingLine } from './lines.ts';

export class ReadingCollector {
  readonly values: number[][] = [];
  skipped = 0;
  private lastProgress = 0;
  private done!: (v: number[][]) => void;
  private fail!: (e: Error) => void;
  readonly result: Promise<number[][]>;

  constructor(
    private readonly count: number,
    private width: number | undefined,
    private readonly onProgress?: (fraction: number) => void,
  ) {
    this.result = new Promise((res, rej) => {
      this.done = res;
      this.fail = rej;
    });
    // Callers may fail the collector before anyone awaits it.
    this.result.catch(() => {});
  }

  /** Feeds one line; returns true once enough readings were collected. */
  line(line: string): boolean {
    if (this.values.length >= this.count) return true;
    const row = parseReadingLine(line);
    if (row === null || (this.width !== undefined && row.length !== this.width)) {
      this.skipped++;
      return false;
    }
    this.width ??= row.length;
    this.values.push(row);
    const frac = this.values.length / this.count;
    if (frac - this.lastProgress >= 0.05 || frac === 1) {
      this.lastProgress = frac;
      this.onProgress?.(frac);
    }
    if (this.values.length === this.count) {
      this.done(this.values);
      return true;
    }
    return false;
  }

  /** Ends the collection with an error (source closed, timeout, abort). */
  abort(code: string, why: string): void {
    this.fail(new SensorError(code, `${why} after ${this.values.length} of ${this.count} readings`));
  }
}
