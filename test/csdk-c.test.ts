/**
 * The reference C encoder (firmware-sim/mcu/c) and the C vector harness (vectors/c): HMAC-SHA256
 * against RFC 4231 and node:crypto, every c-sdk vector through run_vectors.c (also with odd
 * buffer sizes), the harness's report of a wrong byte, and the MCU executable's documents
 * verified by node:crypto and decoded by cbor-x. Compiled with -std=c99 -Wall -Wextra -Werror
 * and the sanitizers where the toolchain has them; skipped, saying why, without a C compiler.
 */
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'cbor-x';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildMcuEncoder, C_DIR, compileC, ENCODER_SOURCES, findCc, VECTORS_C_DIR } from '../firmware-sim/mcu/c-build.ts';
import type { Manifest } from '../src/cli/vectors-check.ts';
import { f64Hex } from '../src/cli/vectors-manifest.ts';
import { encodeToBytes } from '../src/index.ts';
import { verifyBody } from '../src/sign/index.ts';
import { mulberry32 } from '../src/device/sensors/sim.ts';

const cc = findCc();
if (!cc) console.warn('csdk-c: skipped: no C compiler (cc or $CC) on this machine');
const dir = mkdtempSync(join(tmpdir(), 'csdk-c-'));
const exe = (n: string) => join(dir, n);
const HARNESS = [join(VECTORS_C_DIR, 'run_vectors.c'), join(C_DIR, 'ei_csdk_port.c'), ...ENCODER_SOURCES];
const manifest = JSON.parse(readFileSync(join(VECTORS_C_DIR, '..', 'manifest.json'), 'utf8')) as Manifest;
let sanitized = false;

beforeAll(() => {
  if (!cc) return;
  sanitized = compileC(cc, exe('hmac_test'), [join(C_DIR, 'hmac_test.c'), join(C_DIR, 'ei_hmac_sha256.c')]).sanitized;
  if (!sanitized) console.warn('csdk-c: sanitizers unavailable, testing plain builds');
  compileC(cc, exe('run_vectors'), HARNESS);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(file: string, args: string[] = [], input?: string, env: Record<string, string> = {}) {
  return spawnSync(file, args, { encoding: 'utf8', input, env: { ...process.env, ASAN_OPTIONS: 'detect_leaks=1', ...env } });
}

/** The vectors the reference port can take: CBOR c-sdk, none or HS256, no iat, numeric rows. */
const csdk = manifest.vectors.filter((v) => {
  const alg = v.options.alg ?? (v.input as { protected?: { alg?: string } }).protected?.alg;
  const values = (v.input as { payload: { values: unknown } }).payload.values;
  return v.options.format === 'cbor' && v.options.layout === 'c-sdk' && (alg === 'none' || alg === 'HS256') && v.options.iat === undefined && !(values && typeof values === 'object' && ('tail' in values || 'attachment' in values));
});

describe.skipIf(!cc)('reference C encoder and C vector harness', () => {
  it('HMAC-SHA256 passes RFC 4231 test cases 1-7 (fed in every split)', () => {
    const r = run(exe('hmac_test'));
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout.trim()).toBe('7 passed, 0 failed');
  });

  it('HMAC-SHA256 equals node:crypto around the block and padding boundaries, in pieces', () => {
    for (const kl of [0, 1, 32, 63, 64, 65, 131]) {
      for (const ml of [0, 1, 55, 56, 63, 64, 65, 119, 120, 128, 1000]) {
        const key = Buffer.from(Array.from({ length: kl }, (_, i) => (i * 7 + 3) & 0xff));
        const msg = Buffer.from(Array.from({ length: ml }, (_, i) => (i * 13 + kl) & 0xff));
        const want = createHmac('sha256', key).update(msg).digest('hex');
        for (const split of [7, 0]) {
          const r = run(exe('hmac_test'), [key.toString('hex'), msg.toString('hex'), String(split)]);
          expect(r.stdout.trim(), `key ${kl} msg ${ml} split ${split}`).toBe(want);
        }
      }
    }
  });

  it('passes every c-sdk vector the port takes (positive and negative), and skips only the others', () => {
    expect(csdk.length).toBeGreaterThanOrEqual(20);
    const r = run(exe('run_vectors'), ['-v']);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${csdk.length} passed, 0 failed$`, 'm'));
    expect(r.stdout).toMatch(new RegExp(`^skipped ${manifest.vectors.length - csdk.length} vectors`, 'm'));
    for (const v of csdk) expect(r.stdout).toContain(`ok   ${v.id}`);
    for (const id of ['anchor-csdk-hs256-3axis', 'anchor-csdk-none-3axis', 'edge-qcbor-half-c-sdk-cbor', 'edge-qcbor-single-c-sdk-cbor', 'edge-qcbor-infinity-c-sdk-cbor', 'reject-c-sdk-row-width']) {
      expect(r.stdout).toContain(`ok   ${id}`);
    }
  });

  it.each([1, 7, 64, 300])('streams through an encoder buffer of %i bytes with the same bytes', (n) => {
    const out = exe(`run_vectors_${n}`);
    compileC(cc!, out, HARNESS, [`-DEI_CSDK_BUF=${n}`]);
    const r = run(out);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^${csdk.length} passed, 0 failed$`, 'm'));
  });

  it('reports a wrong byte with its offset and context, and exits 1', () => {
    // A port that gets one byte wrong: the reference port with a bit flipped in its output.
    const broken = join(dir, 'broken_port.c');
    writeFileSync(
      broken,
      [
        '#define ei_port_bytes reference_port_bytes',
        `#include "${join(C_DIR, 'ei_csdk_port.c')}"`,
        '#undef ei_port_bytes',
        'const uint8_t *ei_port_bytes(size_t *len) {',
        '    static uint8_t copy[MAX_BODY];',
        '    const uint8_t *b = reference_port_bytes(len);',
        '    memcpy(copy, b, *len);',
        '    copy[100] ^= 0x01;',
        '    return copy;',
        '}',
      ].join('\n'),
    );
    const out = exe('run_vectors_broken');
    compileC(cc!, out, [join(VECTORS_C_DIR, 'run_vectors.c'), broken, ...ENCODER_SOURCES]);
    const r = run(out, ['anchor-csdk-hs256-3axis']);
    expect(r.status).toBe(1);
    const v = manifest.vectors.find((x) => x.id === 'anchor-csdk-hs256-3axis')!;
    const body = readFileSync(join(VECTORS_C_DIR, '..', (v.expect as { body: string }).body));
    expect(r.stdout).toContain('FAIL anchor-csdk-hs256-3axis: body differs');
    expect(r.stdout).toContain(`first difference at byte 100 of ${body.length}`);
    const ctx = (b: Buffer) => `${b.subarray(92, 100).toString('hex')} [${b.subarray(100, 101).toString('hex')}] ${b.subarray(101, 109).toString('hex')}`;
    const flipped = Buffer.from(body);
    flipped[100] ^= 1;
    expect(r.stdout).toContain(`expected ...${ctx(body)}...`);
    expect(r.stdout).toContain(`got      ...${ctx(flipped)}...`);
    expect(r.stdout).toMatch(/^0 passed, 1 failed$/m);
  });

  it.each([1, 3])('random documents (%i axes): the C encoder writes what the TypeScript c-sdk encoder writes, or refuses with its code and path', (width) => {
    const mcu = exe('ei_mcu_encode');
    buildMcuEncoder(cc!, mcu);
    const rand = mulberry32(17 + width);
    const bits = new DataView(new ArrayBuffer(8));
    const SPECIAL = [0, -0, 2 ** -14, 2 ** -24, 1023 * 2 ** -24, 2 ** -126, 2 ** -149, 2 ** -126 - 2 ** -149, 65504, 65520, 3.4028234663852886e38, 3.4028235677973366e38, 3.4028235677973362e38, 1e-46, 2 ** -150, 5e-324, Number.NaN];
    const value = (): number => {
      const k = rand();
      if (k < 0.25) return SPECIAL[(rand() * SPECIAL.length) | 0] * (rand() < 0.5 ? -1 : 1);
      if (k < 0.5) { bits.setUint32(0, (rand() * 2 ** 32) >>> 0); return bits.getFloat32(0); } // any float32, subnormals and NaNs included
      if (k < 0.75) return (rand() - 0.5) * 2 ** ((rand() * 300 - 150) | 0);
      return Math.round((rand() - 0.5) * 2 ** 17) / 2 ** ((rand() * 30) | 0);
    };
    const docs = Array.from({ length: 300 }, () => Array.from({ length: 1 + ((rand() * 4) | 0) }, () => Array.from({ length: width }, value)));
    const key = 'made-up-random-doc-key';
    const sensors = Array.from({ length: width }, (_, i) => ({ name: `ax${i}`, units: 'm/s2' }));
    const res = run(mcu, ['rnd', 'RANDOM', f64Hex(0.0625), ...sensors.map((x) => `${x.name}:${x.units}`)], docs.map((d) => d.flat().map(f64Hex).join(' ')).join('\n') + '\n', { EI_MCU_HMAC_KEY: key });
    expect(res.status, res.stderr).toBe(0);
    const lines = res.stdout.trim().split('\n');
    expect(lines.length).toBe(docs.length);
    let refused = 0;
    docs.forEach((rows, i) => {
      const doc = { payload: { device_name: 'rnd', device_type: 'RANDOM', interval_ms: 0.0625, sensors, values: rows } };
      let want: string;
      try {
        want = Buffer.from(encodeToBytes(doc, { format: 'cbor', layout: 'c-sdk', hmacKey: key })).toString('hex');
      } catch (e) {
        const err = e as { code: string; path: string };
        want = `ERR ${err.code} ${err.path}`;
        refused++;
      }
      expect(lines[i], `document ${i}: ${JSON.stringify(rows.map((r) => r.map(f64Hex)))}`).toBe(want);
    });
    expect(refused).toBeGreaterThan(0); // NaN and float32 overflows were among them
    expect(refused).toBeLessThan(docs.length);
  });

  it('the MCU executable writes documents equal to the TypeScript c-sdk encoder, HS256-verified by node:crypto', () => {
    const mcu = exe('ei_mcu_encode');
    buildMcuEncoder(cc!, mcu);
    const key = 'made-up-mcu-key-for-tests';
    const rows = [[0.25, -1.5, 9.81], [1e-40, 65520, 2 ** -24], [3.4028234663852886e38, -0, 0.1]];
    const line = (r: number[][]) => r.flat().map(f64Hex).join(' ');
    const res = run(mcu, ['mcu-1', 'SIM_C_PORT', f64Hex(1000 / 62.5), 'accX:m/s2', 'accY:m/s2', 'accZ:m/s2'], `${line(rows)}\n${line(rows.slice(0, 1))}\n${line([[1, 2]])}\n`, { EI_MCU_HMAC_KEY: key });
    expect(res.status, res.stderr).toBe(0);
    const out = res.stdout.trim().split('\n');
    expect(out.length).toBe(3);
    const doc = { payload: { device_name: 'mcu-1', device_type: 'SIM_C_PORT', interval_ms: 16, sensors: [{ name: 'accX', units: 'm/s2' }, { name: 'accY', units: 'm/s2' }, { name: 'accZ', units: 'm/s2' }], values: rows } };
    const ts = encodeToBytes(doc, { format: 'cbor', layout: 'c-sdk', hmacKey: key });
    const c = Buffer.from(out[0], 'hex');
    expect(c.toString('hex')).toBe(Buffer.from(ts).toString('hex'));
    const sig = (decode(c) as { signature: string }).signature;
    const zeroed = Buffer.from(c.toString('latin1').replace(sig, '0'.repeat(64)), 'latin1');
    expect(createHmac('sha256', key).update(zeroed).digest('hex')).toBe(sig);
    expect(verifyBody(c, { hmacKey: key }).valid).toBe(true);
    expect((decode(Buffer.from(out[1], 'hex')) as { payload: { values: number[][] } }).payload.values).toEqual([[0.25, -1.5, Math.fround(9.81)]]);
    expect(out[2]).toBe('ERR EI_DOC_ROW_WIDTH payload.values[0]');
  });
});
