/**
 * What a batched `/files` request came back with, per file (pure). The service answers JSON
 * `{success, error?, files: [{success, error?, sampleId, fileName, duplicate?}]}` with one entry
 * per `data` part in request order (FACTS §4; our local service, src/service/ingest-routes.ts).
 * A file's entry carries no status, so a failed file cannot tell "refused for good" from "try
 * again": the sender resends it alone, whose own status decides (see batch-sender.ts).
 */
import type { SendOutcome } from './sender.ts';

export type FileAnswer =
  | { kind: 'delivered' | 'duplicate'; status: number; response?: string }
  /** This file was not stored; `error` is the service's text for it. */
  | { kind: 'failed'; error: string };

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
  const files: FileAnswer[] = j.files.map((f: { success?: unknown; duplicate?: unknown; error?: unknown; fileName?: unknown }) => {
    if (f?.success === true) return { kind: f.duplicate === true ? 'duplicate' : 'delivered', status, response: typeof f.fileName === 'string' ? f.fileName : undefined };
    return { kind: 'failed', error: typeof f?.error === 'string' ? f.error.slice(0, 500) : 'file not stored' };
  });
  return { kind: 'files', files };
}
