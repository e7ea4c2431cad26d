/**
 * ES256 verification has two backends (node:crypto/OpenSSL where present, @noble/curves as the
 * portable path): they must give the same verdict on every input, valid or not, for high-s and
 * low-s signatures and for compressed and uncompressed keys.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { p256 } from '@noble/curves/nist.js';
import { describe, expect, it } from 'vitest';
import { es256KeyPair, es256SignDigest, es256VerifyData, es256VerifyDigest } from '../src/sign/index.ts';
import { FrameVerifier } from '../src/gateway/frame-verify.ts';

const N = p256.Point.CURVE().n;
const sha = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());
const flipS = (sig: Uint8Array): Uint8Array => {
  // (r, n - s) is the other valid signature of the same digest.
  const s = BigInt(`0x${Buffer.from(sig.subarray(32)).toString('hex')}`);
  const out = sig.slice();
  out.set(Buffer.from((N - s).toString(16).padStart(64, '0'), 'hex'), 32);
  return out;
};

describe('ES256 verification: node:crypto and @noble agree', () => {
  it('on valid, high/low-s, tampered, truncated and wrong-key signatures, compressed and uncompressed keys', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 16 }), fc.uint8Array({ maxLength: 300 }), fc.nat(63), fc.integer({ min: 1, max: 255 }), (seed, data, at, xor) => {
        const { privateKey, publicKey } = es256KeyPair(seed);
        const other = es256KeyPair(Uint8Array.of(...seed, 1)).publicKey;
        const compressed = p256.getPublicKey(privateKey, true);
        const sig = es256SignDigest(sha(data), privateKey);
        const tampered = sig.slice();
        tampered[at] ^= xor;
        const cases: [Uint8Array, Uint8Array, boolean | null][] = [
          [sig, publicKey, true],
          [flipS(sig), publicKey, true],
          [sig, compressed, true],
          [tampered, publicKey, null],
          [sig.subarray(0, 63), publicKey, false],
          [sig, other, false],
        ];
        for (const [s, key, want] of cases) {
          const node = es256VerifyData(s, data, key);
          const noble = es256VerifyData(s, data, key, 'noble');
          expect(node).toBe(noble);
          expect(node).toBe(es256VerifyDigest(s, sha(data), key));
          if (want !== null) expect(node).toBe(want);
        }
      }),
      { numRuns: Number(process.env.EI_FUZZ_RUNS ?? 60) },
    );
  });

  it('the gateway frame verifier accepts a device-signed frame and refuses a changed byte', () => {
    const { privateKey, publicKey } = es256KeyPair(new TextEncoder().encode('made-up device key'));
    const signed = new TextEncoder().encode('frame body bytes');
    const signature = es256SignDigest(sha(signed), privateKey);
    const v = new FrameVerifier({ dev1: publicKey });
    const frame = { deviceId: 'dev1', signed, signature } as unknown as Parameters<FrameVerifier['check']>[0];
    expect(v.check(frame)).toEqual({ ok: true });
    const bad = { ...frame, signed: Uint8Array.of(...signed.subarray(0, -1), signed[signed.length - 1] ^ 1) } as typeof frame;
    expect(v.check(bad)).toEqual({ ok: false, reason: 'bad-signature' });
  });
});
