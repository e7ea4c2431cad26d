/**
 * A simulated MCU running a C port of the encoder: every `sampleMs` it encodes one acquisition
 * document (CBOR, HS256 with the project key if given), wraps it in a frame (COBS + CRC-32,
 * optionally ES256-signed with the device key) and writes it to its pty. Line noise can be
 * injected between and inside frames; resets go silent for a while and restart `seq`.
 * `produced` lists the SHA-256 of every document body written, for end-to-end checks.
 */
import { createHash } from 'node:crypto';
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
}

export interface FramedMcu {
  readonly stats: { frames: number; noiseBursts: number; corrupted: number; resets: number };
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
  const stats = { frames: 0, noiseBursts: 0, corrupted: 0, resets: 0 };
  const produced: string[] = [];
  const sampleMs = o.sampleMs ?? 1000;
  const rate = o.rateHz ?? 62.5;
  const rows = Math.max(1, Math.round((sampleMs * rate) / 1000));
  let seq = 0;
  let counter = 0;
  let pausedUntil = 0;
  let nextReset = o.resetEveryMs ? Date.now() + o.resetEveryMs : Infinity;
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
    const body = encodeToBytes(
      {
        protected: { ver: 'v1', alg: o.hmacKey ? 'HS256' : 'none' },
        payload: {
          device_name: o.deviceId,
          device_type: 'SIM_C_PORT',
          interval_ms: 1000 / rate,
          sensors: [{ name: 'accX', units: 'm/s2' }, { name: 'accY', units: 'm/s2' }, { name: 'accZ', units: 'm/s2' }],
          values: { data, width: 3 },
        },
      },
      { format: 'cbor', layout: 'c-sdk', hmacKey: o.hmacKey, iat: Math.floor(now / 1000) },
    );
    const sign = o.privateKey ? (c: Uint8Array) => es256SignDigest(new Uint8Array(createHash('sha256').update(c).digest()), o.privateKey!) : undefined;
    const wire = frameToWire(buildRawFrame({ deviceId: o.deviceId, seq: seq++, label: o.label, body }, sign));
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
    port.write(Buffer.concat(parts));
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
      await new Promise<void>((r) => (port.isOpen ? port.close(() => r()) : r()));
    },
  };
}
