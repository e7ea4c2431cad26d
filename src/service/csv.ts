/**
 * CSV samples (FACTS §2): a header row, then numbers. When the first column is `timestamp` (ms)
 * the sample is a time series and the constant interval between rows gives the frequency.
 *
 * Read line by line through a ByteSource window (issue 12): a 100 MB CSV costs one window, one
 * line and the distinct timestamp steps, never an array per row. The rules and messages are those
 * of the whole-text parser this replaced (kept as the oracle in test/csv-stream.test.ts).
 */
import { SampleFormatError } from './errors.ts';
import type { Sensor } from './document.ts';
import { sourceOf, WINDOW_BYTES, type ByteSource } from './byte-source.ts';

export interface CsvFacts {
  sensors: Sensor[];
  rowCount: number;
  /** 0 when there is no timestamp column (not a time series). */
  intervalMs: number;
  timeSeries: boolean;
}

export interface ParsedCsv extends CsvFacts {
  rows: number[][];
}

function bad(message: string, path?: string): never {
  throw new SampleFormatError('EI_SVC_CSV', message, path);
}

/** Splits one CSV line, honouring RFC 4180 double quotes. */
function splitLine(line: string, lineNo: number): string[] {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let v = '';
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) bad('unterminated quoted field', `line ${lineNo}`);
        v += line.slice(i, q);
        if (line[q + 1] === '"') {
          v += '"';
          i = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      out.push(v);
      if (i >= line.length) return out;
      if (line[i] !== ',') bad('text after a quoted field', `line ${lineNo}`);
      i++;
    } else {
      const c = line.indexOf(',', i);
      if (c < 0) {
        out.push(line.slice(i));
        return out;
      }
      out.push(line.slice(i, c));
      i = c + 1;
    }
  }
}

/** The file's text, decoded a window at a time (fatal UTF-8, BOM dropped as the whole decode did). */
class TextChunks {
  private pos = 0;
  private readonly dec = new TextDecoder('utf-8', { fatal: true });
  private started = false;
  private done = false;

  constructor(
    private readonly src: ByteSource,
    private readonly chunkBytes: number,
  ) {}

  /** The next piece of text ('' possible), or null at the end. */
  next(): string | null {
    if (this.done) return null;
    let s: string;
    try {
      if (this.pos >= this.src.length) {
        this.done = true;
        s = this.dec.decode();
      } else {
        const n = Math.min(this.chunkBytes, this.src.length - this.pos);
        const { buf, at } = this.src.window(this.pos, n);
        const got = Math.min(n, buf.length - at);
        if (got <= 0) bad('CSV file is shorter than its size');
        this.pos += got;
        s = this.dec.decode(buf.subarray(at, at + got), { stream: true });
      }
    } catch (e) {
      if (e instanceof SampleFormatError) throw e;
      return bad('CSV is not valid UTF-8');
    }
    // The decoder drops one BOM; the old reader dropped one more.
    if (!this.started && s.length > 0) {
      this.started = true;
      if (s.charCodeAt(0) === 0xfeff) s = s.slice(1);
    }
    return s;
  }
}

/** Lines split at \n, a \r before it dropped (as split(/\r?\n/)). */
class Lines {
  private readonly text: TextChunks;
  private pending = '';
  private off = 0;
  private ended = false;

  constructor(src: ByteSource, chunkBytes: number) {
    this.text = new TextChunks(src, chunkBytes);
  }

  next(): string | null {
    for (;;) {
      const nl = this.pending.indexOf('\n', this.off);
      if (nl >= 0) {
        const end = nl > this.off && this.pending.charCodeAt(nl - 1) === 13 ? nl - 1 : nl;
        const line = this.pending.slice(this.off, end);
        this.off = nl + 1;
        return line;
      }
      if (this.ended) return null;
      const s = this.text.next();
      if (s === null) {
        this.ended = true;
        const line = this.pending.slice(this.off);
        this.pending = '';
        this.off = 0;
        return line;
      }
      this.pending = this.pending.slice(this.off) + s;
      this.off = 0;
    }
  }
}

/**
 * First pass: validates UTF-8 before anything else (as the whole decode did) and finds how many
 * lines remain once trailing blank lines are dropped.
 */
function keptLineCount(src: ByteSource, chunkBytes: number): number {
  const text = new TextChunks(src, chunkBytes);
  let line = 0;
  let kept = 0;
  let blank = true;
  for (let s = text.next(); s !== null; s = text.next()) {
    let a = 0;
    for (let nl = s.indexOf('\n'); ; nl = s.indexOf('\n', a)) {
      const seg = nl < 0 ? s.slice(a) : s.slice(a, nl);
      if (blank && seg.trim() !== '') blank = false;
      if (nl < 0) break;
      if (!blank) kept = line + 1;
      line++;
      blank = true;
      a = nl + 1;
    }
  }
  if (!blank) kept = line + 1;
  return kept;
}

/** Distinct timestamp steps with their counts (a typed array once they are too many to count). */
class Steps {
  private counts: Map<number, number> | null = new Map();
  private all: Float64Array | null = null;
  private n = 0;
  static readonly MAX_DISTINCT = 1 << 16;

  constructor(private readonly capacity: number) {}

  add(d: number): void {
    if (this.counts) {
      this.counts.set(d, (this.counts.get(d) ?? 0) + 1);
      this.n++;
      if (this.counts.size > Steps.MAX_DISTINCT) {
        this.all = new Float64Array(this.capacity);
        let i = 0;
        for (const [v, c] of this.counts) for (let k = 0; k < c; k++) this.all[i++] = v;
        this.counts = null;
      }
    } else this.all![this.n++] = d;
  }

  /** The element at sorted index floor((n - 1) / 2), as sorting every step gave. */
  median(): number {
    const at = Math.floor((this.n - 1) / 2);
    if (this.all) return this.all.subarray(0, this.n).sort()[at];
    const keys = [...this.counts!.keys()].sort((a, b) => a - b);
    let seen = 0;
    for (const k of keys) {
      seen += this.counts!.get(k)!;
      if (seen > at) return k;
    }
    return keys[keys.length - 1];
  }

  some(f: (d: number) => boolean): boolean {
    if (this.all) return this.all.subarray(0, this.n).some(f);
    for (const k of this.counts!.keys()) if (f(k)) return true;
    return false;
  }
}

/**
 * A CSV sample's rows, pulled one at a time through the source.
 * @throws SampleFormatError naming the line and column at fault.
 */
export class CsvRows {
  readonly header: string[];
  readonly sensors: Sensor[];
  readonly timeSeries: boolean;
  /** Timestamp of the row `next()` returned last (time series only). */
  stamp = NaN;
  private readonly src: ByteSource;
  private readonly lines: Lines;
  private readonly kept: number;
  private lineNo = 1;
  private rows = 0;
  private first = NaN;
  private prev = NaN;
  private readonly steps: Steps | null;

  constructor(
    input: Uint8Array | ByteSource,
    private readonly maxValues: number,
    private readonly chunkBytes = WINDOW_BYTES,
  ) {
    this.src = sourceOf(input);
    this.kept = keptLineCount(this.src, chunkBytes);
    if (this.kept < 2) bad('CSV needs a header row and at least one data row');
    this.lines = new Lines(this.src, chunkBytes);
    const header = splitLine(this.lines.next()!, 1).map((h) => h.trim());
    if (header.some((h) => h.length === 0)) bad('empty column name in header', 'line 1');
    this.header = header;
    this.timeSeries = header[0].toLowerCase() === 'timestamp';
    const sensorCols = this.timeSeries ? header.slice(1) : header;
    if (sensorCols.length === 0) bad('no value columns besides timestamp', 'line 1');
    if ((this.kept - 1) * header.length > maxValues) bad(`more than ${maxValues} values`);
    this.sensors = sensorCols.map((name) => ({ name, units: 'N/A' }));
    this.steps = this.timeSeries ? new Steps(Math.max(0, this.kept - 2)) : null;
  }

  /** Data rows in the file (trailing blank lines dropped), known before they are read. */
  get rowCount(): number {
    return this.kept - 1;
  }

  /** True once every row has been returned. */
  get atEnd(): boolean {
    return this.lineNo >= this.kept;
  }

  /** The next row's values (timestamp column removed), or null after the last row. */
  next(): number[] | null {
    if (this.lineNo >= this.kept) return null;
    const line = this.lines.next()!;
    const l = ++this.lineNo;
    const header = this.header;
    const cells = splitLine(line, l);
    if (cells.length !== header.length) bad(`row has ${cells.length} columns, header has ${header.length}`, `line ${l}`);
    const nums = cells.map((c, j) => {
      const t = c.trim();
      const n = t === '' ? NaN : Number(t);
      if (!Number.isFinite(n)) bad(`"${t.slice(0, 20)}" is not a number`, `line ${l}, column ${header[j].slice(0, 40)}`);
      return n;
    });
    if (this.timeSeries) {
      const t = nums.shift() as number;
      if (this.rows === 0) this.first = t;
      else this.steps!.add(t - this.prev);
      this.prev = t;
      this.stamp = t;
    }
    this.rows++;
    return nums;
  }

  /** Reads any rows left, then checks the timestamps and gives the sample's facts. */
  finish(): CsvFacts {
    while (this.next());
    let intervalMs = 0;
    if (this.timeSeries) {
      if (this.rows < 2) bad('a time series needs at least two rows to infer its frequency', 'line 3');
      intervalMs = (this.prev - this.first) / (this.rows - 1);
      if (!(intervalMs > 0)) bad('timestamps must increase', 'column timestamp');
      // Millisecond timestamps of e.g. 62.5 Hz data alternate 16/17: compare each step with the
      // median step, allowing 10% (at least 1 ms for steps of 5 ms and more).
      const ref = this.steps!.median();
      const tol = Math.max(ref * 0.1, ref >= 5 ? 1 : 1e-6);
      const off = (d: number): boolean => !(d > 0) || Math.abs(d - ref) > tol;
      if (this.steps!.some(off)) {
        // Read again for the first line at fault (only on this error path).
        const again = new CsvRows(this.src, this.maxValues, this.chunkBytes);
        let prev = NaN;
        for (let i = -1; again.next(); i++) {
          const d = again.stamp - prev;
          if (i >= 0 && off(d)) bad(`step of ${d} ms differs from the typical ${ref} ms: timestamps must be evenly spaced`, `line ${i + 3}, column timestamp`);
          prev = again.stamp;
        }
      }
    }
    return { sensors: this.sensors, rowCount: this.rows, intervalMs, timeSeries: this.timeSeries };
  }
}

/** Checks a CSV sample without keeping its rows. */
export function checkCsv(input: Uint8Array | ByteSource, maxValues: number, chunkBytes = WINDOW_BYTES): CsvFacts {
  return new CsvRows(input, maxValues, chunkBytes).finish();
}

/**
 * Parses a small CSV sample with its rows (tests and small inputs; the service streams).
 * @throws SampleFormatError naming the line and column at fault.
 */
export function parseCsv(bytes: Uint8Array | ByteSource, maxValues: number, chunkBytes = WINDOW_BYTES): ParsedCsv {
  const r = new CsvRows(bytes, maxValues, chunkBytes);
  const rows: number[][] = [];
  for (let row = r.next(); row; row = r.next()) rows.push(row);
  return { ...r.finish(), rows };
}
