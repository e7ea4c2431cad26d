/**
 * The simulated UART between host and modem. A pty moves bytes at memory speed, so this paces
 * both directions at baud/10 bytes per second (8N1: 10 bits per byte) and applies RTS/CTS-like
 * backpressure: the modem refusing bytes leaves them queued here, and a long queue pauses reading
 * the pty so the host's writes stall, as a deasserted CTS would.
 */
import type { Duplex } from 'node:stream';

/** What the modem does with bytes clocked in: returns how many it took (the rest wait). */
export type RxSink = (bytes: Uint8Array) => number;

export interface UartCounters {
  /** Bytes the modem sent to the host (clocked out on the wire). */
  bytesToHost: number;
  /** Bytes the host sent that crossed the wire into the modem (including any dropped there). */
  bytesFromHost: number;
}

/** Pacing granularity: a slice per tick keeps throughput near the line rate at any baud. */
const TICK_MS = 2;
/** Timer lateness made up for while a direction stays busy, so the average rate holds. */
const CATCH_UP_MS = 50;
/** Host-side queue (pty + our buffer) beyond which reading pauses (CTS deasserted). */
const RX_PAUSE_AT = 16 * 1024;
const RX_RESUME_AT = 4 * 1024;
/** Bytes handed to the pty but not yet taken by the host beyond which output waits. */
const TX_PENDING_MAX = 1024;

export class PacedUart {
  readonly counters: UartCounters = { bytesToHost: 0, bytesFromHost: 0 };
  private readonly bytesPerMs: number;
  private rxChunks: Buffer[] = [];
  private rxOffset = 0;
  private rxQueued = 0;
  private txChunks: Buffer[] = [];
  private txOffset = 0;
  private rxLineFreeAt = 0;
  private txLineFreeAt = 0;
  private paused = false;
  /** The direction had bytes left after the previous tick (the line never went idle). */
  private txBusy = false;
  private rxBusy = false;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private closed = false;
  private sink: RxSink = () => 0;
  /** Called once the transmit queue has fully gone out on the wire. */
  private txIdleWaiters: (() => void)[] = [];

  constructor(
    private readonly port: Duplex,
    baud: number,
  ) {
    this.bytesPerMs = baud / 10 / 1000;
    port.on('data', (chunk: Buffer) => {
      if (this.closed) return;
      this.rxChunks.push(chunk);
      this.rxQueued += chunk.length;
      if (this.rxQueued >= RX_PAUSE_AT && !this.paused) {
        this.paused = true;
        port.pause();
      }
      this.schedule();
    });
  }

  /** Where clocked-in bytes go. */
  setSink(sink: RxSink): void {
    this.sink = sink;
  }

  /** Queues bytes for the host; they leave at the line rate. */
  send(bytes: Uint8Array | string): void {
    if (this.closed) return;
    const buf = typeof bytes === 'string' ? Buffer.from(bytes, 'latin1') : Buffer.from(bytes);
    if (buf.length === 0) return;
    this.txChunks.push(buf);
    this.schedule();
  }

  /** Resolves once everything queued so far has been clocked out. */
  whenTxIdle(): Promise<void> {
    if (this.txChunks.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.txIdleWaiters.push(resolve));
  }

  /** The modem can take bytes again (it refused some earlier). */
  kick(): void {
    this.schedule();
  }

  /** Reboot: bytes in flight in either direction are lost. */
  discardAll(): void {
    this.rxChunks = [];
    this.rxOffset = 0;
    this.rxQueued = 0;
    this.txChunks = [];
    this.txOffset = 0;
    this.resumeIfDrained();
    for (const w of this.txIdleWaiters.splice(0)) w();
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    for (const w of this.txIdleWaiters.splice(0)) w();
  }

  private schedule(): void {
    if (this.timer || this.immediate || this.closed) return;
    const now = performance.now();
    if (this.txLineFreeAt <= now && this.rxLineFreeAt <= now) {
      // Line idle in both directions: start now rather than a tick later (command round trips).
      this.immediate = setImmediate(() => {
        this.immediate = undefined;
        this.tick();
      });
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.tick();
    }, TICK_MS);
  }

  private tick(): void {
    if (this.closed) return;
    const now = performance.now();
    let again = this.clockOut(now);
    again = this.clockIn(now) || again;
    if (again) this.schedule();
  }

  /** Returns true while there is more to send. */
  private clockOut(now: number): boolean {
    if (this.txChunks.length === 0) return (this.txBusy = false);
    const writable = this.port as Duplex & { writableLength: number };
    if (writable.writableLength > TX_PENDING_MAX) {
      this.txBusy = false; // host not reading: wait (CTS), no catching up afterwards
      return true;
    }
    const start = lineStart(this.txLineFreeAt, now, this.txBusy);
    this.txBusy = true;
    let budget = Math.floor((now + TICK_MS - start) * this.bytesPerMs);
    if (budget <= 0) return true;
    const parts: Buffer[] = [];
    while (budget > 0 && this.txChunks.length > 0) {
      const head = this.txChunks[0];
      const n = Math.min(budget, head.length - this.txOffset);
      parts.push(head.subarray(this.txOffset, this.txOffset + n));
      this.txOffset += n;
      budget -= n;
      if (this.txOffset === head.length) {
        this.txChunks.shift();
        this.txOffset = 0;
      }
    }
    const out = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    this.txLineFreeAt = start + out.length / this.bytesPerMs;
    this.counters.bytesToHost += out.length;
    this.port.write(out);
    if (this.txChunks.length === 0) {
      this.txBusy = false;
      for (const w of this.txIdleWaiters.splice(0)) w();
      return false;
    }
    return true;
  }

  /** Returns true while there are bytes the modem may still take. */
  private clockIn(now: number): boolean {
    if (this.rxQueued === 0) return (this.rxBusy = false);
    const start = lineStart(this.rxLineFreeAt, now, this.rxBusy);
    this.rxBusy = true;
    let budget = Math.floor((now + TICK_MS - start) * this.bytesPerMs);
    if (budget <= 0) return true;
    let took = 0;
    while (budget > 0 && this.rxChunks.length > 0) {
      const head = this.rxChunks[0];
      const view = head.subarray(this.rxOffset, this.rxOffset + Math.min(budget, head.length - this.rxOffset));
      const n = this.sink(view);
      if (this.closed || this.rxChunks.length === 0) return false; // closed or rebooted inside sink
      took += n;
      budget -= n;
      this.rxOffset += n;
      this.rxQueued -= n;
      if (this.rxOffset === head.length) {
        this.rxChunks.shift();
        this.rxOffset = 0;
      }
      if (n < view.length) {
        // Modem refused the rest (busy or flow control): it kicks us when ready.
        this.rxBusy = false;
        this.finishIn(start, took);
        return false;
      }
    }
    this.finishIn(start, took);
    if (this.rxQueued === 0) this.rxBusy = false;
    return this.rxQueued > 0;
  }

  private finishIn(start: number, took: number): void {
    if (took > 0) this.rxLineFreeAt = start + took / this.bytesPerMs;
    this.counters.bytesFromHost += took;
    this.resumeIfDrained();
  }

  private resumeIfDrained(): void {
    if (this.paused && this.rxQueued <= RX_RESUME_AT) {
      this.paused = false;
      this.port.resume();
    }
  }
}

/** When the next byte may start: right after the previous one while busy (within reason), else now. */
function lineStart(freeAt: number, now: number, busy: boolean): number {
  if (freeAt >= now) return freeAt;
  return busy && freeAt >= now - CATCH_UP_MS ? freeAt : now;
}
