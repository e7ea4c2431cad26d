/**
 * What a batched `/files` request came back with, per file (pure). The service answers JSON
 * `{success, error?, files: [{success, error?, sampleId, fileName, duplicate?}]}` with one entry
 * per `data` part in request order (FACTS §4; our local service, src/service/ingest-routes.ts).
 * Our local service adds to each entry the `status` that file would have got alone (a local
 * extension, README Studio/ingestion notes): a failed file with one is settled by it at once
 * (4xx refused → dead-letter; 5xx → the per-sample policy; 408/429/502–504 → outage). Edge
 * Impulse's answer carries no status, so a failed entry without one cannot tell "refused for good"
 * from "try again": the sender resends it alone, whose own status decides (see batch-sender.ts).
 */
import { classifyStatus } from './outcome.ts';
import type { SendOutcome } from './sender.ts';

export type FileAnswer =
  | { kind: 'delivered' | 'duplicate'; status: number; response?: string }
  /**
   * This file was not stored; `error` is the service's text for it. `outcome`: what its entry's
   * own status says (absent when the entry has none: resend it alone to learn).
   */
  | { kind: 'failed'; error: string; outcome?: Exclude<SendOutcome, { kind: 'delivered' | 'duplicate' }> };

export type BatchAnswer =
  /** One answer per file, in request order. */
  | { kind: 'files'; files: FileAnswer[] }
  /** The request as a whole failed, or its answer cannot be mapped to the files. */
  | { kind: 'request'; outcome: SendOutcome };

/**
 * Maps a 2xx answer to a request of `count` files. An answer that is not the JSON shape, or lists
 * a different number of files, is not trusted for any file: it becomes a per-sample failure, so
 * each file is resent alone (x-disallow-duplicates makes those already stored come back as
 * duplicates).
 */
export function mapFilesAnswer(status: number, body: string, count: number): BatchAnswer {
  const unmappable = (why: string): BatchAnswer => ({
    kind: 'request',
    outcome: { kind: 'retry', scope: 'sample', status, reason: `unmappable /files answer: ${why}`, response: body.slice(0, 500) },
  });
  let j: { files?: unknown };
  try {
    j = JSON.parse(body) as { files?: unknown };
  } catch {
    return unmappable('not JSON');
  }
  if (!Array.isArray(j?.files)) return unmappable('no files array');
  if (j.files.length !== count) return unmappable(`${j.files.length} entries for ${count} files`);
  const files: FileAnswer[] = j.files.map((f: { success?: unknown; duplicate?: unknown; error?: unknown; fileName?: unknown; status?: unknown }) => {
    if (f?.success === true) return { kind: f.duplicate === true ? 'duplicate' : 'delivered', status, response: typeof f.fileName === 'string' ? f.fileName : undefined };
    const error = typeof f?.error === 'string' ? f.error.slice(0, 500) : 'file not stored';
    // Only a failure status counts: a 2xx on an unsuccessful entry contradicts itself.
    const own = f?.status;
    if (typeof own === 'number' && Number.isInteger(own) && own >= 400 && own <= 599) {
      const outcome = classifyStatus(own, error) as Exclude<SendOutcome, { kind: 'delivered' | 'duplicate' }>;
      return { kind: 'failed', error, outcome };
    }
    return { kind: 'failed', error };
  });
  return { kind: 'files', files };
}
