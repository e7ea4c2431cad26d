/**
 * Random-access reads over a received or stored file without holding it in memory: a buffer, or
 * a file read through one fixed window (1 MiB). The document checkers walk through it once, the
 * signature check hashes it in chunks, so a 100 MB upload costs one window, not 100 MB (issue 12).
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';

export const WINDOW_BYTES = 1024 * 1024;

export interface ByteSource {
  readonly length: number;
  /**
   * Makes [pos, pos + n) readable (n ≤ WINDOW_BYTES) and returns the buffer holding it and the
   * offset of `pos` in that buffer. Valid until the next call.
   */
  window(pos: number, n: number): { buf: Uint8Array; at: number };
  /** Feeds [start, end) to `fn` in order, in chunks of at most WINDOW_BYTES. */
  each(start: number, end: number, fn: (chunk: Uint8Array) => void): void;
  /** The whole content in one buffer (for the small-file readers: media headers, CSV). */
  all(): Uint8Array;
  close(): void;
}

export class BufferSource implements ByteSource {
  constructor(private readonly bytes: Uint8Array) {}
  get length(): number {
    return this.bytes.length;
  }
  window(pos: number): { buf: Uint8Array; at: number } {
    return { buf: this.bytes, at: pos };
  }
  each(start: number, end: number, fn: (chunk: Uint8Array) => void): void {
    for (let p = start; p < end; p += WINDOW_BYTES) fn(this.bytes.subarray(p, Math.min(end, p + WINDOW_BYTES)));
  }
  all(): Uint8Array {
    return this.bytes;
  }
  close(): void {}
}

/**
 * Window buffers are reused: checks run one at a time (synchronously), so a few buffers serve
 * every upload, instead of a fresh 1 MiB per file left for the GC to find (which kept RSS up).
 */
const spareWindows: Buffer[] = [];
const MAX_SPARE_WINDOWS = 4;

/** A file read synchronously through one window (local disk, mostly page cache). */
export class FileSource implements ByteSource {
  readonly length: number;
  private fd: number | undefined;
  private buf: Buffer = spareWindows.pop() ?? Buffer.allocUnsafeSlow(WINDOW_BYTES);
  private base = 0;
  private filled = 0;

  constructor(path: string) {
    this.fd = openSync(path, 'r');
    try {
      this.length = fstatSync(this.fd).size;
    } catch (e) {
      this.close();
      throw e;
    }
  }

  private fill(pos: number): void {
    if (this.fd === undefined) throw new Error('FileSource closed');
    this.base = pos;
    this.filled = 0;
    const want = Math.min(WINDOW_BYTES, this.length - pos);
    while (this.filled < want) {
      const n = readSync(this.fd, this.buf, this.filled, want - this.filled, pos + this.filled);
      if (n === 0) break; // the file shrank: callers see a short window and report truncation
      this.filled += n;
    }
  }

  window(pos: number, n: number): { buf: Uint8Array; at: number } {
    if (pos < this.base || pos + n > this.base + this.filled) this.fill(pos);
    return { buf: this.buf.subarray(0, this.filled), at: pos - this.base };
  }

  each(start: number, end: number, fn: (chunk: Uint8Array) => void): void {
    for (let p = start; p < end; ) {
      const { buf, at } = this.window(p, Math.min(WINDOW_BYTES, end - p));
      const n = Math.min(buf.length - at, end - p);
      if (n <= 0) throw new Error('file shorter than its size');
      fn(buf.subarray(at, at + n));
      p += n;
    }
  }

  all(): Uint8Array {
    const out = Buffer.allocUnsafe(this.length);
    let o = 0;
    this.each(0, this.length, (c) => {
      out.set(c, o);
      o += c.length;
    });
    return out;
  }

  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
    if (spareWindows.length < MAX_SPARE_WINDOWS) spareWindows.push(this.buf);
    this.buf = Buffer.alloc(0);
  }
}

/** A source over `input`: buffers as they are. */
export function sourceOf(input: Uint8Array | ByteSource): ByteSource {
  return input instanceof Uint8Array ? new BufferSource(input) : input;
}
