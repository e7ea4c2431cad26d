/**
 * One writer per spool directory: a `lock` file holding the owner's pid, created with O_EXCL.
 * A lock left by a dead process (SIGKILL, power cut) is taken over; a live owner is an error.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { SpoolLockedError } from './errors.ts';

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return false; // our own stale lock from an earlier open in this process
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock; returns a release function. Throws SpoolLockedError if a live process holds it. */
export async function acquireLock(dir: string): Promise<() => Promise<void>> {
  const path = join(dir, 'lock');
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(String(process.pid));
      await fh.sync();
      await fh.close();
      return async () => {
        const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
        if (owner === process.pid) await unlink(path).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await readFile(path, 'utf8').catch(() => '')).trim());
      if (alive(pid)) throw new SpoolLockedError(`spool ${dir} is in use by process ${pid}`, pid);
      await unlink(path).catch(() => undefined);
    }
  }
  throw new SpoolLockedError(`could not take the lock of spool ${dir}`, -1);
}
