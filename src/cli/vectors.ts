/**
 * `ei-ingest vectors check|build [--dir vectors] [--verbose]`: checks the golden vectors (prints
 * `N passed, M failed`, exits 1 on any failure) or regenerates them from src/cli/vectors-suite.ts.
 */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { buildVectors, checkVectors } from './vectors-check.ts';

const USAGE = 'usage: ei-ingest vectors check|build [--dir DIR] [--verbose]\n';

export async function run(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, allowPositionals: true, options: { dir: { type: 'string' }, verbose: { type: 'boolean', short: 'v', default: false }, help: { type: 'boolean', short: 'h' } } });
  } catch (e) {
    process.stderr.write(`vectors: ${(e as Error).message}\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  const dir = values.dir ?? join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'vectors');
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
  process.stderr.write(`vectors: unknown subcommand '${cmd}'\n${USAGE}`);
  return 2;
}
