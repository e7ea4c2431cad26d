// `encode -o FILE` and `--es256-key` (issue 12). The old `-o` always wrote a temp file and renamed
// it over FILE, replacing any device node, FIFO or symlink (as root: /dev/null became a regular
// file); the old `--es256-key` read its value as a path and printed it in the error.
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../src/cli/encode.ts';
import { encodeToBytes } from '../src/encode/index.ts';
import { es256KeyPair, es256Verify } from '../src/sign/index.ts';

const DOC = { payload: { device_type: 'TEST', interval_ms: 10, sensors: [{ name: 'x', units: 'N/A' }], values: [1, 2, 3] } };
const EXPECTED = encodeToBytes(DOC as never, { format: 'cbor' });
let dir: string;
let input: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ei-encode-out-'));
  input = join(dir, 'doc.json');
  writeFileSync(input, JSON.stringify(DOC));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function cli(args: string[], env: Record<string, string | undefined> = {}): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const saved = { ...process.env };
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await run(args), out, err };
  } finally {
    vi.restoreAllMocks();
    process.env = saved;
  }
}

const isRoot = process.getuid?.() === 0;
function tryMknod(path: string): boolean {
  try {
    execFileSync('mknod', ['-m', '666', path, 'c', '1', '3'], { stdio: 'ignore' });
    return lstatSync(path).isCharacterDevice();
  } catch {
    return false;
  }
}

describe('encode -o', () => {
  it('a new path and a regular file get the bytes (rename into place, mode kept)', async () => {
    const fresh = join(dir, 'new.cbor');
    expect((await cli([input, '-o', fresh])).code).toBe(0);
    expect(new Uint8Array(readFileSync(fresh))).toEqual(EXPECTED);
    const existing = join(dir, 'old.cbor');
    writeFileSync(existing, 'old contents that are longer than the new document, by far, yes');
    chmodSync(existing, 0o600);
    expect((await cli([input, '-o', existing])).code).toBe(0);
    expect(new Uint8Array(readFileSync(existing))).toEqual(EXPECTED);
    expect(statSync(existing).mode & 0o777).toBe(0o600);
  });

  it('a symlink stays a symlink; its target gets the bytes', async () => {
    const target = join(dir, 'target.cbor');
    writeFileSync(target, 'x');
    const link = join(dir, 'link.cbor');
    symlinkSync(target, link);
    expect((await cli([input, '-o', link])).code).toBe(0);
    expect(lstatSync(link).isSymbolicLink()).toBe(true);
    expect(new Uint8Array(readFileSync(target))).toEqual(EXPECTED);
  });

  it('a FIFO stays a FIFO and its reader gets the bytes', async () => {
    const fifo = join(dir, 'out.fifo');
    execFileSync('mkfifo', [fifo]);
    // The reader is a child process: opening a FIFO blocks until both ends are open.
    const reader = spawn('cat', [fifo], { stdio: ['ignore', 'pipe', 'ignore'] });
    const got: Buffer[] = [];
    reader.stdout.on('data', (d: Buffer) => got.push(d));
    const readerExit = new Promise((r) => reader.on('exit', () => r(true)));
    const writer = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'encode', input, '-o', fifo], { cwd: process.cwd(), stdio: 'ignore' });
    const code = await new Promise<number | null>((r) => writer.on('exit', r));
    const readerDone = await Promise.race([readerExit, new Promise((r) => setTimeout(() => r(false), 30_000))]);
    if (!readerDone) reader.kill('SIGKILL');
    expect(code).toBe(0);
    expect(lstatSync(fifo).isFIFO()).toBe(true);
    expect(new Uint8Array(Buffer.concat(got))).toEqual(EXPECTED);
  });

  it.runIf(isRoot)('as root: a character device (a private /dev/null twin) stays a device, then the real /dev/null does too', async () => {
    const twin = join(dir, 'null-twin');
    if (!tryMknod(twin)) return void console.warn('mknod not permitted: the /dev/null test did not run');
    expect((await cli([input, '-o', twin])).code).toBe(0);
    expect(lstatSync(twin).isCharacterDevice()).toBe(true);
    // Only once the twin survived is the real one tried; it is put back if it were ever broken.
    try {
      expect((await cli([input, '-o', '/dev/null'])).code).toBe(0);
      expect(lstatSync('/dev/null').isCharacterDevice()).toBe(true);
    } finally {
      if (!lstatSync('/dev/null').isCharacterDevice()) {
        rmSync('/dev/null', { force: true });
        tryMknod('/dev/null');
      }
    }
  });

  it('a directory is an error with its code, nothing replaced', async () => {
    const r = await cli([input, '-o', dir]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/EISDIR/);
    expect(statSync(dir).isDirectory()).toBe(true);
  });
});

describe('--es256-key', () => {
  const { privateKey, publicKey } = es256KeyPair(new TextEncoder().encode('made-up test key for encode-output'));
  const hex = Buffer.from(privateKey).toString('hex');

  it('takes the key from a file', async () => {
    const keyFile = join(dir, 'es256.key');
    writeFileSync(keyFile, hex + '\n');
    const out = join(dir, 'es.cbor');
    const r = await cli([input, '--es256-key', keyFile, '-o', out]);
    expect(r.code).toBe(0);
    expect(es256Verify(new Uint8Array(readFileSync(out)), publicKey)).toBe(true);
  });

  it('takes the key from EI_ES256_KEY', async () => {
    const out = join(dir, 'es-env.cbor');
    const r = await cli([input, '-o', out], { EI_ES256_KEY: hex });
    expect(r.code).toBe(0);
    expect(es256Verify(new Uint8Array(readFileSync(out)), publicKey)).toBe(true);
  });

  it('a hex key passed as the flag value is refused without being echoed', async () => {
    const r = await cli([input, '--es256-key', hex, '-o', join(dir, 'never.cbor')]);
    expect(r.code).toBe(2);
    expect(r.out + r.err).not.toContain(hex);
    expect(r.out + r.err).not.toContain(hex.slice(0, 16));
    expect(r.err).toMatch(/cannot read the --es256-key file \(ENOENT\); the flag takes a file holding the key/);
  });

  it('a key file with bad content is refused without echoing it', async () => {
    const keyFile = join(dir, 'bad.key');
    const secretish = 'f'.repeat(63) + 'g';
    writeFileSync(keyFile, secretish);
    const r = await cli([input, '--es256-key', keyFile]);
    expect(r.code).toBe(2);
    expect(r.out + r.err).not.toContain(secretish);
    const env = await cli([input], { EI_ES256_KEY: secretish });
    expect(env.code).toBe(2);
    expect(env.out + env.err).not.toContain(secretish);
  });

  it('--help documents it as a file', async () => {
    const r = await cli(['--help']);
    expect(r.out).toMatch(/--es256-key FILE +file holding the ES256 private key/);
  });
});
