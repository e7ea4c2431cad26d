/**
 * One-pass encoding for pull sources, whose rows can be read only once and whose count is not
 * known: the document goes to a caller's sink with the signature placeholder, is hashed on the
 * way, and at the end the signature is patched over the placeholder at its recorded offset
 * (same length, so nothing moves). The sink must support that one positional overwrite: a
 * growing memory buffer (MemorySink) or a file (FileSink). If a row is bad the first error is
 * latched (QCBOR style) and thrown at the end; the sink then holds a partial body to discard.
 */
import type { DocumentInput } from '../model/document.ts';
import type { Signer } from '../sign/index.ts';
import { makePlan, type EncodeOptions, type EncodePlan } from './plan.ts';
import { startRun } from './run.ts';
import { signerFor } from './signing.ts';
import { acquireWriter, releaseWriter } from './writer.ts';

/** Where a one-pass encode writes. Chunks are borrowed: copy what you keep. */
export interface PatchableSink {
  write(chunk: Uint8Array): void;
  /** Overwrites bytes already written at `offset` (the signature, at the end). */
  patch(offset: number, bytes: Uint8Array): void;
}

export interface OnePassResult {
  length: number;
  signature: string;
  signatureOffset: number;
  contentType: string;
}

/** Collects a body in a growing buffer (doubling; the final copy is exact-size). */
export class MemorySink implements PatchableSink {
  private buf = new Uint8Array(1024);
  private len = 0;
  write(chunk: Uint8Array): void {
    if (this.len + chunk.length > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.len + chunk.length));
      next.set(this.buf.subarray(0, this.len));
      this.buf = next;
    }
    this.buf.set(chunk, this.len);
    this.len += chunk.length;
  }
  patch(offset: number, bytes: Uint8Array): void {
    if (offset < 0 || offset + bytes.length > this.len) throw new RangeError('patch outside the written bytes');
    this.buf.set(bytes, offset);
  }
  /** The bytes written so far. */
  bytes(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

/** @internal One pass of a planned document into a sink, signed at the end. */
export function encodeOnePass(plan: EncodePlan, signer: Signer, sink: PatchableSink): OnePassResult {
  const w = acquireWriter(plan.bufferSize);
  try {
    const run = startRun(plan, w, signer.placeholder);
    const session = signer.begin();
    const hash = plan.alg !== 'none';
    for (let c = run.next(); c !== null; c = run.next()) {
      if (hash) session.update(c);
      sink.write(c);
    }
    if (run.error) throw run.error;
    const signature = session.finish();
    const sigBytes = new Uint8Array(signature.length);
    for (let i = 0; i < signature.length; i++) sigBytes[i] = signature.charCodeAt(i);
    sink.patch(run.sigOffset, sigBytes);
    return { length: run.emitted, signature, signatureOffset: run.sigOffset, contentType: plan.contentType };
  } finally {
    releaseWriter(w);
  }
}

/**
 * Encodes `doc` in one pass into `sink` and patches the signature in at the end: the way to
 * sign a pull source (a live sensor) in constant memory, e.g. into a spool file, then send the
 * file with its now-known length.
 * @throws DocumentError before writing (header problems) or at the end (a bad pulled row: the
 *   sink holds a partial body; discard it)
 * @example
 * const sink = new FileSink('/var/spool/ei/0001.cbor.tmp');
 * try { const r = encodeStreaming(doc, { format: 'cbor', hmacKey }, sink); sink.close(); }
 * catch (e) { sink.discard(); throw e; }
 */
export function encodeStreaming(doc: DocumentInput, opts: EncodeOptions, sink: PatchableSink): OnePassResult {
  const plan = makePlan(doc, opts);
  return encodeOnePass(plan, signerFor(plan.alg, opts), sink);
}
