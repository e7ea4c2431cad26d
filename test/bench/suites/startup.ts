/**
 * Start-up suite: the installed CLI (`dist/src/cli.js` run by plain node, what `bin` points at) in
 * fresh processes, against `node -e 0` measured in the same rounds (interleaved, so machine load
 * hits all three alike). Built first with `npm run build` when dist/ is missing or older than src/.
 */
import type { BenchSuite, Measurement, TableRow } from '../types.ts';

const quick = () => process.env.BENCH_QUICK === '1';

export const suite: BenchSuite = {
  name: 'startup',
  variants: [
    {
      id: 'cli',
      runs: 1,
      async run(): Promise<Measurement> {
        const { spawnSync } = await import('node:child_process');
        const { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, readdirSync } = await import('node:fs');
        const { tmpdir } = await import('node:os');
        const { join } = await import('node:path');
        const { median } = await import('../harness.ts');
        const cli = join('dist', 'src', 'cli.js');
        const newest = (dir: string): number =>
          Math.max(0, ...readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => statSync(join(e.parentPath, e.name)).mtimeMs));
        if (!existsSync(cli) || statSync(cli).mtimeMs < newest('src')) {
          const b = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
          if (b.status !== 0) throw new Error('npm run build failed');
        }
        const dir = mkdtempSync(join(tmpdir(), 'ei-bench-startup-'));
        const small = join(dir, 'small.json');
        const out = join(dir, 'out.cbor');
        const rows = Array.from({ length: 10 }, (_, i) => [i * 0.1, -0.8 + i * 0.01, 9.81]);
        writeFileSync(small, JSON.stringify({ payload: { device_type: 'BENCH', interval_ms: 10, sensors: ['accX', 'accY', 'accZ'].map((name) => ({ name, units: 'm/s2' })), values: rows } }));
        const time = (args: string[]): number => {
          const t0 = process.hrtime.bigint();
          const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'pipe'] });
          const ns = Number(process.hrtime.bigint() - t0);
          if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr.toString().trim()}`);
          return ns;
        };
        const base: number[] = [];
        const help: number[] = [];
        const encode: number[] = [];
        const rounds = quick() ? 5 : 21;
        try {
          for (let i = 0; i < rounds + 2; i++) {
            rmSync(out, { force: true });
            const b = time(['-e', '0']);
            const h = time([cli, '--help']);
            const e = time([cli, 'encode', small, '-o', out]);
            if (i < 2) continue; // warm the page cache first
            base.push(b);
            help.push(h);
            encode.push(e);
          }
          if (!existsSync(out)) throw new Error('encode wrote no output');
        } finally {
          rmSync(dir, { recursive: true, force: true });
        }
        return { baseNs: median(base), helpNs: median(help), encodeNs: median(encode), rounds };
      },
    },
  ],
  rows(r): TableRow[] {
    const m = r.get('cli');
    const ms = (ns: number | undefined) => (ns === undefined ? '–' : `${(ns / 1e6).toFixed(0)} ms`);
    const row = (measure: string, ns: number | undefined, target: number): TableRow => {
      const ratio = m?.baseNs && ns ? ns / m.baseNs : undefined;
      return { measure, n: 'fresh process', ours: ms(ns), baseline: ms(m?.baseNs), ratio: ratio ? `${ratio.toFixed(2)}×` : '–', target: `≤ ${target}×`, met: ratio === undefined ? undefined : ratio <= target };
    };
    return [row('`ei-ingest --help` vs `node -e 0`', m?.helpNs, 1.5), row('`ei-ingest encode small.json -o out.cbor` vs `node -e 0`', m?.encodeNs, 2.5)];
  },
  notes: [
    '`node dist/src/cli.js …` (the installed bin) and `node -e 0` spawned one after the other in each round (21 rounds after 2 warm-up rounds), median wall time of spawnSync per command; small.json is 10 rows × 3 axes; encode (default options) writes CBOR to a new file.',
  ],
};
