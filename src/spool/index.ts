/** Durable store-and-forward spool: see spool.ts for the layout and guarantees. */
export { Spool, sha256Hex } from './spool.ts';
export type { SpoolOptions, FullPolicy, QueueEntry, EnqueueResult, DeadLetterInfo, SpoolStats } from './spool.ts';
export { SpoolSender } from './sender.ts';
export type { SendFn, SendOutcome, SenderEvent, SenderOptions, SenderCounts } from './sender.ts';
export { clientSend } from './client-send.ts';
export type { UploadClientLike } from './client-send.ts';
export { classifyStatus, classifyError, isDuplicateAnswer } from './outcome.ts';
export type { SampleSpec, RecordHeader, SpoolRecord } from './record.ts';
export { encodeRecord, decodeRecord } from './record.ts';
export { SpoolFullError, SpoolRecordError, SpoolLockedError, SpoolInputError, SpoolClosedError } from './errors.ts';
