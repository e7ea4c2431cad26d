// The README's walkthrough (the shell block after `<!-- walkthrough … -->`) runs as written, with
// bash -e, in an empty directory: serve in the background, encode the JSON document it writes,
// upload it, `kill %1 && wait`. Two substitutions only: its first line `npm ci && npm run build`
// is what CI has done for this checkout already (the test builds dist/ when it is stale), and
// port 4810 becomes a free port so parallel runs do not collide.
import { describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startIngestionService } from '../src/service/index.ts';

const root = resolve(import.meta.dirname, '..');

function walkthrough(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const m = /<!-- walkthrough[^>]*-->\n```sh\n([\s\S]*?)\n```/.exec(readme);
  if (!m) throw new Error('README.md has no <!-- walkthrough --> shell block');
  return m[1]!;
}

function ensureBuilt(): void {
  const newest = (dir: string): number =>
    Math.max(0, ...readdirSync(dir, { recursive: true, withFileTypes: true }).filter((e) => e.isFile()).map((e) => statSync(join(e.parentPath, e.name)).mtimeMs));
  const cli = join(root, 'dist', 'src', 'cli.js');
  if (existsSync(cli) && statSync(cli).mtimeMs >= newest(join(root, 'src'))) return;
  const r = spawnSync(process.execPath, [join(root, 'node_modules/typescript/bin/tsc'), '-p', join(root, 'tsconfig.build.json')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build failed: ${r.stdout}${r.stderr}`);
}

function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => res(port));
    });
  });
}

describe('README walkthrough', () => {
  it('serve &, encode the JSON document, upload, kill %1: the sample is stored and serve has stopped', async () => {
    const block = walkthrough();
    const lines = block.split('\n');
    expect(lines[0]).toBe('npm ci && npm run build');
    expect(block).toContain('4810');
    ensureBuilt();
    const port = await freePort();
    const script = [':', ...lines.slice(1)].join('\n').replaceAll('4810', String(port));

    const dir = mkdtempSync(join(tmpdir(), 'ei-walkthrough-'));
    try {
      for (const name of ['dist', 'node_modules', 'package.json']) symlinkSync(join(root, name), join(dir, name));
      const r = await new Promise<{ code: number | null; out: string }>((done) => {
        const sh = spawn('bash', ['-e', '-c', script], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
        let out = '';
        sh.stdout.on('data', (d) => (out += d));
        sh.stderr.on('data', (d) => (out += d));
        const timer = setTimeout(() => sh.kill('SIGKILL'), 150_000);
        sh.on('close', (code) => {
          clearTimeout(timer);
          done({ code, out });
        });
      });
      expect(r.out).toMatch(/1 stored/);
      expect(r.code, r.out).toBe(0);
      expect(existsSync(join(dir, 'idle.1.cbor'))).toBe(true);
      expect(readFileSync(join(dir, 'serve.log'), 'utf8').split('\n')[0]).toBe(`http://127.0.0.1:${port}`);
      // serve is gone: its lock is released and the data directory opens, holding the sample.
      expect(existsSync(join(dir, '.ei-data', 'index.sqlite.lock'))).toBe(false);
      const svc = await startIngestionService({ dataDir: join(dir, '.ei-data'), apiKey: 'ei_local_key', hmacKey: 'local_hmac', fsync: false });
      try {
        const [rec, ...more] = svc.store.list(svc.projectId);
        expect(more).toEqual([]);
        expect(rec).toMatchObject({ label: 'idle', signatureStatus: 'valid' });
      } finally {
        await svc.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});
