/**
 * The contract between the encoders and everything downstream (HTTP framing, transports, spool).
 * A body is sized and signed before its first byte is sent, so Content-Length is always known,
 * and it can be streamed any number of times (a retry re-streams it) in constant memory.
 */
export interface EncodedBody {
  /** Exact number of bytes `chunks()` yields in total. */
  readonly length: number;
  /** `application/cbor`, `application/json` or `application/octet-stream` (binary tails). */
  readonly contentType: string;
  /** Lowercase hex signature written into the body ('00' for alg none). */
  readonly signature: string;
  /**
   * Yields the body in order. Each view is borrowed: it is valid only until the iterator is
   * advanced again, because the encoder reuses one small buffer. Copy it to keep it.
   */
  chunks(): Iterable<Uint8Array>;
}

/** Wraps bytes already in memory (a file read from disk, a test fixture) as a body. */
export function bodyFromBytes(bytes: Uint8Array, contentType: string, signature = ''): EncodedBody {
  return {
    length: bytes.byteLength,
    contentType,
    signature,
    *chunks() {
      if (bytes.byteLength > 0) yield bytes;
    },
  };
}
