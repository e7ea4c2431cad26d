/** Key checks shared by signers and verifiers. Messages describe the key's shape, never its value. */
import { p256 } from '@noble/curves/nist.js';
import { SignError } from './errors.ts';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const utf8 = new TextEncoder();

/**
 * HMAC key bytes: the key string's UTF-8 bytes, any length (FACTS §1; unlike the C SDK we never
 * truncate to 32 chars). The empty key is allowed because HMAC (RFC 2104 §2) defines it; it is weak
 * but valid, and the golden vectors include it. A Uint8Array is taken as raw key bytes.
 */
export function hmacKeyBytes(key: string | Uint8Array | undefined): Uint8Array {
  if (key === undefined || key === null) throw new SignError('EI_SIGN_NO_KEY', 'HS256 needs an HMAC key (hmacKey)');
  if (key instanceof Uint8Array) return key;
  if (typeof key !== 'string') throw new SignError('EI_SIGN_BAD_KEY', `HMAC key must be a string, got ${typeof key}`);
  // TextEncoder would silently turn a lone surrogate into U+FFFD and sign with a different key.
  if (LONE_SURROGATE.test(key)) throw new SignError('EI_SIGN_BAD_KEY', 'HMAC key is not well-formed Unicode (lone surrogate)');
  return utf8.encode(key);
}

/** A P-256 private key: exactly 32 bytes, a scalar in [1, n-1]. */
export function es256PrivateKey(key: Uint8Array | undefined): Uint8Array {
  if (key === undefined || key === null) throw new SignError('EI_SIGN_NO_KEY', 'ES256 needs a P-256 private key (privateKey)');
  if (!(key instanceof Uint8Array) || key.length !== 32 || !p256.utils.isValidSecretKey(key)) {
    throw new SignError('EI_SIGN_BAD_KEY', `ES256 private key must be a 32-byte P-256 scalar (got ${describe(key)})`);
  }
  return key;
}

/** A P-256 public key, SEC1 compressed (33 bytes) or uncompressed (65 bytes), on the curve. */
export function es256PublicKeyBytes(key: Uint8Array | undefined): Uint8Array {
  if (key === undefined || key === null) throw new SignError('EI_SIGN_NO_KEY', 'ES256 verification needs a P-256 public key (publicKey)');
  if (!(key instanceof Uint8Array) || (key.length !== 33 && key.length !== 65) || !p256.utils.isValidPublicKey(key, key.length === 33)) {
    throw new SignError('EI_SIGN_BAD_KEY', `ES256 public key must be a SEC1 P-256 point of 33 or 65 bytes (got ${describe(key)})`);
  }
  return key;
}

function describe(key: unknown): string {
  return key instanceof Uint8Array ? `${key.length} bytes` : typeof key;
}
