/**
 * A socat pty pair with caller-chosen link paths (FACTS §8), so a test can tear the pair down
 * and recreate it under the same names: what a USB device that is unplugged and plugged back in
 * looks like to the gateway.
 */
import { spawn } from 'node:child_process';
import { access } from 'node:fs/promises';

export interface McuPty {
  simPath: string;
  hostPath: string;
  close(): Promise<void>;
}

async function exists(p: string): Promise<boolean> {
  return access(p).then(
    () => true,
    () => false,
  );
}

/** Starts socat linking `simPath` ⇄ `hostPath`; resolves once both links exist and data flows. */
export async function openMcuPty(simPath: string, hostPath: string, timeoutMs = 5000): Promise<McuPty> {
  const child = spawn('socat', ['-d', '-d', `pty,raw,echo=0,link=${simPath}`, `pty,raw,echo=0,link=${hostPath}`], { stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8');
  const onLog = (s: string) => {
    if (log.length < 4096) log += s;
  };
  child.stderr!.on('data', onLog);
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  let spawnErr: Error | null = null;
  child.once('error', (e) => (spawnErr = e));
  const close = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 1000);
      await exited;
      clearTimeout(t);
    }
  };
  const deadline = Date.now() + timeoutMs;
  while (!(log.includes('starting data transfer loop') && (await exists(simPath)) && (await exists(hostPath)))) {
    if (spawnErr || child.exitCode !== null || Date.now() > deadline) {
      await close();
      throw new Error(`socat pty pair did not come up: ${spawnErr ?? log.trim()}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
  child.stderr!.off('data', onLog);
  child.stderr!.resume();
  return { simPath, hostPath, close };
}
