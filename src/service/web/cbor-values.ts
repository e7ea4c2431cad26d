/**
 * Reads `payload.values` of a stored CBOR document row by row straight from its bytes (no object
 * per value), for the plot summary: the service's own decoder builds an array per row, which
 * costs 1–2 s for 1,000,000 rows. The document was fully checked when it was stored, so this
 * reader only walks; anything it does not expect (a tag, a text value, a row count other than
 * the stored one) makes it give up with `null` and the caller falls back to the full decoder.
 * To be replaced by the service's streaming document reader when that lands.
 */
import { halfToNumber } from '../cbor-decode.ts';

class GiveUp extends Error {}

const giveUp = (): never => {
  throw new GiveUp();
};

class Walker {
  pos = 0;
  private readonly dv: DataView;
  constructor(private readonly b: Uint8Array) {
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }

  /** Reads a head; returns [major, argument] with argument -1 for indefinite lengths. */
  head(): [number, number] {
    if (this.pos >= this.b.length) giveUp();
    const ib = this.b[this.pos++];
    const major = ib >> 5;
    const ai = ib & 31;
    if (ai < 24) return [major, ai];
    if (ai === 31) return [major, -1];
    const n = ai === 24 ? 1 : ai === 25 ? 2 : ai === 26 ? 4 : ai === 27 ? 8 : giveUp();
    if (this.pos + n > this.b.length) giveUp();
    const at = this.pos;
    this.pos += n;
    if (major === 7) return [7, at]; // floats: the caller reads the bytes at `at`
    if (n === 1) return [major, this.b[at]];
    if (n === 2) return [major, this.dv.getUint16(at)];
    if (n === 4) return [major, this.dv.getUint32(at)];
    const v = this.dv.getBigUint64(at);
    return v > BigInt(Number.MAX_SAFE_INTEGER) ? giveUp() : [major, Number(v)];
  }

  isBreak(): boolean {
    return this.b[this.pos] === 0xff;
  }

  /** A number item (integer or float) at the current position. */
  number(): number {
    const ib = this.b[this.pos];
    const [major, arg] = this.head();
    if (major === 0) return arg;
    if (major === 1) return -1 - arg;
    if (major === 7) {
      const ai = ib & 31;
      if (ai === 25) return halfToNumber(this.dv.getUint16(arg));
      if (ai === 26) return this.dv.getFloat32(arg);
      if (ai === 27) return this.dv.getFloat64(arg);
    }
    return giveUp();
  }

  text(): string {
    const [major, len] = this.head();
    if (major !== 3 || len < 0 || this.pos + len > this.b.length) giveUp();
    const s = Buffer.from(this.b.buffer, this.b.byteOffset + this.pos, len).toString('latin1');
    this.pos += len;
    return s;
  }

  /** Skips one whole item. */
  skip(): void {
    const ib = this.b[this.pos];
    const [major, arg] = this.head();
    switch (major) {
      case 0:
      case 1:
        return;
      case 2:
      case 3:
        if (arg < 0) {
          while (!this.isBreak()) this.skip();
          this.pos++;
        } else this.pos += arg;
        if (this.pos > this.b.length) giveUp();
        return;
      case 4:
      case 5: {
        const per = major === 5 ? 2 : 1;
        if (arg < 0) {
          while (!this.isBreak()) for (let k = 0; k < per; k++) this.skip();
          this.pos++;
        } else for (let i = 0; i < arg * per; i++) this.skip();
        return;
      }
      case 6:
        return this.skip();
      default:
        if (ib === 0xff) giveUp();
        return;
    }
  }

  /** Iterates a map's entries, calling `onKey(key)` positioned at the value; it must consume it. */
  eachEntry(onKey: (key: string) => void): void {
    const [major, n] = this.head();
    if (major !== 5) giveUp();
    for (let i = 0; n < 0 ? !this.isBreak() : i < n; i++) onKey(this.text());
    if (n < 0) this.pos++;
  }
}

/**
 * Calls `onRow` for each row of `payload.values` (a reused array of `width` numbers; a flattened
 * single-axis value counts as a row). @returns rows read, or null when this document is not plain
 * numeric rows (binary tail, image, unexpected shape): use the full decoder then.
 */
export function walkCborRows(bytes: Uint8Array, width: number, onRow: (row: Float64Array) => void): number | null {
  const w = new Walker(bytes);
  const row = new Float64Array(width);
  let rows: number | null = null;
  const values = (): void => {
    const [major, n] = w.head();
    if (major !== 4) giveUp();
    let count = 0;
    for (; n < 0 ? !w.isBreak() : count < n; count++) {
      const ib = bytes[w.pos];
      if (ib >> 5 === 4) {
        const [, m] = w.head();
        if (m !== width) giveUp(); // indefinite or ragged rows: not ours to guess
        for (let a = 0; a < width; a++) row[a] = w.number();
      } else {
        if (width !== 1) giveUp();
        row[0] = w.number();
      }
      onRow(row);
    }
    if (n < 0) w.pos++;
    rows = count;
  };
  try {
    w.eachEntry((k) => {
      if (k !== 'payload') {
        w.skip();
        return;
      }
      w.eachEntry((pk) => {
        if (pk === 'values') values();
        else w.skip();
      });
    });
  } catch (e) {
    if (e instanceof GiveUp || e instanceof RangeError) return null;
    throw e;
  }
  return rows;
}
