/**
 * A simulated board running Edge Impulse firmware: the serial AT server of AT command set 1.8
 * (FACTS §11, issue 16) on one end of a pty. It echoes what it is typed, answers each command and
 * prints the prompt `> `, dumps its config, samples an accelerometer or a microphone into an
 * in-memory flash in the C-SDK CBOR layout (signature left as 64 '0'), serves READBUFFER with
 * START,LENGTH (base64), READFILE/UNLINKFILE on the full handler set, and fast transfer (`,y`:
 * the rest of the transfer at the transfer baud rate). Output is paced at the line rate.
 *
 * Faults: reset in the middle of sampling, garbage lines between prompts, commands answered
 * `Not a valid AT command`, slow sampling, and a board that never prompts.
 */
import { SerialPort } from 'serialport';
import { Pacer } from './pacer.ts';
import { ACCELEROMETER, MICROPHONE, boardSampleFile, sampleCount, snapshotFrame } from './sample-file.ts';
import { configDumpLines } from './config-dump.ts';
import type { BoardSensor } from './sample-file.ts';

export interface EiBoardFaults {
  /** Reset (boot banner, state lost but the config kept) halfway through these samplings (1-based). */
  resetDuringSampling?: number[];
  /** A garbage line every this many ms while idle (0 = never). */
  garbageEveryMs?: number;
  /** Command names (e.g. `AT+SAMPLESETTINGS`) answered `Not a valid AT command`. */
  invalidCommands?: string[];
  /** Sampling takes this many times its length (default 1). */
  samplingSlowdown?: number;
  /** The board never echoes, answers nor prompts (stuck, or the wrong device). */
  neverPrompt?: boolean;
}

export interface EiBoardOptions {
  /** The pty end the board owns. */
  path: string;
  /** 'full' (firmware-sdk AT server) or 'esp32' (no READFILE, LISTFILES; UNLINKFILE does nothing). */
  handlers?: 'full' | 'esp32';
  atVersion?: string;
  baud?: number;
  /** Fast transfer rate announced as `Data Transfer Baudrate` (AT >= 1.6). */
  transferBaud?: number;
  /** Device id as flashed; all zeros by default, like a fresh board. */
  deviceId?: string;
  deviceType?: string;
  sensors?: BoardSensor[];
  /** Where in flash the sample file starts (real boards: 0, or after a header). */
  bufferOffset?: number;
  /** `Starting in N ms...` before sampling (the firmware erases flash meanwhile; default 2000). */
  startDelayMs?: number;
  /** A camera: `Has snapshot: 1` and AT+SNAPSHOT at these resolutions (RGB888 frames, base64). */
  camera?: { resolutions: [number, number][] };
  /** How long a reset takes before the banner (default 50 ms); input meanwhile is lost. */
  bootMs?: number;
  /** Print `Used buffer, from=…, to=…` (default true); without it a host must READFILE the file. */
  reportBuffer?: boolean;
  /** End lines with LF only (some firmwares do). */
  lfOnly?: boolean;
  seed?: number;
  faults?: EiBoardFaults;
}

export interface EiBoardState {
  deviceId: string;
  sampling: { label: string; intervalMs: number; lengthMs: number; hmacKey: string };
  upload: { apiKey: string; path: string; host: string };
  mgmtUrl: string;
}

export interface EiBoard {
  readonly state: EiBoardState;
  /** Files on the board (full handler set). */
  readonly files: Map<string, Uint8Array>;
  /** Every sample file written, in order (signature still '0' × 64). */
  readonly recorded: Uint8Array[];
  /** Every snapshot frame sent (RGB888, width × height × 3 bytes). */
  readonly snapshots: { width: number; height: number; rgb: Uint8Array }[];
  readonly stats: { commands: string[]; readBuffer: [number, number][]; samplings: number; resets: number; garbage: number; fastTransfers: number; bytesOut: () => number };
  /** Simulates pressing reset: banner, prompt, sampling state lost. */
  reset(): void;
  close(): Promise<void>;
}

const GARBAGE = ['\x00\xff\xfe', '[I2C] timeout on 0x6a', 'Predictions (DSP: 12 ms.)', 'E (1234) wifi: not init', 'ERR: 5', 'x,y,z'];

export async function startEiBoard(o: EiBoardOptions): Promise<EiBoard> {
  const baud = o.baud ?? 115200;
  const transferBaud = o.transferBaud ?? 921600;
  const atVersion = o.atVersion ?? '1.8.0';
  const handlers = o.handlers ?? 'full';
  const sensors = o.sensors ?? [ACCELEROMETER, MICROPHONE];
  const faults = o.faults ?? {};
  const nl = o.lfOnly ? '\n' : '\r\n';
  const port = new SerialPort({ path: o.path, baudRate: baud, autoOpen: false, lock: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  port.on('error', () => undefined);
  const pacer = new Pacer((b) => port.isOpen && port.write(b), baud);

  const state: EiBoardState = {
    deviceId: o.deviceId ?? '00:00:00:00:00:00',
    sampling: { label: 'test', intervalMs: 10, lengthMs: 10000, hmacKey: '' },
    upload: { apiKey: '', path: '/api/training/data', host: 'ingestion.edgeimpulse.com' },
    mgmtUrl: 'remote-mgmt.edgeimpulse.com',
  };
  const files = new Map<string, Uint8Array>();
  const recorded: Uint8Array[] = [];
  const snapshots: { width: number; height: number; rgb: Uint8Array }[] = [];
  let flash = new Uint8Array(0);
  const stats = { commands: [] as string[], readBuffer: [] as [number, number][], samplings: 0, resets: 0, garbage: 0, fastTransfers: 0, bytesOut: () => pacer.sent };
  let input = '';
  /** A command is running (its answer not yet ended by a prompt). */
  let busy = false;
  let booting = false;
  /** Bumped by a reset: work of an older epoch stops printing. */
  let epoch = 0;
  let seed = o.seed ?? 7;

  const out = (s: string) => pacer.send(s);
  const line = (s = '') => out(s + nl);
  const prompt = () => {
    out('> ');
    busy = false;
  };

  function banner(): void {
    line();
    line('Hello from Edge Impulse Device SDK.');
    line('Compiled on Dec  1 2026 00:00:00');
    line('Type AT+HELP to see a list of commands.');
    prompt();
  }

  function configDump(): void {
    for (const l of configDumpLines({ state, deviceType: o.deviceType ?? 'EI_SIM_BOARD', atVersion, transferBaud, sensors, camera: o.camera })) line(l);
  }

  /** Sends base64 of `bytes`, at the transfer rate when `fast`, then ends the command. */
  function transfer(bytes: Uint8Array, fast: boolean, encoding: 'base64' | 'hex' = 'base64'): void {
    const b64 = Buffer.from(bytes).toString(encoding);
    if (!fast) {
      out(b64);
      line();
      prompt();
      return;
    }
    stats.fastTransfers++;
    const e = epoch;
    // FACTS/issue 16: OK at the normal rate, switch, data, OK at the transfer rate, switch back.
    line('OK');
    pacer.send('', () => {
      if (e !== epoch) return;
      // Give the host time to switch its port before the first fast byte.
      setTimeout(() => {
        if (e !== epoch) return;
        pacer.setBaud(transferBaud);
        out(b64);
        out(nl + 'OK' + nl);
        pacer.send('', () => {
          pacer.setBaud(baud);
          if (e === epoch) setTimeout(() => e === epoch && prompt(), 20);
        });
      }, 20);
    });
  }

  function sample(sensorName: string | undefined): void {
    const sensor = sensorName === undefined ? sensors[0] : sensors.find((s) => s.name === sensorName);
    if (!sensor) {
      line(`Sensor '${sensorName}' not found`);
      line('ERR');
      return prompt();
    }
    const { intervalMs, lengthMs, label } = state.sampling;
    const hz = 1000 / intervalMs;
    if (!sensor.frequencies.some((f) => Math.abs(f - hz) <= 0.01 * f)) {
      line(`Sensor ${sensor.name} does not support ${hz.toFixed(3)} Hz`);
      line('ERR');
      return prompt();
    }
    stats.samplings++;
    const n = stats.samplings;
    const e = epoch;
    line('Sampling settings:');
    line(`    Interval: ${intervalMs.toFixed(5)} ms.`);
    line(`    Length: ${lengthMs} ms.`);
    line(`    Name: ${label}`);
    line(`    HMAC Key: ${state.sampling.hmacKey ? '********' : ''}`);
    const startDelay = o.startDelayMs ?? 2000;
    line(`Starting in ${startDelay} ms... (or until all flash was erased)`);
    const takes = lengthMs * (faults.samplingSlowdown ?? 1);
    setTimeout(() => {
      if (e !== epoch) return;
      line('Sampling...');
      if (faults.resetDuringSampling?.includes(n)) setTimeout(() => e === epoch && reset(), takes / 2);
      setTimeout(() => {
        if (e !== epoch) return;
        const count = sampleCount(lengthMs, intervalMs);
        line(`Done sampling, total samples collected: ${count}`);
        const file = boardSampleFile({ sensor, intervalMs, count, deviceId: state.deviceId, deviceType: o.deviceType ?? 'EI_SIM_BOARD', seed: seed++ });
        recorded.push(file);
        const off = o.bufferOffset ?? 0;
        // Flash past the file reads as erased (0xff), so reading too much is visible.
        flash = new Uint8Array(off + file.length + 4096).fill(0xff);
        flash.set(file, off);
        const name = `${label}.${n}.cbor`;
        if (handlers === 'full') files.set(name, file);
        line('Processing...');
        line(`[========================================================] 100%`);
        if (handlers === 'full') line(`File name: ${name}`);
        if (o.reportBuffer === false) line('Not uploading file, not connected to WiFi.');
        else line(`Not uploading file, not connected to WiFi. Used buffer, from=${off}, to=${off + file.length}.`);
        line('OK');
        prompt();
      }, takes);
    }, startDelay);
  }

  function invalid(): void {
    line(handlers === 'esp32' ? 'Command not found!' : 'Not a valid AT command');
    prompt();
  }

  function run(cmdLine: string): void {
    const m = /^(AT\+[A-Z]+\??)(?:=(.*))?$/.exec(cmdLine);
    const name = m?.[1] ?? cmdLine;
    const args = m?.[2]?.split(',') ?? [];
    stats.commands.push(name);
    if (faults.invalidCommands?.includes(name.replace(/\?$/, '')) || faults.invalidCommands?.includes(name)) return invalid();
    switch (name) {
      case 'AT+CONFIG?':
        configDump();
        return prompt();
      case 'AT+HELP':
        for (const c of ['AT+CONFIG?', 'AT+SAMPLESTART', 'AT+READBUFFER', 'AT+DEVICEID']) line(c);
        return prompt();
      case 'AT+DEVICEID':
        if (m?.[2]) state.deviceId = m[2];
        line('OK');
        return prompt();
      case 'AT+SAMPLESETTINGS': {
        const [label, interval, length, ...key] = args;
        const iv = Number(interval);
        const len = Number(length);
        if (!label || !(iv > 0) || !(len > 0)) {
          line('Invalid sampling settings');
          return prompt();
        }
        state.sampling = { label, intervalMs: iv, lengthMs: len, hmacKey: key.join(',') };
        line('OK');
        return prompt();
      }
      case 'AT+UPLOADSETTINGS': {
        const [apiKey, path] = args;
        state.upload.apiKey = apiKey ?? '';
        if (path) state.upload.path = path;
        line('OK');
        return prompt();
      }
      case 'AT+UPLOADHOST':
        state.upload.host = m?.[2] ?? state.upload.host;
        line('OK');
        return prompt();
      case 'AT+MGMTSETTINGS':
        state.mgmtUrl = m?.[2] ?? state.mgmtUrl;
        line('OK');
        return prompt();
      case 'AT+CLEARCONFIG':
        state.sampling = { label: 'test', intervalMs: 10, lengthMs: 10000, hmacKey: '' };
        state.upload.apiKey = '';
        line('OK');
        return prompt();
      case 'AT+SAMPLESTART':
        return sample(m?.[2]);
      case 'AT+READBUFFER': {
        const start = Number(args[0]);
        const length = Number(args[1]);
        stats.readBuffer.push([start, length]);
        if (!Number.isInteger(start) || !Number.isInteger(length) || start < 0 || length <= 0 || start + length > flash.length) {
          line('Invalid READBUFFER arguments');
          return prompt();
        }
        return transfer(flash.subarray(start, start + length), args[2] === 'y' && versionAtLeast(atVersion, 1, 6));
      }
      case 'AT+SNAPSHOT': {
        const w = Number(args[0]);
        const h = Number(args[1]);
        if (!o.camera) return invalid();
        if (!o.camera.resolutions.some(([a, b]) => a === w && b === h)) {
          line(`Invalid resolution ${args[0]}x${args[1]}`);
          line('ERR');
          return prompt();
        }
        const rgb = snapshotFrame(w, h, snapshots.length);
        snapshots.push({ width: w, height: h, rgb });
        return transfer(rgb, args[2] === 'y' && versionAtLeast(atVersion, 1, 6));
      }
      case 'AT+READFILE': {
        if (handlers !== 'full') return invalid();
        const f = files.get(args[0] ?? '');
        if (!f) {
          line(`File '${args[0]}' does not exist`);
          return prompt();
        }
        // Files went out as hex before AT 1.2.
        return transfer(f, args[1] === 'y' && versionAtLeast(atVersion, 1, 6), versionAtLeast(atVersion, 1, 2) ? 'base64' : 'hex');
      }
      case 'AT+UNLINKFILE':
        // The ESP32 set answers but does nothing (FACTS §11).
        if (handlers === 'full') files.delete(args[0] ?? '');
        line('OK');
        return prompt();
      case 'AT+LISTFILES':
        if (handlers !== 'full') return invalid();
        for (const k of files.keys()) line(k);
        return prompt();
      case 'AT+RESET':
        return reset();
      default:
        return invalid();
    }
  }

  function reset(): void {
    epoch++;
    stats.resets++;
    pacer.clear();
    input = '';
    state.sampling = { label: 'test', intervalMs: 10, lengthMs: 10000, hmacKey: '' };
    // Booting: what arrives now is lost, as on a real board.
    booting = true;
    setTimeout(() => {
      booting = false;
      banner();
    }, o.bootMs ?? 50);
  }

  port.on('data', (d: Buffer) => {
    if (faults.neverPrompt || booting) return;
    for (const ch of d.toString('latin1')) {
      if (ch === '\r' || ch === '\n') {
        if (ch === '\n' && input === '') continue;
        const cmd = input.trim();
        input = '';
        out(nl);
        if (busy) continue;
        busy = true;
        // `b` (break out of inference) and an empty line only prompt.
        if (cmd === '' || cmd === 'b') prompt();
        else run(cmd);
        continue;
      }
      if (input.length < 512) input += ch;
      if (!busy) out(ch);
    }
  });

  const garbageTimer =
    faults.garbageEveryMs && !faults.neverPrompt
      ? setInterval(() => {
          if (busy || input !== '') return;
          stats.garbage++;
          line(GARBAGE[stats.garbage % GARBAGE.length]!);
        }, faults.garbageEveryMs)
      : undefined;

  if (!faults.neverPrompt) banner();

  return {
    state,
    files,
    recorded,
    snapshots,
    stats,
    reset,
    async close() {
      epoch++;
      clearInterval(garbageTimer);
      pacer.close();
      await new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r()));
    },
  };
}

function versionAtLeast(v: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = v.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}
