/**
 * A PatchableSink over a file (synchronous writes, so `encodeStreaming` stays one plain loop).
 * The file is created exclusively; `close()` keeps it, `discard()` removes it.
 */
import type { PatchableSink } from './one-pass.ts';

type Fs = typeof import('node:fs');
let fsCache: Fs | undefined;
/** node:fs on first use, not imported: the encoders also load in browsers, Deno and Bun bundles. */
function fs(): Fs {
  fsCache ??= (process as unknown as { getBuiltinModule(id: string): unknown }).getBuiltinModule('node:fs') as Fs;
  return fsCache;
}

export class FileSink implements PatchableSink {
  private fd: number | null;
  private written = 0;

  constructor(readonly path: string) {
    this.fd = fs().openSync(path, 'wx');
  }

  write(chunk: Uint8Array): void {
    let off = 0;
    while (off < chunk.length) off += fs().writeSync(this.handle(), chunk, off, chunk.length - off, this.written + off);
    this.written += chunk.length;
  }

  patch(offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset + bytes.length > this.written) throw new RangeError('patch outside the written bytes');
    let off = 0;
    while (off < bytes.length) off += fs().writeSync(this.handle(), bytes, off, bytes.length - off, offset + off);
  }

  /** Bytes written. */
  get length(): number {
    return this.written;
  }

  close(): void {
    if (this.fd !== null) fs().closeSync(this.fd);
    this.fd = null;
  }

  /** Closes and deletes the file (after an error). */
  discard(): void {
    this.close();
    try {
      fs().unlinkSync(this.path);
    } catch {
      /* already gone */
    }
  }

  private handle(): number {
    if (this.fd === null) throw new Error('FileSink is closed');
    return this.fd;
  }
}
