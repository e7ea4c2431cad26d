/**
 * `POST /api/{training|testing|anomaly|split}/{data|files}` (FACTS §4). The key has already been
 * checked by the router. Bodies are spooled under the limits, then handed to the pipeline; the
 * answer is text/plain for /data and the JSON shape for /files.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { BadRequestError, ServiceRequestError } from './errors.ts';
import { parseIngestHeaders, type IngestHeaders } from './headers.ts';
import { readMultipart, type Part } from './multipart.ts';
import { SpooledBody } from './spooled-body.ts';
import { ingestFiles, type FileResult, type IncomingFile } from './ingest.ts';
import { LABEL_FILE_NAMES, parseBoundingBoxesHeader, parseLabelFile, type BoundingBox, type FileLabelInfo, type LabelFileName } from './labels.ts';
import { closeAfter, sendJson, sendText } from './http-util.ts';
import type { ResolvedProject } from './config.ts';
import type { SampleStore } from './store.ts';
import type { ServiceLimits } from './limits.ts';

export interface IngestRouteContext {
  store: SampleStore;
  limits: ServiceLimits;
  strictSignatures: boolean;
}

const LABEL_NAMES = new Set<string>(LABEL_FILE_NAMES);

function isMultipart(req: IncomingMessage): boolean {
  return /^multipart\/form-data\b/i.test(req.headers['content-type'] ?? '');
}

/** Reads a single (non-multipart) body into a SpooledBody under the file limit. */
async function readSingleBody(req: IncomingMessage, ctx: IngestRouteContext): Promise<SpooledBody> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > ctx.limits.maxFileBytes) {
    throw new BadRequestError('EI_SVC_TOO_LARGE', `body of ${declared} bytes exceeds the limit of ${ctx.limits.maxFileBytes} bytes`, 'content-length');
  }
  const body = new SpooledBody(ctx.store.tmpDir, ctx.limits.maxFileBytes, 'body');
  // Events rather than for-await: leaving a for-await early destroys the request (and socket)
  // before the 400 is out. On failure the rest of the body is discarded, not read into memory.
  return new Promise<SpooledBody>((resolve, reject) => {
    let failed = false;
    let writing: Promise<void> = Promise.resolve();
    const fail = (e: unknown): void => {
      if (failed) return;
      failed = true;
      req.off('data', onData);
      req.on('data', () => {});
      req.resume();
      void body.discard().then(() => reject(e));
    };
    const onData = (chunk: Buffer): void => {
      req.pause();
      writing = body.write(chunk).then(
        () => {
          if (!failed) req.resume();
        },
        (e) => fail(e),
      );
    };
    req.on('data', onData);
    req.once('end', () => {
      void writing.then(async () => {
        if (failed) return;
        await body.finish();
        resolve(body);
      }, fail);
    });
    req.once('close', () => {
      if (!req.complete) fail(new BadRequestError('EI_SVC_ABORTED', 'request aborted'));
    });
    req.once('error', () => fail(new BadRequestError('EI_SVC_ABORTED', 'request aborted')));
  });
}

async function discardAll(parts: Part[]): Promise<void> {
  await Promise.all(parts.map((p) => p.body.discard()));
}

async function labelsFrom(parts: Part[]): Promise<Map<string, FileLabelInfo>> {
  const merged = new Map<string, FileLabelInfo>();
  for (const p of parts) {
    const which = labelKind(p)!;
    for (const [file, info] of parseLabelFile(which, await p.body.bytes())) {
      merged.set(file, { ...(merged.get(file) ?? {}), ...info });
    }
  }
  return merged;
}

/**
 * Which label file a part is: the official uploader and the Python SDK send label files as parts
 * named `data` with the label file's name as file name (edge-impulse-cli cli-common/make-image.ts,
 * python-sdk edgeimpulse/data/_functions/upload.py); a part named after the label file is taken too.
 */
function labelKind(p: Part): LabelFileName | undefined {
  if (p.fileName !== undefined && LABEL_NAMES.has(p.fileName)) return p.fileName as LabelFileName;
  if (LABEL_NAMES.has(p.name)) return p.name as LabelFileName;
  return undefined;
}

function isLabelPart(p: Part): boolean {
  return labelKind(p) !== undefined;
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** x-bounding-boxes applies to every file of the request that no label file gives boxes. */
function withHeaderBoxes(labels: Map<string, FileLabelInfo>, files: { fileName: string }[], boxes: BoundingBox[] | undefined): void {
  if (!boxes) return;
  for (const f of files) {
    const li = labels.get(f.fileName) ?? {};
    if (!li.boundingBoxes) labels.set(f.fileName, { ...li, boundingBoxes: boxes });
  }
}

/** Handles one ingestion request; never throws (errors become responses). */
export async function handleIngest(
  req: IncomingMessage,
  res: ServerResponse,
  ctx: IngestRouteContext,
  project: ResolvedProject,
  category: string,
  kind: 'data' | 'files',
): Promise<void> {
  let headers: IngestHeaders;
  const jsonError = (status: number, error: string): void =>
    sendJson(req, res, status, { success: false, error, files: [] }, ctx.limits);
  try {
    headers = parseIngestHeaders(req.headers, kind === 'data');
  } catch (e) {
    const err = e as ServiceRequestError;
    if (kind === 'files') jsonError(err.status, err.message);
    else sendText(req, res, err.status, err.message, ctx.limits);
    return;
  }
  let headerBoxes: BoundingBox[] | undefined;
  try {
    const hb = headerValue(req, 'x-bounding-boxes');
    if (hb !== undefined) headerBoxes = parseBoundingBoxesHeader(hb);
  } catch (e) {
    const err = e as ServiceRequestError;
    closeAfter(res);
    if (kind === 'files') jsonError(err.status, err.message);
    else sendText(req, res, err.status, err.message, ctx.limits);
    return;
  }
  const deviceType = headerValue(req, 'x-device-type');
  const pctx = {
    store: ctx.store,
    project,
    category,
    headers,
    limits: ctx.limits,
    strictSignatures: ctx.strictSignatures,
    deviceType: deviceType && deviceType.length <= 200 && !/[\u0000-\u001f\u007f]/.test(deviceType) ? deviceType : undefined,
  };

  if (kind === 'data') {
    let file: IncomingFile;
    try {
      if (isMultipart(req)) {
        // Image attachment: the document part first, the image second (FACTS §1).
        const parts = await readMultipart(req, {
          limits: ctx.limits,
          tmpDir: ctx.store.tmpDir,
          limitFor: () => ctx.limits.maxFileBytes,
          onPart: (_n, i) => {
            if (i >= 2) throw new BadRequestError('EI_SVC_MULTIPART', 'an attachment request has exactly two parts (document, image)');
          },
        });
        if (parts.length !== 2) {
          await discardAll(parts);
          throw new BadRequestError('EI_SVC_MULTIPART', 'an attachment request has exactly two parts (document, image)');
        }
        file = { fileName: headers.fileName!, contentType: parts[0].contentType, body: parts[0].body, attachment: parts[1].body };
      } else {
        file = { fileName: headers.fileName!, contentType: req.headers['content-type'] ?? '', body: await readSingleBody(req, ctx) };
      }
    } catch (e) {
      closeAfter(res);
      const err = e instanceof ServiceRequestError ? e : new BadRequestError('EI_SVC_BODY', 'request body could not be read');
      sendText(req, res, err.status, err.message, ctx.limits);
      return;
    }
    const single = new Map<string, FileLabelInfo>();
    withHeaderBoxes(single, [file], headerBoxes);
    const [r] = await ingestFiles(pctx, [file], single, { atomicLabels: headerBoxes !== undefined });
    if (r.duplicate) res.setHeader('x-duplicate', '1');
    sendText(req, res, r.status, r.success ? r.fileName : (r.error ?? 'error'), ctx.limits);
    return;
  }

  if (!isMultipart(req)) {
    jsonError(400, 'Content-Type must be multipart/form-data with the files as parts named "data"');
    return;
  }
  let parts: Part[];
  let dataCount = 0;
  try {
    parts = await readMultipart(req, {
      limits: ctx.limits,
      tmpDir: ctx.store.tmpDir,
      limitFor: (name) => (LABEL_NAMES.has(name) ? ctx.limits.maxLabelFileBytes : ctx.limits.maxFileBytes),
      onPart: (name) => {
        if (name === 'data' && ++dataCount > ctx.limits.maxFiles) {
          throw new BadRequestError('EI_SVC_TOO_MANY_FILES', `more than ${ctx.limits.maxFiles} files in one request`);
        }
      },
    });
  } catch (e) {
    closeAfter(res);
    const err = e instanceof ServiceRequestError ? e : new BadRequestError('EI_SVC_BODY', 'request body could not be read');
    jsonError(err.status, err.message);
    return;
  }
  const labelParts = parts.filter(isLabelPart);
  const dataParts = parts.filter((p) => p.name === 'data' && !isLabelPart(p));
  const unknown = parts.find((p) => p.name !== 'data' && !isLabelPart(p));
  let labels: Map<string, FileLabelInfo>;
  try {
    if (unknown) throw new BadRequestError('EI_SVC_MULTIPART', `unexpected part "${unknown.name.slice(0, 60)}" (files go in parts named "data")`, unknown.name.slice(0, 60));
    if (dataParts.length === 0) throw new BadRequestError('EI_SVC_NO_FILES', 'no files in the request (parts named "data")');
    labels = await labelsFrom(labelParts);
  } catch (e) {
    await discardAll(parts);
    const err = e as ServiceRequestError;
    jsonError(err.status ?? 400, err.message);
    return;
  }
  await discardAll(labelParts);
  // Parts named by an attachments label file are their sample's attachments, not samples.
  const attachmentOwner = new Map<string, string>();
  for (const [owner, li] of labels) for (const a of li.attachments ?? []) attachmentOwner.set(a, owner);
  const sampleParts = dataParts.filter((p) => !(p.fileName !== undefined && attachmentOwner.has(p.fileName)));
  const byOwner = new Map<string, Part[]>();
  for (const p of dataParts) {
    const owner = p.fileName !== undefined ? attachmentOwner.get(p.fileName) : undefined;
    if (owner !== undefined) byOwner.set(owner, [...(byOwner.get(owner) ?? []), p]);
  }
  const missing = [...attachmentOwner].find(([a, owner]) => !dataParts.some((p) => p.fileName === a) && sampleParts.some((p) => p.fileName === owner));
  if (missing || sampleParts.length === 0) {
    await discardAll(dataParts);
    jsonError(400, missing ? `attachments.labels: attachment "${missing[0].slice(0, 80)}" of "${missing[1].slice(0, 80)}" is not in the request` : 'no files in the request (parts named "data")');
    return;
  }
  const files: IncomingFile[] = sampleParts.map((p) => {
    const fileName = p.fileName ?? headers.fileName ?? 'sample';
    const extra = byOwner.get(fileName)?.map((a) => ({ fileName: a.fileName!, contentType: a.contentType, body: a.body }));
    return { fileName, contentType: p.contentType, body: p.body, ...(extra ? { extraAttachments: extra } : {}) };
  });
  withHeaderBoxes(labels, files, headerBoxes);
  const atomic = labelParts.length > 0 || headerBoxes !== undefined;
  const results = await ingestFiles(pctx, files, labels, { atomicLabels: atomic });
  const ok = results.filter((r) => r.success).length;
  const allOk = ok === results.length;
  const status = allOk ? 200 : ok > 0 ? 200 : Math.max(...results.map((r) => r.status));
  if (atomic && ok === 0 && results.some((r) => r.code === 'EI_SVC_LABELS')) {
    // The request failed as a whole over its labels: say which, nothing was stored.
    const first = results.find((r) => r.code === 'EI_SVC_LABELS')!;
    sendJson(req, res, 400, { success: false, error: first.error?.replace(/^not stored: /, ''), files: results.map(publicResult) }, ctx.limits);
    return;
  }
  sendJson(
    req,
    res,
    status,
    {
      success: allOk,
      ...(allOk ? {} : { error: ok === 0 ? results[0].error : `${results.length - ok} of ${results.length} files failed` }),
      files: results.map(publicResult),
    },
    ctx.limits,
  );
}

/**
 * One file's entry of the `/files` answer. `status` (the HTTP status this file would have got
 * alone) is our local extension: a batch sender can tell a refusal from a passing fault without
 * resending the file alone (README, Studio/ingestion notes).
 */
function publicResult(r: FileResult): Record<string, unknown> {
  const o: Record<string, unknown> = { success: r.success, status: r.status };
  if (r.error !== undefined) o.error = r.error;
  if (r.sampleId !== undefined) o.sampleId = r.sampleId;
  o.projectId = r.projectId;
  o.fileName = r.fileName;
  if (r.duplicate) o.duplicate = true;
  if (r.signatureValid !== undefined) o.signatureValid = r.signatureValid;
  return o;
}
