/**
 * Adapts an upload client (IngestionClient or anything with the same `upload`) to the spool
 * sender's `send`. The request is built by requestSpecOf, the same function `enqueue` checks
 * samples with; every spooled request carries `x-disallow-duplicates: 1`.
 */
import { bodyFromBytes } from '../encode/body.ts';
import type { EncodedBody } from '../encode/body.ts';
import { classifyError, classifyStatus } from './outcome.ts';
import { requestSpecOf } from './request-spec.ts';
import type { SendFn } from './sender.ts';

/** The part of IngestionClient the spool needs. */
export interface UploadClientLike {
  upload(body: EncodedBody, spec: Record<string, unknown> & { kind: 'data' | 'files'; category: string; fileName: string }): Promise<{ status: number; body: string; headers?: Record<string, string> }>;
}

/** True when a 2xx answer says the service already held the body (header, or the /files JSON). */
function flaggedDuplicate(res: { body: string; headers?: Record<string, string> }): boolean {
  if (res.headers?.['x-duplicate'] === '1') return true;
  if (!res.body.startsWith('{')) return false;
  try {
    const j = JSON.parse(res.body) as { files?: { duplicate?: unknown }[] };
    return j.files?.length === 1 && j.files[0]!.duplicate === true;
  } catch {
    return false;
  }
}

/** Builds a SendFn that uploads spooled records through `client`. */
export function clientSend(client: UploadClientLike): SendFn {
  return async (record) => {
    const h = record.header;
    try {
      const res = await client.upload(bodyFromBytes(record.body, h.contentType, h.signature), requestSpecOf(h));
      return classifyStatus(res.status, res.body, undefined, res.status < 300 && flaggedDuplicate(res));
    } catch (e) {
      return classifyError(e);
    }
  };
}
