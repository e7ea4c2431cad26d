/**
 * A pack: several spooled records in one file, so one fsync makes all of them durable (group
 * commit). Pure: bytes in, bytes out.
 *
 *   "EISPACK1"            8 bytes magic
 *   u32 LE                record count N
 *   N × (u8 id length I, I bytes of the member's id (ASCII),
 *        u32 LE length L, L bytes of one record exactly as record.ts lays it out)
 *
 * Queue file name `<seq of the first record>-<hash prefix of the first record>.pack`, so packs sort
 * among single records by arrival. Each member keeps its own id (the name it would have had as a
 * single `.rec`), which is what the sender, the dead-letter folder and `spool list` see.
 * Members delivered while the pack still holds others are listed, one id a line, in a
 * `<pack>.done` side file (appended, not fsynced: after a crash a member it missed is sent again,
 * which x-disallow-duplicates makes harmless). The pack is deleted when its last member leaves.
 */
import { SpoolRecordError } from './errors.ts';

const MAGIC = new TextEncoder().encode('EISPACK1');
export const PACK_SUFFIX = '.pack';
export const DONE_SUFFIX = '.pack.done';

const NAME = /^(\d{16})-([0-9a-f]{16})\.pack$/;

/** Sequence number of a pack file name, or -1. */
export function packSeq(name: string): number {
  const m = NAME.exec(name);
  return m ? Number(m[1]) : -1;
}

export function packName(seq: number, sha256: string): string {
  return `${String(seq).padStart(16, '0')}-${sha256.slice(0, 16)}${PACK_SUFFIX}`;
}

export interface PackMember {
  /** The member's queue id (a single record's file name). */
  id: string;
  /** The record, as encodeRecord lays it out. */
  record: Uint8Array;
}

const ascii = new TextEncoder();
const latin1 = new TextDecoder('latin1');

/** Lays out members as one pack. */
export function encodePack(members: readonly PackMember[]): Uint8Array {
  let size = MAGIC.length + 4;
  for (const m of members) {
    if (!/^[\x21-\x7e]{1,255}$/.test(m.id)) throw new RangeError('pack member id must be 1-255 printable ASCII characters');
    size += 1 + m.id.length + 4 + m.record.byteLength;
  }
  const out = new Uint8Array(size);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint32(MAGIC.length, members.length, true);
  let off = MAGIC.length + 4;
  for (const m of members) {
    out[off] = m.id.length;
    out.set(ascii.encode(m.id), off + 1);
    off += 1 + m.id.length;
    dv.setUint32(off, m.record.byteLength, true);
    out.set(m.record, off + 4);
    off += 4 + m.record.byteLength;
  }
  return out;
}

/** The members of a pack, records as views into `bytes`. @throws SpoolRecordError if torn */
export function decodePack(bytes: Uint8Array, file: string): PackMember[] {
  if (bytes.byteLength < MAGIC.length + 4) throw new SpoolRecordError('pack shorter than its preamble', file);
  for (let i = 0; i < MAGIC.length; i++) if (bytes[i] !== MAGIC[i]) throw new SpoolRecordError('pack has a bad magic', file);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = dv.getUint32(MAGIC.length, true);
  const out: PackMember[] = [];
  let off = MAGIC.length + 4;
  for (let i = 0; i < n; i++) {
    const torn = () => new SpoolRecordError(`pack is torn at member ${i}`, file);
    if (off + 1 > bytes.byteLength) throw torn();
    const idLen = bytes[off]!;
    if (off + 1 + idLen + 4 > bytes.byteLength) throw torn();
    const id = latin1.decode(bytes.subarray(off + 1, off + 1 + idLen));
    off += 1 + idLen;
    const len = dv.getUint32(off, true);
    if (off + 4 + len > bytes.byteLength) throw torn();
    out.push({ id, record: bytes.subarray(off + 4, off + 4 + len) });
    off += 4 + len;
  }
  if (off !== bytes.byteLength) throw new SpoolRecordError('pack has bytes after its last member', file);
  return out;
}
