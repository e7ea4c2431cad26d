/**
 * The encoder's view of the signers in src/sign: one signer per (alg, key, backend), kept for the
 * last key used so that steady-state encoding with one key creates no keyed-hash objects.
 */
import { createSigner, type Signer } from '../sign/index.ts';
import type { Alg } from '../model/document.ts';
import type { EncodeOptions } from './plan.ts';

let last: { alg: Alg; hmacKey: string | undefined; privateKey: Uint8Array | undefined; backend: string; signer: Signer } | null = null;

/** The signer for these options (cached for the last key). */
export function signerFor(alg: Alg, opts: EncodeOptions): Signer {
  const backend = opts.hashBackend ?? 'auto';
  const hmacKey = alg === 'HS256' ? opts.hmacKey : undefined;
  const privateKey = alg === 'ES256' ? opts.privateKey : undefined;
  const l = last;
  if (l !== null && l.alg === alg && l.hmacKey === hmacKey && l.privateKey === privateKey && l.backend === backend) return l.signer;
  const signer = createSigner(alg, { hmacKey, privateKey, backend });
  last = { alg, hmacKey, privateKey, backend, signer };
  return signer;
}
