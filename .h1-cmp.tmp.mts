import { createHmac } from 'node:crypto';
import { encode as cborxEncode } from 'cbor-x';
import { encodeDocument } from './src/index.ts';
const [variant, Ns] = [process.argv[2], process.argv[3]];
const N = Number(Ns);
const data = new Float64Array(N*3); for (let i=0;i<data.length;i++) data[i] = process.env.DEC ? Math.round(Math.sin(i)*1000)/100 : Math.sin(i)*10;
const rows = Array.from({length: N}, (_, i) => [data[3*i], data[3*i+1], data[3*i+2]]);
const sensors = [{name:'accX',units:'m/s2'},{name:'accY',units:'m/s2'},{name:'accZ',units:'m/s2'}];
const key = 'made-up-hmac-key';
let sink = 0;
const variants: Record<string, () => void> = {
  ours_cbor: () => { const b = encodeDocument({ payload: { device_type: 'T', interval_ms: 10, sensors, values: { data, width: 3 } } }, { format: 'cbor', hmacKey: key }); for (const c of b.chunks()) sink ^= c[0]; },
  ours_json: () => { const b = encodeDocument({ payload: { device_type: 'T', interval_ms: 10, sensors, values: { data, width: 3 } } }, { format: 'json', hmacKey: key }); for (const c of b.chunks()) sink ^= c[0]; },
  cborx: () => { const doc = { protected: { ver: 'v1', alg: 'HS256' }, signature: '0'.repeat(64), payload: { device_type: 'T', interval_ms: 10, sensors, values: rows } }; const b = cborxEncode(doc); const sig = createHmac('sha256', key).update(b).digest('hex'); doc.signature = sig; const b2 = cborxEncode(doc); sink ^= b2[0]; },
  stringify2: () => { const doc = { protected: { ver: 'v1', alg: 'HS256' }, signature: '0'.repeat(64), payload: { device_type: 'T', interval_ms: 10, sensors, values: rows } }; const s = JSON.stringify(doc); doc.signature = createHmac('sha256', key).update(s).digest('hex'); const s2 = JSON.stringify(doc); sink ^= s2.length; },
  sha_only: () => { const b = Buffer.alloc(N * 28 + 200); sink ^= createHmac('sha256', key).update(b).digest()[0]; },
};
const f = variants[variant];
const reps = N >= 100000 ? 20 : 500;
for (let i = 0; i < reps; i++) f();
const ts: number[] = [];
for (let r = 0; r < 7; r++) { const c0 = process.cpuUsage(); for (let i = 0; i < reps; i++) f(); const c = process.cpuUsage(c0); ts.push((c.user + c.system) / reps); }
ts.sort((a, b) => a - b);
console.log(`${variant.padEnd(11)} N=${N}: ${ts[3].toFixed(0)} µs (median cpu)`);
