// The whole-text CSV parser the service used before issue 12, kept verbatim as the oracle for
// the streaming reader (test/service-csv-stream.test.ts). Not imported by src/.
/**
 * CSV samples (FACTS §2): a header row, then numbers. When the first column is `timestamp` (ms)
 * the sample is a time series and the constant interval between rows gives the frequency.
 */
import { SampleFormatError } from '../src/service/errors.ts';
import type { Sensor } from '../src/service/document.ts';

export interface ParsedCsv {
  sensors: Sensor[];
  rows: number[][];
  /** 0 when there is no timestamp column (not a time series). */
  intervalMs: number;
  timeSeries: boolean;
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

/**
 * Parses a CSV sample.
 * @throws SampleFormatError naming the line and column at fault.
 */
export function parseCsv(bytes: Uint8Array, maxValues: number): ParsedCsv {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return bad('CSV is not valid UTF-8');
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1].trim() === '') lines.pop();
  if (lines.length < 2) bad('CSV needs a header row and at least one data row');
  const header = splitLine(lines[0], 1).map((h) => h.trim());
  if (header.some((h) => h.length === 0)) bad('empty column name in header', 'line 1');
  const timeSeries = header[0].toLowerCase() === 'timestamp';
  const sensorCols = timeSeries ? header.slice(1) : header;
  if (sensorCols.length === 0) bad('no value columns besides timestamp', 'line 1');
  if ((lines.length - 1) * header.length > maxValues) bad(`more than ${maxValues} values`);
  const rows: number[][] = [];
  const stamps: number[] = [];
  for (let l = 1; l < lines.length; l++) {
    const cells = splitLine(lines[l], l + 1);
    if (cells.length !== header.length) bad(`row has ${cells.length} columns, header has ${header.length}`, `line ${l + 1}`);
    const nums = cells.map((c, j) => {
      const t = c.trim();
      const n = t === '' ? NaN : Number(t);
      if (!Number.isFinite(n)) bad(`"${t.slice(0, 20)}" is not a number`, `line ${l + 1}, column ${header[j].slice(0, 40)}`);
      return n;
    });
    if (timeSeries) stamps.push(nums.shift() as number);
    rows.push(nums);
  }
  let intervalMs = 0;
  if (timeSeries) {
    if (stamps.length < 2) bad('a time series needs at least two rows to infer its frequency', 'line 3');
    intervalMs = (stamps[stamps.length - 1] - stamps[0]) / (stamps.length - 1);
    if (!(intervalMs > 0)) bad('timestamps must increase', 'column timestamp');
    // Millisecond timestamps of e.g. 62.5 Hz data alternate 16/17: compare each step with the
    // median step, allowing 10% (at least 1 ms for steps of 5 ms and more).
    const diffs = stamps.slice(1).map((t, i) => t - stamps[i]);
    const ref = [...diffs].sort((a, b) => a - b)[Math.floor((diffs.length - 1) / 2)];
    const tol = Math.max(ref * 0.1, ref >= 5 ? 1 : 1e-6);
    diffs.forEach((d, i) => {
      if (!(d > 0) || Math.abs(d - ref) > tol) {
        bad(`step of ${d} ms differs from the typical ${ref} ms: timestamps must be evenly spaced`, `line ${i + 3}, column timestamp`);
      }
    });
  }
  return { sensors: sensorCols.map((name) => ({ name, units: 'N/A' })), rows, intervalMs, timeSeries };
}
