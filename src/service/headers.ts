/**
 * The ingestion headers of FACTS §4, parsed and checked. Official tools URI-encode `x-label` and
 * `x-file-name`, so both are decoded; a bad encoding is a 400 naming the header.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { BadRequestError, MissingHeaderError } from './errors.ts';

export interface IngestHeaders {
  label: string | undefined;
  noLabel: boolean;
  disallowDuplicates: boolean;
  addDateId: boolean;
  fileName: string | undefined;
  metadata: Record<string, string>;
  uploadSource: string | null;
}

function one(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = h[name];
  return Array.isArray(v) ? v[0] : v;
}

function flag(h: IncomingHttpHeaders, name: string): boolean {
  const v = one(h, name);
  if (v === undefined) return false;
  const t = v.trim().toLowerCase();
  if (t === '1' || t === 'true' || t === 'yes') return true;
  if (t === '0' || t === 'false' || t === 'no' || t === '') return false;
  throw new BadRequestError('EI_SVC_HEADER', `Header ${name} must be 1 or 0`, name);
}

// C0 controls, DEL and C1 controls: never part of a label or metadata (they would reach logs,
// file names and the Studio pages as terminal escapes or line breaks).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

function refuseControls(value: string, name: string, what = `Header ${name}`): void {
  if (CONTROL.test(value)) throw new BadRequestError('EI_SVC_HEADER', `${what} contains a control character`, name);
}

function uriDecoded(h: IncomingHttpHeaders, name: string): string | undefined {
  const v = one(h, name);
  if (v === undefined) return undefined;
  let out: string;
  try {
    out = decodeURIComponent(v);
  } catch {
    throw new BadRequestError('EI_SVC_HEADER', `Header ${name} is not valid URI encoding`, name);
  }
  if (name === 'x-label') refuseControls(out, name);
  return out;
}

/**
 * Parses the ingestion headers.
 * @param needFileName true for `/data`, which has no multipart file name to fall back on.
 * @throws MissingHeaderError (421) or BadRequestError (400) naming the header.
 */
export function parseIngestHeaders(h: IncomingHttpHeaders, needFileName: boolean): IngestHeaders {
  const fileName = uriDecoded(h, 'x-file-name');
  if (needFileName && (fileName === undefined || fileName.trim() === '')) throw new MissingHeaderError('x-file-name');
  const label = uriDecoded(h, 'x-label');
  if (label !== undefined && label.length > 256) throw new BadRequestError('EI_SVC_HEADER', 'Header x-label is longer than 256 characters', 'x-label');
  let metadata: Record<string, string> = {};
  const rawMeta = one(h, 'x-metadata');
  if (rawMeta !== undefined) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(rawMeta);
    } catch {
      throw new BadRequestError('EI_SVC_HEADER', 'Header x-metadata is not valid JSON', 'x-metadata');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new BadRequestError('EI_SVC_HEADER', 'Header x-metadata must be a JSON object', 'x-metadata');
    }
    // Names are not echoed: a header may carry anything, and errors must never repeat secrets.
    const n = Object.values(parsed).findIndex((v) => typeof v !== 'string');
    if (n >= 0) throw new BadRequestError('EI_SVC_HEADER', `x-metadata values must be strings (entry ${n + 1} is not)`, 'x-metadata');
    Object.entries(parsed as Record<string, string>).forEach(([k, v], i) => {
      refuseControls(k + v, 'x-metadata', `x-metadata entry ${i + 1}`);
    });
    metadata = parsed as Record<string, string>;
  }
  const uploadSource = one(h, 'x-upload-source') ?? null;
  return {
    label: label === '' ? undefined : label,
    noLabel: flag(h, 'x-no-label'),
    disallowDuplicates: flag(h, 'x-disallow-duplicates'),
    addDateId: flag(h, 'x-add-date-id'),
    fileName,
    metadata,
    uploadSource: uploadSource === null ? null : uploadSource.slice(0, 256),
  };
}

// FACTS §4's pattern `^[a-zA-Z0-9\s-_]+` (in a JS class `\s-_` means \s, '-' and '_').
const LABEL_FROM_NAME = /^[a-zA-Z0-9\s\-_]+/;

/** The label Edge Impulse infers from a file name (`idle.01.cbor` → `idle`), or null. */
export function labelFromFileName(fileName: string): string | null {
  const m = LABEL_FROM_NAME.exec(fileName);
  const l = m?.[0].trim();
  return l ? l : null;
}

/**
 * A safe stored name: last path component only, no control or reserved characters, bounded.
 * It is only ever a display name; files on disk are named by UUID.
 */
export function sanitizeFileName(name: string | undefined): string {
  const base = (name ?? '').split(/[\\/]/).pop() ?? '';
  let s = base.replace(/[\u0000-\u001f\u007f<>:"|?*]/g, '_').trim();
  s = s.replace(/^\.+/, '');
  if (s.length > 128) s = s.slice(0, 128);
  return s || 'sample';
}

/** `name.ext` → `name.<date id>.ext`, for x-add-date-id. */
export function withDateId(name: string, now = new Date()): string {
  const id = now.toISOString().replace(/[-:TZ.]/g, '').slice(0, 17) + Math.floor(Math.random() * 1296).toString(36).padStart(2, '0');
  const dot = name.lastIndexOf('.');
  return dot > 0 ? `${name.slice(0, dot)}.${id}${name.slice(dot)}` : `${name}.${id}`;
}
