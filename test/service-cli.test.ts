/**
 * `ei-ingest serve`: first line is the URL, the config file is created 0600 with fresh keys that
 * are printed once (and only then), flags set keys for scripts, --strict-signatures rejects.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { anchor, dataRequest, getJson, rawRequest, tempDir } from './service-helpers.ts';

function serve(args: string[]): Promise<{ child: ChildProcess; url: string; out: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 20_000);
    const check = () => {
      if (out.includes('\n') && /project \d+/.test(out)) {
        clearTimeout(timer);
        // Give the key lines (written right after) a moment.
        setTimeout(() => resolve({ child, url: out.split('\n')[0], out: () => out }), 100);
      }
    };
    child.stdout!.on('data', check);
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });
}

const portOf = (url: string) => Number(new URL(url).port);

describe('ei-ingest serve', () => {
  it('creates a 0600 config with fresh keys, prints them once, keeps them across restarts', async () => {
    const t = tempDir('ei-cli-');
    try {
      const a = await serve(['--port', '0', '--data', join(t.dir, 'data')]);
      expect(a.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      const key = /API key:\s+(\S+)/.exec(a.out())?.[1];
      const hmac = /HMAC key:\s+(\S+)/.exec(a.out())?.[1];
      expect(key).toMatch(/^ei_[0-9a-f]{64}$/);
      expect(hmac).toMatch(/^[0-9a-f]{32}$/);
      expect(statSync(join(t.dir, 'data', 'config.json')).mode & 0o777).toBe(0o600);
      expect((await getJson(portOf(a.url), '/v1/api/projects', key!)).json.success).toBe(true);
      expect(await stop(a.child)).toBe(0);

      const b = await serve(['--port', '0', '--data', join(t.dir, 'data')]);
      expect(b.out()).not.toContain(key!);
      expect(b.out()).not.toMatch(/API key/);
      expect((await getJson(portOf(b.url), `/v1/api/1/devkeys/hmac`, key!)).json.hmacKey).toBe(hmac);
      expect(await stop(b.child)).toBe(0);
    } finally {
      t.cleanup();
    }
  });

  it('--api-key / --hmac-key / --strict-signatures', async () => {
    const t = tempDir('ei-cli-');
    const a = anchor('csdk-hs256-3axis');
    try {
      const s = await serve(['--port', '0', '--data', t.dir, '--api-key', 'ei_cli_test_key', '--hmac-key', a.hmacKey!, '--strict-signatures']);
      expect(s.out()).not.toContain('ei_cli_test_key');
      const port = portOf(s.url);
      expect((await getJson(port, '/v1/api/1/devkeys/hmac', 'ei_cli_test_key')).json.hmacKey).toBe(a.hmacKey);
      const good = Buffer.from(a.hex, 'hex');
      expect((await rawRequest(port, dataRequest('ei_cli_test_key', good, { 'x-file-name': 'g.cbor' }))).status).toBe(200);
      const bad = Buffer.from(good);
      bad[bad.indexOf(Buffer.from('DISCO'))] ^= 1;
      expect((await rawRequest(port, dataRequest('ei_cli_test_key', bad, { 'x-file-name': 'b.cbor' }))).status).toBe(400);
      expect(await stop(s.child)).toBe(0);
    } finally {
      t.cleanup();
    }
  });

  it('bad arguments exit 2', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', 'x'], { stdio: 'ignore' });
    expect(await new Promise((r) => child.on('exit', r))).toBe(2);
  });
});
