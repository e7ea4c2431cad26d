/**
 * The Studio API subset under /v1 (FACTS §5) that the official clients call on our flows, in the
 * shapes of the generated clients' models (see studio-model.ts): project info, the key's project
 * list, development keys, and raw data (list, count, get, raw, image, wav, delete, edit label).
 * Every answer is JSON with `success`; errors are `{"success": false, "error": "…"}`.
 * An API key sees only its own project. Devices live in remote-mgmt.ts.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { sendBytes, sendJson } from './http-util.ts';
import { decodePayload, payloadHead, sendSampleWithPayload } from './sample-read.ts';
import { payloadModel, projectInfoModel, projectModel, sampleModel } from './studio-model.ts';
import { wavFromColumn } from './wav-write.ts';
import type { ResolvedProject } from './config.ts';
import type { SampleRecord, SampleStore } from './store.ts';
import type { ServiceLimits } from './limits.ts';

/** Lists a project's devices in the `Device` model (remote management's registry). */
export interface StudioDeviceSource {
  deviceModels(projectId: number): Record<string, unknown>[];
}

export interface StudioContext {
  store: SampleStore;
  limits: ServiceLimits;
  devices?: StudioDeviceSource;
}

const MAX_LABEL_BODY = 64 * 1024;

/** A client error with its HTTP status, answered as `{success:false, error}`. */
class StudioError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** Which stored categories a Studio category filter selects (RawDataFilterCategory + our `anomaly`). */
function categoryFilter(q: string | null): ((c: string) => boolean) | null {
  switch (q) {
    case null:
    case '':
    case 'all':
      return () => true;
    case 'training':
      return (c) => c === 'training';
    case 'testing':
      return (c) => c === 'testing' || c === 'anomaly'; // anomaly uploads are reported as testing
    case 'anomaly':
      return (c) => c === 'anomaly';
    case 'validation':
    case 'post-processing':
      return () => false; // the local service never holds these
    default:
      return null;
  }
}

/** `labels` is a JSON array of strings in the query (as the generated clients send it). */
function labelsFilter(q: string | null): Set<string> | null {
  if (q === null || q === '') return null;
  let v: unknown;
  try {
    v = JSON.parse(q);
  } catch {
    throw new StudioError(400, 'labels must be a JSON array of strings, e.g. ["a","b"]');
  }
  if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new StudioError(400, 'labels must be a JSON array of strings, e.g. ["a","b"]');
  return new Set(v as string[]);
}

function intParam(query: URLSearchParams, name: string, min: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return undefined;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) < min) throw new StudioError(400, `${name} must be an integer >= ${min}`);
  return Number(raw);
}

/** The raw-data filters the local service honours: category, labels, filename, signatureValidity. */
function filterSamples(store: SampleStore, projectId: number, query: URLSearchParams): SampleRecord[] {
  const cat = categoryFilter(query.get('category'));
  if (!cat) throw new StudioError(400, 'category must be training, testing, validation, post-processing, anomaly or all');
  const labels = labelsFilter(query.get('labels'));
  const filename = query.get('filename');
  const validity = query.get('signatureValidity');
  if (validity !== null && validity !== 'both' && validity !== 'valid' && validity !== 'invalid') throw new StudioError(400, 'signatureValidity must be both, valid or invalid');
  return store.list(projectId).filter((s) => {
    if (!cat(s.category)) return false;
    if (labels && !labels.has(s.label ?? '') && !(s.structuredLabels ?? []).some((l) => labels.has(l.label))) return false;
    if (filename && !s.filename.toLowerCase().includes(filename.toLowerCase())) return false;
    if (validity === 'valid' && s.signatureStatus !== 'valid') return false;
    if (validity === 'invalid' && s.signatureStatus === 'valid') return false;
    return true;
  });
}

function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_LABEL_BODY) over = true;
      else chunks.push(c);
    });
    req.on('end', () => {
      if (over) return reject(new StudioError(413, `body exceeds ${MAX_LABEL_BODY} bytes`));
      try {
        const v: unknown = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}');
        if (!v || typeof v !== 'object' || Array.isArray(v)) throw new Error();
        resolve(v as Record<string, unknown>);
      } catch {
        reject(new StudioError(400, 'body must be a JSON object'));
      }
    });
    req.on('error', () => reject(new StudioError(400, 'request aborted')));
  });
}

/**
 * Routes a /v1 request for an authenticated project. Returns false when no route matches.
 */
export async function handleStudio(req: IncomingMessage, res: ServerResponse, ctx: StudioContext, project: ResolvedProject, path: string, query: URLSearchParams): Promise<boolean> {
  const json = (status: number, v: unknown): void => sendJson(req, res, status, v, ctx.limits);
  try {
    return await route(req, res, ctx, project, path, query, json);
  } catch (e) {
    if (!(e instanceof StudioError)) throw e;
    json(e.status, { success: false, error: e.message });
    return true;
  }
}

async function route(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: StudioContext,
  project: ResolvedProject,
  path: string,
  query: URLSearchParams,
  json: (status: number, v: unknown) => void,
): Promise<boolean> {
  const method = req.method ?? 'GET';
  const only = (m: string): void => {
    if (method !== m) throw new StudioError(405, `Method not allowed (use ${m})`);
  };
  if (path === '/v1/api/projects') {
    only('GET');
    json(200, { success: true, projects: [projectModel(project)] });
    return true;
  }
  const m = /^\/v1\/api\/(\d{1,12})(?:\/(.+))?$/.exec(path);
  if (!m) return false;
  if (Number(m[1]) !== project.projectId) throw new StudioError(403, 'This API key has no access to that project');
  const rest = m[2];
  const { store } = ctx;
  if (rest === undefined) {
    only('GET');
    const devices = ctx.devices?.deviceModels(project.projectId) ?? [];
    json(200, projectInfoModel(project, store.list(project.projectId), devices));
    return true;
  }
  if (rest === 'devkeys/hmac') {
    only('GET');
    json(200, project.hmacKey !== undefined ? { success: true, hmacKey: project.hmacKey } : { success: true });
    return true;
  }
  if (rest === 'devkeys') {
    // ProjectsApi.listDevkeys: "if you authenticate with an API key then all keys will return
    // undefined" (edge-impulse-api 1.95.13); every request here is API-key authenticated.
    only('GET');
    json(200, { success: true });
    return true;
  }
  if (rest === 'raw-data' || rest === 'raw-data/count') {
    only('GET');
    let samples = filterSamples(store, project.projectId, query);
    if (rest === 'raw-data/count') {
      json(200, { success: true, count: samples.length });
      return true;
    }
    const total = samples.length;
    // Studio's default order is id-desc (newest first); `random` is answered in id-desc too.
    samples = samples.reverse();
    const offset = intParam(query, 'offset', 0) ?? 0;
    const limit = intParam(query, 'limit', 0);
    samples = samples.slice(offset, limit === undefined ? undefined : offset + limit);
    const exclude = query.get('excludeSensors') === 'true';
    json(200, {
      success: true,
      totalCount: total,
      samples: samples.map((s) => {
        const o = sampleModel(s);
        if (exclude) o.sensors = [];
        return o;
      }),
    });
    return true;
  }
  const att = /^raw-data\/(\d{1,15})\/attachments\/(\d{1,4})$/.exec(rest);
  if (att) {
    // A file sent for the sample in attachments.labels (local route: Studio's is not in the client).
    only('GET');
    const r = store.get(project.projectId, Number(att[1]));
    const list = (r?.info.attachments as { path: string; contentType: string }[] | undefined) ?? [];
    const a = list[Number(att[2])];
    if (!r || !a) throw new StudioError(404, `No attachment ${att[2]} on sample ${att[1]}`);
    sendBytes(req, res, a.contentType || 'application/octet-stream', await readFile(store.absolute(a.path)), ctx.limits);
    return true;
  }
  const s = /^raw-data\/(\d{1,15})(\/raw|\/attachment|\/image|\/wav|\/edit-label)?$/.exec(rest);
  if (!s) return false;
  const id = Number(s[1]);
  const sub = s[2];
  const rec = store.get(project.projectId, id);
  if (sub === undefined && method === 'DELETE') {
    if (!rec) throw new StudioError(404, `No sample with id ${id}`);
    await store.delete(project.projectId, id);
    json(200, { success: true });
    return true;
  }
  if (sub === '/edit-label') {
    only('POST');
    const body = await readJsonBody(req);
    if (!rec) throw new StudioError(404, `No sample with id ${id}`);
    if (body.label !== undefined && (typeof body.label !== 'string' || /[\u0000-\u001f\u007f]/.test(body.label) || body.label.length > 1000)) {
      throw new StudioError(400, 'label must be a string without control characters');
    }
    store.updateLabel(project.projectId, id, typeof body.label === 'string' && body.label !== '' ? body.label : null);
    json(200, { success: true });
    return true;
  }
  only('GET');
  if (!rec) throw new StudioError(404, `No sample with id ${id}`);
  if (sub === '/raw') {
    sendBytes(req, res, rec.contentType, await readFile(store.absolute(rec.path)), ctx.limits);
    return true;
  }
  if (sub === '/attachment' || sub === '/image') {
    // An image sample is its own image; a document's image is its attachment.
    if (sub === '/image' && (rec.kind === 'png' || rec.kind === 'jpg')) {
      sendBytes(req, res, rec.contentType, await readFile(store.absolute(rec.path)), ctx.limits);
      return true;
    }
    if (!rec.attachmentPath) throw new StudioError(404, sub === '/image' ? 'Sample is not an image' : 'Sample has no attachment');
    const type = rec.info.attachmentType === 'image/png' ? 'image/png' : 'image/jpeg';
    sendBytes(req, res, type, await readFile(store.absolute(rec.attachmentPath)), ctx.limits);
    return true;
  }
  if (sub === '/wav') {
    const bytes = await readFile(store.absolute(rec.path));
    if (rec.kind === 'wav') {
      sendBytes(req, res, 'audio/wav', bytes, ctx.limits);
      return true;
    }
    const axis = intParam(query, 'axisIx', 0);
    if (axis === undefined) throw new StudioError(400, 'axisIx is required');
    const payload = decodePayload(rec, bytes, ctx.limits);
    if (axis >= rec.sensors.length || !(rec.intervalMs && rec.intervalMs > 0)) throw new StudioError(400, `axisIx ${axis} is not an axis of this sample`);
    sendBytes(req, res, 'audio/wav', wavFromColumn(payload.values, axis, Math.round(1000 / rec.intervalMs)), ctx.limits);
    return true;
  }
  // limitPayloadValues: the first N rows (Studio downsamples; the local service truncates).
  const limitValues = intParam(query, 'limitPayloadValues', 1);
  const { values: _values, ...head } = payloadModel(rec, { ...payloadHead(rec), values: [] });
  // The payload's values are streamed from the stored file (bounded memory, issue 12).
  await sendSampleWithPayload(
    req,
    res,
    {
      success: true,
      sample: { ...sampleModel(rec), protected: rec.info.protected ?? null, hasAttachment: rec.attachmentPath !== null },
      payload: head,
      totalPayloadLength: rec.rowCount,
      datastreamPayloads: [],
    },
    rec,
    store.absolute(rec.path),
    ctx.limits,
    limitValues,
  );
  return true;
}
