/**
 * The local ingestion service: stands in for Edge Impulse's ingestion and Studio APIs (FACTS §4,
 * §5) so everything can be developed and tested offline.
 *
 * @example
 * const svc = await startIngestionService({ dataDir: '/tmp/ei', apiKey: 'ei_test', hmacKey: 'k' });
 * // POST `${svc.url}/api/training/data` with x-api-key: ei_test …
 * await svc.close();
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import { mkdirSync } from 'node:fs';
import { KeyRing, defaultConfig, loadOrCreateConfig, type ResolvedProject, type ServiceConfig } from './config.ts';
import { SampleStore } from './store.ts';
import { resolveLimits, type ServiceLimits } from './limits.ts';
import { handleIngest } from './ingest-routes.ts';
import { handleStudio, type StudioDeviceSource } from './studio-routes.ts';
import { sendJson, sendText } from './http-util.ts';
import { installAnswerGuards } from './answer-always.ts';
import { UploadGate, refuseBusy, watchBodyRate } from './upload-gate.ts';

/** What H7's remote-management routes (and other extensions) get from the service. */
export interface ExtraRouteContext {
  /** The project owning `apiKey` (constant-time match), without its API key; null if none. */
  resolveApiKey(apiKey: string | undefined): ResolvedProject | null;
  store: SampleStore;
  limits: ServiceLimits;
}

/** Return true when the request was handled; called after the built-in routes, before 404. */
export type ExtraRoutes = (req: IncomingMessage, res: ServerResponse, ctx: ExtraRouteContext) => boolean | Promise<boolean>;

export interface IngestionServiceOptions {
  /** 0 (default) picks a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Where samples, the index and (by default) nothing else live. */
  dataDir: string;
  /** Config file with projects and keys; created (0600) with random keys when absent. */
  configFile?: string;
  /** Sets the default (first) project's API key; random when neither this nor a config gives one. */
  apiKey?: string;
  /** Sets the default project's HMAC key. */
  hmacKey?: string;
  /** P-256 public keys (hex) accepted for ES256 documents of the default project. */
  es256PublicKeys?: string[];
  /** Full project list (instead of configFile / apiKey / hmacKey). */
  config?: ServiceConfig;
  /** Reject documents whose signature does not verify with 400 (default: accept and flag). */
  strictSignatures?: boolean;
  extraRoutes?: ExtraRoutes;
  /** Devices for project info (remote management's registry: `createRemoteManagement().registry`). */
  studioDevices?: StudioDeviceSource;
  /** The web pages (`createWebPages().routes` from ./web/routes.ts), tried before `extraRoutes`. */
  pages?: ExtraRoutes;
  /** PEM key and certificate: serve HTTPS. */
  tls?: { key: string | Buffer; cert: string | Buffer };
  limits?: Partial<ServiceLimits>;
  /** SQLite synchronous mode: 'full' (default) or 'normal'. */
  durability?: 'full' | 'normal';
  /** fsync sample files and directories before committing (default true). */
  fsync?: boolean;
}

export interface IngestionService {
  /** e.g. `http://127.0.0.1:4810` (https when tls is set). */
  url: string;
  port: number;
  host: string;
  server: Server;
  /** The default (first) project's id. */
  projectId: number;
  /** The default project's keys, for in-process callers (tests, demo); never logged. */
  apiKey: string;
  hmacKey: string | undefined;
  /** True when the config file was created by this start (its keys are new). */
  configCreated: boolean;
  config: ServiceConfig;
  store: SampleStore;
  limits: ServiceLimits;
  /** Uploads holding a slot of the in-flight caps right now. */
  readonly uploadsInFlight: number;
  /** Stops accepting, ends open connections, closes the index. Idempotent. */
  close(): Promise<void>;
}

function resolveConfig(opts: IngestionServiceOptions): { config: ServiceConfig; created: boolean } {
  if (opts.config) return { config: opts.config, created: false };
  let config: ServiceConfig;
  let created = false;
  if (opts.configFile) {
    ({ config, created } = loadOrCreateConfig(opts.configFile));
  } else {
    config = defaultConfig({ apiKey: opts.apiKey, hmacKey: opts.hmacKey });
  }
  // Flags override the default project's keys for this run (not written back).
  const p = { ...config.projects[0] };
  if (opts.apiKey !== undefined) p.apiKey = opts.apiKey;
  if (opts.hmacKey !== undefined) p.hmacKey = opts.hmacKey;
  if (opts.es256PublicKeys) p.es256PublicKeys = [...(p.es256PublicKeys ?? []), ...opts.es256PublicKeys];
  return { config: { ...config, projects: [p, ...config.projects.slice(1)] }, created };
}

const INGEST_ROUTE = /^\/api\/(training|testing|anomaly|split)\/(data|files)\/?$/;

/**
 * Starts the service.
 * @throws ServiceConfigError for an unreadable config, StorageError for an unusable data dir,
 *   and the listen error (e.g. EADDRINUSE).
 */
export async function startIngestionService(opts: IngestionServiceOptions): Promise<IngestionService> {
  const limits = resolveLimits(opts.limits);
  const { config, created } = resolveConfig(opts);
  const keys = new KeyRing(config);
  // A data directory made here holds samples and (by default) the config with keys: owner only.
  mkdirSync(opts.dataDir, { recursive: true, mode: 0o700 });
  const store = new SampleStore(opts.dataDir, { durability: opts.durability, fsync: opts.fsync });
  const strict = opts.strictSignatures ?? false;
  const gate = new UploadGate(limits);
  const extraCtx: ExtraRouteContext = { resolveApiKey: (k) => keys.resolve(k), store, limits };

  const handler = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://localhost');
    } catch {
      return sendText(req, res, 400, 'Bad request target', limits);
    }
    const path = url.pathname;
    const apiKeyHeader = req.headers['x-api-key'];
    const apiKey = Array.isArray(apiKeyHeader) ? apiKeyHeader[0] : apiKeyHeader;
    if (path.startsWith('/api/')) {
      // The key first: a wrong key is 401 whatever else is wrong with the request.
      const project = keys.resolve(apiKey);
      if (!project) return sendText(req, res, 401, apiKey ? 'Invalid API key' : 'Missing x-api-key header', limits);
      const m = INGEST_ROUTE.exec(path);
      if (!m) return sendText(req, res, 404, 'Not found', limits);
      if (req.method !== 'POST') {
        res.setHeader('Allow', 'POST');
        return sendText(req, res, 405, 'Method not allowed', limits);
      }
      const release = gate.admit(req.socket.remoteAddress ?? '');
      if (!release) return refuseBusy(req, res, limits);
      watchBodyRate(req, res, limits);
      try {
        return await handleIngest(req, res, { store, limits, strictSignatures: strict }, project, m[1], m[2] as 'data' | 'files');
      } finally {
        release();
      }
    }
    if (path.startsWith('/v1/')) {
      const project = keys.resolve(apiKey);
      if (project) {
        if (await handleStudio(req, res, { store, limits, devices: opts.studioDevices }, project, path, url.searchParams)) return;
      }
    }
    if (opts.pages && (await opts.pages(req, res, extraCtx))) return;
    if (opts.extraRoutes && (await opts.extraRoutes(req, res, extraCtx))) return;
    if (path.startsWith('/v1/') && !keys.resolve(apiKey)) {
      return sendJson(req, res, 401, { success: false, error: apiKey ? 'Invalid API key' : 'Missing x-api-key header' }, limits);
    }
    // Studio answers errors under /v1 as {success:false, error}.
    if (path.startsWith('/v1/')) return sendJson(req, res, 404, { success: false, error: 'Not found' }, limits);
    sendText(req, res, 404, 'Not found', limits);
  };

  const serverOpts = {
    maxHeaderSize: limits.maxHeaderBytes,
    headersTimeout: limits.headersTimeoutMs,
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    // How often node checks headers/request timeouts; tight so slowloris sockets go promptly.
    connectionsCheckingInterval: Math.max(50, Math.min(1000, Math.floor(limits.headersTimeoutMs / 4))),
  };
  const inFlight = new Set<Promise<void>>();
  const listener = (req: IncomingMessage, res: ServerResponse): void => {
    const p = handler(req, res)
      .catch(() => {
        if (!res.headersSent && (req.url ?? '').startsWith('/v1/')) sendJson(req, res, 500, { success: false, error: 'Internal server error' }, limits);
        else if (!res.headersSent) sendText(req, res, 500, 'Internal server error', limits);
        else res.destroy();
      })
      .finally(() => inFlight.delete(p));
    inFlight.add(p);
  };
  const server: Server = opts.tls
    ? (https.createServer({ ...serverOpts, key: opts.tls.key, cert: opts.tls.cert }, listener) as unknown as Server)
    : http.createServer(serverOpts, listener);
  server.timeout = limits.idleTimeoutMs;
  server.maxConnections = limits.maxConnections;
  // `Expect: 100-continue`: refuse a wrong key or an oversized body before the client sends it.
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0];
    const key = req.headers['x-api-key'];
    const declared = Number(req.headers['content-length'] ?? 0);
    const refuse = path.startsWith('/api/') && (!keys.resolve(Array.isArray(key) ? key[0] : key) || declared > limits.maxRequestBytes || (/\/data\/?$/.test(path) && declared > limits.maxFileBytes));
    if (refuse) res.setHeader('Connection', 'close'); // no 100 sent: the body never comes
    else res.writeContinue();
    listener(req, res);
  });
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  installAnswerGuards(server, limits);

  await new Promise<void>((resolve, reject) => {
    const onError = (e: Error): void => {
      store.close(); // release the data directory
      reject(e);
    };
    server.once('error', onError);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const addr = server.address() as AddressInfo;
  const host = opts.host ?? '127.0.0.1';
  const urlHost = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  const first = config.projects[0];
  return {
    url: `${opts.tls ? 'https' : 'http'}://${urlHost}:${addr.port}`,
    port: addr.port,
    host,
    server,
    projectId: first.id,
    apiKey: first.apiKey,
    hmacKey: first.hmacKey,
    configCreated: created,
    config,
    store,
    limits,
    get uploadsInFlight() {
      return gate.inFlight;
    },
    close() {
      closing ??= new Promise<void>((resolve) => {
        // Already closed by the caller (serve's graceful stop): 'close' may have fired, don't wait for it.
        if (server.listening) server.close(() => resolve());
        else resolve();
        server.closeIdleConnections?.();
        for (const s of sockets) s.destroy();
      }).then(async () => {
        // Handlers may still be committing (their sockets are gone): let them finish, bounded.
        let timer: NodeJS.Timeout | undefined;
        await Promise.race([Promise.allSettled([...inFlight]), new Promise((r) => (timer = setTimeout(r, 5000)))]);
        clearTimeout(timer);
        store.close();
      });
      return closing;
    },
  };
}

export type { ServiceConfig, ProjectConfig, ResolvedProject } from './config.ts';
export type { ServiceLimits } from './limits.ts';
export { DEFAULT_LIMITS } from './limits.ts';
export type { SampleRecord, SampleStore } from './store.ts';
