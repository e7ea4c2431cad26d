/**
 * Label files sent next to samples (FACTS §2, §10): `info.labels`, `bounding_boxes.labels`,
 * `structured_labels.labels`, and the newer `attachments.labels` and `label_map.labels`. The
 * official uploader and the Python SDK send them as multipart parts named `data` whose file name
 * is the label file's; they are recognised by that name. Also the `x-bounding-boxes` header (a
 * JSON array of boxes, the Python SDK's). Parsed and checked here; applied to the samples of the
 * same request by the ingestion pipeline.
 *
 * `attachments.labels` is `{version: 1, type: "attachments", attachments: {<file>: [{filename}]}}`
 * and the attachment files themselves come as further `data` parts; `label_map.labels` is
 * `{version: 1, type: "label-map-labels", labels: {<file>: {key: value} | string[]}}` (shapes as
 * the uploader code shipped in edge-impulse-linux 1.25.2, build/shared/bounding-box-file-types.js
 * and build/cli-common/make-image.js, writes and checks them).
 */
import { SampleFormatError } from './errors.ts';

export const LABEL_FILE_NAMES = ['info.labels', 'bounding_boxes.labels', 'structured_labels.labels', 'attachments.labels', 'label_map.labels'] as const;
export type LabelFileName = (typeof LABEL_FILE_NAMES)[number];

export interface BoundingBox {
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
}

export interface StructuredLabel {
  startIndex: number;
  endIndex: number;
  label: string;
}

/** What a label file says about one sample file. */
export interface FileLabelInfo {
  category?: string;
  /** undefined: not said; null: explicitly unlabeled. */
  label?: string | null;
  structuredLabels?: StructuredLabel[];
  boundingBoxes?: BoundingBox[];
  metadata?: Record<string, string>;
  /** label_map.labels: Studio's SampleKeyValueLabels. */
  labelMap?: { type: 'key-values'; labels: Record<string, string> };
  /** attachments.labels / info.labels `attachments`: file names of this sample's attachment parts. */
  attachments?: string[];
}

const CATEGORIES = new Set(['training', 'testing', 'anomaly', 'split']);

function bad(file: string, message: string, path: string): never {
  throw new SampleFormatError('EI_SVC_LABELS', `${file}: ${message}`, path);
}

// C0, DEL and C1: refused in labels and metadata as in the x-label/x-metadata headers (issue 12).
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** A non-empty label without control characters. */
function labelText(file: string, v: unknown, what: string, path: string): string {
  if (typeof v !== 'string' || v === '') bad(file, `${what} must be a non-empty string`, path);
  if (CONTROL.test(v)) bad(file, `${what} holds a control character`, path);
  return v;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseJson(file: string, bytes: Uint8Array): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    return bad(file, 'not valid JSON', file);
  }
  if (!isObj(v)) bad(file, 'must be a JSON object', file);
  if (v.version !== 1) bad(file, 'version must be 1', 'version');
  return v;
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0;
}

function boxes(file: string, arr: unknown, path: string): BoundingBox[] {
  if (!Array.isArray(arr)) bad(file, 'bounding boxes must be an array', path);
  return arr.map((b, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(b)) bad(file, 'box must be an object', p);
    const label = labelText(file, b.label, 'label', `${p}.label`);
    for (const k of ['x', 'y'] as const) {
      if (typeof b[k] !== 'number' || !Number.isFinite(b[k]) || (b[k] as number) < 0) bad(file, `${k} must be a number >= 0`, `${p}.${k}`);
    }
    for (const k of ['width', 'height'] as const) {
      if (typeof b[k] !== 'number' || !Number.isFinite(b[k]) || (b[k] as number) <= 0) bad(file, `${k} must be a number > 0`, `${p}.${k}`);
    }
    return { label, x: b.x as number, y: b.y as number, width: b.width as number, height: b.height as number };
  });
}

/** Checks inclusive, sorted, gap-free ranges starting at 0 (the last end is checked per sample). */
function structured(file: string, arr: unknown, path: string): StructuredLabel[] {
  if (!Array.isArray(arr) || arr.length === 0) bad(file, 'structured labels must be a non-empty array', path);
  let next = 0;
  return arr.map((s, i) => {
    const p = `${path}[${i}]`;
    if (!isObj(s)) bad(file, 'entry must be an object', p);
    if (!isNonNegInt(s.startIndex)) bad(file, 'startIndex must be an integer >= 0', `${p}.startIndex`);
    if (!isNonNegInt(s.endIndex) || s.endIndex < s.startIndex) bad(file, 'endIndex must be an integer >= startIndex', `${p}.endIndex`);
    const label = labelText(file, s.label, 'label', `${p}.label`);
    if (s.startIndex !== next) bad(file, `startIndex ${s.startIndex} leaves a gap or overlap (expected ${next})`, `${p}.startIndex`);
    next = s.endIndex + 1;
    return { startIndex: s.startIndex, endIndex: s.endIndex, label };
  });
}

/** A label map: `{key: value}` of strings, or `string[]` (keys "0", "1", … as the uploader maps it). */
function keyValues(file: string, m: unknown, path: string): { type: 'key-values'; labels: Record<string, string> } {
  if (Array.isArray(m)) {
    if (!m.every((x) => typeof x === 'string')) bad(file, 'a label map array must hold strings', path);
    m.forEach((x, i) => CONTROL.test(x as string) && bad(file, 'a label map value holds a control character', `${path}[${i}]`));
    return { type: 'key-values', labels: Object.fromEntries(m.map((x, i) => [String(i), x as string])) };
  }
  return { type: 'key-values', labels: metadataOf(file, m, path) };
}

function metadataOf(file: string, v: unknown, path: string): Record<string, string> {
  if (!isObj(v)) bad(file, 'metadata must be an object of strings', path);
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') bad(file, 'metadata values must be strings', `${path}.${k}`);
    if (CONTROL.test(k) || CONTROL.test(x)) bad(file, 'metadata holds a control character', `${path}.${JSON.stringify(k).slice(1, -1)}`);
  }
  return v as Record<string, string>;
}

/**
 * Parses one label file into per-sample-file info, keyed by file name.
 * @throws SampleFormatError naming the JSON path at fault.
 */
export function parseLabelFile(name: LabelFileName, bytes: Uint8Array): Map<string, FileLabelInfo> {
  const v = parseJson(name, bytes);
  const out = new Map<string, FileLabelInfo>();
  if (name === 'info.labels') {
    if (!Array.isArray(v.files)) bad(name, 'files must be an array', 'files');
    v.files.forEach((f, i) => {
      const p = `files[${i}]`;
      if (!isObj(f)) bad(name, 'entry must be an object', p);
      if (typeof f.path !== 'string' || f.path === '') bad(name, 'path must be a non-empty string', `${p}.path`);
      if (f.name !== undefined && typeof f.name !== 'string') bad(name, 'name must be a string', `${p}.name`);
      const info: FileLabelInfo = {};
      if (f.category !== undefined) {
        if (typeof f.category !== 'string' || !CATEGORIES.has(f.category)) bad(name, 'category must be training, testing, anomaly or split', `${p}.category`);
        info.category = f.category;
      }
      const l = f.label;
      if (l !== undefined) {
        if (!isObj(l)) bad(name, 'label must be an object', `${p}.label`);
        if (l.type === 'unlabeled') info.label = null;
        else if (l.type === 'label') {
          info.label = labelText(name, l.label, 'label.label', `${p}.label.label`);
        } else if (l.type === 'multi-label') {
          info.structuredLabels = structured(name, l.labels, `${p}.label.labels`);
          info.label = null;
        } else if (l.type === 'keyvalue-labels') {
          info.labelMap = keyValues(name, l.labels, `${p}.label.labels`);
        } else bad(name, 'label.type must be unlabeled, label, multi-label or keyvalue-labels', `${p}.label.type`);
      }
      if (f.metadata !== undefined) info.metadata = metadataOf(name, f.metadata, `${p}.metadata`);
      if (f.boundingBoxes !== undefined) info.boundingBoxes = boxes(name, f.boundingBoxes, `${p}.boundingBoxes`);
      if (f.attachments !== undefined) {
        if (!Array.isArray(f.attachments) || !f.attachments.every((a) => typeof a === 'string' && a !== '')) bad(name, 'attachments must be an array of file names', `${p}.attachments`);
        info.attachments = (f.attachments as string[]).map(baseName);
      }
      out.set(baseName(f.path), info);
    });
  } else if (name === 'bounding_boxes.labels') {
    if (v.type !== 'bounding-box-labels') bad(name, 'type must be "bounding-box-labels"', 'type');
    if (!isObj(v.boundingBoxes)) bad(name, 'boundingBoxes must be an object keyed by file name', 'boundingBoxes');
    for (const [file, arr] of Object.entries(v.boundingBoxes)) {
      out.set(baseName(file), { boundingBoxes: boxes(name, arr, `boundingBoxes.${file}`) });
    }
  } else if (name === 'label_map.labels') {
    if (v.type !== 'label-map-labels') bad(name, 'type must be "label-map-labels"', 'type');
    if (!isObj(v.labels)) bad(name, 'labels must be an object keyed by file name', 'labels');
    for (const [file, m] of Object.entries(v.labels)) out.set(baseName(file), { labelMap: keyValues(name, m, `labels.${file}`) });
  } else if (name === 'attachments.labels') {
    if (v.type !== 'attachments') bad(name, 'type must be "attachments"', 'type');
    if (!isObj(v.attachments)) bad(name, 'attachments must be an object keyed by file name', 'attachments');
    for (const [file, arr] of Object.entries(v.attachments)) {
      const p = `attachments.${file}`;
      if (!Array.isArray(arr)) bad(name, 'attachments of a file must be an array', p);
      const names = arr.map((a, i) => {
        if (!isObj(a) || typeof a.filename !== 'string' || a.filename === '') bad(name, 'filename must be a non-empty string', `${p}[${i}].filename`);
        return baseName(a.filename as string);
      });
      out.set(baseName(file), { attachments: names });
    }
  } else {
    if (v.type !== 'structured-labels') bad(name, 'type must be "structured-labels"', 'type');
    if (!isObj(v.structuredLabels)) bad(name, 'structuredLabels must be an object keyed by file name', 'structuredLabels');
    for (const [file, arr] of Object.entries(v.structuredLabels)) {
      out.set(baseName(file), { structuredLabels: structured(name, arr, `structuredLabels.${file}`) });
    }
  }
  return out;
}

/** Label files refer to samples by path; the request's parts carry bare names. */
export function baseName(p: string): string {
  const parts = p.split(/[\\/]/);
  return parts[parts.length - 1];
}

/** Longest `x-bounding-boxes` value taken (a header; the head limit bounds it anyway). */
const MAX_BOXES_HEADER = 64 * 1024;

/**
 * The Python SDK's `x-bounding-boxes` header: a JSON array of `{label, x, y, width, height}`
 * for the request's file (it sends one image per request).
 * @throws SampleFormatError naming the box at fault
 */
export function parseBoundingBoxesHeader(value: string): BoundingBox[] {
  if (value.length > MAX_BOXES_HEADER) bad('x-bounding-boxes', `longer than ${MAX_BOXES_HEADER} characters`, 'x-bounding-boxes');
  let v: unknown;
  try {
    v = JSON.parse(value);
  } catch {
    return bad('x-bounding-boxes', 'not valid JSON', 'x-bounding-boxes');
  }
  return boxes('x-bounding-boxes', v, 'x-bounding-boxes');
}
