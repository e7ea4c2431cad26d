/**
 * The pages from the command line, spawned as a user runs them: `serve` prints the pages' URL and
 * answers them; `npm start -- --keep` (the demo) prints the pages' URL and this run's key, its
 * stored samples are listed by the pages' API with that key, and it stops cleanly on SIGINT.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Spawns `src/cli.ts <args>` and resolves once stdout matches `ready` (bounded). */
function start(args: string[], ready: RegExp): Promise<{ child: ChildProcess; out: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => (child.kill('SIGKILL'), reject(new Error(`not ready: ${out}`))), 50_000);
    child.stdout!.on('data', () => {
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve({ child, out: () => out });
      }
    });
    child.on('exit', (code) => (clearTimeout(timer), reject(new Error(`exited ${code}: ${out}`))));
  });
}

function stop(child: ChildProcess, signal: NodeJS.Signals): Promise<number | null> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', (code) => resolve(code));
    child.kill(signal);
  });
}

describe('pages from the command line', () => {
  it('serve prints the pages URL and serves them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ei-web-serve-'));
    try {
      const { child, out } = await start(['serve', '--port', '0', '--data', dir, '--api-key', 'ei_web_cli_made_up'], /pages: http:\/\/\S+\//);
      const lines = out().split('\n');
      const pages = /pages: (http:\/\/\S+\/)/.exec(out())![1];
      expect(pages).toBe(`${lines[0]}/`); // first line stays the bare URL for scripts
      const html = await fetch(pages);
      expect(html.status).toBe(200);
      expect(await html.text()).toContain('/web/assets/app.js');
      const list = await fetch(`${lines[0]}/web/api/1/samples`, { headers: { 'x-api-key': 'ei_web_cli_made_up' } });
      expect(list.status).toBe(200);
      expect(out()).not.toContain('ei_web_cli_made_up');
      expect(await stop(child, 'SIGTERM')).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('npm start -- --keep prints the pages URL and key, stays up, lists its samples, stops on SIGINT', async () => {
    const { child, out } = await start(['demo', '--keep', '--samples', '2', '--no-modem'], /running; press Ctrl-C/);
    const pages = /pages: (http:\/\/\S+\/)/.exec(out())?.[1];
    const key = /API key for the pages \(this run only\): (\S+)/.exec(out())?.[1];
    expect(pages).toBeDefined();
    expect(key).toMatch(/^ei_[0-9a-f]{64}$/);
    expect((await fetch(pages!)).status).toBe(200);
    const r = (await (await fetch(`${pages}web/api/1/samples`, { headers: { 'x-api-key': key! } })).json()) as { samples: { label: string; signatureValidate: boolean }[] };
    expect(r.samples).toHaveLength(2);
    expect(r.samples.every((s) => s.label === 'wave' && s.signatureValidate)).toBe(true);
    expect((await fetch(`${pages}web/api/1/samples`, { headers: { 'x-api-key': 'ei_wrong' } })).status).toBe(401);
    expect(await stop(child, 'SIGINT')).toBe(0);
  });
});
