/**
 * Finds the top-level `signature` text (and `protected.alg`) in raw JSON or CBOR document bytes,
 * by walking the top level structurally: a `"signature"` inside a device name or a nested object is
 * never mistaken for it. Bytes after a CBOR document (a binary tail, FACTS §1) are left alone.
 * Pure, no allocation beyond the result.
 */
import { SignError } from './errors.ts';

export interface SignatureLocation {
  format: 'json' | 'cbor';
  /** Byte offsets of the signature text's content (without quotes / CBOR head). */
  start: number;
  end: number;
  /** `protected.alg` when it is present as a short text, else undefined. */
  alg: string | undefined;
}

const SIGNATURE = bytesOf('signature');
const PROTECTED = bytesOf('protected');
const ALG = bytesOf('alg');
const MAX_DEPTH = 64;

/** @throws SignError EI_SIGN_MALFORMED (unparseable top level), EI_SIGN_NO_SIGNATURE */
export function locateSignature(bytes: Uint8Array): SignatureLocation {
  let i = 0;
  while (i < bytes.length && isWs(bytes[i]!)) i++;
  const first = bytes[i];
  if (first === 0x7b) return new JsonScan(bytes).top(i);
  if (first !== undefined && first >> 5 === 5) return new CborScan(bytes).top();
  throw malformed('document is neither a JSON object nor a CBOR map', 0);
}

/**
 * Byte length of the first CBOR data item in `bytes` (the document), so a binary tail can be
 * split off. @throws SignError EI_SIGN_MALFORMED when the item is truncated or invalid.
 */
export function cborItemLength(bytes: Uint8Array): number {
  return new CborScan(bytes).itemEnd();
}

// ---------------------------------------------------------------- CBOR

class CborScan {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}

  itemEnd(): number {
    this.skip(1);
    return this.pos;
  }

  top(): SignatureLocation {
    const res: SignatureLocation = { format: 'cbor', start: -1, end: -1, alg: undefined };
    this.eachPair((keyStart, keyEnd) => {
      if (eq(this.b, keyStart, keyEnd, SIGNATURE)) {
        const t = this.text();
        if (t) [res.start, res.end] = t;
        else this.skip(1);
      } else if (eq(this.b, keyStart, keyEnd, PROTECTED) && this.peekMajor() === 5) {
        this.eachPair((ks, ke) => {
          const t = eq(this.b, ks, ke, ALG) ? this.text() : null;
          if (t) res.alg = latin1(this.b, t[0], t[1]);
          else this.skip(1);
        });
      } else this.skip(1);
    });
    if (res.start < 0) throw new SignError('EI_SIGN_NO_SIGNATURE', 'no top-level "signature" text string in the CBOR document');
    return res;
  }

  /** Walks a map at pos, calling fn with each key's text span (or -1,-1) positioned at its value. */
  private eachPair(fn: (keyStart: number, keyEnd: number) => void): void {
    const [major, n] = this.head();
    if (major !== 5) throw malformed('expected a map', this.pos);
    for (let k = 0; n < 0 ? !this.breakNext() : k < n; k++) {
      const t = this.text();
      if (t) fn(t[0], t[1]);
      else {
        this.skip(1);
        fn(-1, -1);
      }
    }
  }

  /** Consumes a definite text string at pos and returns its content span, or null (pos unchanged). */
  private text(): [number, number] | null {
    const save = this.pos;
    if (this.peekMajor() !== 3) return null;
    const [, n] = this.head();
    if (n < 0) {
      this.pos = save;
      return null;
    }
    const start = this.pos;
    this.need(n);
    this.pos += n;
    return [start, start + n];
  }

  private breakNext(): boolean {
    this.need(1);
    if (this.b[this.pos] === 0xff) {
      this.pos++;
      return true;
    }
    return false;
  }

  private peekMajor(): number {
    this.need(1);
    return this.b[this.pos]! >> 5;
  }

  /** Reads an item head: [major, argument]; argument -1 means indefinite length. */
  private head(): [number, number] {
    this.need(1);
    const ib = this.b[this.pos++]!;
    const major = ib >> 5;
    const info = ib & 31;
    if (info < 24) return [major, info];
    if (info === 31) {
      if (major >= 2 && major <= 5) return [major, -1];
      if (major === 7) return [major, -2]; // break, handled by callers
      throw malformed('bad indefinite-length item', this.pos - 1);
    }
    if (info > 27) throw malformed('reserved additional info', this.pos - 1);
    const len = 1 << (info - 24);
    this.need(len);
    let v = 0;
    for (let k = 0; k < len; k++) v = v * 256 + this.b[this.pos + k]!;
    this.pos += len;
    return [major, v];
  }

  /** Skips `count` complete items. */
  private skip(count: number, depth = 0): void {
    if (depth > MAX_DEPTH) throw malformed('nesting too deep', this.pos);
    for (let c = 0; c < count; c++) {
      const [major, n] = this.head();
      if (n === -2) throw malformed('unexpected break', this.pos - 1);
      switch (major) {
        case 0:
        case 1:
        case 7:
          break; // head already held the value (floats: 2/4/8 bytes consumed by head())
        case 2:
        case 3:
          if (n < 0) {
            while (!this.breakNext()) this.skip(1, depth + 1);
          } else {
            this.need(n);
            this.pos += n;
          }
          break;
        case 4:
        case 5: {
          const per = major === 5 ? 2 : 1;
          if (n < 0) {
            while (!this.breakNext()) this.skip(per, depth + 1);
          } else this.skip(n * per, depth + 1);
          break;
        }
        case 6:
          this.skip(1, depth + 1);
          break;
      }
    }
  }

  private need(n: number): void {
    if (this.pos + n > this.b.length) throw malformed('truncated CBOR', this.pos);
  }
}

// ---------------------------------------------------------------- JSON

class JsonScan {
  private pos = 0;
  constructor(private readonly b: Uint8Array) {}

  top(at: number): SignatureLocation {
    this.pos = at;
    const res: SignatureLocation = { format: 'json', start: -1, end: -1, alg: undefined };
    this.eachMember((ks, ke) => {
      if (eq(this.b, ks, ke, SIGNATURE) && this.b[this.pos] === 0x22) {
        [res.start, res.end] = this.string();
      } else if (eq(this.b, ks, ke, PROTECTED) && this.b[this.pos] === 0x7b) {
        this.eachMember((ks2, ke2) => {
          if (eq(this.b, ks2, ke2, ALG) && this.b[this.pos] === 0x22) {
            const [s, e] = this.string();
            res.alg = latin1(this.b, s, e);
          } else this.skipValue(0);
        });
      } else this.skipValue(0);
    });
    if (res.start < 0) throw new SignError('EI_SIGN_NO_SIGNATURE', 'no top-level "signature" string in the JSON document');
    return res;
  }

  /** Object at pos; fn is called positioned at each member's value and must consume it. */
  private eachMember(fn: (keyStart: number, keyEnd: number) => void): void {
    this.expect(0x7b);
    this.ws();
    if (this.b[this.pos] === 0x7d) {
      this.pos++;
      return;
    }
    for (;;) {
      this.ws();
      if (this.b[this.pos] !== 0x22) throw malformed('expected a member name', this.pos);
      const [ks, ke] = this.string();
      this.ws();
      this.expect(0x3a);
      this.ws();
      fn(ks, ke);
      this.ws();
      const c = this.b[this.pos++];
      if (c === 0x7d) return;
      if (c !== 0x2c) throw malformed("expected ',' or '}'", this.pos - 1);
    }
  }

  /** String at pos (opening quote); returns the raw content span, escapes left as they are. */
  private string(): [number, number] {
    const start = ++this.pos;
    for (;;) {
      if (this.pos >= this.b.length) throw malformed('unterminated string', start - 1);
      const c = this.b[this.pos++]!;
      if (c === 0x5c) this.pos++;
      else if (c === 0x22) return [start, this.pos - 1];
    }
  }

  private skipValue(depth: number): void {
    if (depth > MAX_DEPTH) throw malformed('nesting too deep', this.pos);
    const c = this.b[this.pos];
    if (c === 0x22) {
      this.string();
    } else if (c === 0x7b) {
      this.eachMember(() => this.skipValue(depth + 1));
    } else if (c === 0x5b) {
      this.pos++;
      this.ws();
      if (this.b[this.pos] === 0x5d) {
        this.pos++;
        return;
      }
      for (;;) {
        this.ws();
        this.skipValue(depth + 1);
        this.ws();
        const d = this.b[this.pos++];
        if (d === 0x5d) return;
        if (d !== 0x2c) throw malformed("expected ',' or ']'", this.pos - 1);
      }
    } else {
      // number, true, false, null: up to the next delimiter
      const start = this.pos;
      while (this.pos < this.b.length && !isDelim(this.b[this.pos]!)) this.pos++;
      if (this.pos === start) throw malformed('expected a value', this.pos);
    }
  }

  private ws(): void {
    while (this.pos < this.b.length && isWs(this.b[this.pos]!)) this.pos++;
  }

  private expect(c: number): void {
    if (this.b[this.pos] !== c) throw malformed(`expected '${String.fromCharCode(c)}'`, this.pos);
    this.pos++;
  }
}

// ---------------------------------------------------------------- helpers

function isWs(c: number): boolean {
  return c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;
}

function isDelim(c: number): boolean {
  return c === 0x2c || c === 0x7d || c === 0x5d || isWs(c);
}

function eq(b: Uint8Array, start: number, end: number, want: Uint8Array): boolean {
  if (end - start !== want.length) return false;
  for (let k = 0; k < want.length; k++) if (b[start + k] !== want[k]) return false;
  return true;
}

function bytesOf(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

function latin1(b: Uint8Array, start: number, end: number): string {
  return end - start > 16 ? '' : String.fromCharCode(...b.subarray(start, end));
}

function malformed(what: string, at: number): SignError {
  return new SignError('EI_SIGN_MALFORMED', `${what} at byte ${at}`);
}
