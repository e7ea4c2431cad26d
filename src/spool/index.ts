/** Durable store-and-forward spool: see spool.ts for the layout and guarantees. */
export { Spool, sha256Hex } from './spool.ts';
export type { SpoolOptions, FullPolicy, QueueEntry, EnqueueResult, DeadLetterInfo, SpoolStats, HeadInfo } from './spool.ts';
export { SpoolSender } from './sender.ts';
export type { SendFn, SendOutcome, SenderEvent, SenderOptions, SenderCounts } from './sender.ts';
export { clientSend } from './client-send.ts';
export type { UploadClientLike } from './client-send.ts';
export { classifyStatus, classifyError } from './outcome.ts';
export { DEFAULT_DEAD_LETTER_POLICY, noteFailure, pastPolicy, resolvePolicy, verdict } from './policy.ts';
export type { DeadLetterPolicy, AttemptRun, SampleAttempts, Verdict } from './policy.ts';
export { requestSpecOf, checkSendable } from './request-spec.ts';
export type { SampleSpec, RecordHeader, SpoolRecord } from './record.ts';
export { encodeRecord, decodeRecord } from './record.ts';
export { SpoolFullError, SpoolRecordError, SpoolLockedError, SpoolInputError, SpoolClosedError } from './errors.ts';
