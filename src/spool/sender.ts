/**
 * Drains a spool in order through an injected `send` function. Head-of-line: the oldest sample
 * is retried (with capped exponential backoff) until the service stores it or refuses it for
 * good; a sample that keeps failing on its own is dead-lettered by the rule in policy.ts, so the
 * samples behind it move on; an outage only waits. A crash at any point leaves the sample queued;
 * the resend is harmless because it carries `x-disallow-duplicates` and the service keys
 * duplicates on the body hash.
 *
 * One attempt's result is decided by {@link SpoolSender.settle} (send outcome → remove, dead-letter
 * or note the failure), which a batch sender can call per file.
 */
import type { Spool } from './spool.ts';
import type { SpoolRecord } from './record.ts';
import { noteFailure, resolvePolicy, verdict } from './policy.ts';
import type { DeadLetterPolicy, SampleAttempts, Verdict } from './policy.ts';

export type SendOutcome =
  /** 2xx: stored. */
  | { kind: 'delivered'; status: number; response?: string }
  /** 2xx flagged as already held (a resend after a crash). */
  | { kind: 'duplicate'; status: number; response?: string }
  /** Refused for good (4xx, or the client refuses to frame it): dead-lettered at once. */
  | { kind: 'rejected'; status?: number; response: string; reason: string }
  /**
   * Try again later. `scope` says whose failure it is (see outcome.ts); absent means `outage`,
   * which never dead-letters.
   */
  | { kind: 'retry'; reason: string; scope?: 'sample' | 'outage'; status?: number; retryAfterMs?: number; response?: string };

/** Sends one spooled sample. Throwing counts as an outage `retry` with the error's code as the reason. */
export type SendFn = (record: SpoolRecord, id: string) => Promise<SendOutcome>;

export type SenderEvent =
  | { type: 'delivered' | 'duplicate'; id: string; status: number; attempts: number }
  | { type: 'dead'; id: string; reason: string; status?: number }
  | { type: 'retry'; id: string; reason: string; delayMs: number; attempts: number }
  /** A sample from behind a stuck head was sent to test whether the service is healthy. */
  | { type: 'probe'; id: string; behind: string };

export interface SenderOptions {
  /** First backoff delay after a failed attempt (default 250 ms). */
  initialBackoffMs?: number;
  /** Backoff cap (default 30 s). */
  maxBackoffMs?: number;
  /** When a sample that keeps failing on its own is dead-lettered (policy.ts). */
  deadLetter?: Partial<DeadLetterPolicy>;
  onEvent?: (e: SenderEvent) => void;
  /** Clock, injectable for tests (default Date.now). */
  now?: () => number;
  /** Backoff sleep, injectable for tests; resolves early when `signal` aborts. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export interface SenderCounts {
  delivered: number;
  duplicates: number;
  dead: number;
  retries: number;
}

/** Waits `ms`, resolving early (never rejecting) when `signal` aborts: the senders' backoff wait. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
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
  readonly policy: DeadLetterPolicy;
  private readonly spool: Spool;
  private readonly send: SendFn;
  private readonly opts: { initialBackoffMs: number; maxBackoffMs: number; onEvent?: (e: SenderEvent) => void };
  private readonly now: () => number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** When any sample was last stored: the health proof of policy rule 3. */
  private lastStoredAt = -Infinity;
  /** Last failure reason while the head is stuck; cleared on success (shown by progress lines). */
  lastError: string | null = null;

  constructor(spool: Spool, send: SendFn, opts: SenderOptions = {}) {
    this.spool = spool;
    this.send = send;
    this.opts = { initialBackoffMs: opts.initialBackoffMs ?? 250, maxBackoffMs: opts.maxBackoffMs ?? 30_000, onEvent: opts.onEvent };
    this.policy = resolvePolicy(opts.deadLetter);
    this.now = opts.now ?? Date.now;
    this.sleep = opts.sleep ?? sleep;
  }

  /**
   * Sends queued samples oldest first. With `untilEmpty` it returns once the queue is empty;
   * otherwise it waits for new samples until `signal` aborts. Never throws for a send failure.
   * @param opts.maxAttempts with untilEmpty: stop (leaving the sample queued) after this many
   *   failed attempts at one head in this run
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
        await this.sleep(this.opts.maxBackoffMs, signal);
        continue;
      }
      if (!ok && opts.untilEmpty) break; // gave up after maxAttempts: leave it queued
    }
    return this.counts;
  }

  /** One attempt: send, with a throw counted as an outage. */
  async attempt(record: SpoolRecord, id: string): Promise<SendOutcome> {
    try {
      return await this.send(record, id);
    } catch (e) {
      const err = e as { code?: string; message?: string };
      return { kind: 'retry', scope: 'outage', reason: err.code ?? err.message ?? String(e) };
    }
  }

  /**
   * Applies one attempt's outcome to a queued sample: removes it (stored), dead-letters it
   * (refused, or failing on its own past the policy with the service proven healthy), or records
   * the failure. Returns the verdict; 'probe' and 'retry' leave the sample queued. A batch
   * sender settles a batch's stored files first: they are the health proof for the others.
   */
  async settle(id: string, out: SendOutcome, attemptsThisRun: number): Promise<Verdict> {
    if (out.kind === 'delivered' || out.kind === 'duplicate') {
      await this.settleStored([{ id, out }], attemptsThisRun);
      return 'remove';
    }
    const now = this.now();
    const state = noteFailure(await this.spool.attempts(id), out, now);
    const v = verdict(out, state, this.policy, now, this.lastStoredAt);
    if (v === 'dead') await this.bury(id, state, out);
    else await this.spool.saveAttempts(id, state);
    return v;
  }

  /**
   * Settles samples the service stored (delivered or duplicate) together: one removal for all of
   * them (a batch's answer), then the same counts and events as `settle`.
   */
  async settleStored(items: readonly { id: string; out: Extract<SendOutcome, { kind: 'delivered' | 'duplicate' }> }[], attemptsThisRun: number): Promise<void> {
    if (items.length === 0) return;
    await this.spool.removeMany(items.map((i) => i.id));
    const now = this.now();
    for (const { id, out } of items) {
      if (out.kind === 'delivered') this.counts.delivered++;
      else this.counts.duplicates++;
      this.lastStoredAt = now;
      this.opts.onEvent?.({ type: out.kind, id, status: out.status, attempts: attemptsThisRun });
    }
  }

  private async bury(id: string, state: SampleAttempts, out: Extract<SendOutcome, { kind: 'retry' | 'rejected' }>): Promise<void> {
    const reason =
      out.kind === 'rejected'
        ? out.reason
        : `failed ${state.streak!.count} times with ${out.reason} over ${Math.round((state.lastAt - state.streak!.since) / 1000)} s while other samples were stored`;
    await this.spool.deadLetter(id, {
      reason,
      status: out.status,
      response: out.response ?? '',
      attempts: state.attempts,
      history: state.history,
      omitted: state.omitted,
    });
    this.counts.dead++;
    this.opts.onEvent?.({ type: 'dead', id, reason, status: out.status });
  }

  /** Delivers one sample; true once it left the queue (sent, duplicate or dead-lettered). */
  private async deliver(id: string, signal: AbortSignal | undefined, maxAttempts: number): Promise<boolean> {
    this.spool.busy.add(id);
    try {
      const record = await this.load(id);
      if (!record) return true;
      let delay = this.opts.initialBackoffMs;
      for (let attempts = 1; ; attempts++) {
        if (signal?.aborted || this.spool.isClosed) return false;
        const out = await this.attempt(record, id);
        let v = await this.settle(id, out, attempts);
        if (v === 'probe') {
          await this.probe(id, signal);
          if (signal?.aborted || this.spool.isClosed) return false;
          // Re-judge the same failure with what the probes proved.
          if (this.lastStoredAt >= ((await this.spool.attempts(id))?.streak?.since ?? Infinity)) {
            const state = (await this.spool.attempts(id))!;
            await this.bury(id, state, out as Extract<SendOutcome, { kind: 'retry' }>);
            return true;
          }
          v = 'retry';
        }
        if (v === 'remove' || v === 'dead') {
          if (v === 'remove') this.lastError = null;
          return true;
        }
        const failed = out as Extract<SendOutcome, { kind: 'retry' }>;
        this.counts.retries++;
        this.lastError = failed.reason;
        if (attempts >= maxAttempts) return false;
        const wait = Math.min(this.opts.maxBackoffMs, failed.retryAfterMs ?? delay);
        this.opts.onEvent?.({ type: 'retry', id, reason: failed.reason, delayMs: wait, attempts });
        await this.sleep(wait, signal);
        delay = Math.min(this.opts.maxBackoffMs, delay * 2);
      }
    } finally {
      this.spool.busy.delete(id);
    }
  }

  /** Reads a record; a corrupt one is dead-lettered, a vanished one (drop-oldest) skipped. */
  private async load(id: string): Promise<SpoolRecord | null> {
    try {
      return await this.spool.read(id);
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code === 'ENOENT') return null;
      await this.spool.deadLetter(id, { reason: `corrupt record: ${err.message}` });
      this.counts.dead++;
      this.opts.onEvent?.({ type: 'dead', id, reason: 'corrupt record' });
      return null;
    }
  }

  /**
   * Policy rule 3: sends up to `policy.probes` samples from behind the stuck head, in order,
   * until one is stored (the service is healthy) or an outage answers (it is not). Samples that
   * are stored or refused leave the queue as usual; their own failures are recorded.
   */
  private async probe(stuck: string, signal: AbortSignal | undefined): Promise<void> {
    const behind = this.spool.entries().filter((e) => e.id !== stuck && !this.spool.busy.has(e.id)).slice(0, this.policy.probes);
    for (const e of behind) {
      if (signal?.aborted || this.spool.isClosed) return;
      this.spool.busy.add(e.id);
      try {
        const record = await this.load(e.id);
        if (!record) continue;
        this.opts.onEvent?.({ type: 'probe', id: e.id, behind: stuck });
        const out = await this.attempt(record, e.id);
        const v = await this.settle(e.id, out, 1);
        if (v === 'remove') return;
        if (out.kind === 'retry' && (out.scope ?? 'outage') === 'outage') return;
      } finally {
        this.spool.busy.delete(e.id);
      }
    }
  }
}
