/**
 * Simulated sensor MCUs for the serial gateway: `startMcuSim` makes a socat pty pair, attaches a
 * line-protocol or framed MCU to one end and returns the other end's path for the gateway.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMcuPty } from './pty.ts';
import { startLineMcu } from './line-mcu.ts';
import type { LineMcuOptions, LineMcu } from './line-mcu.ts';
import { startFramedMcu } from './framed-mcu.ts';
import type { FramedMcuOptions, FramedMcu } from './framed-mcu.ts';

export { openMcuPty, startLineMcu, startFramedMcu };
export type { LineMcuOptions, LineMcu, FramedMcuOptions, FramedMcu };

export type McuSimOptions =
  | ({ protocol: 'line'; hostPath?: string } & Omit<LineMcuOptions, 'path'>)
  | ({ protocol: 'framed'; hostPath?: string } & Omit<FramedMcuOptions, 'path'>);

export interface McuSim {
  /** The path the gateway opens. */
  devicePath: string;
  line?: LineMcu;
  framed?: FramedMcu;
  close(): Promise<void>;
}

/** Starts a simulated MCU on a fresh pty pair (or at `hostPath`, replacing nothing there). */
export async function startMcuSim(o: McuSimOptions): Promise<McuSim> {
  const dir = await mkdtemp(join(tmpdir(), 'mcu-sim-'));
  const pty = await openMcuPty(join(dir, 'mcu'), o.hostPath ?? join(dir, 'host'));
  try {
    const line = o.protocol === 'line' ? await startLineMcu({ ...o, path: pty.simPath }) : undefined;
    const framed = o.protocol === 'framed' ? await startFramedMcu({ ...o, path: pty.simPath }) : undefined;
    return {
      devicePath: pty.hostPath,
      line,
      framed,
      close: async () => {
        await line?.close();
        await framed?.close();
        await pty.close();
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await pty.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
}
