import { measureAllocation, samplesF64 } from '../test/bench/harness.ts';
import { encodeDocument } from '../src/encode/index.ts';
import { makePlan } from '../src/encode/plan.ts';
import { createSigner } from '../src/sign/index.ts';
import { createHmac } from 'node:crypto';
const N = Number(process.argv[2] ?? 1000);
const SENSORS = [{ name: 'accX', units: 'm/s2' },{ name: 'accY', units: 'm/s2' },{ name: 'accZ', units: 'm/s2' }];
const doc: any = { protected: { ver: 'v1', alg: 'HS256', iat: 1_700_000_000 }, payload: { device_name: 'bench-device', device_type: 'BENCH', interval_ms: 10, sensors: SENSORS, values: { data: samplesF64(N), width: 3 } } };
const opts = { format: 'cbor', layout: 'compact', alg: (process.env.ALG ?? 'HS256') as 'HS256', hmacKey: 'bench-made-up-hmac-key-0123456789' } as const;
let sink = 0; let keep: any;
const full = () => { const b = encodeDocument(doc, opts); for (const c of b.chunks()) sink = (sink + c.byteLength) & 0xfffffff; };
const plan = () => { keep = makePlan(doc, opts as any); };
const signer = createSigner('HS256', { hmacKey: opts.hmacKey, backend: 'auto' });
const buf = new Uint8Array(28000);
const sign = () => { const s = signer.begin(); s.update(buf); keep = s.finish(); };
const encOnly = () => { keep = encodeDocument(doc, opts); const b = keep; for (const c of b.chunks()) sink = (sink + c.byteLength) & 0xfffffff; };
const encNoIter = () => { keep = encodeDocument(doc, opts); };
const raw = () => { keep = createHmac('sha256', opts.hmacKey).update(buf).digest('hex'); };
for (const [name, f] of [['full', full], ['plan', plan], ['sign', sign], ['encNoIter', encNoIter], ['full', full], ['full', full], ['encNoIter', encNoIter]] as const) {
  for (let i = 0; i < 5; i++) f();
  const r = await measureAllocation(f, 200, 5);
  console.log(name, r.perOp.toFixed(0));
}
