/**
 * `ei-ingest vectors check|build [--dir vectors] [--verbose]`: checks the golden vectors (prints
 * `N passed, M failed`, exits 1 on any failure) or regenerates them from src/cli/vectors-suite.ts.
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseCommandArgs, usageError } from './args.ts';
import { buildVectors, checkVectors } from './vectors-check.ts';

const USAGE = 'usage: ei-ingest vectors check|build [--dir DIR] [--verbose]\n';

const COMMAND = { name: 'vectors', usage: USAGE };

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(COMMAND, argv, { dir: { type: 'string' }, verbose: { type: 'boolean', short: 'v', default: false } }, { positionals: true });
  if (typeof parsed === 'number') return parsed;
  const { values, positionals } = parsed;
  // vectors/ sits at the package root: two levels above src/cli/, three above the built dist/src/cli/.
  const here = dirname(fileURLToPath(import.meta.url));
  const dir = values.dir ?? [join(here, '..', '..', 'vectors'), join(here, '..', '..', '..', 'vectors')].find((d) => existsSync(join(d, 'README.md'))) ?? join(here, '..', '..', 'vectors');
  const cmd = positionals[0] ?? 'check';
  if (cmd === 'build') {
    const { count, problems } = await buildVectors(dir);
    for (const p of problems) process.stderr.write(`build: ${p}\n`);
    process.stdout.write(`built ${count} vectors in ${dir}${problems.length ? `, ${problems.length} problems` : ''}\n`);
    return problems.length ? 1 : 0;
  }
  if (cmd === 'check') {
    const { passed, failed, results } = await checkVectors(dir);
    for (const r of results) {
      if (!r.ok) for (const p of r.problems) process.stdout.write(`FAIL ${r.id}: ${p}\n`);
      else if (values.verbose) process.stdout.write(`ok   ${r.id}\n`);
    }
    process.stdout.write(`${passed} passed, ${failed} failed\n`);
    return failed ? 1 : 0;
  }
  return usageError(COMMAND, `unknown subcommand '${cmd}'`, { withUsage: true });
}
