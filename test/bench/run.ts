/**
 * `npm run bench`: runs every variant of every suite in test/bench/suites/ in its own fresh child
 * process, `--runs` times (default 3), takes the median of each measured field, and prints one
 * markdown table (also saved to test/bench/last-run.md).
 *
 * Options: --runs N, --filter SUBSTRING (suite/variant id), --quick (1 run, short sampling),
 * --out FILE, --list.
 */
import { spawn } from 'node:child_process';
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { BENCH_TRASH, median } from './harness.ts';
import type { BenchSuite, Measurement, TableRow } from './types.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');

const { values: args } = parseArgs({
  options: {
    runs: { type: 'string', default: '3' },
    filter: { type: 'string' },
    quick: { type: 'boolean', default: false },
    out: { type: 'string', default: join(here, 'last-run.md') },
    list: { type: 'boolean', default: false },
  },
});
const runs = args.quick ? 1 : Math.max(1, Number(args.runs));

interface Loaded {
  file: string;
  suite: BenchSuite;
}

async function loadSuites(): Promise<Loaded[]> {
  const dir = join(here, 'suites');
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.ts'))
    .sort((a, b) => (a === 'core.ts' ? -1 : b === 'core.ts' ? 1 : a.localeCompare(b)));
  const out: Loaded[] = [];
  for (const f of files) {
    const file = join(dir, f);
    const mod = (await import(pathToFileURL(file).href)) as { suite?: BenchSuite };
    if (mod.suite) out.push({ file, suite: mod.suite });
  }
  return out;
}

function runChild(file: string, id: string, flags: string[]): Promise<Measurement> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...flags, join(here, 'child.ts'), file, id], {
      cwd: root,
      env: { ...process.env, BENCH_QUICK: args.quick ? '1' : '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const line = out.split('\n').find((l) => l.startsWith('BENCH_RESULT '));
      if (code === 0 && line) resolve(JSON.parse(line.slice('BENCH_RESULT '.length)) as Measurement);
      else reject(new Error(`exit ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
    });
  });
}

function medianOf(ms: Measurement[]): Measurement {
  const keys = new Set(ms.flatMap((m) => Object.keys(m)));
  const out: Measurement = {};
  for (const k of keys) {
    const xs = ms.map((m) => m[k]).filter((x): x is number => typeof x === 'number');
    if (xs.length) out[k] = median(xs);
  }
  return out;
}

function machine(): string {
  const cpus = os.cpus();
  return `${cpus[0]?.model ?? 'unknown CPU'}, ${cpus.length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, Node ${process.version} (V8 ${process.versions.v8}), ${os.platform()} ${os.release()}, load avg ${os.loadavg().map((l) => l.toFixed(1)).join('/')}`;
}

function table(rows: { suite: string; row: TableRow }[]): string {
  const lines = ['| Suite | Measure | N | Ours | Baseline | Ratio | Target | Met |', '|---|---|---|---|---|---|---|---|'];
  for (const { suite, row: r } of rows) {
    const met = r.met === undefined ? '–' : r.met ? 'yes' : 'NO';
    lines.push(`| ${suite} | ${r.measure} | ${r.n} | ${r.ours} | ${r.baseline} | ${r.ratio} | ${r.target} | ${met} |`);
  }
  return lines.join('\n');
}

const suites = await loadSuites();
if (args.list) {
  for (const { suite } of suites) for (const v of suite.variants) console.log(`${suite.name}/${v.id}`);
  process.exit(0);
}
const started = Date.now();
const loadStart = machine();
const allRows: { suite: string; row: TableRow }[] = [];
const notes: string[] = [];
const failures: string[] = [];
for (const { file, suite } of suites) {
  const selected = suite.variants.filter((v) => !args.filter || `${suite.name}/${v.id}`.includes(args.filter));
  if (selected.length === 0) continue;
  const got = new Map<string, Measurement[]>(selected.map((v) => [v.id, []]));
  const failed = new Set<string>();
  // Round-robin over runs so drifting machine load (shared machine) hits every variant alike.
  const rounds = Math.max(0, ...selected.map((v) => (args.quick ? 1 : (v.runs ?? runs))));
  for (let r = 0; r < rounds; r++) {
    for (const v of selected) {
      if (failed.has(v.id) || r >= (args.quick ? 1 : (v.runs ?? runs))) continue;
      process.stderr.write(`  [run ${r + 1}] ${suite.name}/${v.id}\n`);
      try {
        got.get(v.id)!.push(await runChild(file, v.id, v.nodeFlags ?? []));
      } catch (e) {
        failures.push(`${suite.name}/${v.id}: ${(e as Error).message}`);
        failed.add(v.id);
      }
    }
  }
  const results = new Map<string, Measurement>();
  for (const v of selected) {
    const ms = got.get(v.id)!;
    if (ms.length) results.set(v.id, medianOf(ms));
    process.stderr.write(`  ${suite.name}/${v.id}: ${ms.length ? JSON.stringify(results.get(v.id)) : 'failed'}\n`);
  }
  for (const row of suite.rows(results)) allRows.push({ suite: suite.name, row });
  for (const n of suite.notes ?? []) notes.push(`- ${suite.name}: ${n}`);
}

// Directories the rows put aside (harness.ts discardLater), deleted once no row is measuring.
rmSync(join(root, BENCH_TRASH), { recursive: true, force: true });

const md = [
  `### Benchmark (${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)`,
  '',
  table(allRows),
  '',
  `Machine: ${loadStart}.`,
  `Timing variants ran in ${runs} fresh child process(es) each (variants that take a median internally, such as allocation, in 1); figures are the median over processes of each process's median. Total ${((Date.now() - started) / 1000).toFixed(0)} s.`,
  ...notes,
  ...(failures.length ? ['', 'Variants that failed:', ...failures.map((f) => `- ${f}`)] : []),
  '',
].join('\n');
process.stdout.write(md);
writeFileSync(args.out, md);
