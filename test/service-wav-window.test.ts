/**
 * Issue 12: WAV headers are read through the ByteSource window (chunk headers only), and the
 * raw-data reader takes CSV rows and WAV frames from the window rather than a copy of the file.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readWav } from '../src/service/media.ts';
import { FileSource, WINDOW_BYTES } from '../src/service/byte-source.ts';
import { SampleFormatError } from '../src/service/errors.ts';
import { decodePayload } from '../src/service/sample-read.ts';
import { DEFAULT_LIMITS } from '../src/service/limits.ts';
import type { SampleRecord } from '../src/service/store.ts';
import { runs } from './prop-runs.ts';

/** A PCM WAV with an optional `LIST` chunk of `pad` bytes before `data`. */
function wav(ch: number, bits: number, frames: number, pad = 0): Buffer {
  const data = frames * ch * (bits / 8);
  const b = Buffer.alloc(44 + (pad ? 8 + pad : 0) + data);
  b.write('RIFF', 0, 'latin1');
  b.writeUInt32LE(b.length - 8, 4);
  b.write('WAVEfmt ', 8, 'latin1');
  b.writeUInt32LE(16, 16);
  b.writeUInt16LE(1, 20);
  b.writeUInt16LE(ch, 22);
  b.writeUInt32LE(16000, 24);
  b.writeUInt32LE((16000 * ch * bits) / 8, 28);
  b.writeUInt16LE((ch * bits) / 8, 32);
  b.writeUInt16LE(bits, 34);
  let o = 36;
  if (pad) {
    b.write('LIST', o, 'latin1');
    b.writeUInt32LE(pad, o + 4);
    o += 8 + pad;
  }
  b.write('data', o, 'latin1');
  b.writeUInt32LE(data, o + 4);
  for (let i = 0; i < frames * ch; i++) {
    if (bits === 16) b.writeInt16LE(((i * 37) % 65536) - 32768, o + 8 + 2 * i);
    else b[o + 8 + i] = (i * 37) % 256;
  }
  return b;
}

function outcome(f: () => unknown): unknown {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof SampleFormatError)) throw e;
    return { error: e.message };
  }
}

describe('WAV and CSV through the window', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ei-wav-'));
  const file = (b: Uint8Array): FileSource => {
    const p = join(dir, 'f');
    writeFileSync(p, b);
    return new FileSource(p);
  };

  it('readWav over a file reads the same header as over the bytes, also past a chunk bigger than the window', () => {
    for (const b of [wav(1, 16, 10), wav(2, 8, 7), wav(2, 16, 100, WINDOW_BYTES + 4), wav(1, 16, 5, 2 * WINDOW_BYTES)]) {
      const src = file(b);
      try {
        expect(readWav(src)).toEqual(readWav(b));
        expect(readWav(b).dataOffset).toBe(b.length - readWav(b).dataBytes);
      } finally {
        src.close();
      }
    }
  });

  it('property: mutated WAVs give the same header or the same error from a file as from the bytes', () => {
    const base = wav(2, 16, 8, 6);
    const mutated = fc.tuple(fc.array(fc.tuple(fc.nat(base.length - 1), fc.nat(255)), { maxLength: 4 }), fc.nat(base.length)).map(([edits, cut]) => {
      const b = Buffer.from(base.subarray(0, cut));
      for (const [i, v] of edits) if (i < b.length) b[i] = v;
      return b;
    });
    fc.assert(
      fc.property(fc.oneof(mutated, fc.uint8Array({ maxLength: 80 }).map((u) => Buffer.from(u))), (b) => {
        const src = file(b);
        try {
          expect(outcome(() => readWav(src))).toEqual(outcome(() => readWav(b)));
        } finally {
          src.close();
        }
      }),
      { numRuns: runs(200) },
    );
  });

  it('raw-data values of a WAV and a CSV are the frames and rows', () => {
    const rec = (kind: string): SampleRecord => ({ kind, deviceType: null, deviceName: null, intervalMs: 1, sensors: [] }) as unknown as SampleRecord;
    const w = wav(2, 16, 5);
    const frames = Array.from({ length: 5 }, (_, f) => [0, 1].map((c) => w.readInt16LE(44 + 4 * f + 2 * c)));
    expect(decodePayload(rec('wav'), w, DEFAULT_LIMITS).values).toEqual(frames);
    const w8 = wav(1, 8, 4);
    expect(decodePayload(rec('wav'), w8, DEFAULT_LIMITS).values).toEqual([0, 1, 2, 3].map((i) => [w8[44 + i] - 128]));
    const csv = Buffer.from('timestamp,a,b\r\n0,1,-2\r\n10,"3",4.5\r\n\r\n');
    expect(decodePayload(rec('csv'), csv, DEFAULT_LIMITS).values).toEqual([
      [1, -2],
      [3, 4.5],
    ]);
  });

  it.sequential('cleanup', () => rmSync(dir, { recursive: true, force: true }));
});
