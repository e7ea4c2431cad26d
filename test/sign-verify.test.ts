// verifyBody works on raw bytes (FACTS §1): documents here are made by JSON.stringify and cbor-x,
// not by our encoder, so the locator is tested against independent encoders, tricky key placements,
// whitespace, binary tails, and tampering.
import { createHmac } from 'node:crypto';
import { encode as cborEncode } from 'cbor-x';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createSigner, es256KeyPair, es256Verify, hs256Verify, locateSignature, verifyBody, type SignAlg } from '../src/sign/index.ts';

const te = new TextEncoder();
const { privateKey, publicKey } = es256KeyPair(te.encode('verify-test made-up seed'));
const HMAC_KEY = 'made-up-hmac-key';

function doc(alg: SignAlg, extra: Record<string, unknown> = {}) {
  const placeholder = createSigner(alg, { hmacKey: HMAC_KEY, privateKey }).placeholder;
  return {
    protected: { ver: 'v1', alg, iat: 1700000000 },
    signature: placeholder,
    payload: {
      device_name: 'has "signature":"zz" inside',
      device_type: 'TEST',
      interval_ms: 10,
      sensors: [{ name: 'signature', units: 'm/s2' }],
      values: [[1.5], [-2.25]],
      ...extra,
    },
  };
}

/** Signs bytes that hold exactly one placeholder-shaped run at `at`, patching it in place. */
function signAt(bytes: Uint8Array, at: number, alg: SignAlg): Uint8Array {
  const s = createSigner(alg, { hmacKey: HMAC_KEY, privateKey }).begin();
  s.update(bytes);
  s.finishInto(bytes, at);
  return bytes;
}

function findPlaceholder(bytes: Uint8Array, len: number): number {
  const text = Buffer.from(bytes).toString('latin1');
  const at = text.indexOf('0'.repeat(len));
  expect(at).toBeGreaterThan(0);
  return at;
}

function jsonBody(alg: SignAlg, space?: number, extra?: Record<string, unknown>): Uint8Array {
  const bytes = te.encode(JSON.stringify(doc(alg, extra), null, space));
  return alg === 'none' ? bytes : signAt(bytes, findPlaceholder(bytes, alg === 'HS256' ? 64 : 128), alg);
}

function cborBody(alg: SignAlg, tail?: Uint8Array): Uint8Array {
  // Plain Uint8Array copies: cbor-x returns views of its reusable buffer, and Buffer#slice shares memory.
  let bytes = Uint8Array.from(cborEncode(doc(alg)) as Uint8Array);
  if (tail) bytes = Uint8Array.from(Buffer.concat([bytes, tail]));
  if (alg === 'none') return bytes;
  const len = alg === 'HS256' ? 64 : 128;
  // cbor-x writes the 64/128-char placeholder as 0x78 <len> + ASCII: same length, patched in place.
  return signAt(bytes, findPlaceholder(bytes, len), alg);
}

describe('verifyBody', () => {
  for (const format of ['json', 'cbor'] as const) {
    for (const alg of ['HS256', 'ES256'] as const) {
      it(`accepts a valid ${format} ${alg} body and rejects any single flipped byte`, () => {
        const body = format === 'json' ? jsonBody(alg) : cborBody(alg);
        const r = verifyBody(body, { hmacKey: HMAC_KEY, publicKey });
        expect(r).toMatchObject({ format, alg, valid: true });
        expect(r.signature).toMatch(alg === 'HS256' ? /^[0-9a-f]{64}$/ : /^[0-9a-f]{128}$/);
        // Flip bytes spread over the body (structure bytes may become unparseable: also a rejection).
        const step = alg === 'ES256' ? 23 : 7;
        for (let i = 0; i < body.length; i += step) {
          const bad = body.slice();
          bad[i] ^= 0x01;
          let ok = false;
          try {
            ok = verifyBody(bad, { hmacKey: HMAC_KEY, publicKey }).valid;
          } catch {
            ok = false;
          }
          expect(ok, `flip at ${i}`).toBe(false);
        }
      });
    }
  }

  it('matches node:crypto over the zeroed bytes (HS256, CBOR with binary tail)', () => {
    const tail = new Uint8Array([1, 0, 2, 0, 0xff, 0x7f]);
    const body = cborBody('HS256', tail);
    const loc = locateSignature(body);
    const zeroed = body.slice();
    zeroed.fill(0x30, loc.start, loc.end);
    expect(Buffer.from(body.subarray(loc.start, loc.end)).toString()).toBe(createHmac('sha256', HMAC_KEY).update(zeroed).digest('hex'));
    expect(hs256Verify(body, HMAC_KEY)).toBe(true);
    const badTail = body.slice();
    badTail[badTail.length - 1] ^= 0x80;
    expect(hs256Verify(badTail, HMAC_KEY)).toBe(false);
  });

  it('finds the top-level signature in pretty-printed JSON and ignores nested ones', () => {
    const body = jsonBody('HS256', 2, { signature: 'nested-not-this-one' });
    expect(verifyBody(body, { hmacKey: HMAC_KEY }).valid).toBe(true);
  });

  it('reports a wrong key as invalid, not as an error', () => {
    expect(verifyBody(jsonBody('HS256'), { hmacKey: 'other' }).valid).toBe(false);
    expect(es256Verify(cborBody('ES256'), es256KeyPair(te.encode('other')).publicKey)).toBe(false);
  });

  it('handles alg none', () => {
    expect(verifyBody(jsonBody('none'))).toMatchObject({ alg: 'none', signature: '00', valid: true });
    expect(verifyBody(cborBody('none'))).toMatchObject({ format: 'cbor', alg: 'none', valid: true });
  });

  it('locates the signature in random documents encoded by cbor-x and JSON.stringify', () => {
    const key = fc.string({ maxLength: 12 }).filter((k) => k !== 'signature' && k !== 'protected');
    fc.assert(
      fc.property(fc.dictionary(key, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 5 }), fc.boolean(), (extra, asCbor) => {
        const d = { ...extra, signature: 'ab'.repeat(32), zz: extra };
        const bytes = asCbor ? (cborEncode(d) as Uint8Array) : te.encode(JSON.stringify(d));
        const loc = locateSignature(bytes);
        expect(Buffer.from(bytes.subarray(loc.start, loc.end)).toString()).toBe('ab'.repeat(32));
      }),
      { numRuns: 200 },
    );
  });

  const bad: { name: string; bytes: Uint8Array; code: string }[] = [
    { name: 'no signature (JSON)', bytes: te.encode('{"protected":{"alg":"HS256"},"payload":{"signature":"00"}}'), code: 'EI_SIGN_NO_SIGNATURE' },
    { name: 'no signature (CBOR)', bytes: cborEncode({ payload: { signature: '00' } }), code: 'EI_SIGN_NO_SIGNATURE' },
    { name: 'not a document', bytes: te.encode('[1,2]'), code: 'EI_SIGN_MALFORMED' },
    { name: 'empty', bytes: new Uint8Array(0), code: 'EI_SIGN_MALFORMED' },
    { name: 'truncated CBOR', bytes: (cborEncode({ signature: 'ab'.repeat(32) }) as Uint8Array).subarray(0, 20), code: 'EI_SIGN_MALFORMED' },
    { name: 'unterminated JSON', bytes: te.encode('{"signature":"abc'), code: 'EI_SIGN_MALFORMED' },
    { name: 'unknown alg', bytes: te.encode('{"protected":{"alg":"RS256"},"signature":"00"}'), code: 'EI_SIGN_BAD_ALG' },
  ];
  for (const c of bad) {
    it(`${c.name} → ${c.code}`, () => {
      expect(() => verifyBody(c.bytes, { hmacKey: HMAC_KEY })).toThrow(expect.objectContaining({ code: c.code }));
    });
  }

  it('needs the key the body calls for', () => {
    expect(() => verifyBody(jsonBody('HS256'), {})).toThrow(expect.objectContaining({ code: 'EI_SIGN_NO_KEY' }));
    expect(() => verifyBody(jsonBody('ES256'), { hmacKey: HMAC_KEY })).toThrow(expect.objectContaining({ code: 'EI_SIGN_NO_KEY' }));
  });
});
