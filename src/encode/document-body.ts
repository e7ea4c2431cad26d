/**
 * `encodeDocument`: validate, then a size-and-hash pass, then a body whose `chunks()` re-runs the
 * same encoder with the signature in place of the placeholder. Content-Length is known before
 * the first byte, and a retry simply iterates `chunks()` again.
 *
 * A body that fits in one chunk (N = 1,000 3-axis samples is 28 KB) skips the second pass the
 * first time: the hash pass's bytes stay in their pooled buffer, the signature is written over
 * the placeholder in place (FACTS §1), and the buffer returns to the pool once that first
 * iteration ends. Later iterations (retries) re-encode as usual.
 *
 * With the default bufferSize, a body estimated at most `singlePassLimit` (8 MiB) is hashed in
 * one chunk of a pooled buffer of that size and kept the same way (served in 64 KiB slices), so
 * N = 100,000 rows (2.8 MB CBOR, 5.8 MB JSON) is encoded once, not twice. Memory stays bounded:
 * at most one such buffer is pooled, an unsent body gives it up to the next encode, and larger
 * bodies (or an explicit bufferSize / singlePassLimit: 0) stream in two passes through 64 KiB.
 */
import { DocumentError } from '../model/errors.ts';
import { EiError } from '../errors.ts';
import type { DocumentInput } from '../model/document.ts';
import type { EncodedBody } from './body.ts';
import { makePlan, type EncodeOptions, type EncodePlan } from './plan.ts';
import { startRun, type EncodeRun } from './run.ts';
import { signerFor } from './signing.ts';
import { encodeOnePass, MemorySink } from './one-pass.ts';
import { acquireWriter, releaseWriter, type ByteWriter } from './writer.ts';

const EMPTY = new Uint8Array(0);

/** The emit pass did not reproduce the hashed bytes (the input changed after encodeDocument). */
export class EncodeStateError extends EiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EI_ENC_INPUT_CHANGED', message, options);
  }
}

/** A signed document body; `chunks()` streams it through one pooled buffer. */
export class DocumentBody implements EncodedBody {
  /** @internal The signed bytes of a one-chunk body, still in the hash pass's buffer. */
  held: ByteWriter | null;
  private readonly heldView: Uint8Array | null;

  constructor(
    private readonly plan: EncodePlan,
    readonly length: number,
    readonly signature: string,
    /** Offset of the signature's hex text in the body. */
    readonly signatureOffset: number,
    held: ByteWriter | null = null,
    heldView: Uint8Array | null = null,
  ) {
    this.held = held;
    this.heldView = heldView;
  }

  get contentType(): string {
    return this.plan.contentType;
  }

  chunks(): Iterable<Uint8Array> {
    const it = new ChunkIterator(this.plan, this.signature, this.length);
    if (this.held !== null && this.heldView !== null) it.takeHeld(this, this.heldView);
    return it;
  }
}

/**
 * A hand-written iterator that is its own result object (`{value, done}` updated in place), so
 * streaming allocates nothing per chunk.
 */
class ChunkIterator implements Iterator<Uint8Array>, Iterable<Uint8Array> {
  value: Uint8Array = EMPTY;
  done = false;
  private w: ByteWriter | null = null;
  private run: EncodeRun | null = null;
  private finished = false;
  private held: Uint8Array | null = null;

  constructor(
    private readonly plan: EncodePlan,
    private readonly sig: string,
    private readonly length: number,
  ) {}

  [Symbol.iterator](): this {
    return this;
  }

  /** Serve the body's held bytes instead of encoding; the writer is ours from now on. */
  takeHeld(body: DocumentBody, view: Uint8Array): void {
    this.w = body.held;
    body.held = null;
    this.held = view;
    this.slice = 0;
  }

  private slice = 0;

  next(): IteratorResult<Uint8Array> {
    if (this.finished) return this.end();
    if (this.held !== null) {
      // Held bytes go out in slices of bufferSize (cached views: nothing allocated per chunk).
      const size = this.plan.bufferSize;
      if (this.slice * size < this.length) {
        this.value = this.held.length <= size ? this.held : this.w!.view(this.slice, size, this.length);
        this.slice++;
        this.done = false;
        return this as IteratorResult<Uint8Array>;
      }
      this.held = null;
      this.release();
      return this.end();
    }
    if (this.run === null) {
      this.w = acquireWriter(this.plan.bufferSize);
      this.run = startRun(this.plan, this.w, this.sig);
    }
    const chunk = this.run.next();
    if (chunk !== null) {
      this.value = chunk;
      this.done = false;
      return this as IteratorResult<Uint8Array>;
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
    this.value = EMPTY;
    this.done = true;
    return this as IteratorResult<Uint8Array>;
  }

  private release(): void {
    if (this.w !== null) releaseWriter(this.w);
    this.w = null;
    this.finished = true;
  }
}


/**
 * Validates, signs and sizes an acquisition document. The result streams the signed body in
 * chunks of `bufferSize` bytes through a pooled buffer; its length is exact.
 *
 * Pull sources (an iterator or callback of rows) can be read only once: they are encoded in one
 * pass into memory, the signature patched in (`encodeStreaming` with a FileSink does the same in
 * constant memory). `buffered: true` takes that one-pass route for any document.
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
  if (plan.shape.kind === 'pull' || opts.buffered === true) {
    const sink = new MemorySink();
    const r = encodeOnePass(plan, signer, sink);
    return new PulledBody(sink.bytes(), plan.contentType, r.signature, r.signatureOffset);
  }
  const session = signer.begin();
  const placeholder = signer.placeholder;
  const hash = plan.alg !== 'none';
  const cap = singlePassCap(plan, opts);
  if (cap !== plan.bufferSize) reclaimSinglePassBuffer();
  const w = acquireWriter(cap);
  let run: EncodeRun;
  let chunks = 0;
  let last: Uint8Array | null = null;
  try {
    run = startRun(plan, w, placeholder);
    for (let c = run.next(); c !== null; c = run.next()) {
      if (hash) session.update(c);
      chunks++;
      last = c;
    }
    if (run.error) throw run.error;
  } catch (e) {
    releaseWriter(w);
    throw e;
  }
  const signature = session.finish();
  if (signature.length !== placeholder.length) {
    releaseWriter(w);
    throw new DocumentError('EI_DOC_OPTION', 'options.alg', 'signer returned a signature of the wrong length');
  }
  if (chunks === 1 && last !== null) {
    // The whole body is buf[0, length): patch the signature in place and keep it (served in
    // bufferSize slices; a single-pass buffer then goes back to the pool).
    w.patchAscii(run.sigOffset, signature);
    const body = new DocumentBody(plan, run.emitted, signature, run.sigOffset, w, last);
    if (cap !== plan.bufferSize) singlePassHolder = body;
    return body;
  }
  releaseWriter(w);
  return new DocumentBody(plan, run.emitted, signature, run.sigOffset);
}

/**
 * The last body holding a single-pass buffer it has not started sending. The next single-pass
 * encode takes that buffer back (the body then re-encodes when sent, like a retry), so bodies
 * made and dropped unsent, or made ahead of sending, never pin more than one such buffer.
 */
let singlePassHolder: DocumentBody | null = null;

function reclaimSinglePassBuffer(): void {
  const h = singlePassHolder;
  singlePassHolder = null;
  if (h !== null && h.held !== null) {
    releaseWriter(h.held);
    h.held = null;
  }
}

/** Default of `EncodeOptions.singlePassLimit`: bodies up to this size are encoded once. */
export const SINGLE_PASS_LIMIT = 8 * 1024 * 1024;

/**
 * Buffer size for the hash pass: `bufferSize`, or the single-pass limit when the body (estimated
 * from its row count and the widest row) fits that but not one chunk. The estimate may be short
 * (a huge header): then the pass simply yields more than one chunk and the body streams in two
 * passes as usual.
 */
function singlePassCap(plan: EncodePlan, opts: EncodeOptions): number {
  const limit = opts.singlePassLimit ?? SINGLE_PASS_LIMIT;
  if (!Number.isSafeInteger(limit) || limit < 0) throw new DocumentError('EI_DOC_OPTION', 'options.singlePassLimit', 'expected an integer >= 0');
  if (opts.bufferSize !== undefined || limit <= plan.bufferSize) return plan.bufferSize;
  const kind = plan.shape.kind;
  if (kind !== 'typed' && kind !== 'rows' && kind !== 'flat') return plan.bufferSize;
  const estimate = plan.shape.count * plan.maxRow + 4096;
  return estimate > plan.bufferSize && estimate <= limit ? limit : plan.bufferSize;
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

