/**
 * Output pacing for the simulated board. A pty moves bytes at memory speed and has no baud rate
 * (FACTS §8), so the board clocks its output out at baud/10 bytes per second (8N1) itself, with a
 * rate that can change mid-stream (the fast-transfer baud switch).
 */
const TICK_MS = 2;
/** Lateness of the timer made up while the line stays busy, so the average rate holds. */
const CATCH_UP_MS = 30;

export class Pacer {
  private queue: { bytes: Buffer; then?: () => void }[] = [];
  private offset = 0;
  private bytesPerMs: number;
  private credit = 0;
  private last = 0;
  private timer: NodeJS.Timeout | undefined;
  private closed = false;
  /** Bytes that left on the wire. */
  sent = 0;

  constructor(
    private readonly write: (b: Buffer) => void,
    baud: number,
  ) {
    this.bytesPerMs = baud / 10000;
  }

  /** Changes the line rate for bytes not yet sent. */
  setBaud(baud: number): void {
    this.bytesPerMs = baud / 10000;
  }

  /** Queues bytes; `then` runs once the last of them left. */
  send(data: string | Uint8Array, then?: () => void): void {
    if (this.closed) return;
    const bytes = typeof data === 'string' ? Buffer.from(data, 'latin1') : Buffer.from(data);
    this.queue.push({ bytes, then });
    if (!this.timer) {
      this.last = performance.now();
      this.credit = 0;
      this.timer = setInterval(() => this.tick(), TICK_MS);
    }
  }

  /** Resolves once everything queued so far has gone out. */
  drained(): Promise<void> {
    if (this.queue.length === 0) return Promise.resolve();
    return new Promise((r) => this.send('', r));
  }

  /** Drops what is queued (a reset loses the UART's buffer). */
  clear(): void {
    this.queue = [];
    this.offset = 0;
  }

  close(): void {
    this.closed = true;
    this.clear();
    clearInterval(this.timer);
    this.timer = undefined;
  }

  private tick(): void {
    const now = performance.now();
    this.credit = Math.min(this.credit + (now - this.last) * this.bytesPerMs, CATCH_UP_MS * this.bytesPerMs);
    this.last = now;
    let budget = Math.floor(this.credit);
    while (this.queue.length > 0) {
      const head = this.queue[0]!;
      const left = head.bytes.length - this.offset;
      if (left > 0) {
        if (budget === 0) break;
        const n = Math.min(left, budget);
        this.write(head.bytes.subarray(this.offset, this.offset + n));
        this.offset += n;
        budget -= n;
        this.credit -= n;
        this.sent += n;
        if (n < left) break;
      }
      this.queue.shift();
      this.offset = 0;
      head.then?.();
    }
    if (this.queue.length === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }
}
