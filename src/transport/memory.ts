/**
 * In-memory transport pair for tests: what one side writes, the other reads, in order, with
 * real backpressure (a write resolves only once the peer has fewer than `highWaterMark` bytes
 * queued). Bytes are copied on write, honouring the borrowed-chunk contract of bodies.
 */
import type { Connector, Transport } from './transport.ts';

export interface MemoryPairOptions {
  /** Bytes the reader may have queued before writes wait (default 64 KiB). */
  highWaterMark?: number;
}

/** One end of a {@link memoryPair}. `destroy(err)` simulates a connection reset. */
export class MemoryTransport implements Transport {
  peer!: MemoryTransport;
  private readonly hwm: number;
  private readonly queue: Uint8Array[] = [];
  private queued = 0;
  private reader: { resolve(c: Uint8Array | null): void; reject(e: unknown): void } | null = null;
  private writers: Array<() => void> = [];
  private inboundEnded = false;
  private failure: Error | null = null;
  private closed = false;

  constructor(highWaterMark: number) {
    this.hwm = highWaterMark;
  }

  get isOpen(): boolean {
    return !this.closed && !this.inboundEnded && !this.failure;
  }

  async write(data: Uint8Array): Promise<void> {
    if (this.failure) throw this.failure;
    if (this.closed || this.peer.closed || this.peer.inboundEnded) throw Object.assign(new Error('memory transport closed'), { code: 'EPIPE' });
    this.peer.deliver(data.slice());
    while (this.peer.queued >= this.peer.hwm && !this.peer.closed && !this.failure) {
      await new Promise<void>((r) => this.peer.writers.push(r));
    }
    if (this.failure) throw this.failure;
  }

  read(): Promise<Uint8Array | null> {
    const next = this.queue.shift();
    if (next) {
      this.queued -= next.byteLength;
      this.wakeWriters();
      return Promise.resolve(next);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.inboundEnded || this.closed) return Promise.resolve(null);
    return new Promise((resolve, reject) => {
      this.reader = { resolve, reject };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.queue.length = 0;
    this.queued = 0;
    this.settleReader(null);
    this.wakeWriters();
    this.peer.endInbound();
  }

  /** Abrupt failure on both ends, like a TCP reset: pending and later reads/writes reject. */
  destroy(err: Error = Object.assign(new Error('connection reset'), { code: 'ECONNRESET' })): void {
    for (const side of [this, this.peer]) {
      if (side.closed) continue;
      side.failure = err;
      side.queue.length = 0;
      side.queued = 0;
      const r = side.reader;
      side.reader = null;
      r?.reject(err);
      side.wakeWriters();
    }
  }

  private deliver(data: Uint8Array): void {
    if (this.closed) return;
    const r = this.reader;
    if (r) {
      this.reader = null;
      r.resolve(data);
      return;
    }
    this.queue.push(data);
    this.queued += data.byteLength;
  }

  private endInbound(): void {
    this.inboundEnded = true;
    if (this.queue.length === 0) this.settleReader(null);
    this.wakeWriters();
  }

  private settleReader(value: Uint8Array | null): void {
    const r = this.reader;
    this.reader = null;
    r?.resolve(value);
  }

  private wakeWriters(): void {
    const ws = this.writers;
    this.writers = [];
    for (const w of ws) w();
  }
}

/** Two connected ends: `[client, server]`. */
export function memoryPair(opts: MemoryPairOptions = {}): [MemoryTransport, MemoryTransport] {
  const hwm = opts.highWaterMark ?? 64 * 1024;
  const a = new MemoryTransport(hwm);
  const b = new MemoryTransport(hwm);
  a.peer = b;
  b.peer = a;
  return [a, b];
}

/**
 * A connector whose every `connect()` makes a new pair and hands the server end to `accept`.
 * @example memoryConnector(async (srv) => { await srv.read(); await srv.write(bytes('HTTP/1.1 200 OK\r\n…')); })
 */
export function memoryConnector(
  accept: (server: MemoryTransport) => void,
  opts: MemoryPairOptions & { authority?: string } = {},
): Connector & { connections: number } {
  const c = {
    authority: opts.authority ?? 'memory.test',
    connections: 0,
    async connect(signal?: AbortSignal): Promise<Transport> {
      signal?.throwIfAborted();
      const [client, server] = memoryPair(opts);
      c.connections++;
      accept(server);
      return client;
    },
  };
  return c;
}
