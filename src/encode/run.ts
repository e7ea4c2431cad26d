/**
 * One encode pass as a pull-driven state machine: `next()` fills the writer up to one chunk and
 * returns it. The hash/size pass and the emit pass are this same code, fed a different
 * signature text (placeholder, then the signature), so the emitted bytes are the hashed bytes
 * with the signature in place of the placeholder (FACTS §1) and the counted length is exact.
 */
import type { DocumentError } from '../model/errors.ts';
import type { EncodePlan } from './plan.ts';
import type { RunState } from './run-state.ts';
import { cborHeader, cborTrailer } from './sections-cbor.ts';
import { jsonHeader, jsonTrailer } from './sections-json.ts';
import { cborArrayStep, cborPullStep, cborTypedStep, tailStep } from './values-cbor.ts';
import { jsonArrayStep, jsonPullStep, jsonTypedStep } from './values-json.ts';
import type { ByteWriter } from './writer.ts';

type Step = (run: RunState, w: ByteWriter) => boolean;
type Section = (run: RunState, w: ByteWriter) => void;

const HEADER = 0;
const VALUES = 1;
const TRAILER = 2;
const TAIL = 3;
const LAST = 4;
const DONE = 5;

function noValues(): boolean {
  return true;
}

function pickStep(plan: EncodePlan): Step {
  const cbor = plan.format === 'cbor';
  switch (plan.shape.kind) {
    case 'typed':
      return cbor ? cborTypedStep : jsonTypedStep;
    case 'rows':
    case 'flat':
      return cbor ? cborArrayStep : jsonArrayStep;
    case 'pull':
      return cbor ? cborPullStep : jsonPullStep;
    default:
      return noValues; // tail and attachment references live in the header
  }
}

// One run per pooled writer, reset for each pass: a writer serves one pass at a time, and
// steady-state encoding then makes no run object per pass.
const runs = new WeakMap<ByteWriter, EncodeRun>();

/** A run of `plan` over `w` (which the caller has acquired), its state reset. */
export function startRun(plan: EncodePlan, w: ByteWriter, sig: string): EncodeRun {
  let r = runs.get(w);
  if (r === undefined) {
    r = new EncodeRun(plan, w, sig);
    runs.set(w, r);
  } else {
    r.reset(plan, sig);
  }
  return r;
}

export class EncodeRun implements RunState {
  row = 0;
  tailIndex = 0;
  sigOffset = -1;
  error: DocumentError | null = null;
  private phase = HEADER;
  private pendingShift = false;
  plan!: EncodePlan;
  sig!: string;
  private step!: Step;
  private header!: Section;
  private trailer!: Section;

  constructor(
    plan: EncodePlan,
    private readonly w: ByteWriter,
    sig: string,
  ) {
    this.reset(plan, sig);
  }

  /** Starts a new pass (the writer was reset by acquireWriter). */
  reset(plan: EncodePlan, sig: string): void {
    this.row = 0;
    this.tailIndex = 0;
    this.sigOffset = -1;
    this.error = null;
    this.phase = HEADER;
    this.pendingShift = false;
    this.plan = plan;
    this.sig = sig;
    this.step = pickStep(plan);
    const cbor = plan.format === 'cbor';
    this.header = cbor ? cborHeader : jsonHeader;
    this.trailer = cbor ? cborTrailer : jsonTrailer;
  }

  fail(e: DocumentError): void {
    if (this.error === null) this.error = e;
  }

  /** Bytes handed out so far. */
  get emitted(): number {
    return this.w.flushed;
  }

  /**
   * The next chunk (a borrowed view, valid until the next call) or null at the end. After null,
   * `error` tells whether the pass stopped on a latched error.
   */
  next(): Uint8Array | null {
    const w = this.w;
    if (this.pendingShift) {
      w.shift();
      this.pendingShift = false;
    }
    while (w.pos < w.cap) {
      if (this.error !== null) return null;
      switch (this.phase) {
        case HEADER:
          this.header(this, w);
          this.phase = VALUES;
          break;
        case VALUES:
          if (this.step(this, w)) this.phase = TRAILER;
          break;
        case TRAILER:
          if (this.error !== null) return null;
          this.trailer(this, w);
          this.phase = this.plan.shape.kind === 'tail' ? TAIL : LAST;
          break;
        case TAIL:
          if (tailStep(this, w)) this.phase = LAST;
          break;
        case LAST:
          this.phase = DONE;
          if (w.pos > 0) return w.takeRest();
          return null;
        default:
          return null;
      }
    }
    if (this.error !== null) return null;
    this.pendingShift = true;
    return w.full;
  }
}
