/**
 * Issue 12, keys: `serve --api-key/--hmac-key` are for this run only and never written to the
 * data directory's config (the help says it is created with random keys); a data directory serve
 * creates is 0700; every file holding a key is 0600.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, readFileSync, readdirSync, statSync, writeFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { getJson, tempDir } from './service-helpers.ts';
import { loadOrCreateConfig } from '../src/service/config.ts';

function serve(args: string[]): Promise<{ child: ChildProcess; url: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    child.stdout!.on('data', () => {
      if (/project \d+/.test(out)) {
        clearTimeout(timer);
        resolve({ child, url: out.split('\n')[0] });
      }
    });
    child.on('exit', (code) => reject(new Error(`serve exited ${code}: ${out}`)));
  });
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** Every regular file under `dir`, recursively. */
function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

describe('serve keys on disk', () => {
  it('--api-key/--hmac-key are not written anywhere under the data dir; dir 0700, config 0600', async () => {
    const t = tempDir('ei-keys-');
    const data = join(t.dir, 'new', 'data');
    const apiKey = 'ei_flag_only_api_key_0123456789';
    const hmacKey = 'flag-only-hmac-key-abcdef';
    try {
      const s = await serve(['--port', '0', '--data', data, '--api-key', apiKey, '--hmac-key', hmacKey]);
      const port = Number(new URL(s.url).port);
      expect((await getJson(port, '/v1/api/1/devkeys/hmac', apiKey)).json.hmacKey).toBe(hmacKey);
      await stop(s.child);
      expect(statSync(data).mode & 0o777).toBe(0o700);
      const cfg = readFileSync(join(data, 'config.json'), 'utf8');
      expect(cfg).not.toContain(apiKey);
      expect(cfg).not.toContain(hmacKey);
      expect(statSync(join(data, 'config.json')).mode & 0o777).toBe(0o600);
      for (const f of filesUnder(data)) {
        expect(readFileSync(f).includes(Buffer.from(apiKey)), f).toBe(false);
        expect(readFileSync(f).includes(Buffer.from(hmacKey)), f).toBe(false);
      }
      // The config's own (random) key still works on the next run without flags.
      const own = JSON.parse(cfg).projects[0].apiKey as string;
      const s2 = await serve(['--port', '0', '--data', data]);
      expect((await getJson(Number(new URL(s2.url).port), '/v1/api/projects', own)).json.success).toBe(true);
      await stop(s2.child);
    } finally {
      t.cleanup();
    }
  }, 60_000);

  it('an existing config readable by others is tightened to 0600 on load', () => {
    const t = tempDir('ei-keys-');
    try {
      mkdirSync(join(t.dir, 'd'));
      const file = join(t.dir, 'd', 'config.json');
      writeFileSync(file, JSON.stringify({ version: 1, projects: [{ id: 1, name: 'p', apiKey: 'ei_existing_key_1' }] }));
      chmodSync(file, 0o644);
      loadOrCreateConfig(file);
      expect(statSync(file).mode & 0o777).toBe(0o600);
    } finally {
      t.cleanup();
    }
  });
});
