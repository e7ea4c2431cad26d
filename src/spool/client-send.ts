/**
 * Adapts an upload client (IngestionClient or anything with the same `upload`) to the spool
 * sender's `send`. Every spooled request carries `x-disallow-duplicates: 1`, so a resend after a
 * crash is stored once.
 */
import { bodyFromBytes } from '../encode/body.ts';
import type { EncodedBody } from '../encode/body.ts';
import { classifyError, classifyStatus } from './outcome.ts';
import type { SendFn } from './sender.ts';

/** The part of IngestionClient the spool needs. */
export interface UploadClientLike {
  upload(body: EncodedBody, spec: Record<string, unknown> & { kind: 'data' | 'files'; category: string; fileName: string }): Promise<{ status: number; body: string; headers?: Record<string, string> }>;
}

/** Builds a SendFn that uploads spooled records through `client`. */
export function clientSend(client: UploadClientLike): SendFn {
  return async (record) => {
    const h = record.header;
    const spec = {
      kind: h.spec.kind,
      category: h.spec.category,
      fileName: h.spec.fileName,
      label: h.spec.label,
      noLabel: h.spec.noLabel,
      addDateId: h.spec.addDateId,
      metadata: h.spec.metadata,
      uploadSource: h.spec.uploadSource,
      disallowDuplicates: true,
      contentType: h.contentType,
    };
    try {
      const res = await client.upload(bodyFromBytes(record.body, h.contentType, h.signature), spec);
      return classifyStatus(res.status, res.body, undefined, res.headers?.['x-duplicate'] === '1');
    } catch (e) {
      return classifyError(e);
    }
  };
}
