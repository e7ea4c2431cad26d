/**
 * A simulated MCU running a C port of the encoder: every `sampleMs` it encodes one acquisition
 * document (CBOR, HS256 with the project key if given), wraps it in a frame (COBS + CRC-32,
 * optionally ES256-signed with the device key) and writes it to its pty. Line noise can be
 * injected between and inside frames; resets go silent for a while and restart `seq`.
 * `produced` lists the SHA-256 of every document body written, for end-to-end checks.
 * With `cEncoder` (the ei_mcu_encode executable, see c-build.ts) the documents are encoded by the
 * firmware's C encoder (firmware-sim/mcu/c/ei_csdk.c) in a child process; otherwise by the
 * TypeScript encoder's c-sdk layout.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createInterface } from 'node:readline';
import { SerialPort } from 'serialport';
import { encodeToBytes } from '../../src/encode/index.ts';
import { es256SignDigest } from '../../src/sign/index.ts';
import { buildRawFrame, frameToWire } from '../../src/gateway/frame.ts';

export interface FramedMcuOptions {
  path: string;
  deviceId: string;
  /** One document per `sampleMs` of readings (default 1000). */
  sampleMs?: number;
  /** Readings per second inside each document (default 62.5). */
  rateHz?: number;
  /** Documents written per second (default: real time, 1000 / sampleMs). */
  framesPerSecond?: number;
  hmacKey?: string;
  /** ES256 private key: frames carry the device signature. */
  privateKey?: Uint8Array;
  label?: string;
  /** Probability per frame of a noise burst before it (default 0) … */
  noiseRate?: number;
  /** … and of corrupting a byte inside it (that frame is lost; default 0). */
  corruptRate?: number;
  resetEveryMs?: number;
  resetPauseMs?: number;
  seed?: number;
  /** Path of the C encoder executable (ei_mcu_encode): documents come from the C firmware. */
  cEncoder?: string;
}

export interface FramedMcu {
  /** encoderErrors: documents the C encoder refused (its "ERR …" answers). */
  readonly stats: { frames: number; noiseBursts: number; corrupted: number; resets: number; encoderErrors: number };
  /** SHA-256 (hex) of each intact document written, in order. */
  readonly produced: string[];
  close(): Promise<void>;
}

export async function startFramedMcu(o: FramedMcuOptions): Promise<FramedMcu> {
  const port = new SerialPort({ path: o.path, baudRate: 115200, autoOpen: false });
  await new Promise<void>((res, rej) => port.open((e) => (e ? rej(e) : res())));
  port.on('error', () => undefined);
  let seed = (o.seed ?? 7) >>> 0;
  const rand = () => {
    seed = (seed + 0x6d2b79f5) >>> 0;
    let t = Math.imul(seed ^ (seed >>> 15), seed | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const stats = { frames: 0, noiseBursts: 0, corrupted: 0, resets: 0, encoderErrors: 0 };
  const produced: string[] = [];
  const sampleMs = o.sampleMs ?? 1000;
  const rate = o.rateHz ?? 62.5;
  const rows = Math.max(1, Math.round((sampleMs * rate) / 1000));
  let seq = 0;
  let counter = 0;
  let pausedUntil = 0;
  let nextReset = o.resetEveryMs ? Date.now() + o.resetEveryMs : Infinity;
  const SENSORS = [{ name: 'accX', units: 'm/s2' }, { name: 'accY', units: 'm/s2' }, { name: 'accZ', units: 'm/s2' }];
  const send = (body: Uint8Array, frameSeq: number) => {
    const sign = o.privateKey ? (c: Uint8Array) => es256SignDigest(new Uint8Array(createHash('sha256').update(c).digest()), o.privateKey!) : undefined;
    const wire = frameToWire(buildRawFrame({ deviceId: o.deviceId, seq: frameSeq, label: o.label, body }, sign));
    const parts: Uint8Array[] = [];
    if (o.noiseRate && rand() < o.noiseRate) {
      stats.noiseBursts++;
      parts.push(Uint8Array.from({ length: 1 + ((rand() * 40) | 0) }, () => (rand() * 256) | 0));
    }
    if (o.corruptRate && rand() < o.corruptRate) {
      stats.corrupted++;
      wire[1 + ((rand() * (wire.length - 2)) | 0)] ^= 0x20;
    } else {
      produced.push(createHash('sha256').update(body).digest('hex'));
    }
    parts.push(wire);
    stats.frames++;
    if (port.isOpen) port.write(Buffer.concat(parts));
  };
  // The C firmware: one child for the MCU's life, one stdin line of samples per document, one
  // stdout line of body hex back, in order.
  const pendingSeq: number[] = [];
  const child = o.cEncoder
    ? spawn(o.cEncoder, [o.deviceId, 'SIM_C_PORT', f64Hex(1000 / rate), ...SENSORS.map((x) => `${x.name}:${x.units}`)], {
        stdio: ['pipe', 'pipe', 'inherit'],
        env: { ...process.env, ...(o.hmacKey ? { EI_MCU_HMAC_KEY: o.hmacKey } : {}) },
      })
    : null;
  if (child) {
    child.on('error', () => undefined);
    child.stdin!.on('error', () => undefined);
    createInterface({ input: child.stdout! }).on('line', (line) => {
      const frameSeq = pendingSeq.shift() ?? 0;
      if (line.startsWith('ERR')) stats.encoderErrors++;
      else send(new Uint8Array(Buffer.from(line, 'hex')), frameSeq);
    });
  }
  const tick = () => {
    const now = Date.now();
    if (now >= nextReset) {
      stats.resets++;
      nextReset = now + (o.resetEveryMs ?? 0);
      pausedUntil = now + (o.resetPauseMs ?? 200);
      seq = 0;
    }
    if (now < pausedUntil) return;
    const data = new Float32Array(rows * 3);
    for (let i = 0; i < data.length; i++) data[i] = Math.sin((counter + i) / 10) + (rand() - 0.5) * 0.1;
    counter += rows;
    if (child) {
      pendingSeq.push(seq++ & 0xffff);
      child.stdin!.write(Array.from(data, f64Hex).join(' ') + '\n');
      return;
    }
    const body = encodeToBytes(
      {
        protected: { ver: 'v1', alg: o.hmacKey ? 'HS256' : 'none' },
        payload: { device_name: o.deviceId, device_type: 'SIM_C_PORT', interval_ms: 1000 / rate, sensors: SENSORS, values: { data, width: 3 } },
      },
      { format: 'cbor', layout: 'c-sdk', hmacKey: o.hmacKey, iat: Math.floor(now / 1000) },
    );
    send(body, seq++);
  };
  const period = 1000 / (o.framesPerSecond ?? 1000 / sampleMs);
  // Catch up on every frame due since the start: timers fire late under load (and not every
  // 2 ms at all at 500 frames/s), which would lower the offered rate behind the caller's back.
  const t0 = Date.now();
  let due = 0;
  const timer = setInterval(() => {
    const target = Math.floor((Date.now() - t0) / period);
    for (let k = 0; due < target && k < 1000; k++, due++) tick();
  }, Math.max(period, 4));
  return {
    stats,
    produced,
    close: async () => {
      clearInterval(timer);
      if (child && child.exitCode === null) {
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        child.stdin!.end(); // EOF: the firmware answers what it has and exits
        await Promise.race([exited, new Promise<void>((r) => setTimeout(r, 2000).unref())]);
        child.kill();
      }
      await new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r()));
    },
  };
}

const bitsView = new DataView(new ArrayBuffer(8));

/** IEEE 754 binary64 bits of x as 16 hex digits (what ei_mcu_encode reads: no decimal parsing). */
function f64Hex(x: number): string {
  bitsView.setFloat64(0, x);
  return bitsView.getUint32(0).toString(16).padStart(8, '0') + bitsView.getUint32(4).toString(16).padStart(8, '0');
}
