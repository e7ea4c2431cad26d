/**
 * The ceiling of the JSON throughput target (encode+HS256 at ≥ 0.5 of SHA-256's speed): a
 * "JSON encoder" that does no double→decimal conversion at all. Each value's 17 significant
 * digits are prepared beforehand as two integers (9 + 8 digits); the timed op only writes them
 * out (a table of 4-digit words, one 32-bit store per 4 digits, the cheapest digit output found)
 * with sign, point, brackets and commas, then HMACs the bytes. Whatever a real encoder spends
 * finding the shortest digits comes on top of this, so the ratio measured here bounds every
 * JavaScript JSON encoder of full-precision doubles from above.
 */
import { createHash, createHmac } from 'node:crypto';
// "0000".."9999" as 32-bit words, first digit in the lowest byte (stored little-endian below).
import { QUADS as QUADS_TABLE } from '../../src/encode/decimal-text.ts';

const QUADS = QUADS_TABLE; // local copy: an imported binding is a getter call under tsx in a hot loop

export interface DigitFloor {
  /** Writes the digits of every value and HMACs them (the timed op). */
  op(): void;
  /** SHA-256 alone over the bytes `op` writes (the baseline). */
  sha(): void;
  bytes: number;
  /** The bytes `op` writes (a view, for checking). */
  text(): Uint8Array;
}

/** The floor for `values` (rows of `width`, |x| < 10 like the bench samples). */
export function jsonDigitFloor(values: Float64Array, width: number, hmacKey: string): DigitFloor {
  const n = values.length;
  const hi = new Uint32Array(n); // d.dddddddd: first digit and the next 8
  const lo = new Uint32Array(n); // the last 8 digits
  const neg = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = Math.abs(values[i]!);
    if (!(a < 10)) throw new RangeError('jsonDigitFloor takes |x| < 10');
    const m = Math.min(Math.round(a * 1e16), 1e17 - 1); // 17 digits: d.dddddddddddddddd
    hi[i] = Math.floor(m / 1e8);
    lo[i] = m - hi[i]! * 1e8;
    neg[i] = values[i]! < 0 ? 1 : 0;
  }
  const buf = new Uint8Array(n * 22 + 64);
  const dv = new DataView(buf.buffer);
  const write = (): number => {
    let p = 0;
    buf[p++] = 91;
    for (let i = 0; i < n; i++) {
      const col = i % width;
      if (col === 0) buf[p++] = 91;
      if (neg[i] === 1) buf[p++] = 45;
      const h = hi[i]!;
      const d0 = (h / 100000000) | 0;
      const h8 = h - d0 * 100000000;
      buf[p] = 48 + d0;
      buf[p + 1] = 46;
      const a = (h8 / 10000) | 0;
      dv.setUint32(p + 2, QUADS[a]!, true);
      dv.setUint32(p + 6, QUADS[h8 - a * 10000]!, true);
      const l = lo[i]!;
      const b = (l / 10000) | 0;
      dv.setUint32(p + 10, QUADS[b]!, true);
      dv.setUint32(p + 14, QUADS[l - b * 10000]!, true);
      p += 18;
      if (col === width - 1) {
        buf[p++] = 93;
        if (i !== n - 1) buf[p++] = 44;
      } else {
        buf[p++] = 44;
      }
    }
    buf[p++] = 93;
    return p;
  };
  const bytes = write();
  const body = buf.subarray(0, bytes);
  return {
    op: () => {
      const len = write();
      void createHmac('sha256', hmacKey).update(buf.subarray(0, len)).digest('hex');
    },
    sha: () => void createHash('sha256').update(body).digest(),
    bytes,
    text: () => body,
  };
}
