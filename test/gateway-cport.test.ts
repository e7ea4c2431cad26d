/**
 * The C frame encoder a firmware links (firmware-sim/mcu/c/ei_frame.c) produces exactly the
 * bytes of the TypeScript builder the gateway's decoder is tested against, for lengths around
 * COBS's 254-byte blocks, zeros, labels, flags and signing; compiled with the sanitizers, and
 * every too-small output buffer fails cleanly. Skipped when no C compiler is installed.
 */
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildRawFrame, frameToWire } from '../src/gateway/frame.ts';
import { FrameDecoder } from '../src/gateway/frame-decoder.ts';

const cc = spawnSync('cc', ['--version']).status === 0 ? 'cc' : null;
const dir = mkdtempSync(join(tmpdir(), 'cport-'));
const exe = join(dir, 'frame_demo');

beforeAll(() => {
  if (!cc) return;
  const src = ['firmware-sim/mcu/c/ei_frame.c', 'firmware-sim/mcu/c/frame_demo.c'];
  try {
    execFileSync(cc, ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O1', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-o', exe, ...src], { stdio: 'pipe' });
  } catch {
    // toolchain without the sanitizer runtimes
    console.warn('gateway-cport: sanitizers unavailable, testing a plain build');
    execFileSync(cc, ['-std=c99', '-Wall', '-Wextra', '-Werror', '-O1', '-o', exe, ...src], { stdio: 'pipe' });
  }
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The C driver's stand-in signature: 64 bytes folded from the covered bytes. */
function fold(covered: Uint8Array): Uint8Array {
  const acc = new Uint8Array(64);
  covered.forEach((b, i) => (acc[i % 64] = (acc[i % 64] * 31 + b + 1) & 0xff));
  return acc;
}

function body(len: number, zeros: boolean): Uint8Array {
  return Uint8Array.from({ length: len }, (_, i) => (zeros && i % 97 === 3 ? 0 : ((i * 13 + 7) % 255) + 1));
}

const CASES: [string, number, string, boolean, number, boolean, boolean][] = [];
for (const len of [1, 2, 200, 230, 231, 232, 253, 254, 255, 500, 508, 509, 1200]) {
  CASES.push(['dev-1', 7, 'walk', false, len, false, false], ['node-42', 65535, '', true, len, true, true]);
}

describe.skipIf(!cc)('C frame encoder (firmware side)', () => {
  it.each(CASES)('%s seq %i label %j json %s body %i B zeros %s signed %s', (id, seq, label, json, len, zeros, signed) => {
    const b = body(len, zeros);
    const r = spawnSync(exe, [id, String(seq), label, json ? '1' : '0', Buffer.from(b).toString('hex'), signed ? '1' : '0'], {
      encoding: 'utf8',
      env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1' },
    });
    expect(r.status, r.stderr).toBe(0);
    const ts = frameToWire(buildRawFrame({ deviceId: id, seq, label, json, body: b }, signed ? fold : undefined));
    expect(r.stdout.trim()).toBe(Buffer.from(ts).toString('hex'));
    const [frame] = new FrameDecoder().push(Buffer.from(r.stdout.trim(), 'hex'));
    expect(frame).toMatchObject({ deviceId: id, seq, label, json });
    expect(Buffer.from(frame.body).equals(Buffer.from(b))).toBe(true);
  });
});
