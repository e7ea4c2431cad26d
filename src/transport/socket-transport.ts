/**
 * Adapts a connected `net.Socket` (or `tls.TLSSocket`) to the {@link Transport} contract:
 * a write resolves once the caller's (borrowed) chunk is free again and the socket is below its
 * high-water mark; reads pull from a small queue and pause the socket when it fills.
 */
import type { Socket } from 'node:net';
import type { Transport } from './transport.ts';

/** Received chunks kept before the socket is paused. */
const MAX_QUEUED = 16;
/** Chunks up to this size are copied and written without waiting for the write callback. */
const COPY_LIMIT = 16 * 1024;
const noop = () => {};

export class SocketTransport implements Transport {
  private readonly socket: Socket;
  private readonly queue: Uint8Array[] = [];
  private waiter: { resolve(c: Uint8Array | null): void; reject(e: unknown): void } | null = null;
  private ended = false;
  private failure: Error | null = null;
  private closed = false;
  private corked = false;

  constructor(socket: Socket) {
    this.socket = socket;
    socket.on('data', (chunk: Buffer) => {
      if (this.waiter) {
        const w = this.waiter;
        this.waiter = null;
        w.resolve(chunk);
        return;
      }
      this.queue.push(chunk);
      if (this.queue.length >= MAX_QUEUED) socket.pause();
    });
    socket.on('end', () => this.onEnd(null));
    socket.on('close', () => this.onEnd(null));
    socket.on('error', (err) => this.onEnd(err));
  }

  get isOpen(): boolean {
    return !this.closed && !this.ended && !this.failure && !this.socket.destroyed;
  }

  write(data: Uint8Array): Promise<void> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closed || this.socket.destroyed || !this.socket.writable) {
      return Promise.reject(Object.assign(new Error('socket is closed'), { code: 'EPIPE' }));
    }
    const socket = this.socket;
    // Writes of one tick (request head + a small body) leave as one segment.
    if (!this.corked) {
      this.corked = true;
      socket.cork();
      process.nextTick(() => {
        this.corked = false;
        socket.uncork();
      });
    }
    if (data.byteLength <= COPY_LIMIT) {
      // Small chunks are copied, so the caller's borrowed view is free at once and we need not
      // wait a loop turn for the write callback (what makes small requests fast); backpressure
      // still applies through 'drain'. Errors surface via the 'error' event on the next call.
      const ok = socket.write(Buffer.from(data), noop);
      if (ok) return Promise.resolve();
      return this.drained();
    }
    return new Promise((resolve, reject) => {
      // Large chunks are not copied: resolve only once the bytes left Node's buffers.
      socket.write(data, (err) => (err ? reject(this.failure ?? err) : resolve()));
    });
  }

  private drained(): Promise<void> {
    return new Promise((resolve, reject) => {
      const done = () => {
        this.socket.off('drain', done);
        this.socket.off('close', done);
        if (this.failure) reject(this.failure);
        else if (this.socket.destroyed) reject(Object.assign(new Error('socket closed while writing'), { code: 'EPIPE' }));
        else resolve();
      };
      this.socket.on('drain', done);
      this.socket.on('close', done);
    });
  }

  read(): Promise<Uint8Array | null> {
    const next = this.queue.shift();
    if (next) {
      if (this.queue.length < MAX_QUEUED / 2 && this.socket.isPaused()) this.socket.resume();
      return Promise.resolve(next);
    }
    if (this.failure && !this.closed) return Promise.reject(this.failure);
    if (this.ended || this.closed) return Promise.resolve(null);
    if (this.waiter) return Promise.reject(new Error('overlapping read'));
    if (this.socket.isPaused()) this.socket.resume();
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    this.queue.length = 0;
    const w = this.waiter;
    this.waiter = null;
    w?.resolve(null);
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }

  private onEnd(err: Error | null): void {
    if (err && !this.failure) this.failure = err;
    this.ended = true;
    const w = this.waiter;
    if (!w) return;
    this.waiter = null;
    if (err && !this.closed) w.reject(err);
    else w.resolve(null);
  }
}

/** Resolves with the socket once `readyEvent` fires; destroys it on error or abort. */
export function awaitSocket(socket: Socket, readyEvent: 'connect' | 'secureConnect', signal?: AbortSignal): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const onAbort = () => {
      cleanup();
      socket.destroy();
      reject(signal?.reason ?? Object.assign(new Error('connect aborted'), { name: 'AbortError' }));
    };
    const onError = (err: Error) => {
      cleanup();
      socket.destroy();
      reject(err);
    };
    const onReady = () => {
      cleanup();
      resolve(socket);
    };
    const cleanup = () => {
      socket.off('error', onError);
      socket.off(readyEvent, onReady);
      signal?.removeEventListener('abort', onAbort);
    };
    if (signal?.aborted) return onAbort();
    socket.once('error', onError);
    socket.once(readyEvent, onReady);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
