/**
 * Adapts an upload client to the batch sender: several spooled records as one
 * `/api/{category}/files` multipart request (each a part named `data` with its own file name and
 * content type), headers from the first record (all share them: batch-plan.ts), always with
 * `x-disallow-duplicates: 1` so a resend after a crash or a dropped connection stores nothing twice.
 */
import { bodyFromBytes } from '../encode/body.ts';
import { mapFilesAnswer } from './batch-answer.ts';
import type { BatchAnswer } from './batch-answer.ts';
import type { UploadClientLike } from './client-send.ts';
import { classifyError, classifyStatus } from './outcome.ts';
import type { SpoolRecord } from './record.ts';
import { requestSpecOf } from './request-spec.ts';

/** Sends a batch of spooled records; never throws. */
export type BatchSendFn = (records: readonly SpoolRecord[], ids: readonly string[]) => Promise<BatchAnswer>;

export function clientBatchSend(client: UploadClientLike): BatchSendFn {
  return async (records) => {
    const [first, ...rest] = records;
    if (!first) throw new RangeError('a batch holds at least one record');
    const h = first.header;
    const spec = {
      ...requestSpecOf(h),
      kind: 'files' as const,
      extraParts: rest.map((r) => ({
        name: 'data',
        fileName: r.header.spec.fileName,
        contentType: r.header.contentType,
        body: bodyFromBytes(r.body, r.header.contentType, r.header.signature),
      })),
    };
    let res: { status: number; body: string };
    try {
      res = await client.upload(bodyFromBytes(first.body, h.contentType, h.signature), spec);
    } catch (e) {
      return { kind: 'request', outcome: classifyError(e) };
    }
    if (res.status < 200 || res.status >= 300) return { kind: 'request', outcome: classifyStatus(res.status, res.body) };
    return mapFilesAnswer(res.status, res.body, records.length);
  };
}
