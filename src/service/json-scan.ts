/**
 * A strict JSON (RFC 8259) reader pulling one token at a time from a ByteSource, so a document of
 * millions of values is checked without building them (issue 12), with the same depth and item
 * bounds as CBOR. It also reports where a string's raw text lies, so the verifier can zero the
 * signature in place (FACTS §1) without re-serialising.
 */
import { SampleFormatError } from './errors.ts';
import { MAX_STRING_BYTES } from './cbor-decode.ts';
import type { ByteSource } from './byte-source.ts';
import type { DocTokens, TokenKind, TokenLimits } from './doc-tokens.ts';

/** Longest number text accepted (a float64 needs at most ~25 characters). */
const MAX_NUMBER_CHARS = 512;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function fail(msg: string, at: number): never {
  throw new SampleFormatError('EI_SVC_JSON', `Invalid JSON: ${msg} at byte ${at}`);
}

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

interface Frame {
  first: boolean;
  close: number;
}

export class JsonTokens implements DocTokens {
  readonly format = 'json' as const;
  private buf: Buffer;
  private at = 0;
  private base = 0;
  private items = 0;
  private readonly stack: Frame[] = [];
  lastText: { start: number; length: number } | undefined;
  /** Accumulates string bytes across window moves; grown on demand, bounded. */
  private sbuf = Buffer.allocUnsafe(256);

  constructor(
    private readonly src: ByteSource,
    private readonly opts: TokenLimits,
    start = 0,
  ) {
    this.buf = Buffer.alloc(0);
    this.base = start;
  }

  get pos(): number {
    return this.base + this.at;
  }

  /** Makes up to n bytes at pos readable (fewer at the end of input); returns how many are. */
  private need(n: number): number {
    const have = this.buf.length - this.at;
    if (have >= n) return have;
    const pos = this.pos;
    const want = Math.min(n, this.src.length - pos);
    if (have >= want) return have;
    const w = this.src.window(pos, want);
    this.buf = Buffer.from(w.buf.buffer, w.buf.byteOffset, w.buf.byteLength);
    this.at = w.at;
    this.base = pos - w.at;
    return this.buf.length - this.at;
  }

  /** The next byte, -1 at the end of input. */
  private peek(): number {
    if (this.at < this.buf.length) return this.buf[this.at];
    return this.need(1) > 0 ? this.buf[this.at] : -1;
  }

  private ws(): number {
    for (;;) {
      const c = this.peek();
      if (!isWs(c)) return c;
      this.at++;
    }
  }

  private count(): void {
    if (++this.items > this.opts.maxItems) fail('too many values', this.pos);
  }

  private expect(c: number, what: string): void {
    if (this.ws() !== c) fail(`${what} expected`, this.pos);
    this.at++;
  }

  peekKind(): TokenKind {
    const c = this.ws();
    if (c === 0x7b) return 'map';
    if (c === 0x5b) return 'array';
    if (c === 0x22) return 'string';
    if (c === 0x2d || (c >= 0x30 && c <= 0x39)) return 'number';
    return 'other';
  }

  private open(c: number, close: number, depth: number, what: string): void {
    if (depth > this.opts.maxDepth) fail(`nesting deeper than ${this.opts.maxDepth}`, this.pos);
    this.count();
    this.expect(c, what);
    this.stack.push({ first: true, close });
  }

  beginMap(depth: number): void {
    this.open(0x7b, 0x7d, depth, "'{'");
  }

  nextKey(): string | null {
    const f = this.stack[this.stack.length - 1];
    const c = this.ws();
    if (c === 0x7d) {
      this.at++;
      this.stack.pop();
      return null;
    }
    if (!f.first) {
      if (c !== 0x2c) fail("',' or '}' expected", this.pos);
      this.at++;
      if (this.ws() !== 0x22) fail('member name expected', this.pos);
    } else if (c !== 0x22) {
      fail('member name expected', this.pos);
    }
    f.first = false;
    const k = this.string();
    this.expect(0x3a, "':'");
    return k;
  }

  beginArray(depth: number): void {
    this.open(0x5b, 0x5d, depth, "'['");
  }

  nextElement(): boolean {
    const f = this.stack[this.stack.length - 1];
    const c = this.ws();
    if (c === 0x5d) {
      this.at++;
      this.stack.pop();
      return false;
    }
    if (!f.first) {
      if (c !== 0x2c) fail("',' or ']' expected", this.pos);
      this.at++;
      const d = this.ws();
      if (d === 0x5d) fail('value expected', this.pos);
    }
    f.first = false;
    return true;
  }

  readNumber(): number {
    this.count();
    this.ws();
    const start = this.pos;
    this.need(MAX_NUMBER_CHARS);
    const b = this.buf;
    let i = this.at;
    const end = b.length;
    if (b[i] === 0x2d) i++;
    if (b[i] === 0x30) i++;
    else if (b[i] >= 0x31 && b[i] <= 0x39) while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
    else fail('number expected', start + (i - this.at));
    if (b[i] === 0x2e) {
      i++;
      if (!(b[i] >= 0x30 && b[i] <= 0x39)) fail('digit expected after the decimal point', start + (i - this.at));
      while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
    }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (!(b[i] >= 0x30 && b[i] <= 0x39)) fail('digit expected in the exponent', start + (i - this.at));
      while (i < end && b[i] >= 0x30 && b[i] <= 0x39) i++;
    }
    if (i - this.at >= MAX_NUMBER_CHARS) fail('number too long', start);
    const v = Number(b.toString('latin1', this.at, i));
    this.at = i;
    return v;
  }

  readValue(depth: number): unknown {
    if (depth > this.opts.maxDepth) fail(`nesting deeper than ${this.opts.maxDepth}`, this.pos);
    const kind = this.peekKind();
    if (kind === 'number') return this.readNumber();
    if (kind === 'string') {
      this.count();
      return this.string();
    }
    if (kind === 'map') {
      this.beginMap(depth);
      const out: Record<string, unknown> = Object.create(null);
      for (let k = this.nextKey(); k !== null; k = this.nextKey()) {
        if (Object.hasOwn(out, k)) fail(`duplicate member "${k.slice(0, 40)}"`, this.pos);
        out[k] = this.readValue(depth + 1);
      }
      return out;
    }
    if (kind === 'array') {
      this.beginArray(depth);
      const out: unknown[] = [];
      while (this.nextElement()) out.push(this.readValue(depth + 1));
      return out;
    }
    this.count();
    return this.literal();
  }

  private literal(): boolean | null {
    const at = this.pos;
    this.need(5);
    const b = this.buf;
    const i = this.at;
    if (b[i] === 0x74 && b.toString('latin1', i, i + 4) === 'true') return (this.at += 4), true;
    if (b[i] === 0x66 && b.toString('latin1', i, i + 5) === 'false') return (this.at += 5), false;
    if (b[i] === 0x6e && b.toString('latin1', i, i + 4) === 'null') return (this.at += 4), null;
    return fail(this.peek() < 0 ? 'value expected, input ended' : 'unexpected character', at);
  }

  private push(len: number, byte: number): number {
    if (len >= this.sbuf.length) {
      if (len >= MAX_STRING_BYTES) fail('string too long', this.pos);
      const bigger = Buffer.allocUnsafe(Math.min(MAX_STRING_BYTES, this.sbuf.length * 2));
      this.sbuf.copy(bigger, 0, 0, len);
      this.sbuf = bigger;
    }
    this.sbuf[len] = byte;
    return len + 1;
  }

  private pushCode(len: number, cp: number): number {
    if (cp < 0x80) return this.push(len, cp);
    if (cp < 0x800) return this.push(this.push(len, 0xc0 | (cp >> 6)), 0x80 | (cp & 0x3f));
    if (cp < 0x10000) return this.push(this.push(this.push(len, 0xe0 | (cp >> 12)), 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
    len = this.push(this.push(len, 0xf0 | (cp >> 18)), 0x80 | ((cp >> 12) & 0x3f));
    return this.push(this.push(len, 0x80 | ((cp >> 6) & 0x3f)), 0x80 | (cp & 0x3f));
  }

  private hex4(): number {
    const at = this.pos;
    if (this.need(4) < 4) fail('bad \\u escape', at);
    const t = this.buf.toString('latin1', this.at, this.at + 4);
    if (!/^[0-9a-fA-F]{4}$/.test(t)) fail('bad \\u escape', at);
    this.at += 4;
    return parseInt(t, 16);
  }

  /** A string at pos (which is a quote); records its raw text span in lastText. */
  private string(): string {
    this.at++; // opening quote
    const start = this.pos;
    let len = 0;
    for (;;) {
      const c = this.peek();
      if (c < 0) fail('unterminated string', this.pos);
      if (c === 0x22) break;
      if (c < 0x20) fail('control character in string', this.pos);
      this.at++;
      if (c !== 0x5c) {
        len = this.push(len, c);
        continue;
      }
      const e = this.peek();
      this.at++;
      switch (e) {
        case 0x22:
        case 0x5c:
        case 0x2f:
          len = this.push(len, e);
          break;
        case 0x62:
          len = this.push(len, 8);
          break;
        case 0x66:
          len = this.push(len, 12);
          break;
        case 0x6e:
          len = this.push(len, 10);
          break;
        case 0x72:
          len = this.push(len, 13);
          break;
        case 0x74:
          len = this.push(len, 9);
          break;
        case 0x75: {
          let cp = this.hex4();
          if (cp >= 0xd800 && cp < 0xdc00 && this.peek() === 0x5c) {
            // A surrogate pair written as two escapes.
            const save = this.at;
            this.at++;
            if (this.peek() === 0x75) {
              this.at++;
              const lo = this.hex4();
              if (lo >= 0xdc00 && lo < 0xe000) cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
              else this.at = save;
            } else this.at = save;
          }
          // A lone surrogate has no UTF-8 form: it reads as U+FFFD.
          len = this.pushCode(len, cp >= 0xd800 && cp < 0xe000 ? 0xfffd : cp);
          break;
        }
        default:
          fail('bad escape', this.pos - 2);
      }
    }
    const end = this.pos;
    this.at++; // closing quote
    this.lastText = { start, length: end - start };
    try {
      return utf8.decode(this.sbuf.subarray(0, len));
    } catch {
      return fail('invalid UTF-8 in string', start);
    }
  }

  finish(): number {
    if (this.stack.length !== 0) fail('unterminated container', this.pos);
    const c = this.ws();
    if (c >= 0) fail('bytes after the document', this.pos);
    return this.pos;
  }
}
