/**
 * Binary tails (FACTS §1): `Ref-BINARY-<type>` in `values`, then little-endian samples right after
 * the CBOR item. Sizes per element type; decoding reads rows of `width` elements.
 */
export const BINARY_TYPES = { i8: 1, u8: 1, i16: 2, u16: 2, i32: 4, u32: 4, f32: 4 } as const;
export type BinaryType = keyof typeof BINARY_TYPES;

/** Decodes `rowCount` rows of `width` little-endian elements starting at `offset`. */
export function decodeBinaryTail(
  bytes: Uint8Array,
  offset: number,
  type: BinaryType,
  width: number,
  rowCount: number,
): number[][] {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = BINARY_TYPES[type];
  const read: (o: number) => number =
    type === 'i8'
      ? (o) => dv.getInt8(o)
      : type === 'u8'
        ? (o) => dv.getUint8(o)
        : type === 'i16'
          ? (o) => dv.getInt16(o, true)
          : type === 'u16'
            ? (o) => dv.getUint16(o, true)
            : type === 'i32'
              ? (o) => dv.getInt32(o, true)
              : type === 'u32'
                ? (o) => dv.getUint32(o, true)
                : (o) => dv.getFloat32(o, true);
  const rows: number[][] = new Array(rowCount);
  let o = offset;
  for (let i = 0; i < rowCount; i++) {
    const row = new Array<number>(width);
    for (let j = 0; j < width; j++, o += size) row[j] = read(o);
    rows[i] = row;
  }
  return rows;
}
