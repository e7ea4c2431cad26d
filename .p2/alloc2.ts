import { samplesF64 } from '../test/bench/harness.ts';
import { encodeDocument } from '../src/encode/index.ts';
const N = Number(process.argv[2] ?? 1000);
const SENSORS = [{ name: 'accX', units: 'm/s2' },{ name: 'accY', units: 'm/s2' },{ name: 'accZ', units: 'm/s2' }];
const doc: any = { protected: { ver: 'v1', alg: 'HS256', iat: 1_700_000_000 }, payload: { device_name: 'bench-device', device_type: 'BENCH', interval_ms: 10, sensors: SENSORS, values: { data: samplesF64(N), width: 3 } } };
const opts = { format: 'cbor', layout: 'compact', alg: (process.env.ALG ?? 'HS256') as 'HS256', hmacKey: 'bench-made-up-hmac-key-0123456789' } as const;
let sink = 0;
const full = () => { const b = encodeDocument(doc, opts); for (const c of b.chunks()) sink = (sink + c.byteLength) & 0xfffffff; };
const gc = (globalThis as any).gc;
for (let i = 0; i < Number(process.env.WARM ?? 5); i++) full();
for (let w = 0; w < 6; w++) {
  gc(); await new Promise((r) => setTimeout(r, 1));
  const m0 = process.memoryUsage(); for (let i = 0; i < 200; i++) full(); const m1 = process.memoryUsage();
  console.log('heap', ((m1.heapUsed - m0.heapUsed) / 200).toFixed(0), 'ab', ((m1.arrayBuffers - m0.arrayBuffers) / 200).toFixed(0), 'ext', ((m1.external - m0.external) / 200).toFixed(0));
}
