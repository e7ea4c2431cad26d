// Test helper (not a test file): cuts bytes at the given points, for "every split parses the same"
// tests. Cuts are taken modulo length + 1, deduplicated and sorted, so any integers will do.

/** `bytes` cut at `cuts` (mod length + 1): the pieces, in order, concatenating back to `bytes`. */
export function splitAt(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const out: Uint8Array[] = [];
  let prev = 0;
  for (const p of points) {
    out.push(bytes.subarray(prev, p));
    prev = p;
  }
  out.push(bytes.subarray(prev));
  return out;
}
