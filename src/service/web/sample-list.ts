/**
 * The Samples page's query: filters (category, label, device, signature), sort by time, paging,
 * and counts per label and per category over the whole project (what the filter menus offer).
 * Pure: works on the records the store lists.
 */
import type { SampleRecord } from '../store.ts';

export interface SampleListResult {
  totalCount: number;
  samples: SampleRecord[];
  counts: { categories: Record<string, number>; labels: Record<string, number>; devices: Record<string, number>; signatures: Record<string, number> };
}

const CATEGORIES = new Set(['training', 'testing', 'anomaly']);
const SIGNATURES = new Set(['valid', 'invalid', 'none', 'unverified']);
export const MAX_PAGE = 500;

function bump(m: Record<string, number>, k: string): void {
  m[k] = (m[k] ?? 0) + 1;
}

/** `query`: category, label, device, signature (valid|invalid|none|unverified), sort (newest|oldest), limit, offset. */
export function listSamples(all: SampleRecord[], query: URLSearchParams): SampleListResult | { error: string } {
  const category = query.get('category') || undefined;
  if (category !== undefined && !CATEGORIES.has(category)) return { error: 'category must be training, testing or anomaly' };
  const signature = query.get('signature') || undefined;
  if (signature !== undefined && !SIGNATURES.has(signature)) return { error: 'signature must be valid, invalid, none or unverified' };
  const sort = query.get('sort') ?? 'newest';
  if (sort !== 'newest' && sort !== 'oldest') return { error: 'sort must be newest or oldest' };
  const limitText = query.get('limit');
  const limit = limitText === null ? 50 : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) return { error: `limit must be an integer 1..${MAX_PAGE}` };
  const offset = Number(query.get('offset') ?? 0);
  if (!Number.isInteger(offset) || offset < 0) return { error: 'offset must be a non-negative integer' };
  // `label=` (empty) asks for unlabeled samples; absent means any.
  const label = query.get('label');
  const device = query.get('device');

  const counts: SampleListResult['counts'] = { categories: {}, labels: {}, devices: {}, signatures: {} };
  const hits: SampleRecord[] = [];
  for (const r of all) {
    bump(counts.categories, r.category);
    bump(counts.labels, r.label ?? '');
    bump(counts.devices, r.deviceName ?? '');
    bump(counts.signatures, r.signatureStatus);
    if (category !== undefined && r.category !== category) continue;
    if (label !== null && (r.label ?? '') !== label) continue;
    if (device !== null && (r.deviceName ?? '') !== device) continue;
    if (signature !== undefined && r.signatureStatus !== signature) continue;
    hits.push(r);
  }
  // Ids grow with arrival time; ties in `added` keep arrival order.
  hits.sort((a, b) => (sort === 'newest' ? b.added - a.added || b.id - a.id : a.added - b.added || a.id - b.id));
  return { totalCount: hits.length, samples: hits.slice(offset, offset + limit), counts };
}
