/**
 * ES256, our extension to the acquisition format: ECDSA P-256 over SHA-256 of the body with a
 * 128-char '0' placeholder in `signature`, written back as 128 lowercase hex chars of r‖s.
 * Nonces are deterministic (RFC 6979) and s is NOT normalised to the low half, so any plain
 * RFC 6979 implementation (OpenSSL 3.2+ with nonce-type=1, Python ecdsa, Go) reproduces our bytes.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha512 } from '@noble/hashes/sha2.js';
import { SignError } from './errors.ts';
import { es256PrivateKey, es256PublicKeyBytes } from './keys.ts';

/** Signs a 32-byte SHA-256 digest; returns the 64-byte compact r‖s. */
export function es256SignDigest(digest: Uint8Array, privateKey: Uint8Array): Uint8Array {
  return p256.sign(digest, es256PrivateKey(privateKey), { prehash: false, lowS: false, format: 'compact' });
}

/** Verifies a 64-byte compact r‖s signature over a 32-byte digest (high or low s accepted). */
export function es256VerifyDigest(signature: Uint8Array, digest: Uint8Array, publicKey: Uint8Array): boolean {
  const pub = es256PublicKeyBytes(publicKey);
  if (signature.length !== 64) return false;
  try {
    return p256.verify(signature, digest, pub, { prehash: false, lowS: false, format: 'compact' });
  } catch {
    return false;
  }
}

/**
 * A P-256 key pair (public key uncompressed, 65 bytes). With a seed (any length, e.g. a test's made-up bytes) the pair is deterministic:
 * the seed is stretched with SHA-512 to the 40 bytes noble's reduction needs (FIPS 186-5 A.2.1 style).
 * @example const { privateKey, publicKey } = es256KeyPair(new TextEncoder().encode('test key 1'));
 */
export function es256KeyPair(seed?: Uint8Array): { privateKey: Uint8Array; publicKey: Uint8Array } {
  if (seed !== undefined && !(seed instanceof Uint8Array)) throw new SignError('EI_SIGN_BAD_KEY', 'seed must be a Uint8Array');
  const s = seed === undefined ? undefined : sha512(seed).subarray(0, p256.lengths.seed ?? 40);
  const privateKey = p256.utils.randomSecretKey(s);
  return { privateKey, publicKey: p256.getPublicKey(privateKey, false) };
}

/** The uncompressed (65-byte, 0x04…) public key of a private key. */
export function es256PublicKey(privateKey: Uint8Array): Uint8Array {
  return p256.getPublicKey(es256PrivateKey(privateKey), false);
}
