/**
 * One direction of an emulated link: bytes enter, are serialised at the link's bandwidth (a chunk
 * leaves the sender when its last bit is on the wire) and arrive `latencyMs` after that, in order.
 * Many chunks are in flight at once (a delay line, not a stop-and-wait), so a sender that keeps
 * the pipe full gets the bandwidth whatever the latency. The bytes in flight are bounded: above
 * `maxInFlight` the pipe asks its source to pause (as a TCP receive window would) and resumes it
 * once half of that has been delivered.
 */

/**
 * The line one direction of a link serialises onto; connections of one link share it, so they
 * share its bandwidth (first come, first served), as TCP flows on one bottleneck do.
 */
export class Wire {
  freeAt = 0;
}

export interface PipeOptions {
  /** One-way delay added to every chunk, ms. */
  latencyMs: number;
  /** Line rate in bits per second; 0 or Infinity = unlimited. */
  bitsPerSecond: number;
  /** Bytes accepted but not yet delivered before the source is paused. */
  maxInFlight: number;
  /** Receives each chunk at its arrival time. Return false to hold delivery until `drained()`. */
  deliver: (chunk: Buffer) => boolean;
  /** The source should stop (true) or may go on (false). */
  backpressure: (pause: boolean) => void;
  /** Clock, ms (injectable for tests). */
  now?: () => number;
  /** The shared line (default: one of its own). */
  wire?: Wire;
}

interface InFlight {
  chunk: Buffer;
  arrivesAt: number;
}

export class LinkPipe {
  private readonly o: Required<Omit<PipeOptions, 'wire'>>;
  private readonly wire: Wire;
  private readonly queue: InFlight[] = [];
  private head = 0;
  private inFlight = 0;
  /** This connection's own sending clock (handshake hold, its earlier chunks). */
  private notBefore = 0;
  private paused = false;
  private held = false;
  private timer: NodeJS.Timeout | undefined;
  private stalledUntil = 0;
  private ended = false;
  private onEmpty: (() => void)[] = [];
  private stopped = false;
  /** Bytes delivered to the far end. */
  delivered = 0;

  constructor(o: PipeOptions) {
    this.o = { now: () => performance.now(), ...o };
    this.wire = o.wire ?? new Wire();
  }

  /** Puts a chunk on the wire. */
  push(chunk: Buffer): void {
    if (this.stopped || chunk.length === 0) return;
    const now = this.o.now();
    const bps = this.o.bitsPerSecond;
    const txMs = bps > 0 && Number.isFinite(bps) ? (chunk.length * 8 * 1000) / bps : 0;
    // This connection's bytes leave after its earlier ones (and its handshake), and the line
    // carries one chunk at a time for every connection on it.
    const start = Math.max(now, this.notBefore, this.wire.freeAt);
    this.wire.freeAt = start + txMs;
    this.notBefore = start + txMs;
    this.queue.push({ chunk, arrivesAt: start + txMs + this.o.latencyMs });
    this.inFlight += chunk.length;
    if (!this.paused && this.inFlight >= this.o.maxInFlight) {
      this.paused = true;
      this.o.backpressure(true);
    }
    this.arm();
  }

  /** Nothing leaves the sender before `ms` from now (a handshake): later bytes serialise after it. */
  holdWire(ms: number): void {
    this.notBefore = Math.max(this.notBefore, this.o.now() + ms);
  }

  /** Nothing is delivered until `ms` from now (a stall); bytes keep queueing behind it. */
  stall(ms: number): void {
    this.stalledUntil = Math.max(this.stalledUntil, this.o.now() + ms);
    this.arm(true);
  }

  /** The far end can take data again after `deliver` returned false. */
  drained(): void {
    this.held = false;
    this.arm();
  }

  /** Calls `fn` once everything pushed so far has been delivered (at once if nothing is queued). */
  end(fn: () => void): void {
    this.ended = true;
    this.onEmpty.push(fn);
    this.arm();
  }

  /** Drops everything in flight (connection reset). */
  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.queue.length = 0;
    this.head = 0;
    this.inFlight = 0;
  }

  get bytesInFlight(): number {
    return this.inFlight;
  }

  private arm(reset = false): void {
    if (this.stopped || this.held) return;
    if (this.timer && !reset) return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.head >= this.queue.length) {
      if (this.ended) for (const fn of this.onEmpty.splice(0)) fn();
      return;
    }
    const due = Math.max(this.queue[this.head]!.arrivesAt, this.stalledUntil);
    const wait = due - this.o.now();
    if (wait <= 0) {
      this.flush();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, Math.ceil(wait));
  }

  private flush(): void {
    const now = this.o.now();
    while (!this.stopped && !this.held && this.head < this.queue.length && now >= this.stalledUntil) {
      const f = this.queue[this.head]!;
      // setTimeout may fire up to a millisecond early after rounding; 0.5 ms of slack keeps order.
      if (f.arrivesAt > now + 0.5) break;
      this.head++;
      this.inFlight -= f.chunk.length;
      this.delivered += f.chunk.length;
      if (this.o.deliver(f.chunk) === false) this.held = true;
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.paused && this.inFlight <= this.o.maxInFlight / 2) {
      this.paused = false;
      this.o.backpressure(false);
    }
    this.arm();
  }
}
