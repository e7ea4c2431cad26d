// The benchmark's allocation measurement is only worth its table if it sees known allocations.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

it('measureAllocation reports ~0 for a non-allocating op, ~0.8 KiB for Array(100), ~64 KiB for a 64 KiB Uint8Array', () => {
  const out = execFileSync(
    process.execPath,
    ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64', '--import', 'tsx', join(import.meta.dirname, 'bench', 'alloc-probe.ts')],
    { encoding: 'utf8' },
  );
  const r = JSON.parse(out) as { none: number; array100: number; buffer64k: number };
  expect(r.none).toBeLessThan(16);
  expect(r.array100).toBeGreaterThan(800);
  expect(r.array100).toBeLessThan(1000);
  expect(r.buffer64k).toBeGreaterThanOrEqual(65536);
  expect(r.buffer64k).toBeLessThan(65536 + 512);
});
