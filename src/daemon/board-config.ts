/**
 * `AT+CONFIG?` parsed (FACTS §11, issue 16), pure. Sections start with a heading of `=`s around a
 * name (`===== Device info =====`, `===== Sensors ======`; the count varies); lines are `Key: value`
 * except sensors, `Name: <n>, Max sample length: <s>s, Frequencies: [<f>Hz, …]`.
 */
import { BoardProtocolError } from './errors.ts';

export interface BoardSensorInfo {
  name: string;
  maxSampleLengthS: number;
  /** Hz. */
  frequencies: number[];
}

export interface BoardConfig {
  /** Every section as `Key → value` (sensors excepted), keyed by lower-case section name. */
  sections: Record<string, Record<string, string>>;
  deviceId: string;
  deviceType: string;
  /** `x.y.z`; '0.0.0' when the board does not say (old firmware). */
  atVersion: string;
  /** Fast transfer rate, when the board offers one (AT >= 1.6 and a `Data Transfer Baudrate`). */
  transferBaudRate: number | undefined;
  sensors: BoardSensorInfo[];
  hasCamera: boolean;
  snapshotStreaming: boolean;
  /** Snapshot resolutions (`Resolutions: [96x96, 320x240]`), smallest first. */
  cameraResolutions: { width: number; height: number }[];
}

const HEADING = /^\s*=+\s*([^=]+?)\s*=+\s*$/;
const SENSOR = /^Name:\s*(.+?),\s*Max sample length:\s*([\d.]+)\s*s,\s*Frequencies:\s*\[(.*)\]\s*$/;

/** @throws BoardProtocolError when the dump has no device info */
export function parseBoardConfig(lines: readonly string[]): BoardConfig {
  const sections: Record<string, Record<string, string>> = {};
  const sensors: BoardSensorInfo[] = [];
  let current: Record<string, string> | undefined;
  let inSensors = false;
  for (const raw of lines) {
    const line = raw.trimEnd();
    const h = HEADING.exec(line);
    if (h) {
      const name = h[1]!.toLowerCase();
      current = sections[name] ??= {};
      inSensors = name === 'sensors';
      continue;
    }
    if (!current || line.trim() === '') continue;
    if (inSensors) {
      const s = SENSOR.exec(line.trim());
      if (s) {
        const frequencies = s[3]!
          .split(',')
          .map((f) => Number.parseFloat(f.trim()))
          .filter((f) => Number.isFinite(f) && f > 0);
        sensors.push({ name: s[1]!, maxSampleLengthS: Number(s[2]), frequencies });
      }
      continue;
    }
    const kv = /^\s*([^:]+?)\s*:\s?(.*)$/.exec(line);
    if (kv) current[kv[1]!.toLowerCase()] = kv[2]!.trim();
  }
  const info = sections['device info'];
  if (!info) throw new BoardProtocolError('AT+CONFIG? answer has no "Device info" section (not an Edge Impulse firmware?)');
  const atVersion = /^\d+\.\d+(\.\d+)?$/.test(info['at version'] ?? '') ? info['at version']! : '0.0.0';
  const baud = Number(info['data transfer baudrate']);
  const snap = sections['snapshot'] ?? {};
  return {
    sections,
    deviceId: info['id'] ?? '',
    deviceType: info['type'] ?? 'EDGE_IMPULSE_BOARD',
    atVersion,
    transferBaudRate: versionAtLeast(atVersion, 1, 6) && Number.isInteger(baud) && baud > 0 ? baud : undefined,
    sensors,
    hasCamera: snap['has snapshot'] === '1',
    cameraResolutions: [...(snap['resolutions'] ?? '').matchAll(/(\d+)\s*x\s*(\d+)/g)]
      .map((m) => ({ width: Number(m[1]), height: Number(m[2]) }))
      .sort((a, b) => a.width * a.height - b.width * b.height),
    snapshotStreaming: snap['support stream'] === '1',
  };
}

export function versionAtLeast(v: string, major: number, minor: number): boolean {
  const [a = 0, b = 0] = v.split('.').map(Number);
  return a > major || (a === major && b >= minor);
}

/** An id a factory-fresh board reports (all zeros, with or without separators), or none. */
export function isBlankDeviceId(id: string): boolean {
  return /^[0:._-]*$/.test(id);
}

/** Sensor names a camera board announces, one per resolution (as the official daemon does). */
export function cameraSensorName(r: { width: number; height: number }): string {
  return `Camera (${r.width}x${r.height})`;
}

/** The `Key: value` of a section, or undefined. */
export function configValue(c: BoardConfig, section: string, key: string): string | undefined {
  return c.sections[section.toLowerCase()]?.[key.toLowerCase()];
}
