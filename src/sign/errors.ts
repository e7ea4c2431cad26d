import { EiError } from '../errors.ts';

/**
 * Every signing and verification failure. Codes:
 * - `EI_SIGN_BAD_ALG`: algorithm is not 'none', 'HS256' or 'ES256'.
 * - `EI_SIGN_NO_KEY`: the algorithm needs a key (HMAC key, P-256 private or public key) that was not given.
 * - `EI_SIGN_BAD_KEY`: the key has the wrong type, length, or is not well-formed Unicode / not on the curve.
 * - `EI_SIGN_BAD_BACKEND`: unknown hash backend, or 'node' asked for where node:crypto is missing.
 * - `EI_SIGN_STATE`: a signing session was used after `finish()`.
 * - `EI_SIGN_NO_SIGNATURE`: `verifyBody` found no top-level `signature` text in the bytes.
 * - `EI_SIGN_MALFORMED`: `verifyBody` could not parse the document's top level.
 * Messages never contain key material.
 */
export class SignError extends EiError {}
