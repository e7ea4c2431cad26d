/**
 * Which waiting samples may travel together in one `/api/{category}/files` request (pure).
 *
 * A multipart request carries one set of headers for all its files (FACTS §4), so samples share a
 * batch only when everything those headers say is the same: category, label, x-no-label,
 * x-add-date-id, metadata and upload source. That tuple is the batch key; it is also the unit of
 * the order guarantee (see batch-sender.ts).
 */
import type { QueueEntry } from './spool.ts';
import type { RecordHeader, SampleSpec } from './record.ts';

export interface BatchLimits {
  /** Most files in one request (default 1,000, what Edge Impulse takes at most, FACTS §4). */
  maxFiles: number;
  /**
   * Most body bytes (sum of the samples' records) in one request (default 1 MiB: under a second
   * on a 10 Mbit/s link, ~90 s through a 115200-baud modem, which bounds what a dropped
   * connection makes us resend; large enough that a round trip per batch costs < 10% at 100 ms).
   */
  maxBytes: number;
}

export const DEFAULT_BATCH_LIMITS: BatchLimits = { maxFiles: 1000, maxBytes: 1024 * 1024 };
/** What the ingestion API allows (FACTS §4). */
export const MAX_FILES_PER_REQUEST = 1000;

export function resolveBatchLimits(l: Partial<BatchLimits> = {}): BatchLimits {
  const out = { maxFiles: l.maxFiles ?? DEFAULT_BATCH_LIMITS.maxFiles, maxBytes: l.maxBytes ?? DEFAULT_BATCH_LIMITS.maxBytes };
  if (!Number.isInteger(out.maxFiles) || out.maxFiles < 1 || out.maxFiles > MAX_FILES_PER_REQUEST) {
    throw new RangeError(`batch maxFiles must be an integer in 1..${MAX_FILES_PER_REQUEST}`);
  }
  if (!(out.maxBytes >= 1)) throw new RangeError('batch maxBytes must be ≥ 1');
  return out;
}

/** The headers a sample's request carries, as one comparable string. */
export function batchKey(spec: SampleSpec): string {
  const meta = spec.metadata ? Object.entries(spec.metadata).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)) : null;
  return JSON.stringify([spec.category, spec.label ?? null, !!spec.noLabel, !!spec.addDateId, meta, spec.uploadSource ?? null]);
}

/** A multipart body can't be one part of another; such samples always go alone. */
export function batchable(h: Pick<RecordHeader, 'contentType'>): boolean {
  return !/^multipart\//i.test(h.contentType);
}

/**
 * The next batch: the oldest entry `usable` admits, then the entries after it with the same key
 * (in queue order) up to the limits. The first entry always fits, however large. Only entries
 * whose key is known (`keyOf` not undefined) join the first; the caller loads keys for a window.
 * @param keyOf the batch key of an entry, or undefined when its header is not known yet (such a
 *   first entry goes alone)
 */
export function nextBatch(
  entries: readonly QueueEntry[],
  usable: (e: QueueEntry, key: string | undefined) => boolean,
  keyOf: (e: QueueEntry) => string | undefined,
  limits: BatchLimits,
): QueueEntry[] {
  let first: QueueEntry | undefined;
  let key: string | undefined;
  let i = 0;
  for (; i < entries.length; i++) {
    const k = keyOf(entries[i]!);
    if (usable(entries[i]!, k)) {
      first = entries[i];
      key = k;
      break;
    }
  }
  if (!first) return [];
  const out = [first];
  if (key === undefined) return out;
  let bytes = first.bytes;
  for (i++; i < entries.length && out.length < limits.maxFiles; i++) {
    const e = entries[i]!;
    if (keyOf(e) !== key || !usable(e, key)) continue;
    if (bytes + e.bytes > limits.maxBytes) break;
    bytes += e.bytes;
    out.push(e);
  }
  return out;
}
