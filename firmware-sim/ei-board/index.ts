/**
 * A simulated Edge Impulse firmware board on a fresh socat pty pair (FACTS §8): `startEiBoardSim`
 * returns the path the daemon opens. `restartPty` tears the pair down and brings it back under
 * the same names, as a USB board that is unplugged and plugged back in.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openMcuPty } from '../mcu/pty.ts';
import type { McuPty } from '../mcu/pty.ts';
import { startEiBoard } from './board.ts';
import type { EiBoard, EiBoardOptions } from './board.ts';

export { startEiBoard };
export type { EiBoard, EiBoardOptions, EiBoardFaults, EiBoardState } from './board.ts';
export { ACCELEROMETER, MICROPHONE, boardSampleFile, sampleCount } from './sample-file.ts';
export type { BoardSensor } from './sample-file.ts';

export interface EiBoardSim {
  /** The path the daemon opens. */
  devicePath: string;
  readonly board: EiBoard;
  /** Unplug (pty gone) for `goneMs`, then plug back in: a fresh board with the same flash config (or another board's id). */
  replug(goneMs: number, other?: { deviceId: string }): Promise<void>;
  close(): Promise<void>;
}

export async function startEiBoardSim(o: Omit<EiBoardOptions, 'path'> = {}): Promise<EiBoardSim> {
  const dir = await mkdtemp(join(tmpdir(), 'ei-board-'));
  let pty: McuPty = await openMcuPty(join(dir, 'board'), join(dir, 'host'));
  let board: EiBoard;
  try {
    board = await startEiBoard({ ...o, path: pty.simPath });
  } catch (e) {
    await pty.close();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  return {
    devicePath: pty.hostPath,
    get board() {
      return board;
    },
    async replug(goneMs, other) {
      const id = other?.deviceId ?? board.state.deviceId;
      await board.close();
      await pty.close();
      await rm(pty.hostPath, { force: true });
      await rm(pty.simPath, { force: true });
      await new Promise((r) => setTimeout(r, goneMs));
      pty = await openMcuPty(join(dir, 'board'), join(dir, 'host'));
      board = await startEiBoard({ ...o, deviceId: id, path: pty.simPath });
    },
    async close() {
      await board.close();
      await pty.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
