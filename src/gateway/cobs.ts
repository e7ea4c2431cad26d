/**
 * Consistent Overhead Byte Stuffing (Cheshire & Baker, 1999): removes every 0x00 from a frame at
 * a cost of at most 1 byte per 254, so 0x00 can delimit frames on a noisy serial line and a
 * receiver resynchronises at the next 0x00 whatever garbage came before. Pure.
 */

/** Worst-case encoded size of `n` bytes. */
export function cobsMaxEncodedLength(n: number): number {
  return n + Math.ceil(n / 254) + 1;
}

/** Encodes `src` (no delimiter added). */
export function cobsEncode(src: Uint8Array): Uint8Array {
  const out = new Uint8Array(cobsMaxEncodedLength(src.length));
  let codeAt = 0;
  let o = 1;
  let code = 1;
  for (let i = 0; i < src.length; i++) {
    const b = src[i];
    if (b === 0) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
      continue;
    }
    out[o++] = b;
    if (++code === 0xff) {
      out[codeAt] = code;
      codeAt = o++;
      code = 1;
    }
  }
  out[codeAt] = code;
  return out.subarray(0, o);
}

/**
 * Decodes one COBS block (without its delimiter) into `out` (must hold `src.length` bytes).
 * Returns the decoded length, or -1 if `src` is not valid COBS (a 0x00 inside, or a code
 * pointing past the end): the frame was hit by line noise.
 */
export function cobsDecodeInto(src: Uint8Array, out: Uint8Array): number {
  let i = 0;
  let o = 0;
  while (i < src.length) {
    const code = src[i++];
    if (code === 0) return -1;
    const end = i + code - 1;
    if (end > src.length) return -1;
    while (i < end) {
      const b = src[i++];
      if (b === 0) return -1;
      out[o++] = b;
    }
    if (code !== 0xff && i < src.length) out[o++] = 0;
  }
  return o;
}

/** Allocating wrapper over {@link cobsDecodeInto}; null when invalid. */
export function cobsDecode(src: Uint8Array): Uint8Array | null {
  const out = new Uint8Array(src.length);
  const n = cobsDecodeInto(src, out);
  return n < 0 ? null : out.subarray(0, n);
}
