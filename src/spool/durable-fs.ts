/**
 * The few file operations the spool's guarantees rest on: write to a temp name, fsync the file,
 * rename into place, fsync the directory. After `durableWrite` resolves the file survives a power
 * cut or SIGKILL; before it resolves, at most a temp file is left, which `removeTemps` cleans.
 */
import { open, rename, readdir, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const TEMP_SUFFIX = '.tmp';

/** A directory kept open so each durable write costs one directory fsync, not an open+close too. */
export class DurableDir {
  readonly path: string;
  private handle: FileHandle | null;
  private tempCounter = 0;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.handle = handle;
  }

  static async open(path: string): Promise<DurableDir> {
    return new DurableDir(path, await open(path, 'r'));
  }

  private running: Promise<void> | null = null;
  private next: Promise<void> | null = null;

  /**
   * fsyncs the directory so renames and creations in it are on disk. Group commit: callers
   * arriving while a sync runs share the one that starts after it (which covers all their
   * renames), so concurrent writers pay one directory fsync between them.
   */
  sync(): Promise<void> {
    if (this.next) return this.next;
    const after = this.running ?? Promise.resolve();
    const next: Promise<void> = after
      .catch(() => undefined)
      .then(() => {
        this.next = null;
        const run = this.handle ? this.handle.sync() : Promise.resolve();
        this.running = run;
        return run.finally(() => {
          if (this.running === run) this.running = null;
        });
      });
    this.next = next;
    return next;
  }

  /**
   * Writes `bytes` under `name` atomically and durably. The temp name is unique per process
   * and write, so concurrent writers never share a temp file.
   */
  async write(name: string, bytes: Uint8Array): Promise<void> {
    const tmp = join(this.path, `.${process.pid}-${++this.tempCounter}-${name}${TEMP_SUFFIX}`);
    const fh = await open(tmp, 'wx', 0o600);
    try {
      await fh.writeFile(bytes);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.path, name));
    await this.sync();
  }

  async close(): Promise<void> {
    const h = this.handle;
    this.handle = null;
    if (h) await h.close();
  }
}

/** Deletes temp files a crash left behind (torn writes). Returns how many were removed. */
export async function removeTemps(dir: string): Promise<number> {
  let n = 0;
  for (const name of await readdir(dir)) {
    if (name.endsWith(TEMP_SUFFIX)) {
      await unlink(join(dir, name)).catch(() => undefined);
      n++;
    }
  }
  return n;
}
