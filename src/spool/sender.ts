/**
 * Drains a spool in order through an injected `send` function. Head-of-line: the oldest sample
 * is retried (with capped exponential backoff) until the service stores it, calls it a
 * duplicate, or refuses it for good (then it is dead-lettered with the answer). A crash at any
 * point leaves the sample queued; the resend is harmless because it carries
 * `x-disallow-duplicates` and the service keys duplicates on the body hash.
 */
import type { Spool } from './spool.ts';
import type { SpoolRecord } from './record.ts';

export type SendOutcome =
  /** 2xx: stored. */
  | { kind: 'delivered'; status: number; response?: string }
  /** The service already has this body (a resend after a crash). */
  | { kind: 'duplicate'; status: number; response?: string }
  /** Refused for good (400, 401, 421, …): goes to the dead-letter folder. */
  | { kind: 'rejected'; status: number; response: string; reason: string }
  /** Try again later (network, timeout, 5xx, 429). */
  | { kind: 'retry'; reason: string; status?: number; retryAfterMs?: number };

/** Sends one spooled sample. Throwing counts as `retry` with the error's code as the reason. */
export type SendFn = (record: SpoolRecord, id: string) => Promise<SendOutcome>;

export type SenderEvent =
  | { type: 'delivered' | 'duplicate'; id: string; status: number; attempts: number }
  | { type: 'dead'; id: string; reason: string; status?: number }
  | { type: 'retry'; id: string; reason: string; delayMs: number; attempts: number };

export interface SenderOptions {
  /** First backoff delay after a failed attempt (default 250 ms). */
  initialBackoffMs?: number;
  /** Backoff cap (default 30 s). */
  maxBackoffMs?: number;
  onEvent?: (e: SenderEvent) => void;
}

export interface SenderCounts {
  delivered: number;
  duplicates: number;
  dead: number;
  retries: number;
}

function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

export class SpoolSender {
  readonly counts: SenderCounts = { delivered: 0, duplicates: 0, dead: 0, retries: 0 };
  private readonly spool: Spool;
  private readonly send: SendFn;
  private readonly opts: Required<Omit<SenderOptions, 'onEvent'>> & Pick<SenderOptions, 'onEvent'>;
  /** Last failure reason while the head is stuck; cleared on success (shown by progress lines). */
  lastError: string | null = null;

  constructor(spool: Spool, send: SendFn, opts: SenderOptions = {}) {
    this.spool = spool;
    this.send = send;
    this.opts = { initialBackoffMs: opts.initialBackoffMs ?? 250, maxBackoffMs: opts.maxBackoffMs ?? 30_000, onEvent: opts.onEvent };
  }

  /**
   * Sends queued samples oldest first. With `untilEmpty` it returns once the queue is empty;
   * otherwise it waits for new samples until `signal` aborts. Never throws for a send failure.
   */
  async run(opts: { signal?: AbortSignal; untilEmpty?: boolean; maxAttempts?: number } = {}): Promise<SenderCounts> {
    const { signal } = opts;
    while (!signal?.aborted && !this.spool.isClosed) {
      const head = this.spool.head();
      if (!head) {
        if (opts.untilEmpty) break;
        await this.spool.waitForWork(signal);
        continue;
      }
      let ok: boolean;
      try {
        ok = await this.deliver(head.id, signal, opts.maxAttempts ?? Infinity);
      } catch (e) {
        // The spool itself failed (disk full, I/O error): keep the sample, wait, try again.
        const err = e as { code?: string; message?: string };
        this.lastError = `spool: ${err.code ?? err.message}`;
        this.opts.onEvent?.({ type: 'retry', id: head.id, reason: this.lastError, delayMs: this.opts.maxBackoffMs, attempts: 0 });
        if (opts.untilEmpty) break;
        await sleep(this.opts.maxBackoffMs, signal);
        continue;
      }
      if (!ok && opts.untilEmpty) break; // gave up after maxAttempts: leave it queued
    }
    return this.counts;
  }

  /** Delivers one sample; true once it left the queue (sent, duplicate or dead-lettered). */
  private async deliver(id: string, signal: AbortSignal | undefined, maxAttempts: number): Promise<boolean> {
    this.spool.busy.add(id);
    try {
      let record: SpoolRecord;
      try {
        record = await this.spool.read(id);
      } catch (e) {
        const err = e as { code?: string; message?: string };
        if (err.code === 'ENOENT') return true; // dropped by drop-oldest meanwhile
        await this.spool.deadLetter(id, { reason: `corrupt record: ${err.message}` });
        this.counts.dead++;
        this.opts.onEvent?.({ type: 'dead', id, reason: 'corrupt record' });
        return true;
      }
      let delay = this.opts.initialBackoffMs;
      for (let attempts = 1; ; attempts++) {
        if (signal?.aborted || this.spool.isClosed) return false;
        let out: SendOutcome;
        try {
          out = await this.send(record, id);
        } catch (e) {
          const err = e as { code?: string; message?: string };
          out = { kind: 'retry', reason: err.code ?? err.message ?? String(e) };
        }
        if (out.kind === 'delivered' || out.kind === 'duplicate') {
          await this.spool.remove(id);
          if (out.kind === 'delivered') this.counts.delivered++;
          else this.counts.duplicates++;
          this.lastError = null;
          this.opts.onEvent?.({ type: out.kind, id, status: out.status, attempts });
          return true;
        }
        if (out.kind === 'rejected') {
          await this.spool.deadLetter(id, { reason: out.reason, status: out.status, response: out.response, attempts });
          this.counts.dead++;
          this.opts.onEvent?.({ type: 'dead', id, reason: out.reason, status: out.status });
          return true;
        }
        this.counts.retries++;
        this.lastError = out.reason;
        if (attempts >= maxAttempts) return false;
        const wait = Math.min(this.opts.maxBackoffMs, out.retryAfterMs ?? delay);
        this.opts.onEvent?.({ type: 'retry', id, reason: out.reason, delayMs: wait, attempts });
        await sleep(wait, signal);
        delay = Math.min(this.opts.maxBackoffMs, delay * 2);
      }
    } finally {
      this.spool.busy.delete(id);
    }
  }
}
