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

export interface DeviceRecord {
  projectId: number;
  deviceId: string;
  deviceType: string;
  sensors: DeviceSensor[];
  connected: boolean;
  created: number;
  lastSeen: number;
  connections: number;
  events: DeviceEvent[];
}

/** Studio's device-list shape (the fields clients read). */
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
}

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

  /** A device said a valid hello. */
  connected(projectId: number, deviceId: string, deviceType: string, sensors: DeviceSensor[]): DeviceRecord {
    const k = this.key(projectId, deviceId);
    const now = Date.now();
    let d = this.devices.get(k);
    if (!d) {
      d = { projectId, deviceId, deviceType, sensors, connected: true, created: now, lastSeen: now, connections: 0, events: [] };
      this.devices.set(k, d);
      this.numericIds.set(k, this.nextNumericId++);
    }
    d.deviceType = deviceType;
    d.sensors = sensors;
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
    return {
      id: this.numericIds.get(this.key(d.projectId, d.deviceId)) ?? 0,
      deviceId: d.deviceId,
      name: d.deviceId,
      created: new Date(d.created).toISOString(),
      lastSeen: new Date(d.lastSeen).toISOString(),
      deviceType: d.deviceType,
      sensors: d.sensors,
      remote_mgmt_connected: d.connected,
      supportsSnapshotStreaming: false,
    };
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
