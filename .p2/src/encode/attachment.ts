/**
 * Helpers for values that refer to bytes outside the document (FACTS §1): binary tails and image
 * attachments sent next to the document in a multipart request.
 */
import type { AttachmentRef, BinaryTail, TailType } from '../model/document.ts';
import { checkString } from '../model/validate.ts';
import { createSigner } from '../sign/index.ts';

/** `values` for a binary tail: `["Ref-BINARY-<type>"]` in the document, samples after it. */
export function binaryTail(tail: TailType, data: ArrayLike<number>): BinaryTail {
  return { tail, data };
}

/**
 * `values` for an image attachment: `["Ref-BINARY-image/jpeg (<n> bytes) <hmac>"]` where hmac is
 * the lowercase hex HMAC-SHA256 of the image bytes under the HMAC key ('' when unsigned).
 */
export function imageAttachmentValues(mime: string, image: Uint8Array, hmacKey?: string): AttachmentRef {
  checkString(mime, 'attachment mime type');
  let mac = '';
  if (hmacKey !== undefined) {
    const s = createSigner('HS256', { hmacKey }).begin();
    s.update(image);
    mac = s.finish();
  }
  return { attachment: `Ref-BINARY-${mime} (${image.length} bytes) ${mac}`.trimEnd() };
}
