/**
 * A small strict CBOR (RFC 8949) reader written for the service: it is the independent check of
 * our encoder, so it shares no code with src/encode. It pulls items one at a time from a
 * ByteSource (a buffer or a file read through a window), so a document of 30 M values is walked
 * without one JS object per value; `decodeCborPrefix` builds plain values for small inputs.
 */
import { SampleFormatError } from './errors.ts';
import { sourceOf, WINDOW_BYTES, type ByteSource } from './byte-source.ts';
import type { DocTokens, TokenKind, TokenLimits } from './doc-tokens.ts';

export type CborDecodeOptions = TokenLimits;

/** Byte span of one top-level map entry's value: [start, end) plus the text payload offset. */
export interface TopLevelSpan {
  start: number;
  end: number;
  /** For text strings with a definite length: offset of the first content byte. */
  textStart?: number;
}

export interface CborDecoded {
  value: unknown;
  /** Offset just past the first item: anything after it is a tail. */
  end: number;
  /** Spans of the values of a top-level map, by key. */
  spans: Map<string, TopLevelSpan>;
}

/** Longest text or byte string accepted (names, units, references: never near this). */
export const MAX_STRING_BYTES = WINDOW_BYTES;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BREAK = Symbol('break');

function fail(msg: string, at: number): never {
  throw new SampleFormatError('EI_SVC_CBOR', `Invalid CBOR: ${msg} at byte ${at}`);
}

/** One open container: items left (-1: indefinite, ends at a break). */
interface Frame {
  left: number;
}

export class CborTokens implements DocTokens {
  readonly format = 'cbor' as const;
  private buf: Uint8Array;
  private view: DataView;
  private at = 0;
  private base = 0;
  private items = 0;
  private readonly stack: Frame[] = [];
  lastText: { start: number; length: number } | undefined;

  constructor(
    private readonly src: ByteSource,
    private readonly opts: TokenLimits,
    start = 0,
  ) {
    const w = src.window(start, Math.min(src.length - start, 16));
    this.buf = w.buf;
    this.view = new DataView(w.buf.buffer, w.buf.byteOffset, w.buf.byteLength);
    this.at = w.at;
    this.base = start - w.at;
  }

  get pos(): number {
    return this.base + this.at;
  }

  /** Makes n bytes at pos readable in buf[at…]. */
  private need(n: number): void {
    if (this.at + n <= this.buf.length) return;
    const pos = this.pos;
    if (n > this.src.length - pos) fail('truncated item', pos);
    const w = this.src.window(pos, n);
    if (w.at + n > w.buf.length) fail('truncated item', pos);
    this.buf = w.buf;
    this.view = new DataView(w.buf.buffer, w.buf.byteOffset, w.buf.byteLength);
    this.at = w.at;
    this.base = pos - w.at;
  }

  private u8(): number {
    this.need(1);
    return this.buf[this.at++];
  }

  private peekByte(): number {
    this.need(1);
    return this.buf[this.at];
  }

  private count(): void {
    if (++this.items > this.opts.maxItems) fail('too many items', this.pos);
  }

  /** Reads the argument of a head whose additional info is `ai`; -1 for indefinite. */
  private arg(ai: number, major: number): number {
    if (ai < 24) return ai;
    const at = this.pos;
    switch (ai) {
      case 24:
        return this.u8();
      case 25: {
        this.need(2);
        const v = this.view.getUint16(this.at);
        this.at += 2;
        return v;
      }
      case 26: {
        this.need(4);
        const v = this.view.getUint32(this.at);
        this.at += 4;
        return v;
      }
      case 27: {
        this.need(8);
        const v = this.view.getBigUint64(this.at);
        this.at += 8;
        // Lengths this large cannot fit in the body; integers lose precision like JSON would.
        return Number(v);
      }
      case 31:
        if (major === 0 || major === 1 || major === 6 || major === 7) fail('indefinite length on a non-container', at - 1);
        return -1;
      default:
        return fail(`reserved additional info ${ai}`, at - 1);
    }
  }

  /** Skips tag heads (e.g. 55799 self-describe: they carry no meaning here). */
  private skipTags(): void {
    while (this.peekByte() >> 5 === 6) {
      this.at++;
      this.arg(this.buf[this.at - 1] & 0x1f, 6);
    }
  }

  peekKind(): TokenKind {
    this.skipTags();
    const ib = this.peekByte();
    switch (ib >> 5) {
      case 0:
      case 1:
        return 'number';
      case 3:
        return 'string';
      case 4:
        return 'array';
      case 5:
        return 'map';
      case 7:
        return (ib & 0x1f) >= 25 && (ib & 0x1f) <= 27 ? 'number' : 'other';
      default:
        return 'other';
    }
  }

  private open(major: number, depth: number, what: string): void {
    if (depth > this.opts.maxDepth) fail('nesting too deep', this.pos);
    this.count();
    this.skipTags();
    const at = this.pos;
    const ib = this.u8();
    if (ib >> 5 !== major) fail(`${what} expected`, at);
    const left = this.arg(ib & 0x1f, major);
    // Every item takes at least one byte: refuse lengths the rest of the body cannot hold.
    if (left > 0 && left * (major === 5 ? 2 : 1) > this.src.length - this.pos) fail(`${what} longer than the body`, at);
    this.stack.push({ left });
  }

  /** True when the innermost container has another item (consumes its break when it ends). */
  private more(): boolean {
    const f = this.stack[this.stack.length - 1];
    if (f.left === 0) {
      this.stack.pop();
      return false;
    }
    if (f.left < 0) {
      if (this.peekByte() === 0xff) {
        this.at++;
        this.stack.pop();
        return false;
      }
      return true;
    }
    f.left--;
    return true;
  }

  beginMap(depth: number): void {
    this.open(5, depth, 'map');
  }

  nextKey(): string | null {
    if (!this.more()) return null;
    const at = this.pos;
    this.skipTags();
    if (this.peekByte() >> 5 !== 3) fail('map key is not a text string', at);
    const k = this.item(this.stack.length);
    return k as string;
  }

  beginArray(depth: number): void {
    this.open(4, depth, 'array');
  }

  nextElement(): boolean {
    return this.more();
  }

  readNumber(): number {
    this.count();
    this.skipTags();
    const at = this.pos;
    const ib = this.u8();
    const major = ib >> 5;
    if (major === 0) return this.arg(ib & 0x1f, 0);
    if (major === 1) return -1 - this.arg(ib & 0x1f, 1);
    const v = major === 7 ? this.float(ib & 0x1f) : undefined;
    if (v === undefined) fail('number expected', at);
    return v;
  }

  private float(ai: number): number | undefined {
    switch (ai) {
      case 25: {
        this.need(2);
        const v = halfToNumber(this.view.getUint16(this.at));
        this.at += 2;
        return v;
      }
      case 26: {
        this.need(4);
        const v = this.view.getFloat32(this.at);
        this.at += 4;
        return v;
      }
      case 27: {
        this.need(8);
        const v = this.view.getFloat64(this.at);
        this.at += 8;
        return v;
      }
      default:
        return undefined;
    }
  }

  readValue(depth: number): unknown {
    const at = this.pos;
    const v = this.item(depth);
    if (v === BREAK) fail('unexpected break', at);
    return v;
  }

  finish(): number {
    if (this.stack.length !== 0) fail('unterminated container', this.pos);
    return this.pos;
  }

  /** One whole item as plain data. */
  private item(depth: number): unknown {
    if (depth > this.opts.maxDepth) fail('nesting too deep', this.pos);
    this.count();
    const ib = this.u8();
    if (ib === 0xff) return BREAK;
    const major = ib >> 5;
    const ai = ib & 0x1f;
    switch (major) {
      case 0:
        return this.arg(ai, major);
      case 1:
        return -1 - this.arg(ai, major);
      case 2:
      case 3:
        return this.string(major, ai);
      case 4:
        return this.array(ai, depth);
      case 5:
        return this.map(ai, depth);
      case 6:
        this.arg(ai, major);
        return this.readValue(depth + 1);
      default:
        return this.simple(ai);
    }
  }

  private string(major: number, ai: number): string | Uint8Array {
    const headAt = this.pos - 1;
    const len = this.arg(ai, major);
    if (len >= 0) {
      if (len > MAX_STRING_BYTES) fail(`string of ${len} bytes is too long`, headAt);
      this.need(len);
      const start = this.pos;
      const raw = this.buf.subarray(this.at, this.at + len);
      this.at += len;
      if (major === 3) {
        const s = this.text(raw, start);
        this.lastText = { start, length: len };
        return s;
      }
      return raw.slice();
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      const ib = this.u8();
      if (ib === 0xff) break;
      if (ib >> 5 !== major || (ib & 0x1f) === 31) fail('bad chunk in indefinite string', this.pos - 1);
      const n = this.arg(ib & 0x1f, major);
      total += n;
      if (total > MAX_STRING_BYTES) fail('string too long', headAt);
      this.need(n);
      parts.push(this.buf.slice(this.at, this.at + n));
      this.at += n;
    }
    const all = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    this.lastText = undefined;
    return major === 3 ? this.text(all, headAt) : all;
  }

  private text(raw: Uint8Array, at: number): string {
    try {
      return utf8.decode(raw);
    } catch {
      return fail('invalid UTF-8 in text string', at);
    }
  }

  private array(ai: number, depth: number): unknown[] {
    const len = this.arg(ai, 4);
    const out: unknown[] = [];
    if (len >= 0) {
      if (len > this.src.length - this.pos) fail('array longer than the body', this.pos);
      for (let i = 0; i < len; i++) out.push(this.readValue(depth + 1));
      return out;
    }
    for (;;) {
      const v = this.item(depth + 1);
      if (v === BREAK) return out;
      out.push(v);
    }
  }

  private map(ai: number, depth: number, spans?: Map<string, TopLevelSpan>): Record<string, unknown> {
    const len = this.arg(ai, 5);
    const out: Record<string, unknown> = Object.create(null);
    if (len >= 0 && len * 2 > this.src.length - this.pos) fail('map longer than the body', this.pos);
    for (let i = 0; len < 0 || i < len; i++) {
      const keyAt = this.pos;
      const k = len < 0 ? this.item(depth + 1) : this.readValue(depth + 1);
      if (k === BREAK) break;
      if (typeof k !== 'string') fail('map key is not a text string', keyAt);
      if (Object.hasOwn(out, k)) fail(`duplicate map key "${k.slice(0, 40)}"`, keyAt);
      const start = this.pos;
      this.lastText = undefined;
      const v = this.readValue(depth + 1);
      if (spans) {
        const span: TopLevelSpan = { start, end: this.pos };
        const lt = this.lastText as { start: number } | undefined;
        if (typeof v === 'string' && lt) span.textStart = lt.start;
        spans.set(k, span);
      }
      out[k] = v;
    }
    return out;
  }

  /** The first item, a top-level map recording its value spans when it is one (tests, tools). */
  prefix(): CborDecoded {
    if (this.src.length === 0) fail('empty body', 0);
    const spans = new Map<string, TopLevelSpan>();
    this.skipTags();
    const ib = this.peekByte();
    let value: unknown;
    if (ib >> 5 === 5) {
      this.count();
      this.at++;
      value = this.map(ib & 0x1f, 0, spans);
    } else {
      value = this.readValue(0);
    }
    return { value, end: this.pos, spans };
  }

  private simple(ai: number): unknown {
    const at = this.pos - 1;
    switch (ai) {
      case 20:
        return false;
      case 21:
        return true;
      case 22:
        return null;
      case 23:
        return undefined;
      default: {
        const v = this.float(ai);
        if (v === undefined) fail(`unsupported simple value ${ai}`, at);
        return v;
      }
    }
  }
}

/** IEEE 754 binary16 → number (RFC 8949 Appendix D). */
export function halfToNumber(h: number): number {
  const exp = (h >> 10) & 0x1f;
  const mant = h & 0x3ff;
  const sign = h & 0x8000 ? -1 : 1;
  if (exp === 0) return sign * mant * 2 ** -24;
  if (exp === 31) return mant === 0 ? sign * Infinity : NaN;
  return sign * (1 + mant / 1024) * 2 ** (exp - 15);
}

/**
 * Decodes the first CBOR item of `bytes` as plain values. Bytes after it are left alone.
 * @throws SampleFormatError (code EI_SVC_CBOR) on any malformation, naming the byte offset.
 */
export function decodeCborPrefix(bytes: Uint8Array | ByteSource, opts: CborDecodeOptions): CborDecoded {
  return new CborTokens(sourceOf(bytes), opts).prefix();
}
