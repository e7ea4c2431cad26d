/**
 * Bit access to a double for the double-text writers: a value stored in F64[0] reads back as two
 * uint32 words without allocating. One shared scratch, so the exact path (double-text-exact.ts)
 * reads the low word of the very double double-text.ts stored: that word may exceed 2^30 and
 * would be boxed if passed as an argument. Word order depends on the platform's endianness.
 */

export const F64 = new Float64Array(1);
export const U32 = new Uint32Array(F64.buffer);
const LITTLE = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;
export const HI_WORD = LITTLE ? 1 : 0;
export const LO_WORD = LITTLE ? 0 : 1;
