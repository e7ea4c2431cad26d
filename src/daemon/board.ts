/**
 * Driving one board running Edge Impulse firmware over its AT port (issue 16): bring-up (handshake,
 * `AT+CONFIG?`, a real device id for a factory-fresh board), one sample (SAMPLESETTINGS,
 * UPLOADSETTINGS, SAMPLESTART with progress from its lines), reading the file back (READBUFFER
 * with START,LENGTH as the firmware documents, or READFILE; fast transfer where AT >= 1.6 offers
 * it) and unlinking it. Works with whichever handler set the board has: a command it does not know
 * is skipped where the protocol allows (UNLINKFILE), else reported.
 */
import { randomBytes } from 'node:crypto';
import { BOOT_BANNER } from './at-answer.ts';
import type { AtPort } from './at-port.ts';
import { isBlankDeviceId, parseBoardConfig, versionAtLeast } from './board-config.ts';
import type { BoardConfig } from './board-config.ts';
import { AtCommandError, BoardProtocolError } from './errors.ts';

export interface BoardSampleSettings {
  label: string;
  intervalMs: number;
  lengthMs: number;
  /** Sent to the board as the firmware expects; '' when the project has none. */
  hmacKey: string;
  /** Ingestion path, e.g. `/api/training/data`. */
  path: string;
  sensor: string;
}

export interface BoardSampleHooks {
  /** `Sampling...`: recording began. */
  onStarted?: () => void;
  /** `Done sampling` / `Processing...`. */
  onProcessing?: () => void;
  /** Reading the file back, 0..1. */
  onReading?: (fraction: number) => void;
}

export interface BoardSample {
  bytes: Uint8Array;
  /** The board's file name, when it has a file system (needed for UNLINKFILE). */
  fileName: string | undefined;
  readVia: 'readbuffer' | 'readfile';
  fast: boolean;
}

export interface BoardOptions {
  /** Deadline factor for SAMPLESTART: length × this (default 10, as the official daemon). */
  sampleTimeoutFactor?: number;
  /** Use fast transfer when offered (default true). */
  fastTransfer?: boolean;
  /** Device id given to an all-zero board (default a random locally administered MAC). */
  newDeviceId?: () => string;
}

const USED_BUFFER = /Used buffer, from=(\d+), to=(\d+)/;
const FILE_NAME = /^File name:\s*(\S.*?)\s*$/;

/** A random locally administered unicast MAC, the shape boards use for ids. */
export function randomDeviceId(): string {
  const b = randomBytes(6);
  b[0] = (b[0]! & 0xfc) | 0x02;
  return [...b].map((x) => x.toString(16).padStart(2, '0')).join(':');
}

export class BoardDriver {
  config: BoardConfig | undefined;

  constructor(
    readonly port: AtPort,
    private readonly o: BoardOptions = {},
  ) {}

  /** Handshake and config; gives a blank board an id. Returns the config. */
  async bringUp(): Promise<BoardConfig> {
    await this.port.handshake();
    let config = await this.readConfig();
    if (isBlankDeviceId(config.deviceId)) {
      const id = (this.o.newDeviceId ?? randomDeviceId)();
      await this.port.exec(`AT+DEVICEID=${id}`);
      config = await this.readConfig();
      if (config.deviceId !== id) throw new BoardProtocolError(`board kept device id ${config.deviceId || '(none)'} after AT+DEVICEID`);
    }
    this.config = config;
    return config;
  }

  async readConfig(): Promise<BoardConfig> {
    // The dump is ~1.5 KB: longer than other answers, so a longer deadline.
    return parseBoardConfig(await this.port.exec('AT+CONFIG?', { timeoutMs: Math.max(5000, this.port.defaultTimeoutMs) }));
  }

  /** Records one sample on the board and reads its file back. @throws AtTimeoutError, AtCommandError, BoardProtocolError, BoardPortError */
  async sample(s: BoardSampleSettings, hooks: BoardSampleHooks = {}): Promise<BoardSample> {
    const config = this.config;
    if (!config) throw new BoardProtocolError('board not brought up');
    const interval = Number(s.intervalMs.toFixed(5));
    await this.port.exec(`AT+SAMPLESETTINGS=${s.label},${interval},${s.lengthMs},${s.hmacKey}`);
    // The daemon uploads through its spool: the board gets the path, never the API key.
    await this.port.exec(`AT+UPLOADSETTINGS=,${s.path}`).catch((e: unknown) => {
      if (!(e instanceof AtCommandError)) throw e;
    });
    let started = false;
    let processing = false;
    const timeoutMs = Math.max(s.lengthMs * (this.o.sampleTimeoutFactor ?? 10), s.lengthMs + 5000);
    const lines = await this.port.exec(`AT+SAMPLESTART=${s.sensor}`, {
      timeoutMs,
      onLine: (l) => {
        if (!started && /^Sampling\.\.\./.test(l)) {
          started = true;
          hooks.onStarted?.();
        } else if (started && !processing && /^(Done sampling|Processing\.\.\.)/.test(l)) {
          processing = true;
          hooks.onProcessing?.();
        }
      },
    });
    const used = lines.map((l) => USED_BUFFER.exec(l)).find((m) => m !== null);
    const named = lines.map((l) => FILE_NAME.exec(l)).filter((m) => m !== null).pop();
    if (!lines.some((l) => /^Done sampling/.test(l))) {
      if (lines.some((l) => BOOT_BANNER.test(l))) throw new BoardProtocolError('the board reset during sampling');
      const last = lines.filter((l) => l.trim() !== '').pop() ?? '(nothing)';
      // Boards print their sampling settings, key included on some: never carry it into the error.
      const shown = s.hmacKey ? last.split(s.hmacKey).join('***') : last;
      throw new BoardProtocolError(`sampling failed on the board: ${shown.slice(0, 120)}`);
    }
    const fileName = named?.[1];
    const fast = this.o.fastTransfer !== false && config.transferBaudRate !== undefined;
    if (used) {
      const from = Number(used[1]);
      const length = Number(used[2]) - from;
      if (!(length > 0)) throw new BoardProtocolError(`board reported an empty sample buffer (${used[0]})`);
      const bytes = await this.readBack(`AT+READBUFFER=${from},${length}`, length, fast, hooks);
      return { bytes, fileName, readVia: 'readbuffer', fast };
    }
    if (fileName) {
      // AT+READFILE answers hex before AT 1.2, base64 from 1.2 (issue 16).
      const hex = !versionAtLeast(config.atVersion, 1, 2);
      const bytes = await this.readBack(`AT+READFILE=${fileName}`, undefined, fast && !hex, hooks, hex ? 'hex' : 'base64');
      return { bytes, fileName, readVia: 'readfile', fast };
    }
    throw new BoardProtocolError('the board uploaded nothing and reported neither a buffer range nor a file name');
  }

  /** `AT+READBUFFER=<start>,<length>` (LENGTH, as the firmware documents), fast where offered. */
  readBuffer(start: number, length: number, hooks: BoardSampleHooks = {}): Promise<Uint8Array> {
    const fast = this.o.fastTransfer !== false && this.config?.transferBaudRate !== undefined;
    return this.readBack(`AT+READBUFFER=${start},${length}`, length, fast, hooks);
  }

  /** One camera frame, `AT+SNAPSHOT=<w>,<h>[,y]`: RGB888 pixels (w × h × 3 bytes). */
  snapshot(width: number, height: number, hooks: BoardSampleHooks = {}): Promise<Uint8Array> {
    const fast = this.o.fastTransfer !== false && this.config?.transferBaudRate !== undefined;
    return this.readBack(`AT+SNAPSHOT=${width},${height}`, width * height * 3, fast, hooks);
  }

  /** Removes the file on the board; a set without UNLINKFILE (or a no-op one) is fine. */
  async unlink(fileName: string): Promise<void> {
    try {
      await this.port.exec(`AT+UNLINKFILE=${fileName}`);
    } catch (e) {
      if (!(e instanceof AtCommandError)) throw e;
    }
  }

  private async readBack(command: string, length: number | undefined, fast: boolean, hooks: BoardSampleHooks, encoding: 'base64' | 'hex' = 'base64'): Promise<Uint8Array> {
    const chars = length === undefined ? undefined : Math.ceil(length / 3) * 4;
    const rate = fast ? this.config!.transferBaudRate! : this.port.baudRate;
    // Twice the time the base64 takes on the wire, plus slack for the command and the prompt.
    const timeoutMs = 3000 + (chars === undefined ? 60_000 : Math.ceil(((chars * 10) / rate) * 2000));
    const onBytes = (n: number) => {
      if (chars) hooks.onReading?.(Math.min(1, n / chars));
    };
    const text = fast
      ? await this.port.execFast(`${command},y`, rate, { timeoutMs, onBytes })
      : (await this.port.exec(command, { timeoutMs, onBytes })).filter((l) => l.trim() !== 'OK').join('');
    const packed = text.replace(/\s+/g, '');
    const valid = encoding === 'hex' ? /^([0-9a-fA-F]{2})*$/.test(packed) : /^[A-Za-z0-9+/]*={0,2}$/.test(packed) && packed.length % 4 === 0;
    if (!valid) throw new BoardProtocolError(`${command.split('=')[0]} answer is not ${encoding} (${packed.length} characters)`);
    const bytes = new Uint8Array(Buffer.from(packed, encoding));
    if (length !== undefined && bytes.length !== length) {
      throw new BoardProtocolError(`${command.split('=')[0]} gave ${bytes.length} bytes, expected ${length}`);
    }
    hooks.onReading?.(1);
    return bytes;
  }
}
