/** Shared by the spool tests: a sample spec and temp directories removed after each test. */
import { afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SampleSpec } from '../src/spool/index.ts';

export const spec: SampleSpec = { kind: 'data', category: 'training', fileName: 'a.cbor', label: 'idle' };

/** Returns a maker of fresh temp directories (named `prefix…`), each removed after its test. */
export function tempDirs(prefix: string): () => Promise<string> {
  const dirs: string[] = [];
  afterEach(async () => {
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });
  return async () => {
    const d = await mkdtemp(join(tmpdir(), prefix));
    dirs.push(d);
    return d;
  };
}
