/**
 * Data mode of the Serial (LTE) Modem (FACTS §7): bytes from the host fill a 4096-byte buffer that
 * goes to the socket after ~32 ms without input, when it fills, or when data mode ends. `+++`
 * anywhere in the stream ends data mode (no guard time, no escaping) unless the new dialect's
 * explicit-length form is used. On a socket error the modem sends `+++` to the host and drops
 * input until the host answers with `+++`.
 */

export const DATA_BUFFER_SIZE = 4096;
export const IDLE_FLUSH_MS = 32;
const PLUS = 0x2b;

export interface DataModeOptions {
  /** Exact byte count of `AT#XSEND=<h>,2,0,<len>`; no `+++` scan when set. */
  length?: number;
  /** Without flow control, bytes that find the buffer full are dropped instead of held back. */
  dropWithoutFlowControl: boolean;
  /** Sends one buffer to the network; rejects with an errno-carrying error on failure. */
  flush: (bytes: Uint8Array) => Promise<void>;
  /** Errno of a flush failure. */
  errnoOf: (err: unknown) => number;
  /** Raw bytes to the host (the `+++` of a failed session). */
  toHost: (bytes: string) => void;
  /** Data mode is over: 0 or a negative errno. Called once. */
  onExit: (result: number) => void;
  /** More input can be taken after the modem refused some. */
  onReady: () => void;
  /** Bytes dropped by overrun. */
  onDrop: (count: number) => void;
}

export class DataModeSession {
  private buf = new Uint8Array(DATA_BUFFER_SIZE);
  private len = 0;
  private inFlight: Promise<void> | undefined;
  private plusRun = 0;
  private remaining: number | undefined;
  private idle: NodeJS.Timeout | undefined;
  private error = 0;
  /** Host ended (or explicit length reached): waiting for the last flush before reporting. */
  private ending = false;
  private exited = false;
  private blocked = false;

  constructor(private readonly opts: DataModeOptions) {
    this.remaining = opts.length;
    if (this.remaining === 0) this.finish();
  }

  /**
   * Feeds bytes clocked in from the host; returns how many were taken. Fewer than offered means
   * the modem is holding the line (buffer full, or data mode ended and the rest is for command
   * mode once `onExit` ran).
   */
  feed(bytes: Uint8Array): number {
    let i = 0;
    while (i < bytes.length) {
      if (this.ending || this.exited) return i;
      const b = bytes[i];
      if (this.error) {
        // Failed session: discard until the host's +++ (or the promised length).
        i++;
        if (this.countDown()) return i;
        if (this.scanPlus(b)) {
          this.finish();
          return i;
        }
        continue;
      }
      if (this.remaining === undefined && b === PLUS) {
        this.plusRun++;
        i++;
        if (this.plusRun === 3) {
          this.plusRun = 0;
          this.finish();
          return i;
        }
        continue;
      }
      // Pending '+' that turned out not to be the pattern are data.
      const need = this.plusRun + 1;
      if (this.len + need > DATA_BUFFER_SIZE) {
        if (!this.inFlight) this.startFlush();
        else if (this.opts.dropWithoutFlowControl) {
          i++;
          this.opts.onDrop(1);
          if (this.countDown()) return i;
          continue;
        } else {
          this.blocked = true;
          return i;
        }
        if (this.len + need > DATA_BUFFER_SIZE) {
          this.blocked = true;
          return i;
        }
      }
      for (; this.plusRun > 0; this.plusRun--) this.buf[this.len++] = PLUS;
      this.buf[this.len++] = b;
      i++;
      if (this.countDown()) return i;
    }
    this.armIdle();
    return i;
  }

  /** Cancels timers without reporting (reboot, close). */
  abort(): void {
    this.exited = true;
    if (this.idle) clearTimeout(this.idle);
  }

  /** True once the explicit length is used up; ends the session. */
  private countDown(): boolean {
    if (this.remaining === undefined) return false;
    this.remaining--;
    if (this.remaining > 0) return false;
    this.finish();
    return true;
  }

  private scanPlus(b: number): boolean {
    if (b !== PLUS) {
      this.plusRun = 0;
      return false;
    }
    return ++this.plusRun === 3;
  }

  private armIdle(): void {
    if (this.idle) clearTimeout(this.idle);
    if (this.len === 0 || this.error) return;
    this.idle = setTimeout(() => {
      this.idle = undefined;
      if (!this.inFlight) this.startFlush();
      // else: the flush completion re-arms the timer.
    }, IDLE_FLUSH_MS);
  }

  private startFlush(): void {
    if (this.len === 0 || this.error) return;
    const chunk = this.buf.subarray(0, this.len);
    this.buf = new Uint8Array(DATA_BUFFER_SIZE);
    this.len = 0;
    const p = this.opts.flush(chunk).then(
      () => undefined,
      (err) => this.fail(this.opts.errnoOf(err)),
    );
    this.inFlight = p;
    void p.then(() => {
      if (this.inFlight === p) this.inFlight = undefined;
      if (this.exited) return;
      if (this.ending) return this.finish();
      if (this.blocked) {
        this.blocked = false;
        this.opts.onReady();
      }
      this.armIdle();
    });
  }

  private fail(errno: number): void {
    if (this.error) return;
    this.error = errno;
    this.len = 0;
    this.plusRun = 0;
    if (this.idle) clearTimeout(this.idle);
    if (this.ending) return; // host already ended; the result reports it
    this.opts.toHost('+++');
    if (this.blocked) {
      this.blocked = false;
      this.opts.onReady();
    }
  }

  /** Ends the session once pending data is out; reports 0 or -errno. */
  private finish(): void {
    this.ending = true;
    if (this.idle) clearTimeout(this.idle);
    if (this.inFlight) return; // completion calls finish again
    if (this.len > 0 && !this.error) return this.startFlush();
    if (this.exited) return;
    this.exited = true;
    this.opts.onExit(this.error ? -this.error : 0);
  }
}
