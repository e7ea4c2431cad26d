/**
 * A connected pair of pseudo-terminals made by socat (FACTS §8): bytes written to one end come
 * out of the other. socat does not exit when the ends are closed, so `close()` kills it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, access } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface PtyPair {
  /** Path of the end the simulator opens. */
  simPath: string;
  /** Path of the end handed to the client (a symlink to /dev/pts/N). */
  hostPath: string;
  close(): Promise<void>;
}

/** Raised when socat is missing or never creates both links. */
export class PtyPairError extends Error {
  readonly code = 'EI_MODEM_SIM_PTY';
}

export async function openPtyPair(opts: { socatPath?: string; timeoutMs?: number } = {}): Promise<PtyPair> {
  const dir = await mkdtemp(join(tmpdir(), 'modem-sim-'));
  const simPath = join(dir, 'modem');
  const hostPath = join(dir, 'host');
  const child = spawn(
    opts.socatPath ?? 'socat',
    ['-d', '-d', `pty,raw,echo=0,link=${simPath}`, `pty,raw,echo=0,link=${hostPath}`],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (s: string) => {
    if (stderr.length < 4096) stderr += s;
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let spawnError: Error | undefined;
  child.once('error', (e) => (spawnError = e));

  // socat outlives its ports; make sure it does not outlive this process either.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const cleanup = async (): Promise<void> => {
    process.off('exit', killOnExit);
    await killChild(child, exited);
    await rm(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + (opts.timeoutMs ?? 5000);
  for (;;) {
    if (spawnError) {
      await cleanup();
      throw new PtyPairError(`cannot run socat: ${spawnError.message}`, { cause: spawnError });
    }
    if (child.exitCode !== null) {
      await cleanup();
      throw new PtyPairError(`socat exited with ${child.exitCode}: ${stderr.trim()}`);
    }
    // socat logs "starting data transfer loop" once both ptys and links exist.
    if ((await exists(simPath)) && (await exists(hostPath)) && stderr.includes('starting data transfer loop')) break;
    if (Date.now() > deadline) {
      await cleanup();
      throw new PtyPairError(`socat did not create the pty links in time: ${stderr.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  child.stderr!.removeAllListeners('data');
  child.stderr!.resume();
  let closed: Promise<void> | undefined;
  return { simPath, hostPath, close: () => (closed ??= cleanup()) };
}

async function exists(p: string): Promise<boolean> {
  try {
    await access(p);
    return true;
  } catch {
    return false;
  }
}

async function killChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  child.kill('SIGTERM');
  const t = setTimeout(() => child.kill('SIGKILL'), 1000);
  await exited;
  clearTimeout(t);
}
