/**
 * Signer suite: the two hash backends behind createSigner (node:crypto vs @noble/hashes, FACTS §9)
 * and the fixed cost of one ES256 signature. Informational rows (no targets).
 */
import { fmtBytes, fmtRate, fmtTime, measureAllocation, prng, timeOp } from '../harness.ts';
import type { BenchSuite, BenchVariant, Measurement, TableRow } from '../types.ts';

const MIB = 1 << 20;
const quick = () => process.env.BENCH_QUICK === '1';

function data(n: number): Uint8Array {
  const r = prng(7);
  const d = new Uint8Array(n);
  for (let i = 0; i < n; i++) d[i] = (r() * 256) | 0;
  return d;
}

function hs256(backend: 'node' | 'noble'): BenchVariant {
  return {
    id: `hs256-${backend}`,
    runs: 1,
    async run(): Promise<Measurement> {
      const { createSigner } = await import('../../../src/sign/index.ts');
      const signer = createSigner('HS256', { hmacKey: 'bench-made-up-key', backend });
      const body = data(MIB);
      const chunk = 64 * 1024;
      const op = () => {
        const s = signer.begin();
        for (let o = 0; o < body.length; o += chunk) s.update(body.subarray(o, o + chunk));
        s.finish();
      };
      return { nsPerOp: timeOp(op, quick() ? { warmupMs: 100, sampleMs: 200 } : { warmupMs: 200, sampleMs: 500 }), bytesPerOp: MIB };
    },
  };
}

const variants: BenchVariant[] = [
  hs256('node'),
  hs256('noble'),
  {
    id: 'es256-sign',
    runs: 1,
    async run(): Promise<Measurement> {
      const { createSigner, es256KeyPair } = await import('../../../src/sign/index.ts');
      const signer = createSigner('ES256', { privateKey: es256KeyPair(new TextEncoder().encode('bench')).privateKey });
      const body = data(256);
      const op = () => {
        const s = signer.begin();
        s.update(body);
        s.finish();
      };
      return { nsPerOp: timeOp(op, quick() ? { warmupMs: 100, sampleMs: 200 } : { warmupMs: 200, sampleMs: 500 }) };
    },
  },
  {
    id: 'hs256-node-alloc',
    runs: 1,
    nodeFlags: ['--expose-gc', '--min-semi-space-size=64', '--max-semi-space-size=64'],
    async run(): Promise<Measurement> {
      const { createSigner } = await import('../../../src/sign/index.ts');
      const signer = createSigner('HS256', { hmacKey: 'bench-made-up-key' });
      const body = data(1024);
      const op = () => {
        const s = signer.begin();
        s.update(body);
        s.finish();
      };
      for (let i = 0; i < 1000; i++) op();
      return { allocPerOp: (await measureAllocation(op, 500)).perOp };
    },
  },
];

export const suite: BenchSuite = {
  name: 'sign',
  variants,
  rows(r): TableRow[] {
    const n = r.get('hs256-node');
    const b = r.get('hs256-noble');
    const es = r.get('es256-sign');
    const al = r.get('hs256-node-alloc');
    return [
      {
        measure: 'HS256 signer throughput: node:crypto vs @noble/hashes backend',
        n: '1 MiB',
        ours: fmtRate(n?.bytesPerOp, n?.nsPerOp),
        baseline: fmtRate(b?.bytesPerOp, b?.nsPerOp),
        ratio: n?.nsPerOp && b?.nsPerOp ? `${(b.nsPerOp / n.nsPerOp).toFixed(1)}×` : 'n/a',
        target: '–',
      },
      { measure: 'ES256 sign (SHA-256 of 256 B + RFC 6979 P-256 signature)', n: '1', ours: fmtTime(es?.nsPerOp), baseline: '–', ratio: '–', target: '–' },
      { measure: 'HS256 signer heap per signature (begin, update, finish → hex)', n: '1 KiB', ours: fmtBytes(al?.allocPerOp), baseline: '–', ratio: '–', target: '< 2 KiB', met: al?.allocPerOp === undefined || Number.isNaN(al.allocPerOp) ? undefined : al.allocPerOp < 2048 },
    ];
  },
};
