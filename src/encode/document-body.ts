/**
 * `encodeDocument`: validate, then a size-and-hash pass, then a body whose `chunks()` re-runs the
 * same encoder with the signature in place of the placeholder. Content-Length is known before
 * the first byte, and a retry simply iterates `chunks()` again.
 */
import { DocumentError } from '../model/errors.ts';
import { EiError } from '../errors.ts';
import type { DocumentInput } from '../model/document.ts';
import type { EncodedBody } from './body.ts';
import { makePlan, type EncodeOptions, type EncodePlan } from './plan.ts';
import { EncodeRun } from './run.ts';
import { signerFor } from './signing.ts';
import type { SignSession } from '../sign/index.ts';
import { encodeOnePass, MemorySink } from './one-pass.ts';
import { acquireWriter, releaseWriter, type ByteWriter } from './writer.ts';

/** The emit pass did not reproduce the hashed bytes (the input changed after encodeDocument). */
export class EncodeStateError extends EiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EI_ENC_INPUT_CHANGED', message, options);
  }
}

/** A signed document body; `chunks()` streams it through one pooled buffer. */
export class DocumentBody implements EncodedBody {
  constructor(
    private readonly plan: EncodePlan,
    readonly length: number,
    readonly signature: string,
    /** Offset of the signature's hex text in the body. */
    readonly signatureOffset: number,
  ) {}

  get contentType(): string {
    return this.plan.contentType;
  }

  chunks(): Iterable<Uint8Array> {
    return new ChunkIterator(this.plan, this.signature, this.length);
  }
}

/** A hand-written iterator: one reused result object, so streaming allocates nothing per chunk. */
class ChunkIterator implements Iterator<Uint8Array>, Iterable<Uint8Array> {
  private w: ByteWriter | null = null;
  private run: EncodeRun | null = null;
  private finished = false;
  private readonly result: { value: Uint8Array; done: boolean } = { value: EMPTY, done: false };

  constructor(
    private readonly plan: EncodePlan,
    private readonly sig: string,
    private readonly length: number,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  next(): IteratorResult<Uint8Array> {
    const r = this.result;
    if (this.finished) return this.end();
    if (this.run === null) {
      this.w = acquireWriter(this.plan.bufferSize);
      this.run = new EncodeRun(this.plan, this.w, this.sig);
    }
    const chunk = this.run.next();
    if (chunk !== null) {
      r.value = chunk;
      r.done = false;
      return r;
    }
    const run = this.run;
    const emitted = run.emitted;
    this.release();
    if (run.error) throw new EncodeStateError('the document changed after it was signed; encode it again', { cause: run.error });
    if (emitted !== this.length) throw new EncodeStateError(`emitted ${emitted} bytes, signed ${this.length}: the document changed after it was signed`);
    return this.end();
  }

  return(): IteratorResult<Uint8Array> {
    this.release();
    return this.end();
  }

  private end(): IteratorResult<Uint8Array> {
    this.finished = true;
    this.result.value = EMPTY;
    this.result.done = true;
    return this.result;
  }

  private release(): void {
    if (this.w !== null) releaseWriter(this.w);
    this.w = null;
    this.finished = true;
  }
}

const EMPTY = new Uint8Array(0);

/**
 * The size-and-hash pass: runs the encoder with the placeholder, feeding every chunk to the
 * signing session (none when null). Returns the finished run (length = `emitted`).
 */
export function measure(plan: EncodePlan, sig: string, session: SignSession | null): EncodeRun {
  const w = acquireWriter(plan.bufferSize);
  try {
    const run = new EncodeRun(plan, w, sig);
    for (let c = run.next(); c !== null; c = run.next()) if (session !== null) session.update(c);
    if (run.error) throw run.error;
    return run;
  } finally {
    releaseWriter(w);
  }
}

/**
 * Validates, signs and sizes an acquisition document. The result streams the signed body in
 * chunks of `bufferSize` bytes through a pooled buffer; its length is exact.
 *
 * Pull sources (an iterator or callback of rows) can be read only once: they are encoded in one
 * pass into memory, the signature patched in (see `encodeOnePass` for a constant-memory variant
 * with your own sink, e.g. a file).
 *
 * The input is borrowed: do not change it until the body has been sent (each `chunks()` call
 * encodes it again; a change is detected by length or latched error, not by content).
 * @throws DocumentError (code, path) before any byte is produced; SignError on a bad key.
 * @example
 * const body = encodeDocument(
 *   { payload: { device_type: 'NRF9160_DK', interval_ms: 10,
 *                sensors: [{ name: 'accX', units: 'm/s2' }, { name: 'accY', units: 'm/s2' }, { name: 'accZ', units: 'm/s2' }],
 *                values: readings } }, // a Float32Array, 3 numbers per row
 *   { format: 'cbor', alg: 'HS256', hmacKey: 'my-hmac-key' });
 * for (const chunk of body.chunks()) socket.write(Buffer.from(chunk)); // copy: chunks are borrowed
 */
export function encodeDocument(doc: DocumentInput, opts: EncodeOptions): DocumentBody | PulledBody {
  const plan = makePlan(doc, opts);
  const signer = signerFor(plan.alg, opts);
  if (plan.shape.kind === 'pull') {
    const sink = new MemorySink();
    const r = encodeOnePass(plan, signer, sink);
    return new PulledBody(sink.bytes(), plan.contentType, r.signature, r.signatureOffset);
  }
  const session = signer.begin();
  const placeholder = signer.placeholder;
  const run = measure(plan, placeholder, plan.alg === 'none' ? null : session);
  const signature = session.finish();
  if (signature.length !== placeholder.length) throw new DocumentError('EI_DOC_OPTION', 'options.alg', 'signer returned a signature of the wrong length');
  return new DocumentBody(plan, run.emitted, signature, run.sigOffset);
}

/** A body already in memory (from a pull source). */
export class PulledBody implements EncodedBody {
  constructor(
    readonly bytes: Uint8Array,
    readonly contentType: string,
    readonly signature: string,
    readonly signatureOffset: number,
  ) {}
  get length(): number {
    return this.bytes.length;
  }
  *chunks(): Iterable<Uint8Array> {
    if (this.bytes.length > 0) yield this.bytes;
  }
}

/**
 * The signed body as one new Uint8Array.
 * @throws DocumentError
 */
export function encodeToBytes(doc: DocumentInput, opts: EncodeOptions): Uint8Array {
  const body = encodeDocument(doc, opts);
  if (body instanceof PulledBody) return body.bytes;
  const out = new Uint8Array(body.length);
  let o = 0;
  for (const c of body.chunks()) {
    out.set(c, o);
    o += c.length;
  }
  return out;
}
