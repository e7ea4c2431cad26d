/**
 * Keeps the service's resident memory near idle under large uploads (issue 12: RSS back within
 * 32 MB of idle). Received chunks are Buffers whose memory is freed only when V8 collects their
 * wrappers, and receiving allocates almost nothing else on the JS heap, so V8 collects late: a
 * burst piled up ~40 MB of dead chunks in malloc's arena, which stayed resident afterwards
 * (fragmented, never returned; measured with the `service` bench). Collecting once every
 * `everyBytes` received keeps that pile small (a full collection of the service's small heap
 * takes a few ms, against the tens of ms it takes to receive that many bytes).
 */
import v8 from 'node:v8';
import vm from 'node:vm';

let collect: (() => void) | null | undefined;

/** V8's gc(), exposed at run time (no command-line flag needed); null when unavailable. */
function gcFunction(): (() => void) | null {
  if (collect !== undefined) return collect;
  try {
    const g = (globalThis as { gc?: () => void }).gc;
    if (typeof g === 'function') collect = g;
    else {
      v8.setFlagsFromString('--expose-gc');
      collect = vm.runInNewContext('gc') as () => void;
    }
  } catch {
    collect = null;
  }
  return collect;
}

const EVERY_BYTES = 16 * 1024 * 1024;
let received = 0;
let scheduled = false;
/** Collections run so far (for tests). */
export let collections = 0;

/** Counts received body bytes; past EVERY_BYTES, one collection runs on the next turn. */
export function noteReceived(bytes: number): void {
  received += bytes;
  if (received < EVERY_BYTES || scheduled) return;
  scheduled = true;
  setImmediate(() => {
    scheduled = false;
    received = 0;
    const gc = gcFunction();
    if (!gc) return;
    collections++;
    gc();
  });
}
