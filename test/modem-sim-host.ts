// Shared set-up of the modem-simulator tests (not a test file): a simulator on a pty, a raw
// serialport host on its other end, synced with a first AT whether or not the banner arrived.
import { expect } from 'vitest';
import { startModemSim, type ModemSim, type ModemSimOptions } from '../firmware-sim/modem/index.ts';
import { RawHost } from '../firmware-sim/modem/raw-host.ts';

export async function openSimHost(
  cleanups: (() => Promise<void>)[],
  opts: Partial<ModemSimOptions> & { dialect: 'new' | 'old' },
): Promise<{ sim: ModemSim; host: RawHost; eol: string }> {
  const sim = await startModemSim({ registrationDelayMs: 30, ...opts });
  cleanups.push(() => sim.close());
  const host = await RawHost.open(sim.devicePath, sim.baud);
  cleanups.push(() => host.close());
  const eol = opts.dialect === 'new' ? '\r' : '\r\n';
  // The power-on banner may or may not have reached the host; a first AT syncs either way.
  expect((await host.command('AT', eol)).replace(/^Ready\r\n/, '')).toBe('\r\nOK\r\n');
  return { sim, host, eol };
}
