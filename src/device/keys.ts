/**
 * Studio key discovery (FACTS §5): an API key belongs to exactly one project, so
 * `GET /v1/api/projects` gives its id, and `GET /v1/api/{id}/devkeys/hmac` the project's HMAC key
 * (a project may have none). Keys never appear in errors or logs; `keyFingerprint` gives a short
 * stable handle a user can compare instead.
 */
import { createHash } from 'node:crypto';
import { EiError } from '../errors.ts';

/** Studio discovery failed; `status` is the HTTP status when there was one. */
export class KeysError extends EiError {
  readonly status: number | undefined;
  constructor(code: string, message: string, options?: { cause?: unknown; status?: number }) {
    super(code, message, options);
    this.status = options?.status;
  }
}

export interface DiscoverKeysOptions {
  apiKey: string;
  /** Studio base, with or without a trailing `/v1` (default `https://studio.edgeimpulse.com`). */
  studioUrl?: string;
  /** Per-request timeout (default 15 s). */
  timeoutMs?: number;
  /** Injected fetch for tests; defaults to the global one. */
  fetch?: typeof fetch;
}

export interface DiscoveredKeys {
  projectId: number;
  projectName: string | undefined;
  /** Null when the project has no HMAC key: uploads then go unsigned (alg none). */
  hmacKey: string | null;
}

/** `https://host[/v1]` → `https://host/v1` with no trailing slash. */
export function studioApiBase(studioUrl: string): string {
  let base = studioUrl.replace(/\/+$/, '');
  if (!/\/v1$/.test(base)) base += '/v1';
  return base;
}

/** First 8 hex chars of SHA-256 of the key: enough to tell keys apart, useless to an attacker. */
export function keyFingerprint(key: string): string {
  return 'sha256:' + createHash('sha256').update(key, 'utf8').digest('hex').slice(0, 8);
}

/**
 * Finds the project and HMAC key belonging to an API key.
 * @throws KeysError `EI_KEYS_UNAUTHORIZED` (401/403), `EI_KEYS_NO_PROJECT`, `EI_KEYS_HTTP`,
 *   `EI_KEYS_RESPONSE` (unexpected body), `EI_KEYS_NETWORK`
 * @example
 *   const { projectId, hmacKey } = await discoverKeys({ apiKey: process.env.EI_API_KEY! });
 */
export async function discoverKeys(opts: DiscoverKeysOptions): Promise<DiscoveredKeys> {
  const base = studioApiBase(opts.studioUrl ?? 'https://studio.edgeimpulse.com');
  const projects = await studioGet(opts, `${base}/api/projects`);
  const list = (projects as { projects?: unknown }).projects;
  if (!Array.isArray(list)) throw new KeysError('EI_KEYS_RESPONSE', 'Studio answered /api/projects without a projects list');
  if (list.length === 0) throw new KeysError('EI_KEYS_NO_PROJECT', 'this API key has no project');
  const first = list[0] as { id?: unknown; name?: unknown };
  if (typeof first.id !== 'number' || !Number.isSafeInteger(first.id)) {
    throw new KeysError('EI_KEYS_RESPONSE', 'Studio answered /api/projects with a project without a numeric id');
  }
  const projectId = first.id;
  const hmac = (await studioGet(opts, `${base}/api/${projectId}/devkeys/hmac`)) as { hmacKey?: unknown };
  const hmacKey = typeof hmac.hmacKey === 'string' && hmac.hmacKey.length > 0 ? hmac.hmacKey : null;
  return { projectId, projectName: typeof first.name === 'string' ? first.name : undefined, hmacKey };
}

async function studioGet(opts: DiscoverKeysOptions, url: string): Promise<unknown> {
  const f = opts.fetch ?? fetch;
  const path = new URL(url).pathname;
  let res: Response;
  try {
    res = await f(url, {
      headers: { 'x-api-key': opts.apiKey, accept: 'application/json' },
      signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
    });
  } catch (err) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED, ENOTFOUND, a timeout) is in the cause.
    const e = err as { message?: string; name?: string; cause?: { code?: string; message?: string } };
    const why = e.name === 'TimeoutError' ? 'timed out' : (e.cause?.code ?? e.cause?.message ?? e.message ?? String(err));
    throw new KeysError('EI_KEYS_NETWORK', `cannot reach Studio at ${new URL(url).origin}: ${why}`, {
      cause: err,
    });
  }
  const text = await res.text();
  if (res.status === 401 || res.status === 403) {
    throw new KeysError('EI_KEYS_UNAUTHORIZED', `Studio refused the API key (${res.status} on ${path})`, {
      status: res.status,
    });
  }
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new KeysError('EI_KEYS_HTTP', `Studio answered ${res.status} with a non-JSON body on ${path}`, {
      status: res.status,
    });
  }
  const b = body as { success?: unknown; error?: unknown };
  if (!res.ok || b.success === false) {
    const why = typeof b.error === 'string' ? `: ${b.error.split(opts.apiKey).join('***').slice(0, 200)}` : '';
    throw new KeysError('EI_KEYS_HTTP', `Studio answered ${res.status} on ${path}${why}`, { status: res.status });
  }
  return body;
}
