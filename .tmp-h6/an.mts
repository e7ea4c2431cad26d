import { readFileSync } from 'node:fs';
import { detectFrequency } from '../src/gateway/frequency.ts';
for (const f of process.argv.slice(2)) {
  const d = JSON.parse(readFileSync(f, 'utf8')) as { t: number[]; b: number[]; n: number[] };
  const e = detectFrequency(d.t, d.b)!;
  const t = d.t, n = d.n;
  // true: production index from n column
  const trueRate = (n[n.length - 1] - n[0]) / ((t[t.length - 1] - t[0]) / 1000);
  let disc = 0; for (let i = 1; i < n.length; i++) if (n[i] !== n[i - 1] + 1) disc++;
  console.log(f, e.hz.toFixed(2), 'segments', e.segments, 'rej', e.rejected, 'n-based', trueRate.toFixed(2), 'len', t.length, 'disc', disc, 'breaks', d.b.length);
  // arrival vs n: residual relative to 250 Hz
  const res = t.map((x, i) => x - t[0] - (n[i] - n[0]) * 4);
  const step = Math.floor(res.length / 30);
  console.log(res.filter((_, i) => i % step === 0).map((x) => x.toFixed(0)).join(' '));
}
