/**
 * One line-protocol device, as a pure state machine: bytes with their arrival time in, events
 * out (frequency found, sample cut, garbage counted). The gateway does the I/O around it.
 *
 * Phases: (1) settle the row width (majority of the first readings, or the given sensors);
 * (2) measure the frequency from arrival times unless it was given (readings are kept, not
 * wasted); (3) cut fixed-length samples. A pause in the stream or a device reset drops the
 * partial sample (its timing would be wrong) and counts the rows dropped.
 */
import { detectFrequency, snapFrequency } from './frequency.ts';
import type { FrequencyEstimate } from './frequency.ts';
import { LineSplitter, parseNote, parseReading } from './line-parser.ts';
import type { SensorName } from './line-parser.ts';

export interface LineSessionOptions {
  /** Length of each sample in ms. */
  sampleMs: number;
  /** Skips detection and uses this frequency. */
  frequencyHz?: number;
  /** Column names; else taken from the device's `# sensors:` note, else value0…valueN. */
  sensors?: SensorName[];
  /** Shortest detection window in ms (default 2000) … */
  detectMs?: number;
  /** … and fewest readings (default 60: at low rates the window grows to 60 readings). */
  detectMin?: number;
  /** Snap the detected frequency to a round value within its uncertainty, 0.5–1% (default true). */
  snap?: boolean;
}

export type LineEvent =
  | { type: 'frequency'; hz: number; estimate: FrequencyEstimate | null; source: 'given' | 'detected' }
  | { type: 'sensors'; sensors: SensorName[]; source: 'given' | 'device' | 'default' }
  | { type: 'sample'; data: Float64Array; width: number; intervalMs: number; sensors: SensorName[] }
  | { type: 'partial-dropped'; rows: number; why: 'pause' | 'reset' }
  | { type: 'garbage'; line: string };

export interface LineCounts {
  lines: number;
  readings: number;
  garbage: number;
  samples: number;
  droppedRows: number;
}

const WIDTH_VOTES = 5;
const MAX_WIDTH = 64;
/** Detection keeps at most this many readings (oldest dropped) if the stream never settles. */
const MAX_DETECT_ROWS = 200_000;

export class LineSession {
  readonly counts: LineCounts = { lines: 0, readings: 0, garbage: 0, samples: 0, droppedRows: 0 };
  private readonly opts: LineSessionOptions;
  private readonly splitter = new LineSplitter();
  private width = 0;
  private votes: { row: number[]; t: number }[] = [];
  private sensors: SensorName[] | null;
  private intervalMs = 0;
  private rowsPerSample = 0;
  // Detection buffer.
  private dRows: number[][] = [];
  private dTimes: number[] = [];
  private dBreaks: number[] = [];
  private breakPending = false;
  // Cutter.
  private buf = new Float64Array(0);
  private filled = 0;
  private lastT = -Infinity;

  constructor(opts: LineSessionOptions) {
    if (!(opts.sampleMs > 0)) throw new RangeError('sampleMs must be positive');
    if (opts.frequencyHz !== undefined && !(opts.frequencyHz > 0)) throw new RangeError('frequencyHz must be positive');
    this.opts = opts;
    this.sensors = opts.sensors ?? null;
    if (this.sensors) this.width = this.sensors.length;
  }

  /** The frequency in use, or 0 while still detecting. */
  get frequencyHz(): number {
    return this.intervalMs ? 1000 / this.intervalMs : 0;
  }

  /** Initial events (given frequency / sensors), for the caller to report. */
  start(): LineEvent[] {
    const ev: LineEvent[] = [];
    if (this.opts.sensors) ev.push({ type: 'sensors', sensors: this.opts.sensors, source: 'given' });
    if (this.opts.frequencyHz) {
      this.setInterval(1000 / this.opts.frequencyHz);
      ev.push({ type: 'frequency', hz: this.opts.frequencyHz, estimate: null, source: 'given' });
    }
    return ev;
  }

  /** Feeds bytes that arrived at `tMs` (a monotonic clock, ms). */
  feed(chunk: Uint8Array, tMs: number): LineEvent[] {
    const ev: LineEvent[] = [];
    for (const line of this.splitter.push(chunk)) this.line(line, tMs, ev);
    return ev;
  }

  private line(line: string, t: number, ev: LineEvent[]): void {
    this.counts.lines++;
    const note = parseNote(line);
    if (note) {
      if (note.kind === 'sensors' && !this.opts.sensors && (this.width === 0 || note.sensors.length === this.width)) {
        this.sensors = note.sensors;
        this.width = note.sensors.length;
        ev.push({ type: 'sensors', sensors: note.sensors, source: 'device' });
      } else if (note.kind === 'reset') {
        this.dropPartial('reset', ev);
        this.breakPending = true;
      }
      return;
    }
    const row = parseReading(line);
    if (!row || row.length > MAX_WIDTH || (this.width !== 0 && row.length !== this.width)) {
      this.counts.garbage++;
      this.breakPending = true; // the garbage may have replaced a reading
      ev.push({ type: 'garbage', line: line.length > 80 ? line.slice(0, 80) + '…' : line });
      return;
    }
    if (this.width === 0) {
      this.votes.push({ row, t });
      if (this.votes.length < WIDTH_VOTES) return;
      const tally = new Map<number, number>();
      for (const v of this.votes) tally.set(v.row.length, (tally.get(v.row.length) ?? 0) + 1);
      this.width = [...tally.entries()].sort((a, b) => b[1] - a[1])[0][0];
      const votes = this.votes;
      this.votes = [];
      for (const v of votes) {
        if (v.row.length === this.width) this.reading(v.row, v.t, ev);
        else this.counts.garbage++;
      }
      return;
    }
    this.reading(row, t, ev);
  }

  private reading(row: number[], t: number, ev: LineEvent[]): void {
    this.counts.readings++;
    if (!this.intervalMs) {
      if (this.breakPending && this.dTimes.length > 0) this.dBreaks.push(this.dTimes.length);
      this.breakPending = false;
      this.dRows.push(row);
      this.dTimes.push(t);
      if (this.dRows.length > MAX_DETECT_ROWS) {
        this.dRows.shift();
        this.dTimes.shift();
        this.dBreaks = this.dBreaks.map((b) => b - 1).filter((b) => b > 0);
      }
      const span = t - this.dTimes[0];
      if (span >= (this.opts.detectMs ?? 2000) && this.dRows.length >= (this.opts.detectMin ?? 60)) {
        const est = detectFrequency(this.dTimes, this.dBreaks);
        if (!est) return;
        // Snap within the measurement's own 95% band (0.5%…1%): a round rate the data cannot
        // tell apart from the measured one is the device's real setting.
        const hz = this.opts.snap === false ? est.hz : snapFrequency(est.hz, Math.min(0.01, Math.max(0.005, est.uncertainty)));
        this.setInterval(1000 / hz);
        ev.push({ type: 'frequency', hz, estimate: est, source: 'detected' });
        const rows = this.dRows;
        this.dRows = [];
        this.dTimes = [];
        this.dBreaks = [];
        // Detection readings are real data: they start the first sample.
        for (const r of rows) this.cut(r, t, ev);
      }
      return;
    }
    this.breakPending = false;
    // A pause much longer than the interval (and than burst delivery) breaks the sample's timing.
    if (this.filled > 0 && t - this.lastT > Math.max(50 * this.intervalMs, 1000)) this.dropPartial('pause', ev);
    this.cut(row, t, ev);
  }

  private setInterval(ms: number): void {
    this.intervalMs = ms;
    this.rowsPerSample = Math.max(1, Math.round(this.opts.sampleMs / ms));
  }

  private cut(row: number[], t: number, ev: LineEvent[]): void {
    this.lastT = t;
    const w = this.width;
    if (this.buf.length !== this.rowsPerSample * w) {
      this.buf = new Float64Array(this.rowsPerSample * w);
      this.filled = 0;
    }
    this.buf.set(row, this.filled * w);
    if (++this.filled < this.rowsPerSample) return;
    if (!this.sensors) {
      this.sensors = Array.from({ length: w }, (_, i) => ({ name: w === 1 ? 'value' : `value${i}`, units: 'N/A' }));
      ev.push({ type: 'sensors', sensors: this.sensors, source: 'default' });
    }
    ev.push({ type: 'sample', data: this.buf, width: w, intervalMs: this.intervalMs, sensors: this.sensors });
    this.counts.samples++;
    this.buf = new Float64Array(this.rowsPerSample * w);
    this.filled = 0;
  }

  private dropPartial(why: 'pause' | 'reset', ev: LineEvent[]): void {
    if (this.filled > 0) {
      this.counts.droppedRows += this.filled;
      ev.push({ type: 'partial-dropped', rows: this.filled, why });
      this.filled = 0;
    }
  }
}
