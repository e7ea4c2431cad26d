/**
 * Incremental, binary-safe parser of what a Serial (LTE) Modem sends to the host (FACTS §7).
 *
 * Text is framed as lines (`\r\n#XFOO: …\r\n`, `\r\nOK\r\n`, URCs, the `Ready` banner). The one
 * exception is `#XRECV`: its header `#XRECV: <h>,0,<size>` (new) or `#XRECV: <size>` (old) is
 * followed by exactly `<size>` raw bytes, which may hold CR, LF, NUL or text that looks like `OK`.
 * A line parser would split or drop them, so this one counts them instead. A bare `+++` (no line
 * end) is the modem leaving data mode after a socket error; it is reported as its own event.
 *
 * Explicit states as in ws's receiver; no I/O, no timers.
 */

/** What the parser hands back. `payload` always follows the `#XRECV` header line it belongs to. */
export type AtEvent =
  | { kind: 'line'; text: string }
  | { kind: 'payload'; data: Uint8Array }
  | { kind: 'escape' }
  | { kind: 'overflow'; length: number };

const enum State {
  /** Collecting a text line. */
  Line,
  /** A line just ended with CR: one LF may follow and belongs to it. */
  AfterCr,
  /** A `#XRECV` header ended with CR: swallow one LF, then the payload. */
  PayloadAfterCr,
  /** Counting raw payload bytes. */
  Payload,
}

const CR = 0x0d;
const LF = 0x0a;
const PLUS = 0x2b;
/** The modem's command buffer is 4096 bytes; no answer line is longer. */
export const MAX_LINE = 4096;
/** Larger than any `#XRECV` size (2048 new, 4096 old); anything above is line noise. */
export const MAX_PAYLOAD = 65536;

/** Size announced by a `#XRECV` header, or -1 if the line is not one. The size is the last field. */
export function recvHeaderSize(line: string): number {
  if (!line.startsWith('#XRECV:')) return -1;
  const m = /(\d+)\s*$/.exec(line);
  return m ? Number(m[1]) : -1;
}

export class AtParser {
  private state = State.Line;
  private readonly line = new Uint8Array(MAX_LINE);
  private lineLen = 0;
  private overflowed = false;
  private payload: Uint8Array = new Uint8Array(0);
  private payloadFill = 0;

  /** Feeds one chunk; events are delivered synchronously, in wire order. */
  feed(chunk: Uint8Array, emit: (event: AtEvent) => void): void {
    let i = 0;
    const n = chunk.length;
    while (i < n) {
      switch (this.state) {
        case State.AfterCr:
        case State.PayloadAfterCr: {
          const toPayload = this.state === State.PayloadAfterCr;
          if (chunk[i] === LF) i++;
          this.state = toPayload ? State.Payload : State.Line;
          if (toPayload) this.finishPayloadIfEmpty(emit);
          break;
        }
        case State.Payload: {
          const take = Math.min(n - i, this.payload.length - this.payloadFill);
          this.payload.set(chunk.subarray(i, i + take), this.payloadFill);
          this.payloadFill += take;
          i += take;
          this.finishPayloadIfEmpty(emit);
          break;
        }
        case State.Line: {
          // Copy the run up to the next CR or LF in one go; lines are short, payloads are not here.
          let j = i;
          while (j < n && chunk[j] !== CR && chunk[j] !== LF) j++;
          this.append(chunk, i, j, emit);
          i = j;
          if (i < n) {
            const endedWithCr = chunk[i] === CR;
            i++;
            this.endLine(endedWithCr, emit);
          }
          break;
        }
      }
    }
  }

  /** Drops any partial line or payload (after a modem reboot or a resync). */
  reset(): void {
    this.state = State.Line;
    this.lineLen = 0;
    this.overflowed = false;
    this.payload = new Uint8Array(0);
    this.payloadFill = 0;
  }

  /** True while raw `#XRECV` bytes are still expected. */
  get inPayload(): boolean {
    return this.state === State.Payload || this.state === State.PayloadAfterCr;
  }

  private append(chunk: Uint8Array, from: number, to: number, emit: (e: AtEvent) => void): void {
    for (let k = from; k < to; k++) {
      if (this.lineLen < MAX_LINE) this.line[this.lineLen++] = chunk[k]!;
      else this.overflowed = true;
      // `+++` opens no line the modem ever sends, so at a line start it is the data-mode escape.
      if (this.lineLen === 3 && this.line[0] === PLUS && this.line[1] === PLUS && this.line[2] === PLUS) {
        this.lineLen = 0;
        emit({ kind: 'escape' });
      }
    }
  }

  private endLine(endedWithCr: boolean, emit: (e: AtEvent) => void): void {
    this.state = endedWithCr ? State.AfterCr : State.Line;
    if (this.overflowed) {
      emit({ kind: 'overflow', length: this.lineLen });
      this.lineLen = 0;
      this.overflowed = false;
      return;
    }
    if (this.lineLen === 0) return; // the empty halves of `\r\n…\r\n` framing
    let text = '';
    for (let k = 0; k < this.lineLen; k++) text += String.fromCharCode(this.line[k]!);
    this.lineLen = 0;
    emit({ kind: 'line', text });
    const size = recvHeaderSize(text);
    if (size > 0 && size <= MAX_PAYLOAD) {
      this.payload = new Uint8Array(size);
      this.payloadFill = 0;
      this.state = endedWithCr ? State.PayloadAfterCr : State.Payload;
    } else if (size > MAX_PAYLOAD) {
      emit({ kind: 'overflow', length: size });
    }
  }

  private finishPayloadIfEmpty(emit: (e: AtEvent) => void): void {
    if (this.state !== State.Payload || this.payloadFill < this.payload.length) return;
    const data = this.payload;
    this.payload = new Uint8Array(0);
    this.payloadFill = 0;
    this.state = State.Line;
    emit({ kind: 'payload', data });
  }
}
