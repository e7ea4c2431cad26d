/**
 * Verifies a document's signature on the raw bytes received (FACTS §1): copy the bytes, overwrite
 * the signature text with ASCII '0', then HMAC-SHA256 (HS256, key = the HMAC key string's UTF-8
 * bytes) or ECDSA P-256 over SHA-256 (ES256, compact r||s hex) and compare. Written apart from
 * src/sign so that it checks our encoder independently.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import type { ParsedDocument } from './document.ts';

/** 'none': unsigned; 'unverified': signed but the project holds no key to check it with. */
export type SignatureStatus = 'valid' | 'invalid' | 'none' | 'unverified';

export interface VerifyKeys {
  hmacKey?: string | undefined;
  /** P-256 public keys, hex (compressed or uncompressed SEC1). */
  es256PublicKeys?: readonly string[] | undefined;
}

/** The bytes the signer hashed: the whole file with the signature text set to '0'. */
export function zeroedBytes(raw: Uint8Array, at: { offset: number; length: number }): Buffer {
  const copy = Buffer.from(raw);
  copy.fill(0x30, at.offset, at.offset + at.length);
  return copy;
}

/** Checks the signature of `doc` over `raw` (the whole file, document plus any binary tail). */
export function verifyDocumentSignature(raw: Uint8Array, doc: ParsedDocument, keys: VerifyKeys): SignatureStatus {
  if (doc.alg === 'none') return 'none';
  if (!doc.signatureAt) return 'invalid';
  const zeroed = zeroedBytes(raw, doc.signatureAt);
  const sigHex = doc.signature.toLowerCase();
  if (doc.alg === 'HS256') {
    if (keys.hmacKey === undefined || keys.hmacKey === null) return 'unverified';
    const mac = createHmac('sha256', Buffer.from(keys.hmacKey, 'utf8')).update(zeroed).digest();
    const got = Buffer.from(sigHex, 'hex');
    return got.length === mac.length && timingSafeEqual(got, mac) ? 'valid' : 'invalid';
  }
  const pubs = keys.es256PublicKeys ?? [];
  if (pubs.length === 0) return 'unverified';
  const digest = createHash('sha256').update(zeroed).digest();
  const sig = Buffer.from(sigHex, 'hex');
  for (const pub of pubs) {
    try {
      // lowS false: accept either S half, as OpenSSL-made signatures may use the high one.
      if (p256.verify(sig, digest, Buffer.from(pub, 'hex'), { prehash: false, lowS: false })) return 'valid';
    } catch {
      // a malformed key or signature is simply not a match
    }
  }
  return 'invalid';
}

/** HMAC-SHA256 hex of an attached image (the `Ref-BINARY-image/...` reference's digest). */
export function imageHmacMatches(image: Uint8Array, hexDigest: string, hmacKey: string): boolean {
  const mac = createHmac('sha256', Buffer.from(hmacKey, 'utf8')).update(image).digest();
  const got = Buffer.from(hexDigest, 'hex');
  return got.length === mac.length && timingSafeEqual(got, mac);
}

/** Maps a status to the tri-state `signatureValid` the API reports (null when nothing to check). */
export function signatureValidOf(status: SignatureStatus): boolean | null {
  return status === 'valid' ? true : status === 'invalid' ? false : null;
}
