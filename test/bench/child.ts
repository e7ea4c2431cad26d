/**
 * Child-process entry: `node --import tsx test/bench/child.ts <suite-file> <variant-id>`.
 * Runs one variant once and prints `BENCH_RESULT <json>` on stdout.
 */
import { pathToFileURL } from 'node:url';
import type { BenchSuite } from './types.ts';

const [suiteFile, variantId] = process.argv.slice(2);
if (!suiteFile || !variantId) {
  process.stderr.write('usage: child.ts <suite-file> <variant-id>\n');
  process.exit(2);
}
const mod = (await import(pathToFileURL(suiteFile).href)) as { suite: BenchSuite };
const variant = mod.suite.variants.find((v) => v.id === variantId);
if (!variant) {
  process.stderr.write(`no variant '${variantId}' in ${suiteFile}\n`);
  process.exit(2);
}
const m = await variant.run();
process.stdout.write(`BENCH_RESULT ${JSON.stringify(m)}\n`);
