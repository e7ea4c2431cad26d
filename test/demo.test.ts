// `npm start` is the README's first command: the whole chain (service ← modem sim on a pty ← client)
// must run offline, store signed samples and exit 0. Spawned as a user would run it.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';

function runDemo(args: string[]): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'demo', ...args], {
      cwd: new URL('..', import.meta.url),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), 50_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, out, err });
    });
  });
}

describe('demo (npm start)', () => {
  for (const dialect of ['new', 'old']) {
    it(`stores signed samples through the simulated modem (${dialect} dialect) and exits 0`, async () => {
      const { code, out, err } = await runDemo(['--samples', '2', '--dialect', dialect]);
      expect(err).toBe('');
      expect(code).toBe(0);
      const imei = /IMEI (\d{15})/.exec(out)?.[1];
      expect(imei).toBeDefined();
      expect(out).toMatch(/the service stored 2 sample\(s\)/);
      const stored = out.split('\n').filter((l) => /^\s+#\d+ /.test(l));
      expect(stored).toHaveLength(2);
      for (const line of stored) {
        expect(line).toContain(`device=${imei}`);
        expect(line).toContain('signatureValidate=true');
        expect(line).toContain('label=wave');
      }
    });
  }

  it('rejects a bad option value without starting anything', async () => {
    const { code, err } = await runDemo(['--samples', '0']);
    expect(code).toBe(2);
    expect(err).toMatch(/--samples/);
  });
});
