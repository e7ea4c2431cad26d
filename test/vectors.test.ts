// Golden vectors: the committed suite passes its own check, `vectors build` reproduces it byte for
// byte, and the check really catches tampering (a check that passes everything proves nothing).
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildVectors, checkVectors, type Manifest } from '../src/cli/vectors-check.ts';
import { f64FromHex, f64Hex, fromManifestValue, toManifestValue } from '../src/cli/vectors-manifest.ts';

const VECTORS = join(import.meta.dirname, '..', 'vectors');
const ANCHORS = ['seed-data-cbor-none', 'seed-files-multipart', 'docs-cbor-hs256', 'csdk-hs256-3axis', 'csdk-hs256-1axis', 'csdk-none-3axis', 'csdk-hs256-interval-frac'];
let tmp: string;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'ei-vectors-'));
});
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function manifest(dir = VECTORS): Manifest {
  return JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
}

/** A scratch copy of the vectors to tamper with. */
function copy(name: string): string {
  const d = join(tmp, name);
  cpSync(VECTORS, d, { recursive: true });
  return d;
}

describe('golden vectors', () => {
  it('all pass the check, at least 80 of them', async () => {
    const { passed, failed, results } = await checkVectors(VECTORS);
    expect(results.filter((r) => !r.ok)).toEqual([]);
    expect(failed).toBe(0);
    expect(passed).toBeGreaterThanOrEqual(80);
  });

  it('cover the seven anchors, every layout × alg × axes (CBOR and JSON), and the required edges', () => {
    const m = manifest();
    expect(m.vectors.filter((v) => v.anchor).map((v) => v.anchor!.id).sort()).toEqual([...ANCHORS].sort());
    for (const layout of ['c-sdk', 'docs', 'python', 'compact']) {
      for (const alg of ['none', 'hs256', 'es256']) {
        for (const axes of ['1axis', '3axis', '20axis']) {
          for (const format of ['cbor', 'json']) expect(m.vectors.some((v) => v.id === `matrix-${layout}-${format}-${alg}-${axes}`)).toBe(true);
        }
      }
    }
    const keyBytes = m.vectors.flatMap((v) => (v.key && 'hmac' in v.key ? [Buffer.byteLength(v.key.hmac)] : []));
    for (const n of [0, 32, 33, 64, 65, 200]) expect(keyBytes).toContain(n);
    expect(m.vectors.filter((v) => 'error' in v.expect).length).toBeGreaterThanOrEqual(10);
    expect(m.vectors.filter((v) => v.tags.includes('binary-tail')).length).toBeGreaterThanOrEqual(7);
    expect(m.vectors.filter((v) => v.request).length).toBeGreaterThanOrEqual(3);
  });

  it('`vectors build` regenerates the committed files byte for byte', async () => {
    const out = join(tmp, 'rebuilt');
    cpSync(join(VECTORS, 'reference'), join(out, 'reference'), { recursive: true });
    const { problems } = await buildVectors(out);
    expect(problems).toEqual([]);
    const files = readdirSync(VECTORS).filter((f) => f !== 'README.md' && f !== 'reference' && f !== 'c').sort();
    expect(readdirSync(out).filter((f) => f !== 'reference' && f !== 'c').sort()).toEqual(files);
    for (const f of files) expect(readFileSync(join(out, f)).equals(readFileSync(join(VECTORS, f))), f).toBe(true);
    expect(readFileSync(join(out, 'c', 'ei_vectors.h')).equals(readFileSync(join(VECTORS, 'c', 'ei_vectors.h'))), 'c/ei_vectors.h').toBe(true);
  });

  it('catches a flipped byte in a body, a wrong signature, a wrong anchor, a wrong error code, a changed input', async () => {
    const d = copy('tampered');
    const m = manifest(d);
    const bin = join(d, 'matrix-compact-cbor-hs256-3axis.bin');
    const b = readFileSync(bin);
    b[b.length - 1] ^= 1;
    writeFileSync(bin, b);
    const sigVec = m.vectors.find((v) => v.id === 'hmac-key-65-json')!;
    if ('signature' in sigVec.expect) sigVec.expect.signature = sigVec.expect.signature.replace(/^./, (c) => (c === 'a' ? 'b' : 'a'));
    const neg = m.vectors.find((v) => v.id === 'reject-row-width')!;
    if ('error' in neg.expect) neg.expect.error.code = 'EI_DOC_SENSORS';
    const edited = m.vectors.find((v) => v.id === 'edge-numbers-compact-json')!;
    (edited.input as { payload: { values: number[] } }).payload.values[0] = 1;
    writeFileSync(join(d, 'manifest.json'), JSON.stringify(m));
    const refFile = join(d, 'reference', 'anchor-vectors.json');
    const ref = JSON.parse(readFileSync(refFile, 'utf8')) as { vectors: { id: string; hex: string }[] };
    const a = ref.vectors.find((v) => v.id === 'csdk-hs256-1axis')!;
    a.hex = a.hex.slice(0, -2) + (a.hex.endsWith('ff') ? '00' : 'ff');
    writeFileSync(refFile, JSON.stringify(ref));

    const { failed, results } = await checkVectors(d);
    const bad = results.filter((r) => !r.ok).map((r) => r.id).sort();
    // The C header renders the manifest and bodies, so it no longer matches them either.
    expect(bad).toEqual(['anchor-csdk-hs256-1axis', 'c/ei_vectors.h', 'edge-numbers-compact-json', 'hmac-key-65-json', 'matrix-compact-cbor-hs256-3axis', 'reject-row-width']);
    expect(failed).toBe(6);
  });

  it('catches a C header that drifted from the corpus (one byte of one expected body)', async () => {
    const d = copy('c-drift');
    const h = join(d, 'c', 'ei_vectors.h');
    writeFileSync(h, readFileSync(h, 'utf8').replace('0xa3, 0x69, 0x70', '0xa3, 0x69, 0x71'));
    const { failed, results } = await checkVectors(d);
    expect(results.filter((r) => !r.ok).map((r) => [r.id, r.problems.join()])).toEqual([['c/ei_vectors.h', expect.stringMatching(/differs from the manifest's rendering at line \d+/)]]);
    expect(failed).toBe(1);
  });

  it('the CLI prints "N passed, M failed" and exits non-zero on failure', () => {
    const cli = join(import.meta.dirname, '..', 'src', 'cli.ts');
    const ok = execFileSync(process.execPath, ['--import', 'tsx', cli, 'vectors', 'check'], { encoding: 'utf8' });
    expect(ok).toMatch(/^\d+ passed, 0 failed$/m);
    const d = copy('cli-fail');
    const bin = join(d, 'anchor-docs-cbor-hs256.bin');
    const b = readFileSync(bin);
    b[10] ^= 0x40;
    writeFileSync(bin, b);
    let status = 0;
    let stdout = '';
    try {
      execFileSync(process.execPath, ['--import', 'tsx', cli, 'vectors', 'check', '--dir', d], { encoding: 'utf8' });
    } catch (e) {
      status = (e as { status: number }).status;
      stdout = (e as { stdout: string }).stdout;
    }
    expect(status).toBe(1);
    expect(stdout).toMatch(/FAIL anchor-docs-cbor-hs256: /);
    expect(stdout).toMatch(/FAIL c\/ei_vectors.h: /);
    expect(stdout).toMatch(/^\d+ passed, 2 failed$/m);
  });
});

describe('manifest number encoding', () => {
  it('round-trips -0, NaN, ±Infinity and subnormals through {"$f64": hex}', () => {
    const xs = [-0, Number.NaN, Infinity, -Infinity, 5e-324, 1.5];
    const back = fromManifestValue(JSON.parse(JSON.stringify(toManifestValue(xs)))) as number[];
    xs.forEach((x, i) => expect(Object.is(back[i], x)).toBe(true));
    expect(f64Hex(-0)).toBe('8000000000000000');
    expect(f64FromHex('7ff0000000000000')).toBe(Infinity);
    expect(toManifestValue(1.5)).toBe(1.5);
  });

  it('revives typed arrays and gives a fresh pull source each time', () => {
    const m = toManifestValue({ a: new Float32Array([0.1, 2]), s: { $source: [[1], [2]] } });
    const r1 = fromManifestValue(m) as { a: Float32Array; s: Iterator<number[]> };
    expect(r1.a).toBeInstanceOf(Float32Array);
    expect(Array.from(r1.a)).toEqual([Math.fround(0.1), 2]);
    expect(Array.from(r1.s as unknown as Iterable<number[]>)).toEqual([[1], [2]]);
    const r2 = fromManifestValue(m) as { s: Iterable<number[]> };
    expect(Array.from(r2.s)).toEqual([[1], [2]]);
  });
});
