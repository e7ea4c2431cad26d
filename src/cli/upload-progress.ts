/**
 * How the `upload` command reports: a redrawn progress bar (files and bytes) on a terminal,
 * one plain line per file otherwise, or a single JSON document for machines.
 */

export interface FileOutcome {
  file: string;
  status: 'stored' | 'duplicate' | 'failed';
  /** Stored name or sample id from the service. */
  sampleId?: number;
  fileName?: string;
  attempts?: number;
  bytes: number;
  /** Failure reason (service message or error), with its code. */
  error?: string;
  code?: string;
}

export interface Output {
  write(s: string): void;
}

export type Mode = 'tty' | 'plain' | 'json';

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

export class UploadReporter {
  private readonly mode: Mode;
  private readonly out: Output;
  private readonly err: Output;
  private readonly totalFiles: number;
  private readonly totalBytes: number;
  private doneFiles = 0;
  private doneBytes = 0;
  private readonly inFlight = new Map<string, number>();
  private lastDraw = 0;
  readonly outcomes: FileOutcome[] = [];

  constructor(mode: Mode, out: Output, err: Output, totalFiles: number, totalBytes: number) {
    this.mode = mode;
    this.out = out;
    this.err = err;
    this.totalFiles = totalFiles;
    this.totalBytes = totalBytes;
  }

  progress(file: string, sent: number): void {
    if (this.mode !== 'tty') return;
    this.inFlight.set(file, sent);
    const now = Date.now();
    if (now - this.lastDraw >= 100) this.draw(now);
  }

  done(o: FileOutcome): void {
    this.outcomes.push(o);
    this.inFlight.delete(o.file);
    this.doneFiles++;
    this.doneBytes += o.bytes;
    if (this.mode === 'json') return;
    const line =
      o.status === 'stored'
        ? `stored     ${o.file}${o.sampleId !== undefined ? ` (sample ${o.sampleId})` : o.fileName ? ` as ${o.fileName}` : ''}${o.attempts && o.attempts > 1 ? `, ${o.attempts} attempts` : ''}`
        : o.status === 'duplicate'
          ? `duplicate  ${o.file} (already stored, skipped)`
          : `failed     ${o.file}: ${o.error}`;
    if (this.mode === 'tty') {
      this.err.write(`\r\x1b[K${line}\n`);
      this.draw(Date.now());
    } else this.out.write(line + '\n');
  }

  /** Prints the summary; returns the exit code (1 when any file failed). */
  finish(): number {
    const count = (s: FileOutcome['status']) => this.outcomes.filter((o) => o.status === s).length;
    const stored = count('stored');
    const duplicates = count('duplicate');
    const failed = count('failed');
    if (this.mode === 'json') {
      this.out.write(JSON.stringify({ stored, duplicates, failed, files: this.outcomes }) + '\n');
    } else {
      if (this.mode === 'tty') this.err.write('\r\x1b[K');
      this.out.write(`${stored} stored, ${duplicates} skipped as duplicate, ${failed} failed (${formatBytes(this.doneBytes)})\n`);
      for (const o of this.outcomes) if (o.status === 'failed') this.out.write(`  ${o.file}: ${o.code ? `${o.code}: ` : ''}${o.error}\n`);
    }
    return failed > 0 ? 1 : 0;
  }

  private draw(now: number): void {
    this.lastDraw = now;
    let bytes = this.doneBytes;
    for (const v of this.inFlight.values()) bytes += v;
    const frac = this.totalBytes > 0 ? Math.min(1, bytes / this.totalBytes) : this.doneFiles / Math.max(1, this.totalFiles);
    const width = 28;
    const fill = Math.round(frac * width);
    this.err.write(
      `\r\x1b[K[${'#'.repeat(fill)}${'-'.repeat(width - fill)}] ${this.doneFiles}/${this.totalFiles} files  ${formatBytes(bytes)}/${formatBytes(this.totalBytes)}`,
    );
  }
}
