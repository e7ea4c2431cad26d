/**
 * Minimal /v1 routes the pages use that the Studio routes may not serve yet: edit-label and
 * raw-data/count. They answer only after `handleStudio` passed on the request, so the Studio
 * routes' own versions take over as soon as they exist.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ExtraRouteContext } from '../index.ts';
import type { ResolvedProject } from '../config.ts';
import { sendJson } from '../http-util.ts';

const MAX_BODY = 16 * 1024;

async function readJson(req: IncomingMessage): Promise<unknown> {
  const parts: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new Error('body too large');
    parts.push(c);
  }
  return JSON.parse(Buffer.concat(parts).toString('utf8'));
}

export async function handleStudioFallback(req: IncomingMessage, res: ServerResponse, ctx: ExtraRouteContext, project: ResolvedProject, path: string, query: URLSearchParams): Promise<boolean> {
  const json = (status: number, v: unknown): void => sendJson(req, res, status, v, ctx.limits);
  const m = /^\/v1\/api\/(\d{1,12})\/raw-data\/(?:(count)|(\d{1,15})\/edit-label)$/.exec(path);
  if (!m || Number(m[1]) !== project.projectId) return false;
  if (m[2]) {
    if (req.method !== 'GET') return false;
    const category = query.get('category') || undefined;
    json(200, { success: true, count: ctx.store.list(project.projectId, category).length });
    return true;
  }
  if (req.method !== 'POST') return false;
  const id = Number(m[3]);
  let body: unknown;
  try {
    body = await readJson(req);
  } catch {
    json(400, { success: false, error: 'body must be a JSON object {label} of at most 16 KiB' });
    return true;
  }
  const label = (body as { label?: unknown } | null)?.label;
  if (typeof label !== 'string' || label.length === 0 || label.length > 1024 || /[\u0000-\u001f\u007f]/.test(label)) {
    json(400, { success: false, error: 'label must be a non-empty string without control characters' });
    return true;
  }
  const rec = ctx.store.relabel(project.projectId, id, label);
  if (!rec) json(404, { success: false, error: `No sample with id ${id}` });
  else json(200, { success: true });
  return true;
}
