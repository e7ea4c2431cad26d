/** What the value loops see of one encode pass (kept apart so the loops do not import the run). */
import type { DocumentError } from '../model/errors.ts';
import type { EncodePlan } from './plan.ts';

export interface RunState {
  readonly plan: EncodePlan;
  /** Next row to write. */
  row: number;
  /** Next binary-tail sample to write. */
  tailIndex: number;
  /** Signature text written into the document (placeholder in the hash pass). */
  readonly sig: string;
  /** Body offset of the signature text's first byte (set when written). */
  sigOffset: number;
  /** First error met while encoding; the pass stops there. */
  error: DocumentError | null;
  /** Latches `e` if no error is latched yet. */
  fail(e: DocumentError): void;
}
