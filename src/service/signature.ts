/**
 * Verifies a document's signature on the raw bytes received (FACTS §1): copy the bytes, overwrite
 * the signature text with ASCII '0', then HMAC-SHA256 (HS256, key = the HMAC key string's UTF-8
 * bytes) or ECDSA P-256 over SHA-256 (ES256, compact r||s hex) and compare. Written apart from
 * src/sign so that it checks our encoder independently.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import type { ParsedDocument } from './document.ts';
import { sourceOf, type ByteSource } from './byte-source.ts';

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

/** Feeds the file to `h` in chunks with the signature text read as '0': no copy of the file. */
function updateZeroed(h: { update(b: Uint8Array): unknown }, src: ByteSource, at: { offset: number; length: number }): void {
  src.each(0, at.offset, (c) => h.update(c));
  h.update(Buffer.alloc(at.length, 0x30));
  src.each(at.offset + at.length, src.length, (c) => h.update(c));
}

/** Checks the signature of `doc` over `raw` (the whole file, document plus any binary tail). */
export function verifyDocumentSignature(input: Uint8Array | ByteSource, doc: ParsedDocument, keys: VerifyKeys): SignatureStatus {
  if (doc.alg === 'none') return 'none';
  if (!doc.signatureAt) return 'invalid';
  const src = sourceOf(input);
  const at = doc.signatureAt;
  const sigHex = doc.signature.toLowerCase();
  if (doc.alg === 'HS256') {
    if (keys.hmacKey === undefined || keys.hmacKey === null) return 'unverified';
    const h = createHmac('sha256', Buffer.from(keys.hmacKey, 'utf8'));
    updateZeroed(h, src, at);
    const mac = h.digest();
    const got = Buffer.from(sigHex, 'hex');
    return got.length === mac.length && timingSafeEqual(got, mac) ? 'valid' : 'invalid';
  }
  const pubs = keys.es256PublicKeys ?? [];
  if (pubs.length === 0) return 'unverified';
  const hash = createHash('sha256');
  updateZeroed(hash, src, at);
  const digest = hash.digest();
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
