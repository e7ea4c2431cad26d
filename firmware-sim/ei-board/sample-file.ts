/**
 * What the simulated board's sampler writes to its flash: the C-SDK CBOR acquisition document
 * (FACTS §3) through the project's encoder with layout 'c-sdk', with the signature left as 64
 * ASCII '0' as real boards leave it (FACTS §11: the sampler computes the HMAC but never writes it
 * back). Values are a deterministic function of the seed, so a test can recompute them.
 */
import { binaryTail, encodeToBytes } from '../../src/encode/index.ts';
import { locateSignature } from '../../src/sign/index.ts';

export interface BoardSensor {
  name: string;
  frequencies: number[];
  maxSampleLengthS: number;
  axes: { name: string; units: string }[];
  /** Microphone-style sensors write `Ref-BINARY-i16` bodies. */
  binary?: 'i16';
}

export const ACCELEROMETER: BoardSensor = {
  name: 'Accelerometer',
  frequencies: [62.5, 100],
  maxSampleLengthS: 300,
  axes: [
    { name: 'accX', units: 'm/s2' },
    { name: 'accY', units: 'm/s2' },
    { name: 'accZ', units: 'm/s2' },
  ],
};

export const MICROPHONE: BoardSensor = {
  name: 'Microphone',
  frequencies: [16000],
  maxSampleLengthS: 60,
  axes: [{ name: 'audio', units: 'wav' }],
  binary: 'i16',
};

/** Readings in a sample of `lengthMs` at `intervalMs` (the firmware rounds down, at least one). */
export function sampleCount(lengthMs: number, intervalMs: number): number {
  return Math.max(1, Math.floor(lengthMs / intervalMs));
}

/** The file the board writes: signature '0' × 64. */
export function boardSampleFile(o: { sensor: BoardSensor; intervalMs: number; count: number; deviceId: string; deviceType: string; seed: number }): Uint8Array {
  const width = o.sensor.axes.length;
  let s = o.seed >>> 0;
  const rand = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = Math.imul(s ^ (s >>> 15), s | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const payload = { device_name: o.deviceId, device_type: o.deviceType, interval_ms: o.intervalMs, sensors: o.sensor.axes };
  let bytes: Uint8Array;
  if (o.sensor.binary) {
    const data = new Int16Array(o.count);
    for (let i = 0; i < o.count; i++) data[i] = Math.round(8000 * Math.sin(i / 9) + (rand() - 0.5) * 400);
    bytes = encodeToBytes({ payload: { ...payload, values: binaryTail('i16', data) } }, { format: 'cbor', layout: 'c-sdk', hmacKey: 'board-sim-unused' });
  } else {
    const data = new Float32Array(o.count * width);
    for (let i = 0; i < data.length; i++) data[i] = Math.round((Math.sin(i / 7) * 9.81 + (rand() - 0.5)) * 100) / 100;
    bytes = encodeToBytes({ payload: { ...payload, values: { data, width } } }, { format: 'cbor', layout: 'c-sdk', hmacKey: 'board-sim-unused' });
  }
  const loc = locateSignature(bytes);
  bytes.fill(0x30, loc.start, loc.end);
  return bytes;
}

/** Snapshot frame `n` (RGB888): a gradient shifted by the frame number, so frames differ. */
export function snapshotFrame(w: number, h: number, n: number): Uint8Array {
  const rgb = new Uint8Array(w * h * 3);
  const k = n * 8;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      rgb[i] = (x * 255) / w + k;
      rgb[i + 1] = (y * 255) / h;
      rgb[i + 2] = 128;
    }
  }
  return rgb;
}
