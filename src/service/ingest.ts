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

async function ingestOne(ctx: IngestContext, f: IncomingFile, li: FileLabelInfo | undefined): Promise<FileResult> {
  const { store, project, headers } = ctx;
  const displayName = sanitizeFileName(f.fileName);
  const fileName = headers.addDateId ? withDateId(displayName) : displayName;
  const base = { projectId: project.projectId, fileName };
  const placed: string[] = [];
  try {
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
    const sha256 = f.body.sha256;
    let category = li?.category ?? ctx.category;
    if (category === 'split') category = splitCategory(sha256);
    const label = headers.noLabel ? null : li?.label !== undefined ? li.label : (headers.label ?? labelFromFileName(displayName));
    const signatureValid = c.signatureStatus === 'valid' ? true : c.signatureStatus === 'invalid' ? false : null;
    if (headers.disallowDuplicates) {
      const dup = store.findByHash(project.projectId, sha256);
      if (dup) return duplicateResult(dup, base.projectId);
    }
    const path = await store.place(project.projectId, { tmpPath: f.body.tmpPath, bytes: f.body.tmpPath ? undefined : await f.body.bytes() }, c.ext);
    placed.push(path);
    f.body.tmpPath = undefined;
    let attachmentPath: string | null = null;
    if (f.attachment && att) {
      const ext = c.info.attachmentType === 'image/png' ? 'png' : 'jpg';
      attachmentPath = await store.place(project.projectId, { tmpPath: f.attachment.tmpPath, bytes: f.attachment.tmpPath ? undefined : att }, ext);
      placed.push(attachmentPath);
      f.attachment.tmpPath = undefined;
    }
    const { record, duplicate } = await store.commit(
      {
        projectId: project.projectId,
        category,
        filename: fileName,
        label,
        kind: c.kind,
        format: c.format,
        contentType: c.contentType,
        size: f.body.size,
        sha256,
        signatureAlg: c.signatureAlg,
        signatureStatus: c.signatureStatus,
        deviceName: c.deviceName,
        deviceType: c.deviceType,
        intervalMs: c.intervalMs,
        sensors: c.sensors,
        rowCount: c.rowCount,
        totalLengthMs: c.totalLengthMs,
        info: { ...c.info, ...(li?.boundingBoxes ? { boundingBoxes: li.boundingBoxes } : {}) },
        metadata: { ...headers.metadata, ...(li?.metadata ?? {}) },
        uploadSource: headers.uploadSource,
        structuredLabels: li?.structuredLabels ?? null,
      },
      path,
      attachmentPath,
      headers.disallowDuplicates,
    );
    if (duplicate) {
      for (const p of placed) await store.unplace(p);
      return duplicateResult(record, base.projectId);
    }
    return { ...base, success: true, status: 200, sampleId: record.id, signatureValid };
  } catch (e) {
    for (const p of placed) await store.unplace(p);
    if (e instanceof ServiceRequestError) return { ...base, success: false, status: e.status, code: e.code, error: e.message };
    const err = new StorageError('internal error while storing the sample', { cause: e });
    return { ...base, success: false, status: 500, code: err.code, error: err.message };
  } finally {
    await f.body.discard();
    await f.attachment?.discard();
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

/** Ingests files in request order (so duplicates within one request resolve predictably). */
export async function ingestFiles(ctx: IngestContext, files: IncomingFile[], labels: Map<string, FileLabelInfo>): Promise<FileResult[]> {
  const out: FileResult[] = [];
  for (const f of files) out.push(await ingestOne(ctx, f, labels.get(f.fileName)));
  return out;
}
