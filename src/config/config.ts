/**
 * The user's ei-ingest config file: the keys found by `keys --save` and the endpoints to use, read
 * by the other commands (device, upload, gateway) so keys need not be typed on every command line.
 * The file holds secrets, so it is written with mode 0600 (directory 0700) via a temp file and a
 * rename: a crash never leaves a half-written config.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, chmodSync, openSync, fsyncSync, closeSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { EiError } from '../errors.ts';

/** Where the services live; absent fields mean the public Edge Impulse hosts. */
export interface EndpointsConfig {
  /** Ingestion API base, e.g. `https://ingestion.edgeimpulse.com`. */
  ingestion?: string;
  /** Studio API base without `/v1`, e.g. `https://studio.edgeimpulse.com`. */
  studio?: string;
  /** Remote-management WebSocket URL, e.g. `wss://remote-mgmt.edgeimpulse.com`. */
  remoteMgmt?: string;
}

/** Contents of the config file. Every field is optional: commands fill gaps from flags/env. */
export interface EiConfig {
  apiKey?: string;
  /** Null when the project has no HMAC key (reported by `keys`). */
  hmacKey?: string | null;
  projectId?: number;
  endpoints?: EndpointsConfig;
}

/** Public defaults (FACTS §4, §5, §6). */
export const DEFAULT_ENDPOINTS: Required<EndpointsConfig> = {
  ingestion: 'https://ingestion.edgeimpulse.com',
  studio: 'https://studio.edgeimpulse.com',
  remoteMgmt: 'wss://remote-mgmt.edgeimpulse.com',
};

/** The config file could not be read, parsed or written. */
export class ConfigError extends EiError {
  readonly path: string;
  constructor(code: string, message: string, path: string, options?: { cause?: unknown }) {
    super(code, message, options);
    this.path = path;
  }
}

/** `$EI_INGEST_CONFIG_DIR`, else `$XDG_CONFIG_HOME/ei-ingest`, else `~/.config/ei-ingest`. */
export function configDir(): string {
  const env = process.env.EI_INGEST_CONFIG_DIR;
  if (env) return env;
  const xdg = process.env.XDG_CONFIG_HOME;
  return join(xdg && xdg.length > 0 ? xdg : join(homedir(), '.config'), 'ei-ingest');
}

/** `$EI_INGEST_CONFIG`, else `<configDir()>/config.json`. */
export function defaultConfigPath(): string {
  return process.env.EI_INGEST_CONFIG || join(configDir(), 'config.json');
}

/**
 * Reads the config file. A missing file is an empty config; a file that is not a JSON object, or
 * whose fields have the wrong types, is an error naming the field (never its value).
 * @throws ConfigError `EI_CONFIG_PARSE`, `EI_CONFIG_FIELD`, `EI_CONFIG_READ`
 */
export function loadConfig(path: string = defaultConfigPath()): EiConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new ConfigError('EI_CONFIG_READ', `cannot read config file ${path}`, path, { cause: err });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new ConfigError('EI_CONFIG_PARSE', `config file ${path} is not valid JSON`, path, { cause: err });
  }
  return validateConfig(raw, path);
}

function validateConfig(raw: unknown, path: string): EiConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ConfigError('EI_CONFIG_PARSE', `config file ${path} must hold a JSON object`, path);
  }
  const r = raw as Record<string, unknown>;
  const bad = (field: string, want: string) =>
    new ConfigError('EI_CONFIG_FIELD', `config file ${path}: ${field} must be ${want}`, path);
  const out: EiConfig = {};
  if (r.apiKey !== undefined) {
    if (typeof r.apiKey !== 'string') throw bad('apiKey', 'a string');
    out.apiKey = r.apiKey;
  }
  if (r.hmacKey !== undefined) {
    if (typeof r.hmacKey !== 'string' && r.hmacKey !== null) throw bad('hmacKey', 'a string or null');
    out.hmacKey = r.hmacKey;
  }
  if (r.projectId !== undefined) {
    if (typeof r.projectId !== 'number' || !Number.isSafeInteger(r.projectId)) throw bad('projectId', 'an integer');
    out.projectId = r.projectId;
  }
  if (r.endpoints !== undefined) {
    if (r.endpoints === null || typeof r.endpoints !== 'object' || Array.isArray(r.endpoints)) {
      throw bad('endpoints', 'an object');
    }
    const e = r.endpoints as Record<string, unknown>;
    out.endpoints = {};
    for (const k of ['ingestion', 'studio', 'remoteMgmt'] as const) {
      if (e[k] === undefined) continue;
      if (typeof e[k] !== 'string') throw bad(`endpoints.${k}`, 'a URL string');
      out.endpoints[k] = e[k];
    }
  }
  return out;
}

/**
 * Writes the config (replacing the file) with mode 0600 in a 0700 directory: temp file, fsync,
 * rename. The mode is set explicitly, so a permissive umask or an older file cannot widen it.
 * @throws ConfigError `EI_CONFIG_WRITE`
 */
export function saveConfig(config: EiConfig, path: string = defaultConfigPath()): void {
  const tmp = `${path}.${process.pid}.tmp`;
  try {
    mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
    writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    const fd = openSync(tmp, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, path);
  } catch (err) {
    throw new ConfigError('EI_CONFIG_WRITE', `cannot write config file ${path}`, path, { cause: err });
  }
}

/** Merges `patch` over the file's current contents (endpoints merged field by field) and saves. */
export function updateConfig(patch: EiConfig, path: string = defaultConfigPath()): EiConfig {
  const cur = loadConfig(path);
  const next: EiConfig = { ...cur, ...patch };
  if (cur.endpoints || patch.endpoints) next.endpoints = { ...cur.endpoints, ...patch.endpoints };
  saveConfig(next, path);
  return next;
}
