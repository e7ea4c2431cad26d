/**
 * The data forwarder's line protocol (pure): one reading per line, values separated by comma,
 * tab or space; CR, LF or CRLF end a line. Lines starting with '#' are device notes, of which
 * `# sensors: accX[m/s2], accY, accZ` names the columns. Anything else that is not a row of
 * finite numbers is garbage: counted and skipped by the caller.
 */

/** Longest line accepted; a longer run is garbage up to the next line end (bounded memory). */
export const MAX_LINE = 4096;

/**
 * Splits a byte stream into lines. Bytes are taken as Latin-1/ASCII (the protocol is ASCII; a
 * non-ASCII line is garbage anyway, and this never throws on a torn UTF-8 sequence).
 */
export class LineSplitter {
  private part = '';
  private overlong = false;
  /** Lines dropped because they exceeded MAX_LINE. */
  overlongLines = 0;

  /** Feeds bytes; returns complete, non-empty lines (terminators removed). */
  push(chunk: Uint8Array): string[] {
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i < chunk.length; i++) {
      const b = chunk[i];
      if (b !== 10 && b !== 13) continue;
      this.take(chunk, start, i);
      if (this.overlong) this.overlongLines++;
      else if (this.part.length > 0) lines.push(this.part);
      this.part = '';
      this.overlong = false;
      start = i + 1;
    }
    this.take(chunk, start, chunk.length);
    return lines;
  }

  private take(chunk: Uint8Array, from: number, to: number): void {
    if (this.overlong || to <= from) return;
    if (this.part.length + (to - from) > MAX_LINE) {
      this.overlong = true;
      this.part = '';
      return;
    }
    this.part += Buffer.from(chunk.buffer, chunk.byteOffset + from, to - from).toString('latin1');
  }
}

const NUMBER = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;
const SEPARATORS = /[,\t ]+/;

/** Parses one reading: the row of numbers, or null if the line is not one. */
export function parseReading(line: string): number[] | null {
  const t = line.trim();
  if (t.length === 0) return null;
  const parts = t.split(SEPARATORS);
  const row = new Array<number>(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i];
    if (!NUMBER.test(p)) return null;
    const v = Number(p);
    if (!Number.isFinite(v)) return null;
    row[i] = v;
  }
  return row;
}

export interface SensorName {
  name: string;
  units: string;
}

/** Parses a sensor list: `a, b[m/s2], c` (units in brackets, default 'N/A'). Null if malformed. */
export function parseSensorList(text: string): SensorName[] | null {
  const out: SensorName[] = [];
  for (const raw of text.split(',')) {
    const m = /^\s*([A-Za-z0-9_.-]{1,64})\s*(?:\[([^\]\s]{1,16})\])?\s*$/.exec(raw);
    if (!m) return null;
    out.push({ name: m[1], units: m[2] ?? 'N/A' });
  }
  return out.length > 0 ? out : null;
}

/** A '#' note: the sensor list, a reset banner, or anything else (ignored, not garbage). */
export type Note = { kind: 'sensors'; sensors: SensorName[] } | { kind: 'reset' } | { kind: 'other' };

export function parseNote(line: string): Note | null {
  if (!line.startsWith('#')) return null;
  const body = line.slice(1).trim();
  const m = /^sensors?\s*[:=]\s*(.+)$/i.exec(body);
  if (m) {
    const sensors = parseSensorList(m[1]);
    return sensors ? { kind: 'sensors', sensors } : { kind: 'other' };
  }
  if (/^(boot|reset|ready)\b/i.test(body)) return { kind: 'reset' };
  return { kind: 'other' };
}

/** What the gateway writes to ask a device for its sensor names (answered by a `# sensors:` note). */
export const SENSOR_QUERY = 'sensors?\n';
