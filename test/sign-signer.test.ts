// Signers: standards' vectors (RFC 4231 HMAC-SHA256, RFC 6979 A.2.5 P-256/SHA-256), every-split
// property tests across both hash backends, cross-checks against node:crypto, and bad inputs.
import { createHash, createHmac, createPublicKey, verify as nodeVerify } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  createSigner,
  es256KeyPair,
  es256PublicKey,
  es256SignDigest,
  fromHex,
  PLACEHOLDERS,
  SignError,
  type SignAlg,
} from '../src/sign/index.ts';
import { splitAt as split } from './split-bytes.ts';

const te = new TextEncoder();

function sign(alg: SignAlg, chunks: Uint8Array[], opts: Parameters<typeof createSigner>[1]): string {
  const s = createSigner(alg, opts).begin();
  for (const c of chunks) s.update(c);
  return s.finish();
}

/** Splits `data` at the given cut points (sorted, deduplicated, clamped). */
/** node:crypto's own P-256 verifier over the raw message (r‖s, IEEE P1363 encoding). */
function nodeEs256Verify(message: Uint8Array, sigHex: string, publicKey: Uint8Array): boolean {
  const x = Buffer.from(publicKey.subarray(1, 33)).toString('base64url');
  const y = Buffer.from(publicKey.subarray(33, 65)).toString('base64url');
  const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x, y }, format: 'jwk' });
  return nodeVerify('sha256', message, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(sigHex, 'hex'));
}

describe('HS256', () => {
  // RFC 4231 §4.2, §4.3, §4.7 (test cases 1, 2, 6).
  const rfc4231 = [
    { key: new Uint8Array(20).fill(0x0b), data: 'Hi There', mac: 'b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7' },
    { key: 'Jefe', data: 'what do ya want for nothing?', mac: '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843' },
    {
      key: new Uint8Array(131).fill(0xaa),
      data: 'Test Using Larger Than Block-Size Key - Hash Key First',
      mac: '60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54',
    },
  ];
  for (const backend of ['node', 'noble'] as const) {
    it(`reproduces RFC 4231 vectors on ${backend}`, () => {
      for (const v of rfc4231) expect(sign('HS256', [te.encode(v.data)], { hmacKey: v.key, backend })).toBe(v.mac);
    });
  }

  it('gives node:crypto one-shot results for random keys, data and splits on both backends', () => {
    fc.assert(
      fc.property(
        fc.string({ unit: 'binary', maxLength: 100 }),
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.nat(), { maxLength: 6 }),
        (key, data, cuts) => {
          const want = createHmac('sha256', Buffer.from(key, 'utf8')).update(data).digest('hex');
          const parts = split(data, cuts);
          expect(sign('HS256', parts, { hmacKey: key, backend: 'node' })).toBe(want);
          expect(sign('HS256', parts, { hmacKey: key, backend: 'noble' })).toBe(want);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('uses every byte of long keys (no 32-char truncation like the C SDK)', () => {
    const k32 = 'k'.repeat(32);
    const body = te.encode('{"a":1}');
    expect(sign('HS256', [body], { hmacKey: k32 + 'x' })).not.toBe(sign('HS256', [body], { hmacKey: k32 }));
    expect(sign('HS256', [body], { hmacKey: 'é'.repeat(100) })).toBe(createHmac('sha256', 'é'.repeat(100)).update(body).digest('hex'));
  });

  it('accepts the empty key (RFC 2104 allows it) on both backends', () => {
    const want = createHmac('sha256', Buffer.alloc(0)).update('x').digest('hex');
    expect(sign('HS256', [te.encode('x')], { hmacKey: '', backend: 'node' })).toBe(want);
    expect(sign('HS256', [te.encode('x')], { hmacKey: '', backend: 'noble' })).toBe(want);
  });

  it('reuses the noble state between sessions without leaking one into the next', () => {
    const signer = createSigner('HS256', { hmacKey: 'made-up', backend: 'noble' });
    for (let i = 0; i < 5; i++) {
      const s = signer.begin();
      s.update(te.encode(`message ${i}`));
      expect(s.finish()).toBe(createHmac('sha256', 'made-up').update(`message ${i}`).digest('hex'));
    }
    // Two overlapping sessions of one signer stay independent.
    const a = signer.begin();
    const b = signer.begin();
    a.update(te.encode('A'));
    b.update(te.encode('B'));
    expect(b.finish()).toBe(createHmac('sha256', 'made-up').update('B').digest('hex'));
    expect(a.finish()).toBe(createHmac('sha256', 'made-up').update('A').digest('hex'));
  });

  it('finishInto writes the same ASCII as finish', () => {
    const signer = createSigner('HS256', { hmacKey: 'made-up' });
    const s1 = signer.begin();
    s1.update(te.encode('abc'));
    const out = new Uint8Array(70).fill(0x2e);
    s1.finishInto(out, 3);
    const s2 = signer.begin();
    s2.update(te.encode('abc'));
    expect(new TextDecoder().decode(out.subarray(3, 67))).toBe(s2.finish());
    expect(out[2]).toBe(0x2e);
    expect(out[67]).toBe(0x2e);
  });
});

describe('ES256', () => {
  it('reproduces RFC 6979 A.2.5 (P-256, SHA-256, message "sample")', () => {
    const priv = fromHex('c9afa9d845ba75166b5c215767b1d6934e50c3db36e89b127b8a622b120f6721');
    const sig = sign('ES256', [te.encode('sample')], { privateKey: priv });
    expect(sig).toBe(
      'efd48b2aacb6a8fd1140dd9cd45e81d69d2c877b56aaf991c34d0ea84eaf3716' +
        'f7cb1c942d657c41d436c7a1b6e29f65f3e900dbb9aff4064dc4ab2f843acda8',
    );
    expect(Buffer.from(es256PublicKey(priv)).toString('hex')).toBe(
      '04' + '60fed4ba255a9d31c961eb74c6356d68c049b8923b61fa6ce669622e60f29fb6' + '7903fe1008b8bc99a41ae9e95628bc64f2f1b20c2d7e9f5177a3c294d4462299',
    );
  });

  it('is deterministic, identical on both backends, and verifies with node:crypto', () => {
    const { privateKey, publicKey } = es256KeyPair(te.encode('made-up test seed'));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 4 }), (data, cuts) => {
        const parts = split(data, cuts);
        const a = sign('ES256', parts, { privateKey, backend: 'node' });
        const b = sign('ES256', [data], { privateKey, backend: 'noble' });
        expect(a).toMatch(/^[0-9a-f]{128}$/);
        expect(b).toBe(a);
        expect(nodeEs256Verify(data, a, publicKey)).toBe(true);
      }),
      { numRuns: 40 },
    );
  });

  it('derives the same key pair from the same seed and different ones from different seeds', () => {
    const a = es256KeyPair(te.encode('seed-1'));
    expect(es256KeyPair(te.encode('seed-1')).privateKey).toEqual(a.privateKey);
    expect(es256KeyPair(te.encode('seed-2')).privateKey).not.toEqual(a.privateKey);
    expect(a.publicKey.length).toBe(65);
    expect(es256PublicKey(a.privateKey)).toEqual(a.publicKey);
    expect(es256KeyPair().privateKey.length).toBe(32);
  });

  it('signs a prehashed digest exactly as the streaming signer does', () => {
    const { privateKey } = es256KeyPair(te.encode('k'));
    const digest = createHash('sha256').update('body').digest();
    expect(Buffer.from(es256SignDigest(digest, privateKey)).toString('hex')).toBe(sign('ES256', [te.encode('body')], { privateKey }));
  });
});

describe('none and placeholders', () => {
  it('writes "00" and has placeholders as long as the signatures', () => {
    expect(sign('none', [te.encode('anything')], {})).toBe('00');
    expect(createSigner('none').placeholder).toBe(PLACEHOLDERS.none);
    expect(createSigner('HS256', { hmacKey: 'k' }).placeholder).toBe('0'.repeat(64));
    expect(createSigner('ES256', { privateKey: es256KeyPair().privateKey }).placeholder).toBe('0'.repeat(128));
  });
});

describe('bad input', () => {
  const secret = 'super-secret-made-up-key-value';
  const cases: { name: string; run: () => unknown; code: string }[] = [
    { name: 'unknown alg', run: () => createSigner('RS256' as SignAlg, { hmacKey: secret }), code: 'EI_SIGN_BAD_ALG' },
    { name: 'HS256 without key', run: () => createSigner('HS256', {}), code: 'EI_SIGN_NO_KEY' },
    { name: 'HS256 number key', run: () => createSigner('HS256', { hmacKey: 42 as unknown as string }), code: 'EI_SIGN_BAD_KEY' },
    { name: 'HS256 lone surrogate', run: () => createSigner('HS256', { hmacKey: secret + '\uD800' }), code: 'EI_SIGN_BAD_KEY' },
    { name: 'ES256 without key', run: () => createSigner('ES256', {}), code: 'EI_SIGN_NO_KEY' },
    { name: 'ES256 short key', run: () => createSigner('ES256', { privateKey: new Uint8Array(31).fill(1) }), code: 'EI_SIGN_BAD_KEY' },
    { name: 'ES256 zero key', run: () => createSigner('ES256', { privateKey: new Uint8Array(32) }), code: 'EI_SIGN_BAD_KEY' },
    {
      name: 'ES256 key >= n',
      run: () => createSigner('ES256', { privateKey: new Uint8Array(32).fill(0xff) }),
      code: 'EI_SIGN_BAD_KEY',
    },
    { name: 'unknown backend', run: () => createSigner('HS256', { hmacKey: secret, backend: 'wasm' as 'node' }), code: 'EI_SIGN_BAD_BACKEND' },
  ];
  for (const c of cases) {
    it(`${c.name} → ${c.code}, key not in message`, () => {
      let err: unknown;
      try {
        c.run();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(SignError);
      expect((err as SignError).code).toBe(c.code);
      expect((err as SignError).message).not.toContain(secret);
    });
  }

  it('refuses to reuse a finished session', () => {
    for (const alg of ['none', 'HS256'] as const) {
      const s = createSigner(alg, { hmacKey: 'k' }).begin();
      s.finish();
      expect(() => s.update(new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'EI_SIGN_STATE' }));
      expect(() => s.finish()).toThrow(expect.objectContaining({ code: 'EI_SIGN_STATE' }));
    }
  });
});
