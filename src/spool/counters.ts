/**
 * Drop counters that must survive restarts (`spool status` reports them): how many samples the
 * drop-oldest policy removed and how many dead letters the dead-letter cap removed. Written via
 * temp file + rename only when something is dropped, so never on the hot path.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export interface DropCounters {
  droppedOldest: number;
  droppedDead: number;
}

export async function loadCounters(dir: string): Promise<DropCounters> {
  const c: DropCounters = { droppedOldest: 0, droppedDead: 0 };
  try {
    const raw = JSON.parse(await readFile(join(dir, 'counters.json'), 'utf8')) as Partial<DropCounters>;
    if (Number.isFinite(raw.droppedOldest)) c.droppedOldest = raw.droppedOldest!;
    if (Number.isFinite(raw.droppedDead)) c.droppedDead = raw.droppedDead!;
  } catch {
    /* none yet, or torn by a crash: start from zero */
  }
  return c;
}

export async function saveCounters(dir: string, c: DropCounters): Promise<void> {
  const tmp = join(dir, `counters.json.${process.pid}.tmp`);
  await writeFile(tmp, JSON.stringify(c));
  await rename(tmp, join(dir, 'counters.json'));
}
