/**
 * The serial link reports an unplugged port even when the port itself says nothing: a hung-up
 * tty read after the hang-up returns 0 bytes, which serialport retries forever (seen as a
 * gateway that never noticed the unplug on a loaded machine). Here the device node vanishes
 * while its pty stays alive, so no read ever fails: only the node check can tell.
 */
import { describe, it, expect } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMcuPty } from '../firmware-sim/mcu/index.ts';
import { runSerialLink } from '../src/gateway/serial-link.ts';

async function until(cond: () => boolean, ms = 60_000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

describe('serial link', () => {
  it('reports a port whose device node vanished though its reads never fail, and reopens it when it is back', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-link-'));
    const ac = new AbortController();
    const ptys: { close(): Promise<void> }[] = [];
    try {
      const a = await openMcuPty(join(dir, 'mcu'), join(dir, 'host'));
      ptys.push(a);
      let opened = 0;
      const downs: string[] = [];
      const running = runSerialLink({ path: a.hostPath, retryMs: 50, maxRetryMs: 200 }, { onOpen: () => void opened++, onData: () => {}, onDown: (r) => void downs.push(r) }, ac.signal);
      await until(() => opened === 1);
      expect(opened).toBe(1);
      // Unplugged: the node goes away, the pty behind it lives on (no hang-up, no read error).
      await rm(a.hostPath);
      await until(() => downs.length > 0);
      expect(downs[0]).toMatch(/device node gone/);
      // Plugged back in under the same name: opened again.
      const b = await openMcuPty(join(dir, 'mcu2'), join(dir, 'host'));
      ptys.push(b);
      await until(() => opened === 2);
      expect(opened).toBe(2);
      ac.abort();
      await running;
    } finally {
      ac.abort();
      for (const p of ptys) await p.close();
      await rm(dir, { recursive: true, force: true });
    }
  }, 150_000);
});
