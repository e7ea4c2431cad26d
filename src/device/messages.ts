/**
 * Remote-management messages (FACTS §6), pure: building the device's messages and checking the
 * server's. JSON only; the hello's encoding fixes it for the session, and we always say hello in
 * JSON, so the server answers in JSON.
 */
import { DeviceProtocolError } from './errors.ts';

/** One sensor as announced in the hello. */
export interface SensorAnnouncement {
  name: string;
  /** Sampling frequencies in Hz the sensor offers. */
  frequencies: number[];
  maxSampleLengthS: number;
}

export interface HelloOptions {
  apiKey: string;
  deviceId: string;
  deviceType: string;
  connection?: 'ip' | 'daemon';
  sensors: SensorAnnouncement[];
  /** The device streams `snapshotFrame`s on `startSnapshot` (default false). */
  supportsSnapshotStreaming?: boolean;
}

export interface HelloMessage {
  hello: {
    version: 3;
    apiKey: string;
    deviceId: string;
    deviceType: string;
    connection: 'ip' | 'daemon';
    sensors: SensorAnnouncement[];
    supportsSnapshotStreaming: boolean;
  };
}

/** What Studio asks for: `path` is the ingestion path, e.g. `/api/training/data`. */
export interface SampleRequest {
  label: string;
  /** Sample length in ms. */
  length: number;
  path: string;
  /** Empty when the project has no HMAC key. */
  hmacKey: string;
  /** Interval between readings in ms. */
  interval: number;
  sensor?: string;
}

export type ServerMessage =
  | { type: 'hello'; ok: true }
  | { type: 'hello'; ok: false; err: string }
  | { type: 'sample'; request: SampleRequest }
  | { type: 'snapshot'; start: boolean }
  | { type: 'unknown'; keys: string[] };

/** Statuses the device sends, in the documented order (FACTS §6). */
export type DeviceStatus =
  | { sample: true }
  | { sample: false; error: string }
  | { sampleStarted: true }
  | { sampleProcessing: true }
  | { sampleReading: true; progressPercentage: number }
  | { sampleUploading: true }
  | { sampleFinished: true };

export function buildHello(o: HelloOptions): HelloMessage {
  return {
    hello: {
      version: 3,
      apiKey: o.apiKey,
      deviceId: o.deviceId,
      deviceType: o.deviceType,
      connection: o.connection ?? 'ip',
      sensors: o.sensors.map((s) => ({
        name: s.name,
        frequencies: [...s.frequencies],
        maxSampleLengthS: s.maxSampleLengthS,
      })),
      supportsSnapshotStreaming: o.supportsSnapshotStreaming ?? false,
    },
  };
}

/** Ingestion categories a sample request may target. */
export const SAMPLE_CATEGORIES = ['training', 'testing', 'anomaly', 'split'] as const;
export type SampleCategory = (typeof SAMPLE_CATEGORIES)[number];

/** `/api/<category>/data` → category, or null when the path is anything else. */
export function categoryFromPath(path: string): SampleCategory | null {
  const m = /^\/api\/([a-z]+)\/data$/.exec(path);
  if (!m) return null;
  return (SAMPLE_CATEGORIES as readonly string[]).includes(m[1]!) ? (m[1] as SampleCategory) : null;
}

/**
 * Parses one server frame. Malformed JSON or a malformed known message throws
 * `DeviceProtocolError` naming the field; unknown messages come back as `type: 'unknown'`
 * (newer servers add messages; ignoring them keeps old devices working).
 */
export function parseServerMessage(data: string | Uint8Array): ServerMessage {
  const text = typeof data === 'string' ? data : new TextDecoder('utf-8', { fatal: false }).decode(data);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new DeviceProtocolError('server message is not JSON', '$');
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DeviceProtocolError('server message is not a JSON object', '$');
  }
  const m = raw as Record<string, unknown>;
  if ('hello' in m) {
    if (m.hello === true) return { type: 'hello', ok: true };
    if (m.hello === false) {
      const err = typeof m.err === 'string' && m.err.length > 0 ? m.err : 'no reason given';
      return { type: 'hello', ok: false, err };
    }
    throw new DeviceProtocolError('hello must be true or false', 'hello');
  }
  if ('sample' in m) return { type: 'sample', request: parseSampleRequest(m.sample) };
  if ('startSnapshot' in m) return { type: 'snapshot', start: true };
  if ('stopSnapshot' in m) return { type: 'snapshot', start: false };
  return { type: 'unknown', keys: Object.keys(m) };
}

/** Checks a `sample` request's fields. @throws DeviceProtocolError naming `sample.<field>` */
export function parseSampleRequest(raw: unknown): SampleRequest {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new DeviceProtocolError('sample must be an object', 'sample');
  }
  const s = raw as Record<string, unknown>;
  const str = (k: string, allowEmpty: boolean): string => {
    const v = s[k];
    if (typeof v !== 'string' || (!allowEmpty && v.length === 0)) {
      throw new DeviceProtocolError(`sample.${k} must be a${allowEmpty ? '' : ' non-empty'} string`, `sample.${k}`);
    }
    return v;
  };
  const pos = (k: string): number => {
    const v = s[k];
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) {
      throw new DeviceProtocolError(`sample.${k} must be a positive number`, `sample.${k}`);
    }
    return v;
  };
  const req: SampleRequest = {
    label: str('label', false),
    length: pos('length'),
    path: str('path', false),
    hmacKey: s.hmacKey === undefined || s.hmacKey === null ? '' : str('hmacKey', true),
    interval: pos('interval'),
  };
  if (s.sensor !== undefined && s.sensor !== null) req.sensor = str('sensor', false);
  return req;
}

/** Serialises a device message. */
export function encodeMessage(msg: HelloMessage | DeviceStatus): string {
  return JSON.stringify(msg);
}
