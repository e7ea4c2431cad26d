/**
 * The pull interface the document checker walks (document.ts), implemented once for CBOR
 * (cbor-decode.ts) and once for JSON (json-scan.ts). Containers are entered and left explicitly,
 * so `payload.values` can be walked number by number without building arrays, while small
 * fields are read as plain values.
 */
export type TokenKind = 'map' | 'array' | 'string' | 'number' | 'other';

export interface TokenLimits {
  maxDepth: number;
  /** Upper bound on items read, so a hostile length cannot make us spin. */
  maxItems: number;
}

export interface DocTokens {
  readonly format: 'json' | 'cbor';
  /** Offset of the next unread byte. */
  readonly pos: number;
  /** Kind of the next value (tags are skipped). */
  peekKind(): TokenKind;
  /** Enters a map at `depth` (0 = the document). */
  beginMap(depth: number): void;
  /** The next key of the innermost open map, or null when it ended (it is then left). */
  nextKey(): string | null;
  /** Enters an array at `depth`. */
  beginArray(depth: number): void;
  /** True when the innermost open array has another element; false when it ended (left). */
  nextElement(): boolean;
  /** Reads the next value, which peekKind() said is a number. */
  readNumber(): number;
  /** Reads any value as plain data (null-prototype maps), within the depth and item bounds. */
  readValue(depth: number): unknown;
  /**
   * For the last readValue that was a definite-length text string: where its content bytes lie
   * and how many there are (the verifier zeroes the signature in place, FACTS §1).
   */
  readonly lastText: { start: number; length: number } | undefined;
  /** After the document: what may follow is checked (JSON: whitespace only); returns its end. */
  finish(): number;
}
