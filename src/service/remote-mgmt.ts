/**
 * The local service's remote-management side (FACTS §5, §6), so the whole Studio → device →
 * ingestion loop runs offline:
 *
 * - a WebSocket endpoint on `/` and `/remote-mgmt` of the service's HTTP server: checks the hello's
 *   apiKey, answers `{hello:true}` or `{hello:false, err}` (then closes), and tracks the device;
 * - `POST /v1/api/{projectId}/device/{deviceId}/start-sampling` `{label, lengthMs, category,
 *   intervalMs, sensor?}` → sends the device `{sample:{label, length, path, hmacKey, interval, sensor}}`
 *   with the project's HMAC key and path `/api/<category>/data`;
 * - `GET /v1/api/{projectId}/devices`, `GET /v1/api/{projectId}/device/{deviceId}` (Studio shapes);
 * - `GET /v1/api/{projectId}/devices/{deviceId}/events`: the ordered, redacted message log.
 *
 * Mounting (three lines, e.g. in the serve command):
 *   const rm = createRemoteManagement();
 *   const service = await startIngestionService({ ...opts, extraRoutes: rm.routes });
 *   attachRemoteManagement(service, rm);   // and `await rm.close()` before `service.close()`
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { cborX } from '../optional.ts';
import { WebSocketServer } from 'ws';
import type WebSocket from 'ws';
import { KeyRing } from './config.ts';
import { DeviceRegistry } from './devices.ts';
import type { IngestionService } from './index.ts';
import type { DeviceInferenceInfo, DeviceRecord, DeviceSensor } from './devices.ts';

/** What the service knows about the project an API key belongs to (no keys but the HMAC key). */
export interface RemoteMgmtProject {
  projectId: number;
  hmacKey?: string | undefined;
}

export interface RemoteMgmtContext {
  resolveApiKey(key: string): RemoteMgmtProject | null | undefined | Promise<RemoteMgmtProject | null | undefined>;
}

export interface RemoteMgmtOptions {
  /** Close a socket that has not said a valid hello within this (default 10 s). */
  helloTimeoutMs?: number;
  /** Largest WebSocket message accepted (default 1 MiB). */
  maxPayload?: number;
  /** WebSocket paths served (default `/` and `/remote-mgmt`). */
  paths?: string[];
  /** Leave upgrades on other paths to other 'upgrade' listeners (default: answer them 404). */
  shareUpgrades?: boolean;
}

export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse, ctx: RemoteMgmtContext) => boolean | Promise<boolean>;

export interface RemoteManagement {
  readonly registry: DeviceRegistry;
  /** The service's `extraRoutes` handler: true when it answered the request. */
  readonly routes: ExtraRoutes;
  /** Starts serving WebSocket upgrades on `server`, checking keys through `ctx`. */
  attach(server: Server, ctx: RemoteMgmtContext): void;
  /** Sends a sample request to a connected device. @returns false when it is not connected */
  requestSample(projectId: number, deviceId: string, sample: SampleOrder): boolean;
  /** Test hook: cuts a device's connection without a close handshake (a network drop). */
  dropConnection(projectId: number, deviceId: string): boolean;
  close(): Promise<void>;
}

export interface SampleOrder {
  label: string;
  lengthMs: number;
  intervalMs: number;
  category: string;
  sensor?: string;
  hmacKey: string;
}

const CATEGORIES = new Set(['training', 'testing', 'anomaly', 'split']);
const MAX_BODY = 64 * 1024;

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

/** Reads a JSON object body; answers 400/413 itself and resolves null when it did. */
async function readJsonObject(req: IncomingMessage, res: ServerResponse): Promise<Record<string, unknown> | null> {
  const text = await readBody(req);
  if (text === null) {
    sendJson(res, 413, { success: false, error: 'body too large' });
    return null;
  }
  try {
    const v: unknown = JSON.parse(text);
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error();
    return v as Record<string, unknown>;
  } catch {
    sendJson(res, 400, { success: false, error: 'body must be a JSON object' });
    return null;
  }
}

function readBody(req: IncomingMessage): Promise<string | null> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY) {
        resolve(null);
        req.destroy();
        return;
      }
      parts.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(parts).toString('utf8')));
    req.on('error', reject);
  });
}

function checkSensors(raw: unknown): DeviceSensor[] | null {
  if (!Array.isArray(raw)) return null;
  const out: DeviceSensor[] = [];
  for (const s of raw) {
    if (!s || typeof s !== 'object') return null;
    const { name, frequencies, maxSampleLengthS } = s as Record<string, unknown>;
    if (typeof name !== 'string' || !Array.isArray(frequencies) || !frequencies.every((f) => typeof f === 'number')) return null;
    if (typeof maxSampleLengthS !== 'number') return null;
    out.push({ name, frequencies: frequencies as number[], maxSampleLengthS });
  }
  return out;
}

/** Hello v4's mode fields; v3 hellos are ingestion devices. @returns the refusal text when bad */
function checkHelloV4(h: Record<string, unknown>): { mode: 'ingestion' | 'inference'; inferenceInfo?: DeviceInferenceInfo } | string {
  if (h.version === 3) return { mode: 'ingestion' };
  if (h.mode === 'ingestion') return { mode: 'ingestion' };
  if (h.mode !== 'inference') return 'hello.mode must be "ingestion" or "inference" (hello v4)';
  const i = h.inferenceInfo as Record<string, unknown> | undefined;
  if (!i || typeof i !== 'object' || typeof i.projectId !== 'number' || typeof i.projectName !== 'string' || typeof i.projectOwner !== 'string' || typeof i.deploymentVersion !== 'number') {
    return 'hello.inferenceInfo must be {projectId, projectOwner, projectName, deploymentVersion, modelType} (hello v4, inference)';
  }
  const info: DeviceInferenceInfo = { projectId: i.projectId, projectOwner: i.projectOwner, projectName: i.projectName, deploymentVersion: i.deploymentVersion };
  if (typeof i.modelType === 'string') info.modelType = i.modelType;
  return { mode: 'inference', inferenceInfo: info };
}

const DEVICE_ID = /^[A-Za-z0-9:._-]{1,64}$/;

/** Creates the remote-management part of the local service; see the module comment. */
export function createRemoteManagement(opts: RemoteMgmtOptions = {}): RemoteManagement {
  const registry = new DeviceRegistry();
  const paths = new Set(opts.paths ?? ['/', '/remote-mgmt']);
  const wss = new WebSocketServer({ noServer: true, maxPayload: opts.maxPayload ?? 1024 * 1024 });
  const sockets = new Map<DeviceRecord, WebSocket>();
  // FACTS §6: the hello's encoding (JSON text frame or CBOR binary frame) fixes the session's.
  const cborSessions = new WeakSet<WebSocket>();
  const encode = (ws: WebSocket, msg: unknown) => (cborSessions.has(ws) ? cborX('remote management over CBOR').encode(msg) : JSON.stringify(msg));
  let attached: { server: Server; onUpgrade: (req: IncomingMessage, socket: Duplex, head: Buffer) => void } | undefined;

  function send(d: DeviceRecord, ws: WebSocket, msg: Record<string, unknown>): void {
    ws.send(encode(ws, msg));
    registry.record(d, 'to-device', msg);
  }

  function onConnection(ws: WebSocket, ctx: RemoteMgmtContext): void {
    let device: DeviceRecord | undefined;
    let checking = false;
    const helloTimer = setTimeout(() => ws.terminate(), opts.helloTimeoutMs ?? 10_000);
    const refuse = (err: string) => {
      clearTimeout(helloTimer);
      ws.send(encode(ws, { hello: false, err }));
      ws.close(1008, 'hello refused');
    };
    ws.on('message', async (data, isBinary) => {
      let msg: Record<string, unknown>;
      try {
        const raw = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
        if (!device && !checking) {
          // A binary frame holding JSON text (`{`, never a CBOR map's first byte) is a JSON session.
          if (isBinary && raw[0] !== 0x7b) cborSessions.add(ws);
          else cborSessions.delete(ws);
        }
        const v: unknown = cborSessions.has(ws) ? cborX('remote management over CBOR').decode(raw) : JSON.parse(raw.toString('utf8'));
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error('not an object');
        msg = v as Record<string, unknown>;
      } catch {
        if (!device) refuse('expected a hello (JSON text or CBOR binary)');
        return;
      }
      if (!device) {
        // Nothing but the hello is expected until it is answered.
        if (checking) return;
        const h = msg.hello as Record<string, unknown> | undefined;
        if (!h || typeof h !== 'object') return refuse('expected a hello message first');
        // Version 3 (firmware, older CLIs) and 4 (edge-impulse-cli / -linux since 2023: `mode`, and
        // for inference `inferenceInfo` + `availableRecords`), from their MgmtInterfaceTypes.
        if (h.version !== 3 && h.version !== 4) return refuse('unsupported hello version (3 or 4)');
        const v4 = checkHelloV4(h);
        if (typeof v4 === 'string') return refuse(v4);
        if (typeof h.deviceId !== 'string' || !DEVICE_ID.test(h.deviceId)) return refuse('hello.deviceId is missing or invalid');
        if (typeof h.deviceType !== 'string' || h.deviceType.length === 0) return refuse('hello.deviceType is missing');
        const sensors = checkSensors(h.sensors);
        if (!sensors) return refuse('hello.sensors must be [{name, frequencies, maxSampleLengthS}]');
        checking = true;
        const project = typeof h.apiKey === 'string' ? await ctx.resolveApiKey(h.apiKey) : null;
        checking = false;
        if (!project) return refuse('Invalid API key');
        if (ws.readyState !== ws.OPEN) return;
        clearTimeout(helloTimer);
        const d = registry.connected(project.projectId, h.deviceId, h.deviceType, sensors, v4);
        // A device that reconnects before its old socket timed out replaces it.
        const old = sockets.get(d);
        sockets.set(d, ws);
        old?.terminate();
        device = d;
        registry.record(d, 'from-device', msg);
        // The CLIs print serverTimestamp (MgmtInterfaceHelloResponse).
        send(d, ws, { hello: true, serverTimestamp: Date.now() });
        return;
      }
      registry.record(device, 'from-device', msg);
    });
    ws.on('close', () => {
      clearTimeout(helloTimer);
      if (device && sockets.get(device) === ws) {
        sockets.delete(device);
        registry.disconnected(device);
      }
    });
    ws.on('error', () => {});
  }

  function requestSample(projectId: number, deviceId: string, s: SampleOrder): boolean {
    const d = registry.get(projectId, deviceId);
    const ws = d && sockets.get(d);
    if (!d || !ws || ws.readyState !== ws.OPEN) return false;
    const sample: Record<string, unknown> = {
      label: s.label,
      length: s.lengthMs,
      path: `/api/${s.category}/data`,
      hmacKey: s.hmacKey,
      interval: s.intervalMs,
    };
    if (s.sensor !== undefined) sample.sensor = s.sensor;
    send(d, ws, { sample });
    return true;
  }

  async function startSampling(
    req: IncomingMessage,
    res: ServerResponse,
    project: RemoteMgmtProject,
    deviceId: string,
  ): Promise<void> {
    const text = await readBody(req);
    if (text === null) return sendJson(res, 413, { success: false, error: 'body too large' });
    let b: Record<string, unknown>;
    try {
      const v: unknown = JSON.parse(text);
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error();
      b = v as Record<string, unknown>;
    } catch {
      return sendJson(res, 400, { success: false, error: 'body must be a JSON object' });
    }
    const bad = (field: string, want: string) => sendJson(res, 400, { success: false, error: `${field} must be ${want}` });
    if (typeof b.label !== 'string' || b.label.length === 0 || /[\r\n\0]/.test(b.label)) return bad('label', 'a non-empty string');
    if (typeof b.lengthMs !== 'number' || !(b.lengthMs > 0)) return bad('lengthMs', 'a positive number');
    if (typeof b.intervalMs !== 'number' || !(b.intervalMs > 0)) return bad('intervalMs', 'a positive number');
    const category = b.category === undefined ? 'training' : b.category;
    if (typeof category !== 'string' || !CATEGORIES.has(category)) return bad('category', 'training, testing, anomaly or split');
    if (b.sensor !== undefined && typeof b.sensor !== 'string') return bad('sensor', 'a string');
    const ok = requestSample(project.projectId, deviceId, {
      label: b.label,
      lengthMs: b.lengthMs,
      intervalMs: b.intervalMs,
      category,
      sensor: b.sensor as string | undefined,
      hmacKey: project.hmacKey ?? '',
    });
    if (!ok) return sendJson(res, 400, { success: false, error: `device ${deviceId} is not connected` });
    sendJson(res, 200, { success: true });
  }

  /** Route table: [method, pattern] → handler(projectId, deviceId?). */
  const table: Array<{ method: string; re: RegExp; run: (req: IncomingMessage, res: ServerResponse, p: RemoteMgmtProject, id: string | undefined, url: URL) => Promise<void> | void }> = [
    { method: 'POST', re: /^\/v1\/api\/(\d+)\/device\/([^/]+)\/start-sampling$/, run: (req, res, p, id) => startSampling(req, res, p, id!) },
    {
      method: 'GET',
      re: /^\/v1\/api\/(\d+)\/devices$/,
      run: (_req, res, p) => sendJson(res, 200, { success: true, devices: registry.list(p.projectId).map((d) => registry.toListEntry(d)) }),
    },
    {
      method: 'GET',
      re: /^\/v1\/api\/(\d+)\/devices?\/([^/]+)$/,
      run: (_req, res, p, id) => {
        const d = registry.get(p.projectId, id!);
        if (!d) sendJson(res, 404, { success: false, error: 'no such device' });
        else sendJson(res, 200, { success: true, device: registry.toListEntry(d) });
      },
    },
    {
      // Studio's client deletes with `/device/{id}` (DevicesApi.deleteDevice); `/devices/{id}` kept.
      method: 'DELETE',
      re: /^\/v1\/api\/(\d+)\/devices?\/([^/]+)$/,
      run: (_req, res, p, id) => {
        const d = registry.get(p.projectId, id!);
        if (!d) return sendJson(res, 404, { success: false, error: 'no such device' });
        sockets.get(d)?.close(1000, 'device deleted');
        registry.delete(p.projectId, id!);
        sendJson(res, 200, { success: true });
      },
    },
    {
      // DevicesApi.createDevice {deviceId, deviceType, ifNotExists}: the Linux runner calls it
      // right after its hello (checkName in edge-impulse-linux-cli's remote-mgmt-service.ts).
      method: 'POST',
      re: /^\/v1\/api\/(\d+)\/devices\/(create)$/,
      run: async (req, res, p) => {
        const b = await readJsonObject(req, res);
        if (!b) return;
        if (typeof b.deviceId !== 'string' || !DEVICE_ID.test(b.deviceId)) return sendJson(res, 400, { success: false, error: 'deviceId must be 1-64 of A-Z a-z 0-9 : . _ -' });
        if (typeof b.deviceType !== 'string' || b.deviceType.length === 0 || b.deviceType.length > 200) return sendJson(res, 400, { success: false, error: 'deviceType must be a non-empty string' });
        if (b.ifNotExists !== undefined && typeof b.ifNotExists !== 'boolean') return sendJson(res, 400, { success: false, error: 'ifNotExists must be a boolean' });
        const { created } = registry.create(p.projectId, b.deviceId, b.deviceType);
        if (!created && b.ifNotExists === false) return sendJson(res, 400, { success: false, error: `device ${b.deviceId} already exists` });
        sendJson(res, 200, { success: true });
      },
    },
    {
      method: 'POST',
      re: /^\/v1\/api\/(\d+)\/devices\/([^/]+)\/rename$/,
      run: async (req, res, p, id) => {
        const b = await readJsonObject(req, res);
        if (!b) return;
        if (typeof b.name !== 'string' || b.name.length === 0 || b.name.length > 200 || /[\u0000-\u001f\u007f]/.test(b.name)) {
          return sendJson(res, 400, { success: false, error: 'name must be a non-empty string without control characters' });
        }
        const d = registry.get(p.projectId, id!);
        if (!d) return sendJson(res, 404, { success: false, error: 'no such device' });
        d.name = b.name;
        sendJson(res, 200, { success: true });
      },
    },
    {
      method: 'GET',
      re: /^\/v1\/api\/(\d+)\/devices\/([^/]+)\/events$/,
      run: (_req, res, p, id, url) => {
        const d = registry.get(p.projectId, id!);
        const after = Number(url.searchParams.get('after') ?? 0) || 0;
        if (!d) sendJson(res, 404, { success: false, error: 'no such device' });
        else sendJson(res, 200, { success: true, events: d.events.filter((e) => e.seq > after) });
      },
    },
  ];

  const routes: ExtraRoutes = async (req, res, ctx) => {
    const url = new URL(req.url ?? '/', 'http://local');
    const matches = table.map((r) => ({ r, m: r.re.exec(url.pathname) })).filter((x) => x.m !== null);
    if (matches.length === 0) return false;
    const hit = matches.find((x) => x.r.method === req.method);
    if (!hit) {
      sendJson(res, 405, { success: false, error: `use ${matches.map((x) => x.r.method).join(' or ')}` });
      return true;
    }
    const key = req.headers['x-api-key'];
    const project = typeof key === 'string' ? await ctx.resolveApiKey(key) : null;
    if (!project) {
      sendJson(res, 401, { success: false, error: 'missing or invalid x-api-key' });
      return true;
    }
    if (project.projectId !== Number(hit.m![1])) {
      sendJson(res, 403, { success: false, error: 'this API key does not belong to that project' });
      return true;
    }
    let id: string | undefined;
    try {
      id = hit.m![2] === undefined ? undefined : decodeURIComponent(hit.m![2]);
    } catch {
      sendJson(res, 400, { success: false, error: 'bad device id' });
      return true;
    }
    await hit.r.run(req, res, project, id, url);
    return true;
  };

  return {
    registry,
    routes,
    requestSample,
    attach(server, ctx) {
      if (attached) throw new Error('remote management is already attached');
      const onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer) => {
        const path = new URL(req.url ?? '/', 'http://local').pathname;
        if (!paths.has(path)) {
          // Refuse rather than leave the socket hanging, unless another handler owns other paths.
          if (!opts.shareUpgrades) socket.end('HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n');
          return;
        }
        wss.handleUpgrade(req, socket, head, (ws) => onConnection(ws, ctx));
      };
      server.on('upgrade', onUpgrade);
      attached = { server, onUpgrade };
    },
    dropConnection(projectId, deviceId) {
      const d = registry.get(projectId, deviceId);
      const ws = d && sockets.get(d);
      if (!ws) return false;
      ws.terminate();
      return true;
    },
    async close() {
      if (attached) attached.server.off('upgrade', attached.onUpgrade);
      attached = undefined;
      for (const ws of wss.clients) ws.terminate();
      await new Promise<void>((r) => wss.close(() => r()));
    },
  };
}

/**
 * Serves `rm`'s WebSocket endpoint on a started service, checking hello keys against the
 * service's projects (constant-time, as its HTTP routes do). `rm.routes` must have been passed
 * as the service's `extraRoutes`.
 */
export function attachRemoteManagement(service: IngestionService, rm: RemoteManagement): RemoteManagement {
  const keys = new KeyRing(service.config);
  rm.attach(service.server, { resolveApiKey: (k) => keys.resolve(k) });
  return rm;
}
