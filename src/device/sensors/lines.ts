/**
 * The data forwarder's line protocol: one reading per line, numbers separated by commas, tabs or
 * spaces. Bytes arrive in arbitrary chunks; `LineSplitter` cuts them into lines with a length cap,
 * so a port spewing garbage without newlines cannot grow memory.
 */

/** Parses one line into numbers, or null when it is not a reading (banner, garbage, empty). */
export function parseReadingLine(line: string): number[] | null {
  const t = line.trim();
  if (t.length === 0) return null;
  const parts = t.split(/[\t ]*,[\t ]*|[\t ]+/);
  const out: number[] = new Array(parts.length);
  for (let i = 0; i < parts.length; i++) {
    const p = parts[i]!;
    // Number('') is 0 and Number('0x10') is 16: accept only decimal notation.
    if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(p)) return null;
    const v = Number(p);
    if (!Number.isFinite(v)) return null;
    out[i] = v;
  }
  return out;
}

export class LineSplitter {
  private parts: string[] = [];
  private pendingLength = 0;
  private overflow = false;
  private readonly decoder = new TextDecoder('utf-8', { fatal: false });
  /** Lines dropped because they exceeded the cap. */
  dropped = 0;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLine = 4096,
  ) {}

  push(chunk: Uint8Array | string): void {
    const text = typeof chunk === 'string' ? chunk : this.decoder.decode(chunk, { stream: true });
    let start = 0;
    for (;;) {
      const nl = text.indexOf('\n', start);
      if (nl < 0) break;
      this.append(text.slice(start, nl));
      const line = this.parts.join('');
      const over = this.overflow;
      this.parts = [];
      this.pendingLength = 0;
      this.overflow = false;
      if (over) this.dropped++;
      else this.onLine(line.endsWith('\r') ? line.slice(0, -1) : line);
      start = nl + 1;
    }
    this.append(text.slice(start));
  }

  private append(s: string): void {
    if (this.overflow || s.length === 0) return;
    if (this.pendingLength + s.length > this.maxLine) {
      this.overflow = true;
      this.parts = [];
      this.pendingLength = 0;
      return;
    }
    this.parts.push(s);
    this.pendingLength += s.length;
  }
}
