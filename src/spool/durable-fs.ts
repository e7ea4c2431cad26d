/**
 * The few file operations the spool's guarantees rest on: write to a temp name, fsync the file,
 * rename into place, fsync the directory. After `durableWrite` resolves the file survives a power
 * cut or SIGKILL; before it resolves, at most a temp file is left, which `removeTemps` cleans.
 */
import { open, rename, readdir, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { join } from 'node:path';

export const TEMP_SUFFIX = '.tmp';
/** A retired file kept for its inode (see DurableDir.retire). */
export const FREE_SUFFIX = '.free';
/** Most retired files a directory keeps for reuse; beyond, they are deleted. */
const MAX_FREE = 64;

const ignoreMissing = (e: NodeJS.ErrnoException) => {
  if (e.code !== 'ENOENT') throw e;
};

/** A directory kept open so each durable write costs one directory fsync, not an open+close too. */
export class DurableDir {
  readonly path: string;
  private handle: FileHandle | null;
  private tempCounter = 0;

  private constructor(path: string, handle: FileHandle) {
    this.path = path;
    this.handle = handle;
  }

  /**
   * Retired files waiting to be written again. Deleting a file and creating another costs an
   * inode each time; on ext4 without a journal, creating one skips every inode freed in the last
   * minute or more, so a queue that deletes and creates hundreds of files a second gets slower
   * the faster it runs. Reusing the inode costs a rename.
   */
  private readonly free: string[] = [];
  private freeCounter = 0;
  private retiring = 0;
  /** Directory fsyncs started (tests). */
  syncs = 0;
  /** A retire rename happened after the last directory fsync started. */
  private retiredSinceSync = false;

  static async open(path: string): Promise<DurableDir> {
    const d = new DurableDir(path, await open(path, 'r'));
    // Files retired before a restart: kept for reuse (their contents are garbage by definition).
    for (const name of await readdir(path)) {
      if (!name.endsWith(FREE_SUFFIX)) continue;
      if (d.free.length < MAX_FREE) d.free.push(join(path, name));
      else await unlink(join(path, name)).catch(() => undefined);
    }
    // Their renames may still sit in the page cache (the last process was killed, not the power).
    d.retiredSinceSync = d.free.length > 0;
    return d;
  }

  /** Retired files held for reuse (tests). */
  get freeCount(): number {
    return this.free.length;
  }

  /**
   * Takes `name` out of the directory (as unlink would; not fsynced either: the next durable
   * write's directory fsync covers it), keeping its inode for a later write. A missing file is
   * not an error.
   */
  async retire(name: string): Promise<void> {
    if (this.free.length + this.retiring >= MAX_FREE) return unlink(join(this.path, name)).catch(ignoreMissing);
    const to = join(this.path, `.${process.pid}-${++this.freeCounter}${FREE_SUFFIX}`);
    this.retiring++; // counted before the rename, so concurrent retires respect the bound
    try {
      await rename(join(this.path, name), to);
      this.retiredSinceSync = true;
      this.free.push(to);
    } catch (e) {
      ignoreMissing(e as NodeJS.ErrnoException);
    } finally {
      this.retiring--;
    }
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
        this.retiredSinceSync = false; // this sync covers every retire rename done so far
        this.syncs++;
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
    // A retired file is truncated and written in place of a new temp file (same inode); its
    // free name is as private to this write as a temp name, and a crash leaves it free.
    const reused = this.free.pop();
    // The retire rename must be on disk before the inode gets new contents: otherwise a power cut
    // could bring the old name back holding this write's bytes.
    if (reused && this.retiredSinceSync) await this.sync();
    const tmp = reused ?? join(this.path, `.${process.pid}-${++this.tempCounter}-${name}${TEMP_SUFFIX}`);
    const fh = await open(tmp, reused ? 'w' : 'wx', 0o600);
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
