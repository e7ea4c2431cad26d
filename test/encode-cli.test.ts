// `ei-ingest encode`: the exact CLI form other tooling relies on.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../src/cli/encode.ts';

const ANCHORS = JSON.parse(readFileSync(new URL('../vectors/reference/anchor-vectors.json', import.meta.url), 'utf8')).vectors as Array<{ id: string; input?: unknown; hmacKey?: string; hex: string }>;
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ei-encode-cli-'));
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

async function runCaptured(args: string[]): Promise<{ code: number; stderr: string }> {
  let stderr = '';
  const spy = vi.spyOn(process.stderr, 'write').mockImplementation((s: string | Uint8Array) => {
    stderr += String(s);
    return true;
  });
  try {
    return { code: await run(args), stderr };
  } finally {
    spy.mockRestore();
  }
}

describe('encode CLI', () => {
  it('c-sdk layout from the raw anchor document reproduces the C SDK bytes (float32 rounding done by the CLI)', async () => {
    for (const id of ['csdk-hs256-3axis', 'csdk-hs256-interval-frac']) {
      const a = ANCHORS.find((x) => x.id === id)!;
      const input = join(dir, `${id}.json`);
      writeFileSync(input, JSON.stringify(a.input));
      const out = join(dir, `${id}.cbor`);
      const r = await runCaptured([input, '--format', 'cbor', '--layout', 'c-sdk', '--hmac-key', a.hmacKey!, '-o', out]);
      expect(r).toEqual({ code: 0, stderr: '' });
      expect(readFileSync(out).toString('hex')).toBe(a.hex);
    }
  });

  it('python layout without --alg and without a key gives the seed body', async () => {
    const a = ANCHORS.find((x) => x.id === 'seed-data-cbor-none')!;
    const input = join(dir, 'seed.json');
    writeFileSync(input, JSON.stringify(a.input));
    const out = join(dir, 'seed.cbor');
    expect((await runCaptured([input, '--layout', 'python', '-o', out])).code).toBe(0);
    expect(readFileSync(out).toString('hex')).toBe(a.hex);
  });

  it('bad input: exit 1, code and path on stderr, no output file left behind', async () => {
    const input = join(dir, 'bad.json');
    writeFileSync(input, JSON.stringify({ payload: { device_type: 'T', interval_ms: 1, sensors: [{ name: 'a', units: 'u' }, { name: 'b', units: 'u' }], values: [[1, 2], [3, 4], [5]] } }));
    const out = join(dir, 'bad.cbor');
    const r = await runCaptured([input, '--hmac-key', 'secret-key-123', '-o', out]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('EI_DOC_ROW_WIDTH');
    expect(r.stderr).toContain('payload.values[2]');
    expect(r.stderr).not.toContain('secret-key-123');
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);
  });

  it('usage errors exit 2', async () => {
    expect((await runCaptured(['--layout', 'rust', 'x.json'])).code).toBe(2);
    expect((await runCaptured([])).code).toBe(2);
    expect((await runCaptured(['x.json', '--iat', '1.5'])).code).toBe(2);
  });

  it('stdout, EI_HMAC_KEY from the environment means HS256, --iat, JSON', () => {
    const input = join(dir, 'doc.json');
    writeFileSync(input, JSON.stringify({ payload: { device_type: 'T', interval_ms: 0.0625, sensors: [{ name: 'audio', units: 'wav' }], values: [1, -2, 3.5] } }));
    const r = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'encode', input, '--format', 'json', '--iat', '1700000000'], {
      cwd: new URL('..', import.meta.url).pathname,
      env: { ...process.env, EI_HMAC_KEY: 'env-key' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc.protected).toEqual({ ver: 'v1', alg: 'HS256', iat: 1700000000 });
    const zeroed = r.stdout.replace(doc.signature, '0'.repeat(64));
    expect(createHmac('sha256', 'env-key').update(zeroed).digest('hex')).toBe(doc.signature);
  });

  it('--request data frames the whole HTTP request around the body', async () => {
    if (!existsSync(new URL('../src/http/request.ts', import.meta.url))) return;
    const input = join(dir, 'req.json');
    writeFileSync(input, JSON.stringify({ payload: { device_type: 'T', interval_ms: 1, sensors: [{ name: 'a', units: 'u' }], values: [1, 2] } }));
    const out = join(dir, 'req.http');
    const r = await runCaptured([input, '--request', 'data', '--api-key', 'ei_made_up', '--file-name', 'x.cbor', '--label', 'idle', '-o', out]);
    expect(r.code).toBe(0);
    const raw = readFileSync(out);
    const sep = raw.indexOf('\r\n\r\n');
    const head = raw.subarray(0, sep).toString('latin1');
    expect(head.startsWith('POST /api/training/data HTTP/1.1\r\n')).toBe(true);
    const len = Number(/content-length: (\d+)/i.exec(head)![1]);
    expect(raw.length - sep - 4).toBe(len);
  });
});
