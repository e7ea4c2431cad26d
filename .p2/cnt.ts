import { samplesF64 } from '../test/bench/harness.ts';
const d = samplesF64(100000); let c = 0; for (const x of d) if (Math.fround(x) === x || x === Math.trunc(x)) c++; console.log(c, d.length, d.slice(0,4));
