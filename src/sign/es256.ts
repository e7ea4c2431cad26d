/**
 * ES256, our extension to the acquisition format: ECDSA P-256 over SHA-256 of the body with a
 * 128-char '0' placeholder in `signature`, written back as 128 lowercase hex chars of r‖s.
 * Nonces are deterministic (RFC 6979) and s is NOT normalised to the low half, so any plain
 * RFC 6979 implementation (OpenSSL 3.2+ with nonce-type=1, Python ecdsa, Go) reproduces our bytes.
 */
import { p256 } from '@noble/curves/nist.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { SignError } from './errors.ts';
import { nodeCrypto } from './hash-backend.ts';
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

type NodeKey = import('node:crypto').KeyObject;

/** node:crypto key objects per public key array: a gateway checks the same few device keys per frame. */
const nodeKeys = new WeakMap<Uint8Array, NodeKey>();

function nodeKey(crypto: typeof import('node:crypto'), publicKey: Uint8Array): NodeKey {
  let key = nodeKeys.get(publicKey);
  if (key === undefined) {
    const pub = es256PublicKeyBytes(publicKey); // validates once per key
    const raw = pub.length === 65 ? pub : p256.Point.fromBytes(pub).toBytes(false);
    const b64 = (b: Uint8Array): string => Buffer.from(b).toString('base64url');
    key = crypto.createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: b64(raw.subarray(1, 33)), y: b64(raw.subarray(33)) }, format: 'jwk' });
    nodeKeys.set(publicKey, key);
  }
  return key;
}

/**
 * Verifies a 64-byte compact r‖s signature over SHA-256 of `data` (high or low s accepted), with
 * node:crypto where the runtime has it (OpenSSL: ~0.07 ms against ~2.3 ms for @noble here, which is
 * what lets a gateway check 1,000 frames a second) and @noble as the portable path; both give the same
 * verdicts (test/sign-es256-backends.test.ts).
 * @throws SignError EI_SIGN_BAD_KEY when the public key is not a P-256 point
 */
export function es256VerifyData(signature: Uint8Array, data: Uint8Array, publicKey: Uint8Array, backend: 'auto' | 'noble' = 'auto'): boolean {
  const crypto = backend === 'noble' ? null : nodeCrypto();
  if (crypto === null) return es256VerifyDigest(signature, sha256(data), publicKey);
  const key = nodeKey(crypto, publicKey);
  if (signature.length !== 64) return false;
  try {
    return crypto.verify('sha256', data, { key, dsaEncoding: 'ieee-p1363' }, signature);
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
