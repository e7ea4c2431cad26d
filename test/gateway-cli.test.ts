import { describe, it, expect, vi, afterEach } from 'vitest';
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run } from '../src/cli/gateway.ts';
import { openMcuPty, startLineMcu } from '../firmware-sim/mcu/index.ts';
import { Spool } from '../src/spool/index.ts';
import { runCaptured } from './cli-capture.ts';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});

const cli = (args: string[]) => runCaptured(run, args);

describe('ei-ingest gateway (arguments)', () => {
  it('prints usage with --help and exits 2 naming the problem otherwise', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    vi.stubEnv('EI_API_KEY', '');
    vi.stubEnv('EI_INGEST_CONFIG_DIR', dir);
    expect((await cli(['--help'])).out).toMatch(/--port PATH\[:line\|:framed\]/);
    expect(await cli([])).toMatchObject({ code: 2, err: expect.stringMatching(/--port is required/) });
    expect(await cli(['--port', '/dev/x'])).toMatchObject({ code: 2, err: expect.stringMatching(/--label is required/) });
    expect(await cli(['--port', '/dev/x:frmaed', '--label', 'l'])).toMatchObject({ code: 2, err: expect.stringMatching(/unknown protocol/) });
    expect(await cli(['--port', '/dev/x', '--label', 'l', '--sample-ms', '-5'])).toMatchObject({ code: 2, err: expect.stringMatching(/--sample-ms/) });
    expect(await cli(['--port', '/dev/x', '--label', 'l', '--sensors', 'a b'])).toMatchObject({ code: 2, err: expect.stringMatching(/--sensors/) });
    expect(await cli(['--port', '/dev/x', '--label', 'l', '--device-keys', 'd=nothex'])).toMatchObject({ code: 2, err: expect.stringMatching(/device key/) });
    expect(await cli(['--port', '/dev/x', '--label', 'l', '--when-full', 'panic'])).toMatchObject({ code: 2 });
    expect(await cli(['--port', '/dev/x', '--label', 'l', '--spool', join(dir, 's')])).toMatchObject({ code: 2, err: expect.stringMatching(/no API key/) });
  });
});

describe('ei-ingest gateway (process)', () => {
  it('states the detected frequency, spools samples, and on SIGTERM stops cleanly with a summary', { timeout: 120_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-cli-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const pty = await openMcuPty(join(dir, 'mcu'), join(dir, 'tty'));
    cleanups.push(() => pty.close());
    const mcu = await startLineMcu({ path: pty.simPath, rateHz: 100, garbageRate: 0.02 });
    cleanups.push(() => mcu.close());
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', 'gateway', '--port', `${pty.hostPath}:line`, '--label', 'cli', '--sample-ms', '200', '--detect-ms', '1000', '--spool', join(dir, 'spool'), '--no-send'],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'pipe'] },
    );
    cleanups.push(async () => child.kill('SIGKILL'));
    let err = '';
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    // Count-based, not timed (a loaded machine is slow): stop once the frequency is stated and at
    // least one sample is on disk, within a generous bound.
    const t0 = Date.now();
    const spooled = async () => (await readdir(join(dir, 'spool', 'queue')).catch(() => [] as string[])).filter((n) => n.endsWith('.rec')).length;
    while ((!/detected/.test(err) || (await spooled()) < 1) && Date.now() - t0 < 60_000 && child.exitCode === null) await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(err).toMatch(/detected \d+\.\d+ Hz \(±[\d.]+%\), using \d+(\.\d+)? Hz \(override with --frequency\)/);
    expect(err).toMatch(/sensors n\[N\/A\], accX\[m\/s2\]/);
    const m = /(\d+) samples spooled, (\d+) garbage lines/.exec(err);
    expect(m).not.toBeNull();
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(err).not.toMatch(/\x1b\[K/); // not a terminal: no progress line
    const s = await Spool.open(join(dir, 'spool'), { readOnly: true });
    expect(s.stats().count).toBe(Number(m![1]));
    await s.close();
  });
});
