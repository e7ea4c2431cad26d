/**
 * A small strict CBOR (RFC 8949) decoder written for the service: it is the independent check of
 * our encoder, so it shares no code with src/encode. It reports where the first item ends (binary
 * tails follow the document) and where each top-level map value lies in the raw bytes (the
 * verifier zeroes the signature text in place, FACTS §1).
 */
import { SampleFormatError } from './errors.ts';

export interface CborDecodeOptions {
  maxDepth: number;
  /** Upper bound on decoded items, so a hostile length cannot make us spin or allocate. */
  maxItems: number;
}

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

const utf8 = new TextDecoder('utf-8', { fatal: true });
const BREAK = Symbol('break');

function fail(msg: string, at: number): never {
  throw new SampleFormatError('EI_SVC_CBOR', `Invalid CBOR: ${msg} at byte ${at}`);
}

class Reader {
  pos = 0;
  items = 0;
  readonly view: DataView;
  constructor(
    readonly bytes: Uint8Array,
    readonly opts: CborDecodeOptions,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  need(n: number): void {
    if (n > this.bytes.length - this.pos) fail('truncated item', this.pos);
  }

  /** Reads the argument of a head whose additional info is `ai`; -1 for indefinite. */
  arg(ai: number, major: number): number {
    if (ai < 24) return ai;
    const at = this.pos;
    switch (ai) {
      case 24:
        this.need(1);
        return this.bytes[this.pos++];
      case 25: {
        this.need(2);
        const v = this.view.getUint16(this.pos);
        this.pos += 2;
        return v;
      }
      case 26: {
        this.need(4);
        const v = this.view.getUint32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        this.need(8);
        const v = this.view.getBigUint64(this.pos);
        this.pos += 8;
        // Lengths this large cannot fit in the body; integers lose precision like JSON would.
        return Number(v);
      }
      case 31:
        if (major === 0 || major === 1 || major === 6) fail('indefinite length on a non-container', at);
        return -1;
      default:
        return fail(`reserved additional info ${ai}`, at - 1);
    }
  }

  item(depth: number, spans?: Map<string, TopLevelSpan>): unknown {
    if (depth > this.opts.maxDepth) fail('nesting too deep', this.pos);
    if (++this.items > this.opts.maxItems) fail('too many items', this.pos);
    this.need(1);
    const ib = this.bytes[this.pos++];
    const major = ib >> 5;
    const ai = ib & 0x1f;
    if (ib === 0xff) return BREAK;
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
        return this.map(ai, depth, spans);
      case 6:
        this.arg(ai, major); // tags (e.g. 55799 self-describe) carry no meaning here
        return this.nonBreak(depth + 1);
      default:
        return this.simple(ai);
    }
  }

  nonBreak(depth: number): unknown {
    const at = this.pos;
    const v = this.item(depth);
    if (v === BREAK) fail('unexpected break', at);
    return v;
  }

  string(major: number, ai: number): string | Uint8Array {
    const len = this.arg(ai, major);
    if (len >= 0) {
      this.need(len);
      const raw = this.bytes.subarray(this.pos, this.pos + len);
      this.pos += len;
      return major === 3 ? this.text(raw) : raw.slice();
    }
    const parts: Uint8Array[] = [];
    let total = 0;
    for (;;) {
      this.need(1);
      const ib = this.bytes[this.pos++];
      if (ib === 0xff) break;
      if (ib >> 5 !== major || (ib & 0x1f) === 31) fail('bad chunk in indefinite string', this.pos - 1);
      const n = this.arg(ib & 0x1f, major);
      this.need(n);
      parts.push(this.bytes.subarray(this.pos, this.pos + n));
      this.pos += n;
      total += n;
    }
    const all = new Uint8Array(total);
    let o = 0;
    for (const p of parts) {
      all.set(p, o);
      o += p.length;
    }
    return major === 3 ? this.text(all) : all;
  }

  text(raw: Uint8Array): string {
    try {
      return utf8.decode(raw);
    } catch {
      return fail('invalid UTF-8 in text string', this.pos - raw.length);
    }
  }

  array(ai: number, depth: number): unknown[] {
    const len = this.arg(ai, 4);
    const out: unknown[] = [];
    if (len >= 0) {
      // Every item takes at least one byte: refuse lengths the rest of the body cannot hold.
      if (len > this.bytes.length - this.pos) fail('array longer than the body', this.pos);
      for (let i = 0; i < len; i++) out.push(this.nonBreak(depth + 1));
      return out;
    }
    for (;;) {
      const v = this.item(depth + 1);
      if (v === BREAK) return out;
      out.push(v);
    }
  }

  map(ai: number, depth: number, spans?: Map<string, TopLevelSpan>): Record<string, unknown> {
    const len = this.arg(ai, 5);
    const out: Record<string, unknown> = Object.create(null);
    if (len >= 0 && len * 2 > this.bytes.length - this.pos) fail('map longer than the body', this.pos);
    for (let i = 0; len < 0 || i < len; i++) {
      const keyAt = this.pos;
      const k = len < 0 ? this.item(depth + 1) : this.nonBreak(depth + 1);
      if (k === BREAK) break;
      if (typeof k !== 'string') fail('map key is not a text string', keyAt);
      if (Object.hasOwn(out, k)) fail(`duplicate map key "${k.slice(0, 40)}"`, keyAt);
      const start = this.pos;
      const head = this.bytes[start];
      const v = this.nonBreak(depth + 1);
      if (spans) {
        const span: TopLevelSpan = { start, end: this.pos };
        if (head !== undefined && head >> 5 === 3 && (head & 0x1f) !== 31 && typeof v === 'string') {
          span.textStart = this.pos - utf8Length(v);
        }
        spans.set(k, span);
      }
      out[k] = v;
    }
    return out;
  }

  simple(ai: number): unknown {
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
      case 25: {
        this.need(2);
        const v = halfToNumber(this.view.getUint16(this.pos));
        this.pos += 2;
        return v;
      }
      case 26: {
        this.need(4);
        const v = this.view.getFloat32(this.pos);
        this.pos += 4;
        return v;
      }
      case 27: {
        this.need(8);
        const v = this.view.getFloat64(this.pos);
        this.pos += 8;
        return v;
      }
      default:
        return fail(`unsupported simple value ${ai}`, at);
    }
  }
}

function utf8Length(s: string): number {
  return Buffer.byteLength(s, 'utf8');
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
 * Decodes the first CBOR item of `bytes`. Bytes after it are left alone (a binary tail).
 * @throws SampleFormatError (code EI_SVC_CBOR) on any malformation, naming the byte offset.
 */
export function decodeCborPrefix(bytes: Uint8Array, opts: CborDecodeOptions): CborDecoded {
  const r = new Reader(bytes, opts);
  const spans = new Map<string, TopLevelSpan>();
  if (bytes.length === 0) fail('empty body', 0);
  const value = r.item(0, spans);
  if (value === BREAK) fail('unexpected break', 0);
  return { value, end: r.pos, spans };
}
