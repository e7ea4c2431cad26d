import * as A from './src/encode/index.ts';
import * as B from '../src/encode/index.ts';
const pool = [0, -0, 1, -1, 2 ** 53 - 1, -(2 ** 40) - 1, 0.5, 1.5, 65504, 1e-7, 3.4e38, 1e300, Math.PI, -2.718281828, 0.1, NaN, Infinity, -Infinity, 2 ** 24 + 1, 100000.25, 1 / 3];
let s = 7; const rnd = () => ((s = (s * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
const layouts = ['compact', 'c-sdk', 'docs', 'python'] as const;
let n = 0, errs = 0;
for (let t = 0; t < 3000; t++) {
  const width = 1 + Math.floor(rnd() * 4);
  const count = Math.floor(rnd() * 900);
  const pRare = rnd() < 0.3 ? rnd() : 0.02;
  const rows: any[] = [];
  for (let r = 0; r < count; r++) {
    const row: any = new Array(width);
    for (let j = 0; j < width; j++) row[j] = rnd() < pRare ? pool[Math.floor(rnd() * pool.length)] : (rnd() - 0.5) * 20;
    rows.push(rnd() < 0.01 ? Float64Array.from(row) : row);
  }
  if (count > 0 && rnd() < 0.1) rows[Math.floor(rnd() * count)] = rnd() < 0.5 ? [1] : ['x', 1, 2, 3].slice(0, width);
  const sensors = Array.from({ length: width }, (_, i) => ({ name: 's' + i, units: 'u' }));
  const doc: any = { protected: { ver: 'v1', alg: 'HS256', iat: 1 }, payload: { device_type: 'T', interval_ms: 1, sensors, values: rows } };
  const allow = rnd() < 0.5; if (!allow) for (const r of rows) if (Array.isArray(r)) for (let j = 0; j < r.length; j++) if (typeof r[j] === 'number' && !Number.isFinite(r[j]) && rnd() < 0.97) r[j] = 0.25;
  const opts: any = { format: 'cbor', layout: layouts[t % 4], alg: 'HS256', hmacKey: 'k', allowNonFinite: allow, bufferSize: rnd() < 0.3 ? 1024 : undefined };
  let ra: any, rb: any;
  try { ra = Buffer.from(A.encodeToBytes(doc, opts)).toString('hex'); } catch (e: any) { ra = 'E' + e.code + e.path; }
  try { rb = Buffer.from(B.encodeToBytes(doc, opts)).toString('hex'); } catch (e: any) { rb = 'E' + e.code + e.path; }
  if (ra !== rb) { console.log('DIFF', t, ra.slice(0, 80), rb.slice(0, 80)); if (++errs > 5) break; }
  if (ra.startsWith('E')) n++;
}
console.log('done, errors-compared', n, 'diffs', errs);
