/**
 * How `upload` sends the label files it is given, the way Edge Impulse's uploader does
 * (edge-impulse-cli `cli-common/make-image.ts` `upload()` and `cli/uploader.ts`): label files are
 * read here, never sent whole. Each sample's request carries
 *  - its category, label (`x-label` / `x-no-label`) and metadata from `info.labels`,
 *  - after the sample's own `data` part: a `structured_labels.labels` part (multi-label), then a
 *    `bounding_boxes.labels` part, each a `data` part named by file name, `application/json`,
 *    holding only this file's entry;
 *  - `label_map.labels` and `attachments.labels` (which the uploader does not send) the same way,
 *    after those.
 * Label files are checked with the service's own parser first, so a bad one fails before any
 * request with the file and JSON path named.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { bodyFromBytes } from '../encode/body.ts';
import { baseName, parseLabelFile, type FileLabelInfo, type LabelFileName } from '../service/labels.ts';
import type { MultipartPart } from '../http/multipart.ts';

/** Everything the label files say, by sample file name. */
export type LabelPlan = Map<string, FileLabelInfo>;

/** What one sample's request gets from the label files. */
export interface SampleLabels {
  category?: string;
  label?: string;
  noLabel?: boolean;
  metadata?: Record<string, string>;
  /** Label parts, in the uploader's order, to go after the sample's `data` part. */
  parts: MultipartPart[];
}

/**
 * Reads and checks label files (later files add to earlier ones, as the service merges them).
 * @throws Error naming the label file and the JSON path at fault
 */
export function readLabelFiles(paths: string[]): LabelPlan {
  const plan: LabelPlan = new Map();
  for (const path of paths) {
    const kind = basename(path) as LabelFileName;
    let bytes: Buffer;
    try {
      bytes = readFileSync(path);
    } catch (e) {
      throw new Error(`${path}: ${(e as Error).message.replace(/^[A-Z]+: /, '')}`);
    }
    for (const [file, info] of parseLabelFile(kind, bytes)) plan.set(file, { ...(plan.get(file) ?? {}), ...info });
  }
  return plan;
}

function jsonPart(fileName: string, value: unknown): MultipartPart {
  const bytes = Buffer.from(JSON.stringify(value), 'utf8');
  return { name: 'data', fileName, contentType: 'application/json', body: bodyFromBytes(bytes, 'application/json') };
}

/** The label fields and parts for one sample file (by its base name). */
export function labelsForSample(plan: LabelPlan, fileName: string): SampleLabels {
  const li = plan.get(baseName(fileName));
  const out: SampleLabels = { parts: [] };
  if (!li) return out;
  if (li.category !== undefined) out.category = li.category;
  if (li.structuredLabels) {
    out.parts.push(jsonPart('structured_labels.labels', { type: 'structured-labels', version: 1, structuredLabels: { [fileName]: li.structuredLabels } }));
  } else if (li.label === null) out.noLabel = true;
  else if (li.label !== undefined) out.label = li.label;
  if (li.boundingBoxes) out.parts.push(jsonPart('bounding_boxes.labels', { version: 1, type: 'bounding-box-labels', boundingBoxes: { [fileName]: li.boundingBoxes } }));
  if (li.labelMap) out.parts.push(jsonPart('label_map.labels', { version: 1, type: 'label-map', labelMaps: { [fileName]: li.labelMap } }));
  if (li.attachments) out.parts.push(jsonPart('attachments.labels', { version: 1, type: 'attachments', attachments: { [fileName]: li.attachments } }));
  if (li.metadata) out.metadata = li.metadata;
  return out;
}
