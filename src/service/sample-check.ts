/**
 * Decides what a received file is (document, CSV, WAV, JPEG, PNG, MP4, AVI), checks it fully and
 * extracts what the index records. Verifies document signatures on the raw bytes and the HMAC of
 * an attached image. Pure: bytes in, facts out.
 */
import { SampleFormatError } from './errors.ts';
import { parseDocument, looksLikeJson, type ParsedDocument, type Sensor } from './document.ts';
import { checkCsv } from './csv.ts';
import { checkVideo, readJpeg, readPng, readWav } from './media.ts';
import { imageHmacMatches, verifyDocumentSignature, type SignatureStatus, type VerifyKeys } from './signature.ts';
import type { ServiceLimits } from './limits.ts';
import { sourceOf, type ByteSource } from './byte-source.ts';

export type SampleKind = 'document' | 'csv' | 'wav' | 'jpg' | 'png' | 'mp4' | 'avi';

export interface CheckedFile {
  kind: SampleKind;
  /** json | cbor for documents, else the kind. */
  format: string;
  /** Extension used for the stored file. */
  ext: string;
  contentType: string;
  signatureAlg: string | null;
  signatureStatus: SignatureStatus;
  deviceName: string | null;
  deviceType: string | null;
  intervalMs: number | null;
  sensors: Sensor[];
  rowCount: number | null;
  totalLengthMs: number | null;
  info: Record<string, unknown>;
  /** For documents: the parsed document (kept for the attachment checks). */
  doc?: ParsedDocument;
}

const EXT_KIND: Record<string, SampleKind> = {
  cbor: 'document',
  json: 'document',
  csv: 'csv',
  wav: 'wav',
  jpg: 'jpg',
  jpeg: 'jpg',
  png: 'png',
  mp4: 'mp4',
  avi: 'avi',
};

const TYPE_KIND: Record<string, SampleKind> = {
  'application/cbor': 'document',
  'application/json': 'document',
  'application/octet-stream': 'document',
  'text/csv': 'csv',
  'audio/wav': 'wav',
  'audio/x-wav': 'wav',
  'audio/wave': 'wav',
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'video/mp4': 'mp4',
  'video/x-msvideo': 'avi',
};

/** Picks the kind from the file name's extension, then the content type, then magic bytes. */
export function kindOf(fileName: string, contentType: string, bytes: Uint8Array): SampleKind {
  const dot = fileName.lastIndexOf('.');
  const ext = dot >= 0 ? fileName.slice(dot + 1).toLowerCase() : '';
  if (EXT_KIND[ext]) return EXT_KIND[ext];
  const ct = contentType.split(';')[0].trim().toLowerCase();
  if (TYPE_KIND[ct] && ct !== 'application/octet-stream') return TYPE_KIND[ct];
  const ascii = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(12, bytes.length)).toString('latin1');
  if (ascii.startsWith('RIFF') && ascii.slice(8, 12) === 'WAVE') return 'wav';
  if (bytes[0] === 0xff && bytes[1] === 0xd8) return 'jpg';
  if (bytes[0] === 0x89 && ascii.slice(1, 4) === 'PNG') return 'png';
  return 'document';
}

export interface CheckContext {
  keys: VerifyKeys;
  limits: ServiceLimits;
}

/**
 * Checks one file.
 * @param attachment the image part of an image-attachment request, if any.
 * @throws SampleFormatError (400) with the field at fault.
 */
export function checkFile(input: Uint8Array | ByteSource, fileName: string, contentType: string, ctx: CheckContext, attachment?: Uint8Array): CheckedFile {
  const src = sourceOf(input);
  const head = src.window(0, Math.min(12, src.length));
  const kind = kindOf(fileName, contentType, head.buf.subarray(head.at, head.at + Math.min(12, src.length)));
  if (src.length === 0) throw new SampleFormatError('EI_SVC_EMPTY', 'file is empty');
  if (attachment && kind !== 'document') throw new SampleFormatError('EI_SVC_ATTACHMENT', 'only a document can carry an attachment');
  const base: Omit<CheckedFile, 'kind' | 'format' | 'ext' | 'contentType'> = {
    signatureAlg: null,
    signatureStatus: 'none',
    deviceName: null,
    deviceType: null,
    intervalMs: null,
    sensors: [],
    rowCount: null,
    totalLengthMs: null,
    info: {},
  };
  switch (kind) {
    case 'document': {
      // Streamed through the source: no copy of the file, no object per value (issue 12).
      const doc = parseDocument(src, { maxDepth: ctx.limits.maxDepth, maxValues: ctx.limits.maxValues });
      let status = verifyDocumentSignature(src, doc, ctx.keys);
      const info: Record<string, unknown> = { protected: doc.protectedHeader };
      if (doc.values.kind === 'image') {
        if (!attachment) throw new SampleFormatError('EI_SVC_ATTACHMENT', 'document references an image but none was attached', 'payload.values[0]');
        if (attachment.length !== doc.values.size) {
          throw new SampleFormatError('EI_SVC_ATTACHMENT', `attached image has ${attachment.length} bytes, the document says ${doc.values.size}`, 'payload.values[0]');
        }
        const dims = doc.values.mime === 'image/png' ? readPng(attachment) : readJpeg(attachment);
        Object.assign(info, { width: dims.width, height: dims.height, attachmentType: doc.values.mime });
        // The reference's HMAC binds the image to the signed document.
        if (typeof ctx.keys.hmacKey === 'string') {
          if (!imageHmacMatches(attachment, doc.values.hmac, ctx.keys.hmacKey)) status = 'invalid';
        } else if (status === 'valid') status = 'unverified';
      } else if (attachment) {
        throw new SampleFormatError('EI_SVC_ATTACHMENT', 'an attachment was sent but the document does not reference one', 'payload.values');
      }
      if (doc.values.kind === 'binary') info.binaryType = doc.values.type;
      return {
        ...base,
        kind,
        format: doc.format,
        ext: doc.format,
        contentType: doc.values.kind === 'binary' ? 'application/octet-stream' : doc.format === 'json' ? 'application/json' : 'application/cbor',
        signatureAlg: doc.alg,
        signatureStatus: status,
        deviceName: doc.deviceName ?? null,
        deviceType: doc.deviceType,
        intervalMs: doc.intervalMs,
        sensors: doc.sensors,
        rowCount: doc.rowCount,
        totalLengthMs: doc.values.kind === 'image' ? 0 : doc.rowCount * doc.intervalMs,
        info,
        doc,
      };
    }
    case 'csv': {
      // Streamed through the source: no copy of the file, no array per row (issue 12).
      const c = checkCsv(src, ctx.limits.maxValues);
      return {
        ...base,
        kind,
        format: 'csv',
        ext: 'csv',
        contentType: 'text/csv',
        intervalMs: c.intervalMs,
        sensors: c.sensors,
        rowCount: c.rowCount,
        totalLengthMs: c.timeSeries ? c.rowCount * c.intervalMs : null,
        info: { timeSeries: c.timeSeries, frequencyHz: c.timeSeries ? 1000 / c.intervalMs : null },
      };
    }
    case 'wav': {
      const w = readWav(src);
      const intervalMs = 1000 / w.sampleRate;
      return {
        ...base,
        kind,
        format: 'wav',
        ext: 'wav',
        contentType: 'audio/wav',
        intervalMs,
        sensors: Array.from({ length: w.channels }, (_, i) => ({ name: w.channels === 1 ? 'audio' : `audio${i}`, units: 'wav' })),
        rowCount: w.frames,
        totalLengthMs: w.frames * intervalMs,
        info: { sampleRate: w.sampleRate, channels: w.channels, bitsPerSample: w.bitsPerSample, audioFormat: w.audioFormat },
      };
    }
    case 'jpg':
    case 'png': {
      const bytes = src.all();
      const d = kind === 'png' ? readPng(bytes) : readJpeg(bytes);
      return {
        ...base,
        kind,
        format: kind,
        ext: kind,
        contentType: kind === 'png' ? 'image/png' : 'image/jpeg',
        intervalMs: 0,
        sensors: [{ name: 'image', units: 'rgba' }],
        rowCount: 1,
        totalLengthMs: 0,
        info: { width: d.width, height: d.height },
      };
    }
    case 'mp4':
    case 'avi':
      checkVideo(src.all(), kind);
      return { ...base, kind, format: kind, ext: kind, contentType: kind === 'mp4' ? 'video/mp4' : 'video/x-msvideo', info: {} };
  }
}

export { looksLikeJson };
