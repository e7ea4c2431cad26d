/**
 * The local service's register of remote-management devices: who is connected, what they
 * announced, and a bounded, ordered log of what each device and the service said to each other,
 * so tests (and `GET …/devices/{id}/events`) can check the status messages arrive in order.
 * Secrets (the hello's apiKey, the sample request's hmacKey) are redacted before logging.
 */
import { EventEmitter } from 'node:events';

export interface DeviceSensor {
  name: string;
  frequencies: number[];
  maxSampleLengthS: number;
}

export type DeviceEventKind = 'connected' | 'disconnected' | 'from-device' | 'to-device';

export interface DeviceEvent {
  /** Increasing per registry: total order across devices. */
  seq: number;
  at: number;
  kind: DeviceEventKind;
  /** The JSON message (redacted), absent for connected/disconnected. */
  message?: Record<string, unknown>;
}

/** What a hello v4 in inference mode says about the deployed model (MgmtInterfaceInferenceInfo). */
export interface DeviceInferenceInfo {
  projectId: number;
  projectOwner: string;
  projectName: string;
  deploymentVersion: number;
  modelType?: string;
}

export interface DeviceRecord {
  projectId: number;
  deviceId: string;
  /** Studio's display name (rename); the device id until renamed. */
  name: string;
  deviceType: string;
  /** Hello v4 `mode`; hello v3 devices are ingestion devices. */
  mode: 'ingestion' | 'inference';
  inferenceInfo?: DeviceInferenceInfo;
  sensors: DeviceSensor[];
  connected: boolean;
  created: number;
  lastSeen: number;
  connections: number;
  events: DeviceEvent[];
}

/** Studio's `Device` model (edge-impulse-api's device.d.ts). */
export interface DeviceListEntry {
  id: number;
  deviceId: string;
  name: string;
  created: string;
  lastSeen: string;
  deviceType: string;
  sensors: DeviceSensor[];
  remote_mgmt_connected: boolean;
  supportsSnapshotStreaming: boolean;
  remoteMgmtMode: 'disconnected' | 'ingestion' | 'inference';
  inferenceInfo?: { projectId: number; projectOwner: string; projectName: string; deployedVersion: number; modelType?: string };
}

/** The hello's model types → the Device model's enum (`object_detection` → `objectDetection`). */
const MODEL_TYPES: Record<string, string> = {
  classification: 'classification',
  object_detection: 'objectDetection',
  constrained_object_detection: 'constrainedObjectDetection',
};

const MAX_EVENTS = 1000;

/** Replaces secret fields anywhere one level deep (hello.apiKey, sample.hmacKey). */
export function redact(msg: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(msg)) {
    if (v !== null && typeof v === 'object' && !Array.isArray(v)) {
      const inner: Record<string, unknown> = { ...(v as Record<string, unknown>) };
      for (const s of ['apiKey', 'hmacKey']) if (typeof inner[s] === 'string') inner[s] = inner[s] === '' ? '' : '***';
      out[k] = inner;
    } else out[k] = v;
  }
  return out;
}

export class DeviceRegistry extends EventEmitter<{ event: [device: DeviceRecord, event: DeviceEvent] }> {
  private readonly devices = new Map<string, DeviceRecord>();
  private seq = 0;
  private nextNumericId = 1;
  private readonly numericIds = new Map<string, number>();

  private key(projectId: number, deviceId: string): string {
    return `${projectId}\u0000${deviceId}`;
  }

  get(projectId: number, deviceId: string): DeviceRecord | undefined {
    return this.devices.get(this.key(projectId, deviceId));
  }

  list(projectId: number): DeviceRecord[] {
    return [...this.devices.values()].filter((d) => d.projectId === projectId);
  }

  /** Studio's devices/create: registers a device that has not connected (yet). */
  create(projectId: number, deviceId: string, deviceType: string): { device: DeviceRecord; created: boolean } {
    const existing = this.get(projectId, deviceId);
    if (existing) return { device: existing, created: false };
    const k = this.key(projectId, deviceId);
    const now = Date.now();
    const d: DeviceRecord = { projectId, deviceId, name: deviceId, deviceType, mode: 'ingestion', sensors: [], connected: false, created: now, lastSeen: now, connections: 0, events: [] };
    this.devices.set(k, d);
    this.numericIds.set(k, this.nextNumericId++);
    return { device: d, created: true };
  }

  /** A device said a valid hello. */
  connected(
    projectId: number,
    deviceId: string,
    deviceType: string,
    sensors: DeviceSensor[],
    extra: { mode?: 'ingestion' | 'inference'; inferenceInfo?: DeviceInferenceInfo } = {},
  ): DeviceRecord {
    const d = this.create(projectId, deviceId, deviceType).device;
    d.deviceType = deviceType;
    d.sensors = sensors;
    d.mode = extra.mode ?? 'ingestion';
    d.inferenceInfo = extra.inferenceInfo;
    d.connected = true;
    d.connections++;
    this.record(d, 'connected');
    return d;
  }

  /** Forgets a device (Studio's delete); its log goes with it. */
  delete(projectId: number, deviceId: string): boolean {
    return this.devices.delete(this.key(projectId, deviceId));
  }

  disconnected(d: DeviceRecord): void {
    d.connected = false;
    this.record(d, 'disconnected');
  }

  record(d: DeviceRecord, kind: DeviceEventKind, message?: Record<string, unknown>): DeviceEvent {
    const ev: DeviceEvent = { seq: ++this.seq, at: Date.now(), kind };
    if (message) ev.message = redact(message);
    d.lastSeen = ev.at;
    d.events.push(ev);
    if (d.events.length > MAX_EVENTS) d.events.splice(0, d.events.length - MAX_EVENTS);
    this.emit('event', d, ev);
    return ev;
  }

  toListEntry(d: DeviceRecord): DeviceListEntry {
    const entry: DeviceListEntry = {
      id: this.numericIds.get(this.key(d.projectId, d.deviceId)) ?? 0,
      deviceId: d.deviceId,
      name: d.name,
      created: new Date(d.created).toISOString(),
      lastSeen: new Date(d.lastSeen).toISOString(),
      deviceType: d.deviceType,
      sensors: d.sensors,
      remote_mgmt_connected: d.connected,
      supportsSnapshotStreaming: false,
      remoteMgmtMode: d.connected ? d.mode : 'disconnected',
    };
    const i = d.inferenceInfo;
    if (i) {
      entry.inferenceInfo = { projectId: i.projectId, projectOwner: i.projectOwner, projectName: i.projectName, deployedVersion: i.deploymentVersion };
      if (i.modelType && MODEL_TYPES[i.modelType]) entry.inferenceInfo.modelType = MODEL_TYPES[i.modelType];
    }
    return entry;
  }

  /** A project's devices in the `Device` model, in creation order (project info, devices list). */
  deviceModels(projectId: number): Record<string, unknown>[] {
    return this.list(projectId).map((d) => this.toListEntry(d) as unknown as Record<string, unknown>);
  }

  /**
   * Resolves with the first event (already logged after `afterSeq`, or future) that matches.
   * @throws Error after `timeoutMs`, listing the device's last events
   */
  waitFor(
    projectId: number,
    deviceId: string,
    match: (ev: DeviceEvent) => boolean,
    opts: { afterSeq?: number; timeoutMs?: number } = {},
  ): Promise<DeviceEvent> {
    const after = opts.afterSeq ?? 0;
    const past = this.get(projectId, deviceId)?.events.find((e) => e.seq > after && match(e));
    if (past) return Promise.resolve(past);
    return new Promise((resolve, reject) => {
      const onEvent = (d: DeviceRecord, ev: DeviceEvent) => {
        if (d.projectId !== projectId || d.deviceId !== deviceId || ev.seq <= after || !match(ev)) return;
        clearTimeout(timer);
        this.off('event', onEvent);
        resolve(ev);
      };
      const timer = setTimeout(() => {
        this.off('event', onEvent);
        const tail = (this.get(projectId, deviceId)?.events ?? []).slice(-10).map((e) => `${e.kind} ${JSON.stringify(e.message ?? {})}`);
        reject(new Error(`timed out waiting for a device event from ${deviceId}; last: ${tail.join(' | ')}`));
      }, opts.timeoutMs ?? 20_000);
      this.on('event', onEvent);
    });
  }
}
