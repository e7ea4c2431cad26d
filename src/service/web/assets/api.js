// Talks to the service. The API key is asked once, kept in sessionStorage (this tab only), sent
// only in the x-api-key header: never in a URL, never logged.
const KEY = 'ei-ingest.apiKey';
const PROJECT = 'ei-ingest.projectId';

export class AuthError extends Error {}
export class NotFoundError extends Error {}

export function getKey() {
  return sessionStorage.getItem(KEY);
}

export function forgetKey() {
  sessionStorage.removeItem(KEY);
  sessionStorage.removeItem(PROJECT);
}

async function errorText(res) {
  try {
    const j = await res.json();
    return j.error ?? res.statusText;
  } catch {
    return res.statusText;
  }
}

/** fetch with the key; AuthError on 401, NotFoundError on 404, Error with the service's text otherwise. */
export async function call(path, init = {}) {
  const key = getKey();
  if (!key) throw new AuthError('No API key yet');
  const res = await fetch(path, { ...init, headers: { ...(init.headers ?? {}), 'x-api-key': key } });
  if (res.status === 401) throw new AuthError(await errorText(res));
  if (res.status === 404) throw new NotFoundError(await errorText(res));
  if (!res.ok) throw new Error(`${res.status}: ${await errorText(res)}`);
  return res;
}

export async function getJson(path, init) {
  return (await call(path, init)).json();
}

/** Checks a key against the service and keeps it. @throws AuthError when refused */
export async function login(key) {
  const res = await fetch('/v1/api/projects', { headers: { 'x-api-key': key } });
  if (res.status === 401) throw new AuthError('The service refused this API key. Check the key and try again.');
  if (!res.ok) throw new Error(`The service answered ${res.status}`);
  const j = await res.json();
  sessionStorage.setItem(KEY, key);
  sessionStorage.setItem(PROJECT, String(j.projects[0].id));
}

export function projectId() {
  return sessionStorage.getItem(PROJECT);
}

/**
 * Reads the service's event stream (server-sent events over fetch, so the key stays in a
 * header). Calls onEvent(name, data) per event; reconnects after a drop until `signal` aborts.
 */
export function openEvents(onEvent, signal) {
  const run = async () => {
    while (!signal.aborted) {
      try {
        const res = await call(`/web/api/${projectId()}/events`, { signal });
        const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += value;
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            let name = 'message';
            let data = '';
            for (const line of block.split('\n')) {
              if (line.startsWith('event: ')) name = line.slice(7);
              else if (line.startsWith('data: ')) data += line.slice(6);
            }
            if (data) onEvent(name, JSON.parse(data));
          }
        }
      } catch (e) {
        if (signal.aborted) return;
        if (e instanceof AuthError) return onEvent('auth-error', { error: e.message });
      }
      onEvent('disconnected', {});
      await new Promise((r) => setTimeout(r, 2000));
    }
  };
  void run();
}
