/**
 * The request a spooled record is sent with, built in one place for the sender and for
 * `enqueue`'s check: what enqueue accepts is exactly what the client will frame.
 */
import { bodyFromBytes } from '../encode/body.ts';
import { frameRequest } from '../http/request.ts';
import { SpoolInputError } from './errors.ts';
import type { RecordHeader, SampleSpec } from './record.ts';

/** Upload spec of a record (minus host and key, which the sender's client adds). */
export function requestSpecOf(h: { spec: SampleSpec; contentType: string }) {
  return {
    kind: h.spec.kind,
    category: h.spec.category,
    fileName: h.spec.fileName,
    label: h.spec.label,
    noLabel: h.spec.noLabel,
    addDateId: h.spec.addDateId,
    metadata: h.spec.metadata,
    uploadSource: h.spec.uploadSource,
    // Every spooled request refuses duplicates, so a resend after a crash is stored once.
    disallowDuplicates: true,
    contentType: h.contentType,
  };
}

/** Which sample field a framer error is about (header names → spec fields). */
const FIELD_OF: Record<string, string> = {
  'x-metadata': 'spec.metadata',
  'x-label': 'spec.label',
  'x-file-name': 'spec.fileName',
  'Content-Disposition filename': 'spec.fileName',
  'x-upload-source': 'spec.uploadSource',
  'Content-Type': 'contentType',
  'parts[0].contentType': 'contentType',
  fileName: 'spec.fileName',
  category: 'spec.category',
  kind: 'spec.kind',
};

/**
 * Frames (without producing body bytes) the request the sender will make for this sample, with a
 * placeholder host and key.
 * @throws SpoolInputError naming the field the client would refuse (its message never has the value)
 */
export function checkSendable(body: Uint8Array, h: Pick<RecordHeader, 'spec' | 'contentType' | 'signature'>): void {
  try {
    frameRequest(bodyFromBytes(body, h.contentType, h.signature), { ...requestSpecOf(h), host: 'spool.invalid', apiKey: 'spool-check' });
  } catch (e) {
    const err = e as { code?: string; header?: string; field?: string; message?: string };
    if (err.code !== 'EI_HTTP_HEADER_VALUE' && err.code !== 'EI_HTTP_REQUEST_SPEC') throw e;
    const key = err.header ?? err.field ?? '';
    const field = FIELD_OF[key] ?? key;
    throw new SpoolInputError(`${field}: the request would be refused (${err.message})`, field);
  }
}
