/**
 * Verification over raw bytes, as Edge Impulse's reference decoder does (FACTS §1): find the
 * signature text, hash the bytes with that text replaced by '0's, compare. Nothing is decoded or
 * re-encoded, so what is checked is exactly what was sent (document plus any binary tail).
 */
import { SignError } from './errors.ts';
import { es256VerifyDigest } from './es256.ts';
import { hashBackend, type BackendChoice, type Mac } from './hash-backend.ts';
import { fromHex, toHex } from './hex.ts';
import { hmacKeyBytes } from './keys.ts';
import { locateSignature } from './locate.ts';
import type { SignAlg } from './signer.ts';

export interface VerifyOptions {
  hmacKey?: string | Uint8Array;
  /** SEC1 P-256 public key (33 or 65 bytes) for ES256 bodies. */
  publicKey?: Uint8Array;
  backend?: BackendChoice;
}

export interface VerifyResult {
  format: 'json' | 'cbor';
  /** From `protected.alg` when present, else inferred from the signature length. */
  alg: SignAlg;
  /** The signature text found in the body. */
  signature: string;
  /** True when the signature matches (for alg none: the signature text is '00'). */
  valid: boolean;
}

const ZEROS = new Uint8Array(128).fill(0x30);
const HEX_LOWER = /^[0-9a-f]*$/;

/**
 * Verifies a signed body in place.
 * @throws SignError EI_SIGN_NO_SIGNATURE / EI_SIGN_MALFORMED (no signature found), EI_SIGN_NO_KEY
 *   (HS256 body but no hmacKey, ES256 body but no publicKey), EI_SIGN_BAD_KEY, EI_SIGN_BAD_ALG.
 * @example verifyBody(bytes, { hmacKey: 'made-up-key' }).valid
 */
export function verifyBody(bytes: Uint8Array, opts: VerifyOptions = {}): VerifyResult {
  const loc = locateSignature(bytes);
  const sigLen = loc.end - loc.start;
  const signature = String.fromCharCode(...bytes.subarray(loc.start, Math.min(loc.end, loc.start + 256)));
  const alg = resolveAlg(loc.alg, sigLen);
  const result: VerifyResult = { format: loc.format, alg, signature, valid: false };
  if (alg === 'none') {
    result.valid = signature === '00';
    return result;
  }
  const wantLen = alg === 'HS256' ? 64 : 128;
  if (alg === 'HS256') hmacKeyBytes(opts.hmacKey); // key errors before the length check, consistently
  if (alg === 'ES256' && opts.publicKey === undefined) {
    throw new SignError('EI_SIGN_NO_KEY', 'ES256 verification needs a P-256 public key (publicKey)');
  }
  if (sigLen !== wantLen || !HEX_LOWER.test(signature)) return result;

  const backend = hashBackend(opts.backend);
  const mac: Mac = alg === 'HS256' ? backend.hmacSha256(hmacKeyBytes(opts.hmacKey)).create() : backend.sha256();
  mac.update(bytes.subarray(0, loc.start));
  mac.update(ZEROS.subarray(0, sigLen));
  mac.update(bytes.subarray(loc.end));
  const digest = new Uint8Array(32);
  mac.digestInto(digest);
  result.valid = alg === 'HS256' ? constantTimeEqual(toHex(digest), signature) : es256VerifyDigest(fromHex(signature), digest, opts.publicKey!);
  return result;
}

/** True when `bytes` carry a valid ES256 signature for `publicKey`. */
export function es256Verify(bytes: Uint8Array, publicKey: Uint8Array): boolean {
  const r = verifyBody(bytes, { publicKey });
  return r.alg === 'ES256' && r.valid;
}

/** True when `bytes` carry a valid HS256 signature for `hmacKey`. */
export function hs256Verify(bytes: Uint8Array, hmacKey: string | Uint8Array): boolean {
  const r = verifyBody(bytes, { hmacKey });
  return r.alg === 'HS256' && r.valid;
}

function resolveAlg(declared: string | undefined, sigLen: number): SignAlg {
  if (declared === 'none' || declared === 'HS256' || declared === 'ES256') return declared;
  if (declared !== undefined) throw new SignError('EI_SIGN_BAD_ALG', `protected.alg '${declared.slice(0, 16)}' is not none, HS256 or ES256`);
  return sigLen === 64 ? 'HS256' : sigLen === 128 ? 'ES256' : 'none';
}

function constantTimeEqual(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}
