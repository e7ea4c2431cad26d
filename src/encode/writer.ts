/**
 * The one place that touches output memory (STYLE 5). A ByteWriter owns a reusable buffer of
 * `cap + slack` bytes: encoders reserve room for one item (a row, a key, a string) and write it;
 * once `pos >= cap` the first `cap` bytes are a full chunk, handed out as the same `full` view
 * every time (no per-chunk allocation), and `shift()` moves the overflow down. Only the last
 * chunk of a body is a fresh `subarray`.
 */

export const DEFAULT_BUFFER_SIZE = 64 * 1024;
const DEFAULT_SLACK = 8 * 1024;

export class ByteWriter {
  buf: Uint8Array;
  dv: DataView;
  /** `buf[0, cap)`: the view handed out for every full chunk. */
  full: Uint8Array;
  readonly cap: number;
  /** Write position inside `buf`. */
  pos = 0;
  /** Bytes handed out before `buf[0]` in this pass. */
  flushed = 0;
  /** The last `takeRest` view, reused while the length repeats (same body re-sent, same size). */
  private rest: Uint8Array;
  /** Cached `view()` slices of a held body (so serving it again allocates nothing). */
  private views: Uint8Array[] = [];
  private viewSize = 0;

  constructor(cap: number, slack = DEFAULT_SLACK) {
    this.cap = cap;
    this.buf = new Uint8Array(cap + slack);
    this.dv = new DataView(this.buf.buffer);
    this.full = this.buf.subarray(0, cap);
    this.rest = this.full;
  }

  /** Absolute offset of the next byte in the body. */
  get offset(): number {
    return this.flushed + this.pos;
  }

  /**
   * Makes sure `n` more bytes fit: the only bounds check. Items never exceed the slack in
   * practice (a row is at most width × 25 bytes); a larger one (a huge device name) grows the
   * buffer once, and the grown buffer goes back to the pool.
   */
  reserve(n: number): void {
    if (this.pos + n > this.buf.length) this.grow(this.pos + n);
  }

  /** Makes sure an item of `n` bytes always fits once `pos < cap` (value loops check only pos). */
  ensureSlack(n: number): void {
    if (this.buf.length - this.cap < n) this.grow(this.cap + n);
  }

  private grow(need: number): void {
    const next = new Uint8Array(Math.max(need, this.buf.length * 2));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.dv = new DataView(next.buffer);
    this.full = next.subarray(0, this.cap);
  }

  /** Start of a pass. */
  reset(): void {
    this.pos = 0;
    this.flushed = 0;
  }

  /** After `full` has been consumed: moves the bytes past `cap` to the front. */
  shift(): void {
    const over = this.pos - this.cap;
    if (over > 0) this.buf.copyWithin(0, this.cap, this.pos);
    this.pos = over;
    this.flushed += this.cap;
  }

  /** The last, partial chunk (a new view only when its length differs from last time). */
  takeRest(): Uint8Array {
    let out = this.rest;
    if (out.length !== this.pos || out.buffer !== this.buf.buffer) out = this.rest = this.buf.subarray(0, this.pos);
    this.flushed += this.pos;
    this.pos = 0;
    return out;
  }

  u8(b: number): void {
    this.buf[this.pos++] = b;
  }

  u16(v: number): void {
    this.dv.setUint16(this.pos, v);
    this.pos += 2;
  }

  u32(v: number): void {
    this.dv.setUint32(this.pos, v);
    this.pos += 4;
  }

  f32(x: number): void {
    this.dv.setFloat32(this.pos, x);
    this.pos += 4;
  }

  f64(x: number): void {
    this.dv.setFloat64(this.pos, x);
    this.pos += 8;
  }

  /** Copies constant bytes (precomputed keys). */
  bytes(src: Uint8Array): void {
    this.buf.set(src, this.pos);
    this.pos += src.length;
  }

  /** Writes `s` as UTF-8 (caller reserved `utf8Length(s)` bytes; `s` is well-formed). */
  utf8(s: string): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) {
      let c = s.charCodeAt(i);
      if (c < 0x80) b[p++] = c;
      else if (c < 0x800) {
        b[p++] = 0xc0 | (c >> 6);
        b[p++] = 0x80 | (c & 0x3f);
      } else if (c >= 0xd800 && c <= 0xdbff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (s.charCodeAt(++i) - 0xdc00);
        b[p++] = 0xf0 | (c >> 18);
        b[p++] = 0x80 | ((c >> 12) & 0x3f);
        b[p++] = 0x80 | ((c >> 6) & 0x3f);
        b[p++] = 0x80 | (c & 0x3f);
      } else {
        b[p++] = 0xe0 | (c >> 12);
        b[p++] = 0x80 | ((c >> 6) & 0x3f);
        b[p++] = 0x80 | (c & 0x3f);
      }
    }
    this.pos = p;
  }

  /** ASCII text (signature hex, literals). */
  ascii(s: string): void {
    const b = this.buf;
    let p = this.pos;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /**
   * Slice `k` of size `size` of a body of `total` bytes held at `buf[0, total)`: a cached view,
   * new only when the buffer, slice size or the last slice's length changed.
   */
  view(k: number, size: number, total: number): Uint8Array {
    if (size !== this.viewSize) {
      this.views = [];
      this.viewSize = size;
    }
    const start = k * size;
    const len = Math.min(size, total - start);
    let v = this.views[k];
    if (v === undefined || v.length !== len || v.buffer !== this.buf.buffer) {
      v = this.buf.subarray(start, start + len);
      this.views[k] = v;
    }
    return v;
  }

  /** Overwrites bytes already written at buffer offset `at` with ASCII `s` (the signature). */
  patchAscii(at: number, s: string): void {
    if (at < 0 || at + s.length > this.buf.length) throw new RangeError('patch outside the buffer');
    for (let i = 0; i < s.length; i++) this.buf[at + i] = s.charCodeAt(i);
  }

  /** Little-endian sample writes for binary tails. */
  le(x: number, type: 'i8' | 'u8' | 'i16' | 'u16' | 'i32' | 'u32' | 'f32'): void {
    const dv = this.dv;
    const p = this.pos;
    switch (type) {
      case 'i8': dv.setInt8(p, x); this.pos = p + 1; return;
      case 'u8': dv.setUint8(p, x); this.pos = p + 1; return;
      case 'i16': dv.setInt16(p, x, true); this.pos = p + 2; return;
      case 'u16': dv.setUint16(p, x, true); this.pos = p + 2; return;
      case 'i32': dv.setInt32(p, x, true); this.pos = p + 4; return;
      case 'u32': dv.setUint32(p, x, true); this.pos = p + 4; return;
      case 'f32': dv.setFloat32(p, x, true); this.pos = p + 4; return;
    }
  }
}

// A few idle writers per buffer size, so steady-state encoding allocates no buffers. Fixed-size
// slots, not push/pop, so the pool's own backing store is never reallocated.
const POOL_MAX = 4;
/** Writers above this size (single-pass buffers) are pooled one at a time. */
const BIG = 1024 * 1024;
const pools = new Map<number, { free: (ByteWriter | null)[]; n: number }>();

export function acquireWriter(cap: number): ByteWriter {
  const p = pools.get(cap);
  if (p !== undefined && p.n > 0) {
    const w = p.free[--p.n]!;
    p.free[p.n] = null;
    w.reset();
    return w;
  }
  return new ByteWriter(cap);
}

export function releaseWriter(w: ByteWriter): void {
  let p = pools.get(w.cap);
  if (p === undefined) pools.set(w.cap, (p = { free: [null, null, null, null], n: 0 }));
  if (p.n >= (w.cap > BIG ? 1 : POOL_MAX)) return;
  for (let i = 0; i < p.n; i++) if (p.free[i] === w) return;
  p.free[p.n++] = w;
}
