// Property tests of the gateway's frame decoder (src/gateway/frame-decoder.ts): COBS frames from
// a microcontroller mixed with line noise, in any split. Counts: test/prop-runs.ts (EI_FUZZ_RUNS).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FrameDecoder } from '../src/gateway/frame-decoder.ts';
import { buildRawFrame, frameToWire, type ParsedFrame } from '../src/gateway/frame.ts';
import { runs, timeoutFor } from './prop-runs.ts';
import { splitAt as split } from './split-bytes.ts';

const plain = (f: ParsedFrame) => ({
  deviceId: f.deviceId,
  seq: f.seq,
  label: f.label,
  json: f.json,
  body: Buffer.from(f.body).toString('hex'),
  signature: f.signature ? Buffer.from(f.signature).toString('hex') : undefined,
});

function decode(pieces: Uint8Array[], maxBody?: number) {
  const d = new FrameDecoder(maxBody);
  const frames: ReturnType<typeof plain>[] = [];
  for (const piece of pieces) {
    const scratch = Uint8Array.from(piece);
    for (const f of d.push(scratch)) frames.push(plain(f));
    scratch.fill(0xee); // returned frames own their bytes
  }
  return { frames, counts: { ...d.counts } };
}

const frame = fc.record({
  deviceId: fc.string({ minLength: 1, maxLength: 20 }).filter((s) => Buffer.byteLength(s) <= 64),
  seq: fc.integer({ min: 0, max: 0xffff }),
  label: fc.string({ maxLength: 20 }).filter((s) => Buffer.byteLength(s) <= 128),
  json: fc.boolean(),
  body: fc.uint8Array({ minLength: 1, maxLength: 1500 }),
  signature: fc.option(fc.uint8Array({ minLength: 64, maxLength: 64 }), { nil: undefined }),
});

describe('frame decoder properties', () => {
  it('frames between arbitrary noise, in any split, come out whole and in order', { timeout: timeoutFor(300, 5) }, () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.uint8Array({ maxLength: 80 }), frame), { minLength: 1, maxLength: 6 }), fc.uint8Array({ maxLength: 80 }), fc.array(fc.nat(), { maxLength: 12 }), (items, tail, cuts) => {
        const parts: Uint8Array[] = [];
        const want: ReturnType<typeof plain>[] = [];
        for (const [noise, f] of items) {
          parts.push(noise);
          const sig = f.signature;
          parts.push(frameToWire(buildRawFrame(f, sig ? () => sig : undefined)));
          want.push({ deviceId: f.deviceId, seq: f.seq, label: f.label, json: f.json, body: Buffer.from(f.body).toString('hex'), signature: sig ? Buffer.from(sig).toString('hex') : undefined });
        }
        parts.push(tail);
        const bytes = new Uint8Array(Buffer.concat(parts));
        const got = decode(split(bytes, cuts)).frames;
        // Noise cannot eat a frame (each starts and ends with 0x00); a noise block decoding as a
        // valid frame needs a CRC-32 match (2^-32), so the frames are exactly the ones sent.
        expect(got).toEqual(want);
      }),
      { numRuns: runs(300) },
    );
  });

  it('arbitrary bytes: never throws, split-independent, every non-empty block counted once', { timeout: timeoutFor(1000) }, () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 10 }), fc.integer({ min: 1, max: 300 }), (bytes, cuts, maxBody) => {
        const whole = decode([bytes], maxBody);
        expect(decode(split(bytes, cuts), maxBody)).toEqual(whole);
        const c = whole.counts;
        const blocks = Buffer.from(bytes).toString('latin1').split('\0').slice(0, -1).filter((b) => b.length > 0).length;
        expect(c.frames + c.cobsErrors + c.crcErrors + c.layoutErrors + c.oversize).toBe(blocks);
      }),
      { numRuns: runs(1000) },
    );
  });

  it('one flipped bit in a frame never yields a different frame', { timeout: timeoutFor(500, 4) }, () => {
    fc.assert(
      fc.property(frame, fc.nat(), fc.integer({ min: 0, max: 7 }), (f, at, bit) => {
        const wire = frameToWire(buildRawFrame(f));
        const i = 1 + (at % (wire.length - 2)); // inside the stuffed bytes
        wire[i] ^= 1 << bit;
        for (const got of decode([wire]).frames) {
          expect(got).toEqual({ deviceId: f.deviceId, seq: f.seq, label: f.label, json: f.json, body: Buffer.from(f.body).toString('hex'), signature: undefined });
        }
      }),
      { numRuns: runs(500) },
    );
  });
});
