/**
 * Drains a spool in batches: waiting samples that share their request headers (batch-plan.ts) go
 * together in one `/api/{category}/files` request, up to `connections` requests at once. Each
 * file's answer is applied to its own sample with the single-sample sender's policy
 * (SpoolSender.settle: delivered/duplicate → removed, refused → dead-lettered, failing on its own
 * → dead-lettered past the policy, outage → kept). A file that failed inside a batch is settled
 * by its entry's own `status` when the answer has one (our local service's extension); without
 * one (Edge Impulse's answer) it is resent alone, whose own status tells a refusal from a passing
 * fault.
 *
 * Nothing lost, nothing stored twice: a sample leaves the queue only after its own answer; a crash
 * or a dropped connection before that leaves it queued, and every request carries
 * `x-disallow-duplicates`, so a resend of files the service already stored comes back as
 * duplicates.
 *
 * Order: with `order: 'key'` (the default) at most one batch per batch key is in flight, so the
 * samples of one key (category, label, metadata, flags) are stored in the order they were
 * accepted, batch after batch; batches of different keys travel in parallel. `order: 'none'` lets
 * batches of one key overlap too (fastest backlog drain; each batch is still stored in order, but
 * two batches in flight at once may be stored interleaved).
 */
import { batchable, batchKey, nextBatch, resolveBatchLimits } from './batch-plan.ts';
import type { BatchLimits } from './batch-plan.ts';
import type { BatchSendFn } from './client-batch-send.ts';
import type { SpoolRecord } from './record.ts';
import { SpoolSender, sleep } from './sender.ts';
import type { SendFn, SendOutcome, SenderCounts, SenderOptions } from './sender.ts';
import type { QueueEntry, Spool } from './spool.ts';

export interface BatchSenderOptions extends SenderOptions {
  /** Most files and bytes per request (defaults 1,000 files, 1 MiB). */
  batch?: Partial<BatchLimits>;
  /** Requests in flight at once, each on its own connection of the client (default 2). */
  connections?: number;
  /** 'key' (default): samples of one batch key stored in acceptance order; 'none': no order between batches. */
  order?: 'key' | 'none';
}

export interface BatchStats {
  /** Batch requests sent (multi-file `/files` requests). */
  batches: number;
  /** Files sent in those requests. */
  files: number;
  /** Samples resent alone after failing inside a batch, or sent alone because nothing shared their headers. */
  single: number;
  /** Most requests in flight at once so far. */
  peakInFlight: number;
}

interface Item {
  id: string;
  record: SpoolRecord;
}

const isOutage = (o: SendOutcome) => o.kind === 'retry' && (o.scope ?? 'outage') === 'outage';

export class BatchSender {
  readonly stats: BatchStats = { batches: 0, files: 0, single: 0, peakInFlight: 0 };
  /** The per-sample policy, counts and events (shared with the one-at-a-time sender). */
  readonly single: SpoolSender;
  private readonly spool: Spool;
  private readonly sendBatch: BatchSendFn;
  private readonly limits: BatchLimits;
  private readonly connections: number;
  private readonly order: 'key' | 'none';
  private readonly backoff: { initial: number; max: number };
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly onEvent: SenderOptions['onEvent'];
  /** Batch key per queued id ('' + id for a sample that must go alone). */
  private readonly keys = new Map<string, string>();
  /** Keys with a batch in flight (order 'key'). */
  private readonly lanes = new Set<string>();
  /** Ids given up on in this run (maxAttempts), not planned again until the next run. */
  private readonly gaveUp = new Set<string>();
  /**
   * Records read while planning, kept for the batch that sends them (bounded to twice a batch's
   * bytes), so a sample is read from disk once per send, not twice.
   */
  private readonly records = new Map<string, SpoolRecord>();
  private recordBytes = 0;
  private inFlight = 0;
  private wake: (() => void) | null = null;
  /** A batch finished while nobody was waiting (so the next wait returns at once). */
  private woken = false;
  lastError: string | null = null;

  constructor(spool: Spool, sendBatch: BatchSendFn, sendOne: SendFn, opts: BatchSenderOptions = {}) {
    this.spool = spool;
    this.sendBatch = sendBatch;
    this.single = new SpoolSender(spool, sendOne, opts);
    this.limits = resolveBatchLimits(opts.batch);
    this.connections = opts.connections ?? 2;
    if (!Number.isInteger(this.connections) || this.connections < 1 || this.connections > 64) throw new RangeError('connections must be an integer in 1..64');
    this.order = opts.order ?? 'key';
    if (this.order !== 'key' && this.order !== 'none') throw new RangeError(`order must be 'key' or 'none'`);
    this.backoff = { initial: opts.initialBackoffMs ?? 250, max: opts.maxBackoffMs ?? 30_000 };
    this.sleep = opts.sleep ?? sleep;
    this.onEvent = opts.onEvent;
  }

  get counts(): SenderCounts {
    return this.single.counts;
  }

  /**
   * Sends queued samples in batches until the queue is empty (`untilEmpty`) or `signal` aborts.
   * Never throws for a send failure.
   * @param opts.maxAttempts with untilEmpty: leave a batch's samples queued after this many failed attempts
   */
  async run(opts: { signal?: AbortSignal; untilEmpty?: boolean; maxAttempts?: number } = {}): Promise<SenderCounts> {
    const { signal } = opts;
    const tasks = new Set<Promise<void>>();
    this.gaveUp.clear();
    while (!signal?.aborted && !this.spool.isClosed) {
      while (this.inFlight < this.connections) {
        let batch: QueueEntry[];
        try {
          batch = await this.plan();
        } catch (e) {
          this.lastError = `spool: ${(e as Error).message}`;
          batch = [];
        }
        if (batch.length === 0) break;
        const t = this.task(batch, signal, opts.maxAttempts ?? Infinity).finally(() => {
          tasks.delete(t);
          if (this.wake) this.wake();
          else this.woken = true;
        });
        tasks.add(t);
      }
      if (signal?.aborted || this.spool.isClosed) break;
      if (this.inFlight === 0) {
        if (opts.untilEmpty) break; // nothing sendable left (empty, or only samples given up on)
        await this.spool.waitForWork(signal);
        continue;
      }
      // A batch finishing frees a connection (and maybe a key); a new sample may fill a batch.
      if (this.woken) {
        this.woken = false;
        continue;
      }
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        // New samples re-plan at most every 25 ms: under a steady stream (a gateway) with the key
        // busy, planning on every accept would cost more than it could send.
        void this.spool.waitForWork(signal).then(() => setTimeout(resolve, signal?.aborted ? 0 : 25));
      });
      this.wake = null;
      this.woken = false;
    }
    await Promise.all(tasks);
    return this.counts;
  }

  /** The next batch to send, or [] when nothing can go now. */
  private async plan(): Promise<QueueEntry[]> {
    const entries = this.spool.entries();
    if (this.keys.size > 2 * entries.length + 1024) {
      // Keys of samples that left the queue without a batch of ours (drop-oldest).
      const live = new Set(entries.map((e) => e.id));
      for (const id of this.keys.keys()) if (!live.has(id)) this.keys.delete(id);
      for (const id of [...this.records.keys()]) if (!live.has(id)) this.takeCached(id);
    }
    const blocked = new Set<string>(this.order === 'key' ? this.lanes : []);
    const free = (e: QueueEntry) => !this.spool.busy.has(e.id) && !this.gaveUp.has(e.id);
    // Keys of a window of free entries (reading their headers); enough to fill one batch.
    // (Samples beyond the window wait for a later plan, even of another key.)
    const window = this.limits.maxFiles * 4 + 64;
    let seen = 0;
    for (const e of entries) {
      if (!free(e)) {
        // A sample of a key still in flight or given up holds the later ones of its key back.
        const k = this.keys.get(e.id);
        if (this.order === 'key' && k !== undefined) blocked.add(k);
        continue;
      }
      if (!this.keys.has(e.id)) this.keys.set(e.id, await this.keyOf(e.id));
      if (++seen >= window) break;
    }
    return nextBatch(
      entries,
      (e, k) => free(e) && k !== undefined && !blocked.has(k),
      (e) => this.keys.get(e.id),
      this.limits,
    );
  }

  private async keyOf(id: string): Promise<string> {
    try {
      const r = await this.spool.read(id);
      if (this.recordBytes + r.body.byteLength <= 2 * this.limits.maxBytes) {
        this.records.set(id, r);
        this.recordBytes += r.body.byteLength;
      }
      return batchable(r.header) ? batchKey(r.header.spec) : `\0${id}`;
    } catch {
      return `\0${id}`; // unreadable: goes alone, and load() dead-letters it
    }
  }

  private async task(batch: QueueEntry[], signal: AbortSignal | undefined, maxAttempts: number): Promise<void> {
    const key = this.keys.get(batch[0]!.id)!;
    for (const e of batch) this.spool.busy.add(e.id);
    this.lanes.add(key);
    this.inFlight++;
    this.stats.peakInFlight = Math.max(this.stats.peakInFlight, this.inFlight);
    try {
      let pending: Item[] = [];
      for (const e of batch) {
        const record = this.takeCached(e.id) ?? (await this.load(e.id));
        if (record) pending.push({ id: e.id, record });
      }
      let delay = this.backoff.initial;
      for (let attempt = 1; pending.length > 0; attempt++) {
        if (signal?.aborted || this.spool.isClosed) return;
        const { retry, failure } = await this.attemptAll(pending, attempt, signal);
        pending = retry;
        if (pending.length === 0) {
          this.lastError = null;
          break;
        }
        this.single.counts.retries++;
        this.lastError = failure?.reason ?? 'retry';
        if (attempt >= maxAttempts) {
          for (const p of pending) this.gaveUp.add(p.id);
          return;
        }
        const wait = Math.min(this.backoff.max, failure?.retryAfterMs ?? delay);
        this.onEvent?.({ type: 'retry', id: pending[0]!.id, reason: this.lastError, delayMs: wait, attempts: attempt });
        await this.sleep(wait, signal);
        delay = Math.min(this.backoff.max, delay * 2);
      }
    } catch (e) {
      // The spool itself failed (disk, I/O): the samples stay queued for the next plan.
      this.lastError = `spool: ${(e as { code?: string; message?: string }).code ?? (e as Error).message}`;
      await this.sleep(this.backoff.max, signal);
    } finally {
      for (const e of batch) {
        this.spool.busy.delete(e.id);
        // A given-up sample keeps its key: it holds the later samples of that key back.
        if (!this.gaveUp.has(e.id)) this.keys.delete(e.id);
      }
      this.lanes.delete(key);
      this.inFlight--;
    }
  }

  /**
   * One attempt at every pending sample; returns those to try again and the failure that keeps
   * them (for the backoff).
   */
  private async attemptAll(pending: Item[], attempt: number, signal: AbortSignal | undefined): Promise<{ retry: Item[]; failure?: Extract<SendOutcome, { kind: 'retry' }> }> {
    if (pending.length === 1) return this.alone(pending, attempt, signal);
    this.stats.batches++;
    this.stats.files += pending.length;
    const answer = await this.sendBatch(
      pending.map((p) => p.record),
      pending.map((p) => p.id),
    );
    if (answer.kind === 'request') {
      const out = answer.outcome;
      if (isOutage(out)) {
        // The link or the service is down: the whole batch waits; the head's notes say why.
        await this.single.settle(pending[0]!.id, out, attempt);
        return { retry: pending, failure: out as Extract<SendOutcome, { kind: 'retry' }> };
      }
      // Refused or failed as a whole: each sample alone decides its own fate.
      return this.alone(pending, attempt, signal);
    }
    // Stored files first: they prove the service healthy for the policy on the failed ones.
    const failed: Item[] = [];
    const judged: { it: Item; out: SendOutcome }[] = [];
    const stored: { id: string; out: Extract<SendOutcome, { kind: 'delivered' | 'duplicate' }> }[] = [];
    for (let i = 0; i < pending.length; i++) {
      const a = answer.files[i]!;
      if (a.kind !== 'failed') stored.push({ id: pending[i]!.id, out: { kind: a.kind, status: a.status, response: a.response } });
      else if (a.outcome) judged.push({ it: pending[i]!, out: a.outcome });
      else failed.push(pending[i]!);
    }
    await this.single.settleStored(stored, attempt);
    // Failed entries with their own status: settled by it, no resend needed to learn it.
    const retry: Item[] = [];
    let failure: Extract<SendOutcome, { kind: 'retry' }> | undefined;
    for (const { it, out } of judged) {
      const v = await this.single.settle(it.id, out, attempt);
      if (v === 'retry' || v === 'probe') {
        retry.push(it);
        failure ??= out as Extract<SendOutcome, { kind: 'retry' }>;
      }
    }
    if (!failed.length) return { retry, failure };
    const rest = await this.alone(failed, attempt, signal);
    return { retry: [...retry, ...rest.retry], failure: failure ?? rest.failure };
  }

  /** Sends each sample on its own request (its own kind, as the one-at-a-time sender does). */
  private async alone(items: Item[], attempt: number, signal: AbortSignal | undefined): Promise<{ retry: Item[]; failure?: Extract<SendOutcome, { kind: 'retry' }> }> {
    const retry: Item[] = [];
    let failure: Extract<SendOutcome, { kind: 'retry' }> | undefined;
    for (let i = 0; i < items.length; i++) {
      const it = items[i]!;
      if (signal?.aborted || this.spool.isClosed || (failure && isOutage(failure))) {
        retry.push(it); // an outage answered: the rest wait with it instead of hammering
        continue;
      }
      this.stats.single++;
      const out = await this.single.attempt(it.record, it.id);
      const v = await this.single.settle(it.id, out, attempt);
      if (v === 'retry' || v === 'probe') {
        retry.push(it);
        failure = out as Extract<SendOutcome, { kind: 'retry' }>;
      }
    }
    return { retry, failure };
  }

  private takeCached(id: string): SpoolRecord | undefined {
    const r = this.records.get(id);
    if (r) {
      this.records.delete(id);
      this.recordBytes -= r.body.byteLength;
    }
    return r;
  }

  /** Reads a record; a corrupt one is dead-lettered, a vanished one (drop-oldest) skipped. */
  private async load(id: string): Promise<SpoolRecord | null> {
    try {
      return await this.spool.read(id);
    } catch (e) {
      const err = e as { code?: string; message?: string };
      if (err.code === 'ENOENT' || !this.spool.entries().some((x) => x.id === id)) return null;
      await this.spool.deadLetter(id, { reason: `corrupt record: ${err.message}` });
      this.single.counts.dead++;
      this.onEvent?.({ type: 'dead', id, reason: 'corrupt record' });
      return null;
    }
  }
}
