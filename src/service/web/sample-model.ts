/**
 * The sample as the pages read it: the /v1 list entry (studio-routes' `sampleSummary`) with the
 * Studio OpenAPI `Sample` field names the pages use filled in where that entry does not carry
 * them yet. Fields the entry already has are never overwritten, so once /v1 answers the full
 * model this adds nothing.
 */
import { sampleSummary } from '../studio-routes.ts';
import type { SampleRecord } from '../store.ts';

export function sampleModel(r: SampleRecord): Record<string, unknown> {
  const s = sampleSummary(r);
  const fill = (k: string, v: unknown): void => {
    if (!(k in s)) s[k] = v;
  };
  const added = new Date(r.added).toISOString();
  fill('signatureValidate', r.signatureStatus === 'valid');
  fill('signatureMethod', r.signatureAlg ?? 'none');
  fill('sha256Hash', r.sha256);
  fill('created', added);
  fill('lastModified', added);
  fill('projectId', r.projectId);
  fill('boundingBoxes', (r.info.boundingBoxes as unknown[] | undefined) ?? []);
  fill('structuredLabels', r.structuredLabels ?? undefined);
  return s;
}
