/**
 * Self-test of harness.measureAllocation, run by test/bench-harness.test.ts in a child with
 * --expose-gc: known allocations must be measured as such.
 */
import { measureAllocation } from './harness.ts';

let keep: unknown = null;
let n = 0;
const none = await measureAllocation(() => {
  n = (n + 1) & 0xffff;
}, 1000);
const array100 = await measureAllocation(() => {
  keep = new Array(100).fill(n); // 100 × 8 B elements + headers
}, 1000);
const buffer64k = await measureAllocation(() => {
  keep = new Uint8Array(65536);
}, 100);
process.stdout.write(JSON.stringify({ none: none.perOp, array100: array100.perOp, buffer64k: buffer64k.perOp, kept: keep !== null }) + '\n');
