import { rowsOf, samplesF64 } from '../test/bench/harness.ts';
import * as A from './src/encode/index.ts';
import * as B from '../src/encode/index.ts';
const N = Number(process.argv[2] ?? 1000);
const SENSORS = [{ name: 'accX', units: 'm/s2' },{ name: 'accY', units: 'm/s2' },{ name: 'accZ', units: 'm/s2' }];
const typed = process.env.TYPED === '1';
const doc: any = { protected: { ver: 'v1', alg: 'HS256', iat: 1_700_000_000 }, payload: { device_name: 'bench-device', device_type: 'BENCH', interval_ms: 10, sensors: SENSORS, values: process.env.INTS === '1' ? rowsOf(samplesF64(N).map((v) => Math.round(v * 100))) : typed ? { data: samplesF64(N), width: 3 } : rowsOf(samplesF64(N)) } };
const opts = { format: 'cbor', layout: 'compact', alg: (process.env.ALG ?? 'HS256') as 'HS256', hmacKey: 'bench-made-up-hmac-key-0123456789' } as const;
let sink = 0;
const mk = (E: any) => () => { const b = E.encodeDocument(doc, opts); for (const c of b.chunks()) sink = (sink + c.byteLength) & 0xfffffff; };
const a = mk(A), b = mk(B);
const ea = A.encodeToBytes(doc, opts), eb = B.encodeToBytes(doc, opts);
if (Buffer.compare(Buffer.from(ea), Buffer.from(eb)) !== 0) throw new Error('bytes differ');
const iters = Math.max(10, Math.floor(3e7 / ea.length));
const time = (f: () => void) => { const t0 = process.hrtime.bigint(); for (let i = 0; i < iters; i++) f(); return Number(process.hrtime.bigint() - t0) / iters / 1000; };
for (let i = 0; i < iters; i++) { a(); b(); }
const ra: number[] = [], rb: number[] = [];
for (let k = 0; k < 7; k++) { ra.push(time(a)); rb.push(time(b)); }
const med = (x: number[]) => x.sort((p, q) => p - q)[3].toFixed(1);
console.log(`N=${N} alg=${opts.alg} typed=${typed} orig ${med(ra)} us  new ${med(rb)} us`);
