/**
 * The ingestion pipeline after the body is received: check each file, apply headers and label
 * files, then store it (file durable first, index row last). Each file gets its own result;
 * a file that fails leaves nothing behind.
 */
import { BadRequestError, ServiceRequestError, StorageError } from './errors.ts';
import { checkFile, type CheckedFile } from './sample-check.ts';
import { labelFromFileName, sanitizeFileName, withDateId, type IngestHeaders } from './headers.ts';
import type { FileLabelInfo } from './labels.ts';
import type { ResolvedProject } from './config.ts';
import type { SampleStore, SampleRecord } from './store.ts';
import type { SpooledBody } from './spooled-body.ts';
import type { ServiceLimits } from './limits.ts';

export interface IncomingFile {
  fileName: string;
  contentType: string;
  body: SpooledBody;
  /** The image part of an image-attachment request. */
  attachment?: SpooledBody;
  /** Files named for this sample in attachments.labels, sent as further `data` parts. */
  extraAttachments?: { fileName: string; contentType: string; body: SpooledBody }[];
}

export interface FileResult {
  success: boolean;
  error?: string;
  /** Stable error code when !success. */
  code?: string;
  /** HTTP status this file alone would get (200, 400, 500). */
  status: number;
  sampleId?: number;
  projectId: number;
  fileName: string;
  /** True when x-disallow-duplicates matched an existing sample (nothing new stored). */
  duplicate?: boolean;
  signatureValid?: boolean | null;
}

export interface IngestContext {
  store: SampleStore;
  project: ResolvedProject;
  /** Category from the URL: training, testing, anomaly or split. */
  category: string;
  headers: IngestHeaders;
  limits: ServiceLimits;
  strictSignatures: boolean;
  /** `x-device-type` (the uploader sends EDGE_IMPULSE_CLI): the device type of files that name none. */
  deviceType?: string;
}

/** `split` sends ~80% to training, decided by the body hash so a re-upload lands the same way. */
function splitCategory(sha256: string): string {
  return parseInt(sha256.slice(0, 8), 16) % 10 < 8 ? 'training' : 'testing';
}

function checkLabelsAgainst(li: FileLabelInfo | undefined, c: CheckedFile): void {
  if (!li) return;
  if (li.structuredLabels && c.rowCount !== null) {
    const last = li.structuredLabels[li.structuredLabels.length - 1];
    if (last.endIndex !== c.rowCount - 1) {
      throw new BadRequestError('EI_SVC_LABELS', `structured labels end at index ${last.endIndex}, the sample's last value is ${c.rowCount - 1}`, 'structuredLabels');
    }
  }
  if (li.boundingBoxes && li.boundingBoxes.length > 0) {
    const w = c.info.width as number | undefined;
    const h = c.info.height as number | undefined;
    if (w === undefined || h === undefined) throw new BadRequestError('EI_SVC_LABELS', 'bounding boxes given for a sample that is not an image', 'boundingBoxes');
    li.boundingBoxes.forEach((b, i) => {
      if (b.x + b.width > w || b.y + b.height > h) {
        throw new BadRequestError('EI_SVC_LABELS', `bounding box ${i} lies outside the ${w}x${h} image`, `boundingBoxes[${i}]`);
      }
    });
  }
}

/** A file that passed every check, ready to be stored. */
interface CheckedIncoming {
  f: IncomingFile;
  li: FileLabelInfo | undefined;
  c: CheckedFile;
  att: Uint8Array | undefined;
  displayName: string;
  fileName: string;
}

function failure(base: { projectId: number; fileName: string }, e: unknown): FileResult {
  if (e instanceof ServiceRequestError) return { ...base, success: false, status: e.status, code: e.code, error: e.message };
  const err = new StorageError('internal error while storing the sample', { cause: e });
  return { ...base, success: false, status: 500, code: err.code, error: err.message };
}

function names(ctx: IngestContext, f: IncomingFile): { displayName: string; fileName: string; base: { projectId: number; fileName: string } } {
  const displayName = sanitizeFileName(f.fileName);
  const fileName = ctx.headers.addDateId ? withDateId(displayName) : displayName;
  return { displayName, fileName, base: { projectId: ctx.project.projectId, fileName } };
}

/** Checks one file (format, signature, its labels); nothing is stored. */
async function checkOne(ctx: IngestContext, f: IncomingFile, li: FileLabelInfo | undefined): Promise<CheckedIncoming> {
  const { project } = ctx;
  const { displayName, fileName } = names(ctx, f);
  const att = f.attachment ? await f.attachment.bytes() : undefined;
  const keys = { hmacKey: project.hmacKey, es256PublicKeys: project.es256PublicKeys };
  // Checked through a window on the spooled file, never loaded whole (issue 12).
  const src = f.body.source();
  let c: CheckedFile;
  try {
    c = checkFile(src, f.fileName, f.contentType, { keys, limits: ctx.limits }, att);
  } finally {
    src.close();
  }
  if (ctx.strictSignatures && c.signatureStatus === 'invalid') {
    throw new BadRequestError('EI_SVC_SIGNATURE_INVALID', 'signature does not verify (strict signature mode)', 'signature');
  }
  checkLabelsAgainst(li, c);
  return { f, li, c, att, displayName, fileName };
}

/** What storeMany knows of one file on its way to the index. */
interface Pending {
  k: CheckedIncoming;
  base: { projectId: number; fileName: string };
  category: string;
  label: string | null;
  signatureValid: boolean | null;
  /** Indexes into the placeMany batch: the document, its image, its extra attachments. */
  slots: { main: number; image?: number; extras: number[] };
  /** Same body as an earlier file of this request (x-disallow-duplicates): its index in `pending`. */
  dupOf?: number;
  result?: FileResult;
}

/**
 * Stores a request's checked files together: every file placed durably (data fsyncs, one
 * directory fsync per directory), then every index row in one transaction. No row commits before
 * its files are durable, and no file is answered before its row commits. Request order decides
 * which of two equal bodies is stored under x-disallow-duplicates.
 */
async function storeMany(ctx: IngestContext, ks: CheckedIncoming[]): Promise<FileResult[]> {
  const { store, project, headers } = ctx;
  const pending: Pending[] = [];
  const toPlace: { projectId: number; source: { tmpPath?: string; bytes?: Uint8Array }; ext: string }[] = [];
  const firstByHash = new Map<string, number>();
  try {
    for (const k of ks) {
      const { f, li, c, att, displayName, fileName } = k;
      const base = { projectId: project.projectId, fileName };
      const sha256 = f.body.sha256;
      let category = li?.category ?? ctx.category;
      if (category === 'split') category = splitCategory(sha256);
      const label = headers.noLabel ? null : li?.label !== undefined ? li.label : (headers.label ?? labelFromFileName(displayName));
      const signatureValid = c.signatureStatus === 'valid' ? true : c.signatureStatus === 'invalid' ? false : null;
      const p: Pending = { k, base, category, label, signatureValid, slots: { main: -1, extras: [] } };
      pending.push(p);
      if (headers.disallowDuplicates) {
        const dup = store.findByHash(project.projectId, sha256);
        if (dup) {
          p.result = duplicateResult(dup, base.projectId);
          continue;
        }
        const earlier = firstByHash.get(sha256);
        if (earlier !== undefined) {
          p.dupOf = earlier;
          continue;
        }
        firstByHash.set(sha256, pending.length - 1);
      }
      try {
        p.slots.main = toPlace.push({ projectId: project.projectId, source: f.body.tmpPath ? { tmpPath: f.body.tmpPath } : { bytes: await f.body.bytes() }, ext: c.ext }) - 1;
        f.body.tmpPath = undefined;
        if (f.attachment && att) {
          const ext = c.info.attachmentType === 'image/png' ? 'png' : 'jpg';
          p.slots.image = toPlace.push({ projectId: project.projectId, source: f.attachment.tmpPath ? { tmpPath: f.attachment.tmpPath } : { bytes: att }, ext }) - 1;
          f.attachment.tmpPath = undefined;
        }
        for (const a of f.extraAttachments ?? []) {
          const ext = /\.([a-z0-9]{1,8})$/i.exec(a.fileName)?.[1]?.toLowerCase() ?? '';
          p.slots.extras.push(toPlace.push({ projectId: project.projectId, source: a.body.tmpPath ? { tmpPath: a.body.tmpPath } : { bytes: await a.body.bytes() }, ext }) - 1);
          a.body.tmpPath = undefined;
        }
      } catch (e) {
        p.result = failure(base, e);
      }
    }
    const placed = toPlace.length > 0 ? await store.placeMany(toPlace) : [];
    const slotsOf = (p: Pending): number[] => [p.slots.main, ...(p.slots.image !== undefined ? [p.slots.image] : []), ...p.slots.extras].filter((i) => i >= 0);
    const unplaceAll = async (p: Pending): Promise<void> => {
      for (const i of slotsOf(p)) {
        const r = placed[i];
        if (typeof r === 'string') await store.unplace(r);
      }
    };
    // Every row is handed to the store in this one turn, so they share one index transaction.
    const commits: (Promise<{ record: SampleRecord; duplicate: boolean }> | undefined)[] = pending.map((p) => {
      if (p.result || p.dupOf !== undefined) return undefined;
      const bad = slotsOf(p).map((i) => placed[i]).find((r) => typeof r !== 'string');
      if (bad) {
        p.result = failure(p.base, bad);
        return undefined;
      }
      const { f, li, c } = p.k;
      const attachments: { filename: string; path: string; size: number; contentType: string; sha256: string }[] = (f.extraAttachments ?? []).map((a, j) => ({
        filename: sanitizeFileName(a.fileName),
        path: placed[p.slots.extras[j]] as string,
        size: a.body.size,
        contentType: a.contentType,
        sha256: a.body.sha256,
      }));
      return store.commit(
        {
          projectId: project.projectId,
          category: p.category,
          filename: p.base.fileName,
          label: p.label,
          kind: c.kind,
          format: c.format,
          contentType: c.contentType,
          size: f.body.size,
          sha256: f.body.sha256,
          signatureAlg: c.signatureAlg,
          signatureStatus: c.signatureStatus,
          deviceName: c.deviceName,
          deviceType: c.deviceType ?? ctx.deviceType ?? null,
          intervalMs: c.intervalMs,
          sensors: c.sensors,
          rowCount: c.rowCount,
          totalLengthMs: c.totalLengthMs,
          info: {
            ...c.info,
            ...(li?.boundingBoxes ? { boundingBoxes: li.boundingBoxes } : {}),
            ...(li?.labelMap ? { labelMap: li.labelMap } : {}),
            ...(attachments.length > 0 ? { attachments } : {}),
          },
          metadata: { ...headers.metadata, ...(li?.metadata ?? {}) },
          uploadSource: headers.uploadSource,
          structuredLabels: li?.structuredLabels ?? null,
        },
        placed[p.slots.main] as string,
        p.slots.image !== undefined ? (placed[p.slots.image] as string) : null,
        headers.disallowDuplicates,
      );
    });
    const settled = await Promise.allSettled(commits.map((c) => c ?? Promise.resolve(undefined)));
    const records: (SampleRecord | undefined)[] = [];
    for (let i = 0; i < pending.length; i++) {
      const p = pending[i];
      const s = settled[i];
      if (p.result) {
        await unplaceAll(p);
      } else if (p.dupOf !== undefined) {
        // Answered as its first copy was: a duplicate of what it stored, or that copy's failure.
        const first = records[p.dupOf];
        p.result = first ? duplicateResult(first, p.base.projectId) : { ...pending[p.dupOf].result!, fileName: p.base.fileName };
      } else if (s.status === 'rejected') {
        await unplaceAll(p);
        p.result = failure(p.base, s.reason);
      } else {
        const { record, duplicate } = s.value!;
        records[i] = record;
        if (duplicate) {
          await unplaceAll(p);
          p.result = duplicateResult(record, p.base.projectId);
        } else {
          p.result = { ...p.base, success: true, status: 200, sampleId: record.id, signatureValid: p.signatureValid };
        }
      }
    }
    return pending.map((p) => p.result!);
  } finally {
    for (const k of ks) await discard(k.f);
  }
}

function duplicateResult(rec: SampleRecord, projectId: number): FileResult {
  return {
    success: true,
    status: 200,
    duplicate: true,
    sampleId: rec.id,
    projectId,
    fileName: rec.filename,
    signatureValid: rec.signatureStatus === 'valid' ? true : rec.signatureStatus === 'invalid' ? false : null,
  };
}

async function discard(f: IncomingFile): Promise<void> {
  await f.body.discard();
  await f.attachment?.discard();
  for (const a of f.extraAttachments ?? []) await a.body.discard();
}

/**
 * Ingests files in request order (so duplicates within one request resolve predictably).
 * With `atomicLabels` (the request carried label files or x-bounding-boxes), every file is
 * checked first and a label that does not fit any file fails the whole request with nothing
 * stored, so no sample lands without the labels sent for it.
 */
export async function ingestFiles(
  ctx: IngestContext,
  files: IncomingFile[],
  labels: Map<string, FileLabelInfo>,
  opts: { atomicLabels?: boolean } = {},
): Promise<FileResult[]> {
  if (!opts.atomicLabels) {
    const checked: (CheckedIncoming | FileResult)[] = [];
    for (const f of files) {
      try {
        checked.push(await checkOne(ctx, f, labels.get(f.fileName)));
      } catch (e) {
        await discard(f);
        checked.push(failure(names(ctx, f).base, e));
      }
    }
    return withStored(ctx, checked);
  }
  const checked: (CheckedIncoming | FileResult)[] = [];
  let labelError: ServiceRequestError | undefined;
  for (const f of files) {
    try {
      checked.push(await checkOne(ctx, f, labels.get(f.fileName)));
    } catch (e) {
      if (e instanceof ServiceRequestError && e.code === 'EI_SVC_LABELS') labelError ??= e;
      checked.push(failure(names(ctx, f).base, e));
    }
  }
  if (labelError) {
    for (const f of files) await discard(f);
    return checked.map((k) => ('c' in k ? { ...failure(names(ctx, k.f).base, labelError), error: `not stored: ${labelError.message}` } : k));
  }
  const out = await withStored(ctx, checked);
  for (const f of files) await discard(f);
  return out;
}

/** Stores the checked files of `checked` together; failed checks keep their result, in order. */
async function withStored(ctx: IngestContext, checked: (CheckedIncoming | FileResult)[]): Promise<FileResult[]> {
  const ok = checked.filter((k): k is CheckedIncoming => 'c' in k);
  const stored = ok.length > 0 ? await storeMany(ctx, ok) : [];
  let j = 0;
  return checked.map((k) => ('c' in k ? stored[j++] : k));
}
