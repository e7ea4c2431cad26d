/** Lowercase hex without per-byte string building: ASCII codes are written into caller buffers. */

const HEX = new Uint8Array(16);
for (let i = 0; i < 16; i++) HEX[i] = '0123456789abcdef'.charCodeAt(i);

/** Writes `2 × bytes.length` lowercase hex ASCII bytes into `out` at `offset`. */
export function writeHexInto(bytes: Uint8Array, out: Uint8Array, offset: number): void {
  if (offset < 0 || offset + bytes.length * 2 > out.length) {
    throw new RangeError(`hex output needs ${bytes.length * 2} bytes at offset ${offset}, buffer has ${out.length}`);
  }
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    out[offset + 2 * i] = HEX[b >>> 4]!;
    out[offset + 2 * i + 1] = HEX[b & 15]!;
  }
}

/** Lowercase hex string of `bytes` (one string allocation, via a reusable ASCII scratch buffer). */
export function toHex(bytes: Uint8Array): string {
  const need = bytes.length * 2;
  // Exact-size scratch for the two signature sizes: a subarray view would cost ~100 B a call.
  const out = need === 64 ? ascii64 : need === 128 ? ascii128 : new Uint8Array(need);
  writeHexInto(bytes, out, 0);
  return latin1.decode(out);
}

/** Decodes even-length hex (either case); throws RangeError on anything else. */
export function fromHex(hex: string): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError('expected an even-length hex string');
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const ascii64 = new Uint8Array(64);
const ascii128 = new Uint8Array(128);
const latin1 = new TextDecoder('latin1');
