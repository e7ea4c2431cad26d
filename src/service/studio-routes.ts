/**
 * The Studio API subset under /v1 (FACTS §5) plus raw-data inspection, shaped as the Studio API
 * answers: JSON with `success`. An API key sees only its own project.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { sendBytes, sendJson } from './http-util.ts';
import { sendSampleWithPayload } from './sample-read.ts';
import type { ResolvedProject } from './config.ts';
import type { SampleRecord, SampleStore } from './store.ts';
import type { ServiceLimits } from './limits.ts';

export interface StudioContext {
  store: SampleStore;
  limits: ServiceLimits;
}

const CATEGORIES = new Set(['training', 'testing', 'anomaly']);

function signatureValid(r: SampleRecord): boolean | null {
  return r.signatureStatus === 'valid' ? true : r.signatureStatus === 'invalid' ? false : null;
}

/** The list entry shape of `GET /v1/api/{projectId}/raw-data`. */
export function sampleSummary(r: SampleRecord): Record<string, unknown> {
  return {
    id: r.id,
    filename: r.filename,
    category: r.category,
    label: r.label,
    signatureValid: signatureValid(r),
    signatureMethod: r.signatureAlg,
    signatureStatus: r.signatureStatus,
    sha256: r.sha256,
    deviceName: r.deviceName,
    deviceType: r.deviceType,
    intervalMs: r.intervalMs,
    frequency: r.intervalMs ? 1000 / r.intervalMs : null,
    sensors: r.sensors,
    valuesCount: r.rowCount,
    totalLengthMs: r.totalLengthMs,
    added: new Date(r.added).toISOString(),
    metadata: r.metadata,
    kind: r.kind,
    format: r.format,
    size: r.size,
    uploadSource: r.uploadSource,
    ...(r.structuredLabels ? { structuredLabels: r.structuredLabels } : {}),
    ...(r.info.boundingBoxes ? { boundingBoxes: r.info.boundingBoxes } : {}),
    ...(r.info.width !== undefined ? { width: r.info.width, height: r.info.height } : {}),
  };
}

/**
 * Routes a /v1 request for an authenticated project. Returns false when no route matches.
 */
export async function handleStudio(req: IncomingMessage, res: ServerResponse, ctx: StudioContext, project: ResolvedProject, path: string, query: URLSearchParams): Promise<boolean> {
  const json = (status: number, v: unknown): void => sendJson(req, res, status, v, ctx.limits);
  const method = req.method ?? 'GET';
  if (path === '/v1/api/projects') {
    if (method !== 'GET') return json(405, { success: false, error: 'Method not allowed' }), true;
    json(200, { success: true, projects: [{ id: project.projectId, name: project.name }] });
    return true;
  }
  const m = /^\/v1\/api\/(\d{1,12})\/(.+)$/.exec(path);
  if (!m) return false;
  if (Number(m[1]) !== project.projectId) {
    json(403, { success: false, error: 'This API key has no access to that project' });
    return true;
  }
  const rest = m[2];
  if (rest === 'devkeys/hmac' || rest === 'devkeys') {
    if (method !== 'GET') return json(405, { success: false, error: 'Method not allowed' }), true;
    json(200, project.hmacKey !== undefined ? { success: true, hmacKey: project.hmacKey } : { success: true });
    return true;
  }
  if (rest === 'raw-data') {
    if (method !== 'GET') return json(405, { success: false, error: 'Method not allowed' }), true;
    const category = query.get('category') ?? undefined;
    if (category !== undefined && !CATEGORIES.has(category)) {
      json(400, { success: false, error: 'category must be training, testing or anomaly' });
      return true;
    }
    let samples = ctx.store.list(project.projectId, category);
    const label = query.get('labels') ?? query.get('label');
    if (label) samples = samples.filter((s) => s.label === label);
    const total = samples.length;
    const offset = Math.max(0, Number(query.get('offset') ?? 0) || 0);
    const limit = query.get('limit') === null ? total : Math.max(0, Number(query.get('limit')) || 0);
    samples = samples.slice(offset, offset + limit);
    json(200, { success: true, totalCount: total, samples: samples.map(sampleSummary) });
    return true;
  }
  const s = /^raw-data\/(\d{1,15})(\/raw|\/attachment)?$/.exec(rest);
  if (!s) return false;
  const id = Number(s[1]);
  const rec = ctx.store.get(project.projectId, id);
  if (method === 'DELETE' && !s[2]) {
    if (!rec) return json(404, { success: false, error: `No sample with id ${id}` }), true;
    await ctx.store.delete(project.projectId, id);
    json(200, { success: true });
    return true;
  }
  if (method !== 'GET') return json(405, { success: false, error: 'Method not allowed' }), true;
  if (!rec) {
    json(404, { success: false, error: `No sample with id ${id}` });
    return true;
  }
  if (s[2] === '/raw') {
    sendBytes(req, res, rec.contentType, await readFile(ctx.store.absolute(rec.path)), ctx.limits);
    return true;
  }
  if (s[2] === '/attachment') {
    if (!rec.attachmentPath) return json(404, { success: false, error: 'Sample has no attachment' }), true;
    const type = rec.info.attachmentType === 'image/png' ? 'image/png' : 'image/jpeg';
    sendBytes(req, res, type, await readFile(ctx.store.absolute(rec.attachmentPath)), ctx.limits);
    return true;
  }
  // The payload's values are streamed from the stored file (bounded memory, issue 12).
  await sendSampleWithPayload(
    req,
    res,
    { success: true, sample: { ...sampleSummary(rec), protected: rec.info.protected ?? null, hasAttachment: rec.attachmentPath !== null } },
    rec,
    ctx.store.absolute(rec.path),
    ctx.limits,
  );
  return true;
}
