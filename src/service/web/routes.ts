/**
 * The web pages of the local service: the page shell and its static parts (our own plain JS/CSS
 * and uPlot, from the package itself, so it works offline), plus the few JSON routes only the
 * pages need: the filtered sample list with counts, one sample with its plot summary, and a
 * server-sent event stream of new samples and device status messages.
 *
 * Every route under /web/api needs `x-api-key` like /v1 (the page sends the key from
 * sessionStorage in that header; it is never in a URL). Pages and assets need no key: they
 * hold no data.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import type { ExtraRouteContext } from '../index.ts';
import type { ResolvedProject } from '../config.ts';
import type { DeviceRegistry } from '../devices.ts';
import { sendJson } from '../http-util.ts';
import { sampleModel } from '../studio-model.ts';
import { samplePlot } from './sample-plot.ts';
import { startEventStream, type EventStreams } from './event-stream.ts';
import { listSamples } from './sample-list.ts';
import { PAGE_PATHS, notFoundPage, pageShell } from './shell.ts';

export interface WebPagesOptions {
  /** The remote-management device register (Devices page, sampling status). */
  devices?: DeviceRegistry;
  /** Most concurrent event streams (default 32); more are answered 503. */
  maxStreams?: number;
}

export interface WebPages {
  /** The service's `pages` hook: true when it answered the request. */
  routes(req: IncomingMessage, res: ServerResponse, ctx: ExtraRouteContext): Promise<boolean>;
  /** Ends open event streams. */
  close(): void;
}

const ASSET_DIR = join(fileURLToPath(new URL('.', import.meta.url)), 'assets');
const require = createRequire(import.meta.url);

/** name → [file, content type]. A fixed table: no request text becomes a path. */
const ASSETS: Record<string, [string, string]> = {
  'app.js': [join(ASSET_DIR, 'app.js'), 'text/javascript; charset=utf-8'],
  'dom.js': [join(ASSET_DIR, 'dom.js'), 'text/javascript; charset=utf-8'],
  'api.js': [join(ASSET_DIR, 'api.js'), 'text/javascript; charset=utf-8'],
  'samples.js': [join(ASSET_DIR, 'samples.js'), 'text/javascript; charset=utf-8'],
  'sample.js': [join(ASSET_DIR, 'sample.js'), 'text/javascript; charset=utf-8'],
  'plot.js': [join(ASSET_DIR, 'plot.js'), 'text/javascript; charset=utf-8'],
  'devices.js': [join(ASSET_DIR, 'devices.js'), 'text/javascript; charset=utf-8'],
  'live.js': [join(ASSET_DIR, 'live.js'), 'text/javascript; charset=utf-8'],
  'style.css': [join(ASSET_DIR, 'style.css'), 'text/css; charset=utf-8'],
  'uPlot.js': [require.resolve('uplot/dist/uPlot.iife.min.js'), 'text/javascript; charset=utf-8'],
  'uPlot.css': [require.resolve('uplot/dist/uPlot.min.css'), 'text/css; charset=utf-8'],
};

/** Scripts only from this origin; document text can never run even if it reached the markup. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' blob:; connect-src 'self'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

function sendPage(res: ServerResponse, status: number, html: string): void {
  const body = Buffer.from(html, 'utf8');
  res.writeHead(status, {
    'content-type': 'text/html; charset=utf-8',
    'content-length': body.length,
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  res.end(body);
}

const API = /^\/web\/api\/(\d{1,12})\/(samples|events)(?:\/(\d{1,15}))?$/;

export function createWebPages(opts: WebPagesOptions = {}): WebPages {
  const cache = new Map<string, Buffer>();
  const streams: EventStreams = new Set();

  async function asset(res: ServerResponse, name: string): Promise<void> {
    const entry = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
    if (!entry) return sendPage(res, 404, notFoundPage('No such file'));
    let body = cache.get(name);
    if (!body) {
      body = await readFile(entry[0]);
      cache.set(name, body);
    }
    res.writeHead(200, { 'content-type': entry[1], 'content-length': body.length, 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' });
    res.end(body);
  }

  async function api(req: IncomingMessage, res: ServerResponse, ctx: ExtraRouteContext, project: ResolvedProject, what: string, id: number | undefined, query: URLSearchParams): Promise<void> {
    const json = (status: number, v: unknown): void => sendJson(req, res, status, v, ctx.limits);
    if (req.method !== 'GET') {
      res.setHeader('Allow', 'GET');
      return json(405, { success: false, error: 'Method not allowed' });
    }
    if (what === 'events') {
      if (id !== undefined) return json(404, { success: false, error: 'Not found' });
      return startEventStream(req, res, { streams, max: opts.maxStreams ?? 32, store: ctx.store, devices: opts.devices, projectId: project.projectId, idleTimeoutMs: ctx.limits.idleTimeoutMs });
    }
    if (id === undefined) {
      const r = listSamples(ctx.store.list(project.projectId), query);
      if ('error' in r) return json(400, { success: false, error: r.error });
      return json(200, { success: true, ...r, samples: r.samples.map(sampleModel) });
    }
    const rec = ctx.store.get(project.projectId, id);
    if (!rec) return json(404, { success: false, error: `No sample with id ${id}` });
    const columns = Math.max(16, Math.min(4096, Math.floor(Number(query.get('columns') ?? 1000)) || 1000));
    let plot;
    try {
      plot = samplePlot(rec, await readFile(ctx.store.absolute(rec.path)), columns, ctx.limits);
    } catch (e) {
      plot = { kind: 'none', reason: `stored file does not decode: ${(e as Error).message}` };
    }
    json(200, {
      success: true,
      sample: { ...sampleModel(rec), protected: rec.info.protected ?? null, hasAttachment: rec.attachmentPath !== null, info: publicInfo(rec.info) },
      plot,
    });
  }

  return {
    async routes(req, res, ctx) {
      let url: URL;
      try {
        url = new URL(req.url ?? '/', 'http://localhost');
      } catch {
        return false;
      }
      const path = url.pathname;
      if (PAGE_PATHS.some((re) => re.test(path))) {
        if (req.method !== 'GET' && req.method !== 'HEAD') return false;
        sendPage(res, 200, pageShell());
        return true;
      }
      if (path.startsWith('/web/assets/')) {
        if (req.method !== 'GET' && req.method !== 'HEAD') return false;
        await asset(res, path.slice('/web/assets/'.length));
        return true;
      }
      const key = req.headers['x-api-key'];
      const apiKey = Array.isArray(key) ? key[0] : key;
      const m = API.exec(path);
      if (m) {
        const project = ctx.resolveApiKey(apiKey);
        if (!project) {
          sendJson(req, res, 401, { success: false, error: apiKey ? 'Invalid API key' : 'Missing x-api-key header' }, ctx.limits);
          return true;
        }
        if (Number(m[1]) !== project.projectId) {
          sendJson(req, res, 403, { success: false, error: 'This API key has no access to that project' }, ctx.limits);
          return true;
        }
        await api(req, res, ctx, project, m[2], m[3] === undefined ? undefined : Number(m[3]), url.searchParams);
        return true;
      }
      if (path.startsWith('/web/') || path.startsWith('/samples/')) {
        if (req.method !== 'GET') return false;
        sendPage(res, 404, notFoundPage(`Nothing here: ${path}`));
        return true;
      }
      return false;
    },
    close() {
      for (const s of streams) s.end();
      streams.clear();
    },
  };
}

/** Record facts the sample page shows (dimensions, WAV format, binary type); no paths. */
function publicInfo(info: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['width', 'height', 'attachmentType', 'binaryType', 'sampleRate', 'channels', 'bitsPerSample', 'audioFormat', 'timeSeries', 'frequencyHz']) {
    if (info[k] !== undefined) out[k] = info[k];
  }
  return out;
}
