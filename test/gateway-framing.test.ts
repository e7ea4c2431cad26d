import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { crc32 as zlibCrc32 } from 'node:zlib';
import { createHash } from 'node:crypto';
import { crc32 } from '../src/gateway/crc32.ts';
import { cobsEncode, cobsDecode } from '../src/gateway/cobs.ts';
import { buildRawFrame, frameToWire, parseRawFrame } from '../src/gateway/frame.ts';
import { FrameDecoder } from '../src/gateway/frame-decoder.ts';
import { es256KeyPair, es256SignDigest } from '../src/sign/index.ts';
import { FrameVerifier, parseDeviceKeys } from '../src/gateway/frame-verify.ts';
import { mulberry32 } from '../src/device/sensors/sim.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const sha = (b: Uint8Array) => new Uint8Array(createHash('sha256').update(b).digest());

const rng = mulberry32;

describe('crc32', () => {
  it('matches the check value and node:zlib, also over split input', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926); // CRC-32/ISO-HDLC check
    const r = rng(1);
    for (let n = 0; n < 300; n += 7) {
      const b = Uint8Array.from({ length: n }, () => (r() * 256) | 0);
      expect(crc32(b)).toBe(zlibCrc32(b));
      expect(crc32(b.subarray(n >> 1), crc32(b.subarray(0, n >> 1)))).toBe(zlibCrc32(b));
    }
  });
});

describe('COBS', () => {
  // Vectors from Cheshire & Baker (1999) / the Wikipedia COBS article's example table.
  it.each([
    ['00', '01 01'],
    ['00 00', '01 01 01'],
    ['00 11 00', '01 02 11 01'],
    ['11 22 00 33', '03 11 22 02 33'],
    ['11 22 33 44', '05 11 22 33 44'],
    ['11 00 00 00', '02 11 01 01 01'],
  ])('%s ⇄ %s', (raw, enc) => {
    expect(Buffer.from(cobsEncode(hex(raw))).toString('hex')).toBe(Buffer.from(hex(enc)).toString('hex'));
    expect(Buffer.from(cobsDecode(hex(enc))!).toString('hex')).toBe(Buffer.from(hex(raw)).toString('hex'));
  });
  it('round-trips every length around the 254-byte block boundary, never emitting 0x00', () => {
    for (let n = 0; n < 800; n++) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 7 + n) % 256);
      const e = cobsEncode(b);
      expect(e.includes(0)).toBe(false);
      expect(Buffer.from(cobsDecode(e)!).equals(Buffer.from(b))).toBe(true);
    }
    const ones = new Uint8Array(254).fill(1);
    expect(cobsEncode(ones)[0]).toBe(0xff);
  });
  it('rejects invalid blocks', () => {
    expect(cobsDecode(hex('05 11 22'))).toBeNull(); // code past the end
    expect(cobsDecode(hex('03 11 00'))).toBeNull(); // zero inside
  });
});

function frames(count: number, seed = 1, signKey?: Uint8Array) {
  const r = rng(seed);
  return Array.from({ length: count }, (_, i) => {
    const body = Uint8Array.from({ length: 1 + ((r() * 600) | 0) }, () => (r() * 256) | 0);
    const f = { deviceId: `dev-${i % 3}`, seq: i, label: i % 2 ? 'walk' : '', json: i % 4 === 0, body };
    const raw = buildRawFrame(f, signKey ? (c) => es256SignDigest(sha(c), signKey) : undefined);
    return { f, raw, wire: frameToWire(raw) };
  });
}

describe('frame layout', () => {
  it('parses what it builds, and any flipped bit fails the CRC', () => {
    const [{ f, raw }] = frames(1);
    const p = parseRawFrame(raw);
    expect(typeof p).toBe('object');
    if (typeof p === 'string') return;
    expect(p).toMatchObject({ deviceId: f.deviceId, seq: 0, label: '', json: true });
    expect(Buffer.from(p.body).equals(Buffer.from(f.body))).toBe(true);
    for (let bit = 0; bit < raw.length * 8; bit += 13) {
      const bad = raw.slice();
      bad[bit >> 3] ^= 1 << (bit & 7);
      expect(parseRawFrame(bad)).toBe('crc');
    }
  });
  it('reports layout faults under a valid CRC', () => {
    const raw = buildRawFrame({ deviceId: 'd', seq: 1, body: new Uint8Array([1]) });
    const v2 = raw.slice();
    v2[0] = 2;
    new DataView(v2.buffer).setUint32(v2.length - 4, crc32(v2.subarray(0, v2.length - 4)), true);
    expect(parseRawFrame(v2)).toBe('version');
    expect(() => buildRawFrame({ deviceId: '', seq: 1, body: new Uint8Array([1]) })).toThrow(RangeError);
  });
});

describe('FrameDecoder', () => {
  const wireOf = (list: { wire: Uint8Array }[]) => Buffer.concat(list.map((x) => x.wire));

  it('decodes the same frames for every split of the stream into two and three pieces', () => {
    const list = frames(3, 2);
    const wire = wireOf(list);
    for (let a = 0; a <= wire.length; a += 3) {
      for (let b = a; b <= wire.length; b += Math.max(1, (wire.length / 5) | 0)) {
        const d = new FrameDecoder();
        const got = [...d.push(wire.subarray(0, a)), ...d.push(wire.subarray(a, b)), ...d.push(wire.subarray(b))];
        expect(got.map((g) => g.seq)).toEqual([0, 1, 2]);
      }
    }
  });

  it('byte-at-a-time gives the same frames', () => {
    const list = frames(5, 3);
    const wire = wireOf(list);
    const d = new FrameDecoder();
    const got = [];
    for (let i = 0; i < wire.length; i++) got.push(...d.push(wire.subarray(i, i + 1)));
    expect(got.map((g) => g.seq)).toEqual([0, 1, 2, 3, 4]);
    got.forEach((g, i) => expect(Buffer.from(g.body).equals(Buffer.from(list[i].f.body))).toBe(true));
  });

  it('resynchronises after random noise between frames: every good frame survives', () => {
    const r = rng(9);
    const list = frames(40, 4);
    const parts: Uint8Array[] = [];
    for (const x of list) {
      parts.push(Uint8Array.from({ length: (r() * 50) | 0 }, () => (r() * 256) | 0)); // noise, zeros included
      parts.push(x.wire);
    }
    const d = new FrameDecoder();
    const got = d.push(Buffer.concat(parts));
    expect(got.map((g) => g.seq)).toEqual(list.map((x) => x.f.seq));
    expect(d.counts.frames).toBe(40);
  });

  it('noise inside frames costs those frames only, counted as COBS or CRC errors', () => {
    const r = rng(5);
    const list = frames(60, 5);
    const hit = new Set<number>();
    const parts = list.map((x, i) => {
      if (i % 3 !== 1) return x.wire;
      hit.add(i);
      const w = x.wire.slice();
      const at = 1 + ((r() * (w.length - 2)) | 0);
      w[at] = i % 2 ? 0 : w[at] ^ 0x5a; // a spurious delimiter or a flipped byte
      return w;
    });
    const d = new FrameDecoder();
    const got = d.push(Buffer.concat(parts));
    expect(got.map((g) => g.seq)).toEqual(list.map((x) => x.f.seq).filter((s) => !hit.has(s)));
    expect(d.counts.cobsErrors + d.counts.crcErrors + d.counts.layoutErrors).toBeGreaterThanOrEqual(hit.size);
    expect(d.counts.crcErrors).toBeGreaterThan(0);
  });

  it('property: any frames, any noise between them, any chunking → exactly the frames, in order', () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ body: fc.uint8Array({ minLength: 1, maxLength: 700 }), noise: fc.uint8Array({ maxLength: 60 }), label: fc.string({ maxLength: 8 }) }), { minLength: 1, maxLength: 8 }),
        fc.array(fc.nat(), { maxLength: 10 }),
        (items, cuts) => {
          const wire = Buffer.concat(
            items.flatMap((it, i) => [it.noise, frameToWire(buildRawFrame({ deviceId: 'd', seq: i, label: it.label, body: it.body }))]),
          );
          const points = [...new Set(cuts.map((c) => c % (wire.length + 1)))].sort((a, b) => a - b);
          const d = new FrameDecoder();
          const got = [];
          let prev = 0;
          for (const p of [...points, wire.length]) {
            got.push(...d.push(wire.subarray(prev, p)));
            prev = p;
          }
          expect(got.map((g) => g.seq)).toEqual(items.map((_, i) => i));
          got.forEach((g, i) => expect(Buffer.from(g.body).equals(Buffer.from(items[i].body))).toBe(true));
        },
      ),
      { numRuns: 300, seed: 6 },
    );
  });

  it('bounds memory: an endless run without delimiter is dropped and the next frame decodes', () => {
    const d = new FrameDecoder(1000);
    const junk = new Uint8Array(5000).fill(0x41);
    expect(d.push(junk)).toEqual([]);
    expect(d.counts.oversize).toBe(1);
    const [x] = frames(1, 6);
    expect(d.push(x.wire).map((g) => g.seq)).toEqual([0]);
  });
});

describe('per-device ES256 signatures', () => {
  const alice = es256KeyPair(new TextEncoder().encode('made-up device key A'));
  const mallory = es256KeyPair(new TextEncoder().encode('made-up key M'));
  it('accepts frames signed by the configured key; refuses wrong keys, unsigned and unknown devices', () => {
    const v = new FrameVerifier({ 'dev-0': alice.publicKey, 'dev-1': alice.publicKey, 'dev-2': alice.publicKey });
    for (const x of frames(3, 7, alice.privateKey)) expect(v.check(parseRawFrame(x.raw) as never)).toEqual({ ok: true });
    for (const x of frames(3, 7, mallory.privateKey)) expect(v.check(parseRawFrame(x.raw) as never)).toMatchObject({ ok: false, reason: 'bad-signature' });
    for (const x of frames(3, 7)) expect(v.check(parseRawFrame(x.raw) as never)).toMatchObject({ ok: false, reason: 'unsigned' });
    const none = new FrameVerifier({});
    expect(none.check(parseRawFrame(frames(1, 7, alice.privateKey)[0].raw) as never)).toMatchObject({ ok: false, reason: 'unknown-device' });
    expect(none.check(parseRawFrame(frames(1, 7)[0].raw) as never)).toEqual({ ok: true }); // no keys: unsigned frames pass
  });
  it('a body altered after signing (CRC recomputed) fails verification', () => {
    const v = new FrameVerifier({ 'dev-0': alice.publicKey });
    const [x] = frames(1, 8, alice.privateKey);
    const bad = x.raw.slice();
    bad[16] ^= 1; // inside the body (after version, flags, seq, id "dev-0", label length, body length)
    new DataView(bad.buffer).setUint32(bad.length - 4, crc32(bad.subarray(0, bad.length - 4)), true);
    const parsed = parseRawFrame(bad);
    expect(typeof parsed).toBe('object');
    expect(v.check(parsed as never)).toMatchObject({ ok: false, reason: 'bad-signature' });
  });
});

describe('device key configuration', () => {
  const pub = Buffer.from(es256KeyPair(new TextEncoder().encode('made-up k')).publicKey).toString('hex');
  it('reads id=hex lists and JSON objects', () => {
    expect(Buffer.from(parseDeviceKeys(`a=${pub},b=${pub}`).b).toString('hex')).toBe(pub);
    expect(Object.keys(parseDeviceKeys(JSON.stringify({ x: pub })))).toEqual(['x']);
  });
  it.each(['a=zz', 'a', `=${pub}`, 'a=04abcd'])('rejects %j naming the device', (bad) => {
    expect(() => parseDeviceKeys(bad)).toThrow(RangeError);
  });
});
