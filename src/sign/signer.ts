/**
 * Signers for the acquisition document (FACTS §1). A signer is made once per key; `begin()` starts
 * one incremental computation over the body bytes *with the placeholder in place*, and `finish()`
 * gives the signature text that is then written over the placeholder without re-encoding.
 */
import { SignError } from './errors.ts';
import { es256SignDigest } from './es256.ts';
import { hashBackend, type BackendChoice, type Mac } from './hash-backend.ts';
import { toHex, writeHexInto } from './hex.ts';
import { es256PrivateKey, hmacKeyBytes } from './keys.ts';

export type SignAlg = 'none' | 'HS256' | 'ES256';

export const SIGN_ALGS: readonly SignAlg[] = ['none', 'HS256', 'ES256'];

/** Placeholder written into `signature` before hashing: as long as the final signature text. */
export const PLACEHOLDERS: Readonly<Record<SignAlg, string>> = {
  none: '00',
  HS256: '0'.repeat(64),
  ES256: '0'.repeat(128),
};

export interface SignerOptions {
  /** HS256 key: its UTF-8 bytes are the HMAC key (any length, empty allowed). */
  hmacKey?: string | Uint8Array;
  /** ES256 key: 32-byte P-256 private scalar. */
  privateKey?: Uint8Array;
  /** Hash implementation: node:crypto, @noble/hashes, or node:crypto when present (default). */
  backend?: BackendChoice;
}

/** One signing pass over a body. */
export interface SignSession {
  /** Feeds the next body bytes (placeholder included). */
  update(chunk: Uint8Array): void;
  /** Ends the pass; returns the lowercase hex signature (same length as the placeholder). */
  finish(): string;
  /** Ends the pass and writes the signature's ASCII hex into `out` at `offset` (no string made). */
  finishInto(out: Uint8Array, offset: number): void;
}

export interface Signer {
  readonly alg: SignAlg;
  /** '00', 64 × '0' or 128 × '0'. */
  readonly placeholder: string;
  /** Name of the hash backend in use ('node' / 'noble'; 'none' hashes nothing). */
  readonly backend: 'node' | 'noble' | 'none';
  begin(): SignSession;
}

/**
 * Creates a signer.
 * @throws SignError EI_SIGN_BAD_ALG, EI_SIGN_NO_KEY, EI_SIGN_BAD_KEY, EI_SIGN_BAD_BACKEND
 * @example
 * const s = createSigner('HS256', { hmacKey: 'my-made-up-key' }).begin();
 * s.update(bodyWithPlaceholder);
 * const sig = s.finish(); // 64 lowercase hex chars
 */
export function createSigner(alg: SignAlg, opts: SignerOptions = {}): Signer {
  switch (alg) {
    case 'none':
      return { alg, placeholder: PLACEHOLDERS.none, backend: 'none', begin: () => new NoneSession() };
    case 'HS256': {
      const key = hmacKeyBytes(opts.hmacKey);
      const backend = hashBackend(opts.backend);
      const keyed = backend.hmacSha256(key);
      return { alg, placeholder: PLACEHOLDERS.HS256, backend: backend.name, begin: () => new MacSession(keyed.create(), null) };
    }
    case 'ES256': {
      const key = es256PrivateKey(opts.privateKey);
      const backend = hashBackend(opts.backend);
      return { alg, placeholder: PLACEHOLDERS.ES256, backend: backend.name, begin: () => new MacSession(backend.sha256(), key) };
    }
    default:
      throw new SignError('EI_SIGN_BAD_ALG', `unknown signing algorithm '${String(alg)}' (expected none, HS256 or ES256)`);
  }
}

const ZERO_ZERO = new Uint8Array([0x30, 0x30]);

class NoneSession implements SignSession {
  private done = false;
  update(): void {
    if (this.done) throw spent();
  }
  finish(): string {
    this.end();
    return '00';
  }
  finishInto(out: Uint8Array, offset: number): void {
    if (offset < 0 || offset + 2 > out.length) throw new RangeError('signature does not fit the output buffer');
    this.end();
    out.set(ZERO_ZERO, offset);
  }
  private end(): void {
    if (this.done) throw spent();
    this.done = true;
  }
}

/** HMAC (es256Key null) or SHA-256 then ECDSA. */
class MacSession implements SignSession {
  private done = false;
  constructor(
    private readonly mac: Mac,
    private readonly es256Key: Uint8Array | null,
  ) {}
  update(chunk: Uint8Array): void {
    if (this.done) throw spent();
    this.mac.update(chunk);
  }
  finish(): string {
    this.end();
    if (!this.es256Key) return this.mac.digestHex();
    this.mac.digestInto(digest);
    return toHex(es256SignDigest(digest, this.es256Key));
  }
  finishInto(out: Uint8Array, offset: number): void {
    const len = this.es256Key ? 128 : 64;
    if (offset < 0 || offset + len > out.length) throw new RangeError('signature does not fit the output buffer');
    this.end();
    this.mac.digestInto(digest);
    writeHexInto(this.es256Key ? es256SignDigest(digest, this.es256Key) : digest, out, offset);
  }
  private end(): void {
    if (this.done) throw spent();
    this.done = true;
  }
}

/** Digest scratch: used synchronously inside finish/finishInto only, so one is enough. */
const digest = new Uint8Array(32);

function spent(): SignError {
  return new SignError('EI_SIGN_STATE', 'signing session already finished; call begin() again');
}
