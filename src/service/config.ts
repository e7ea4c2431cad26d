/**
 * Projects and their keys. A config file (JSON, mode 0600) holds them; on first start it is
 * created with fresh random keys. API keys are matched in constant time: both sides are hashed
 * to 32 bytes first so neither length nor content leaks through timing.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { ServiceConfigError } from './errors.ts';

export interface ProjectConfig {
  id: number;
  name: string;
  apiKey: string;
  /** Absent when the project has no HMAC key (devkeys answers without one). */
  hmacKey?: string;
  /** P-256 public keys (hex SEC1) accepted for ES256 documents. */
  es256PublicKeys?: string[];
}

export interface ServiceConfig {
  version: 1;
  projects: ProjectConfig[];
}

/** Key-free view of a project, what route handlers get after authentication. */
export interface ResolvedProject {
  projectId: number;
  name: string;
  hmacKey: string | undefined;
  es256PublicKeys: string[];
}

export function newApiKey(): string {
  return 'ei_' + randomBytes(32).toString('hex');
}

export function newHmacKey(): string {
  return randomBytes(16).toString('hex');
}

/** A single-project config made from the given keys (random where absent). */
export function defaultConfig(keys: { apiKey?: string; hmacKey?: string; es256PublicKeys?: string[] } = {}): ServiceConfig {
  const p: ProjectConfig = { id: 1, name: 'Local project', apiKey: keys.apiKey ?? newApiKey(), hmacKey: keys.hmacKey ?? newHmacKey() };
  if (keys.es256PublicKeys) p.es256PublicKeys = keys.es256PublicKeys;
  return { version: 1, projects: [p] };
}

function check(cfg: unknown, file: string): ServiceConfig {
  const c = cfg as ServiceConfig;
  if (c?.version !== 1 || !Array.isArray(c.projects) || c.projects.length === 0) {
    throw new ServiceConfigError(`${file}: needs {version: 1, projects: [...]}`);
  }
  const ids = new Set<number>();
  c.projects.forEach((p, i) => {
    if (!Number.isInteger(p.id) || p.id <= 0 || ids.has(p.id)) throw new ServiceConfigError(`${file}: projects[${i}].id must be a unique positive integer`);
    ids.add(p.id);
    if (typeof p.apiKey !== 'string' || p.apiKey.length < 8) throw new ServiceConfigError(`${file}: projects[${i}].apiKey must be a string of 8+ chars`);
    if (p.hmacKey !== undefined && typeof p.hmacKey !== 'string') throw new ServiceConfigError(`${file}: projects[${i}].hmacKey must be a string`);
    if (typeof p.name !== 'string') p.name = `Project ${p.id}`;
  });
  return c;
}

/**
 * Loads `file`, or creates it (mode 0600, its directory 0700 when created here) with fresh random
 * keys. Keys given for one run (`serve --api-key/--hmac-key`) are never written: the file holds
 * only keys it generated itself, so a flag's secret never lands on disk.
 * @returns the config and whether it was just created (the only time keys may be shown).
 */
export function loadOrCreateConfig(file: string): { config: ServiceConfig; created: boolean } {
  if (existsSync(file)) {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new ServiceConfigError(`${file}: not readable JSON`, { cause: e });
    }
    const config = check(raw, file);
    // It holds keys: nobody but the owner may read it.
    try {
      if ((statSync(file).mode & 0o077) !== 0) chmodSync(file, 0o600);
    } catch {
      // not ours to change (read-only mount, other owner): keep running with it
    }
    return { config, created: false };
  }
  const config = defaultConfig();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { config, created: true };
}

function digest(s: string): Buffer {
  return createHash('sha256').update(s, 'utf8').digest();
}

/** Matches API keys to projects in constant time per project. */
export class KeyRing {
  private readonly entries: { digest: Buffer; project: ProjectConfig }[];

  constructor(readonly config: ServiceConfig) {
    this.entries = config.projects.map((p) => ({ digest: digest(p.apiKey), project: p }));
  }

  /** The project owning `apiKey`, or null. Every entry is compared, match or not. */
  resolve(apiKey: string | undefined): ResolvedProject | null {
    if (typeof apiKey !== 'string' || apiKey.length === 0 || apiKey.length > 1024) return null;
    const d = digest(apiKey);
    let found: ProjectConfig | null = null;
    for (const e of this.entries) if (timingSafeEqual(d, e.digest) && !found) found = e.project;
    return found ? toResolved(found) : null;
  }

  project(id: number): ResolvedProject | null {
    const p = this.config.projects.find((x) => x.id === id);
    return p ? toResolved(p) : null;
  }
}

function toResolved(p: ProjectConfig): ResolvedProject {
  return { projectId: p.id, name: p.name, hmacKey: p.hmacKey, es256PublicKeys: p.es256PublicKeys ?? [] };
}
