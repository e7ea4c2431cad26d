/**
 * Signers and verifiers for acquisition documents: none, HS256 (FACTS §1) and ES256 (our P-256
 * extension). Hashing runs on node:crypto when present, @noble/hashes otherwise.
 */
export { SignError } from './errors.ts';
export { createSigner, PLACEHOLDERS, SIGN_ALGS } from './signer.ts';
export type { SignAlg, Signer, SignerOptions, SignSession } from './signer.ts';
export { es256KeyPair, es256PublicKey, es256SignDigest, es256VerifyData, es256VerifyDigest } from './es256.ts';
export { verifyBody, es256Verify, hs256Verify } from './verify.ts';
export type { VerifyOptions, VerifyResult } from './verify.ts';
export { cborItemLength, locateSignature } from './locate.ts';
export type { SignatureLocation } from './locate.ts';
export { hashBackend, nodeCrypto } from './hash-backend.ts';
export type { BackendChoice, HashBackend, Mac } from './hash-backend.ts';
export { toHex, fromHex, writeHexInto } from './hex.ts';
export { hmacKeyBytes } from './keys.ts';
