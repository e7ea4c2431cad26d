/**
 * Durable store-and-forward queue on the local file system.
 *
 *   <dir>/queue/<seq>-<hash>.rec        samples waiting, oldest first
 *   <dir>/queue/<seq>-<hash>.pack       several samples accepted together (group commit, pack.ts)
 *   <dir>/queue/<seq>-<hash>.rec.json   failed attempts of a waiting sample (policy.ts), if any
 *   <dir>/queue/<seq>-<hash>.pack.done  members of a pack already delivered
 *   <dir>/queue/.<pid>-<n>.free         delivered files kept for their inodes (durable-fs.ts), ≤ 64
 *   <dir>/dead/<seq>-<hash>.rec (+ .json) samples the service refused for good, with its answer
 *   <dir>/counters.json                 drop counts (written only when something is dropped)
 *   <dir>/lock                          pid of the writer
 *
 * `enqueue` resolves only once the record is fsynced and renamed into place (and the directory
 * fsynced): that is the moment a sample counts as accepted. Nothing is removed from the queue
 * except by `remove` (delivered), `deadLetter` (moved, not deleted) or the drop-oldest policy
 * (counted and reported). The last `recentMaxBytes` (8 MiB) of accepted records are also kept in
 * memory, so the sender of a busy gateway does not read back what was just written.
 */
import { createHash } from 'node:crypto';
import { appendFile, mkdir, open, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCounters, saveCounters } from './counters.ts';
import type { DropCounters } from './counters.ts';
import { DurableDir, TEMP_SUFFIX, removeTemps } from './durable-fs.ts';
import { SpoolClosedError, SpoolFullError, SpoolInputError, SpoolRecordError } from './errors.ts';
import { GroupCommitter } from './group-commit.ts';
import { acquireLock } from './lock.ts';
import { decodePack, DONE_SUFFIX, packSeq } from './pack.ts';
import type { AttemptRun, SampleAttempts } from './policy.ts';
import { checkSendable } from './request-spec.ts';
import { checkSpec, decodeRecord, encodeRecord, recordName, recordSeq } from './record.ts';
import type { RecordHeader, SampleSpec, SpoolRecord } from './record.ts';

export type FullPolicy = 'refuse' | 'drop-oldest';

export interface SpoolOptions {
  /** Most samples waiting in the queue (default 10,000). */
  maxCount?: number;
  /** Most bytes of records waiting in the queue (default 256 MiB). */
  maxBytes?: number;
  /** What to do when a new sample does not fit (default 'refuse'). */
  whenFull?: FullPolicy;
  /** Most dead letters kept; beyond it the oldest are deleted and counted (default 1,000). */
  maxDead?: number;
  /** Open without the lock and without cleaning: for `spool status|list` next to a running writer. */
  readOnly?: boolean;
  /**
   * Group commit (default true): samples arriving while a write is in flight are written
   * together, one fsync for all, each acknowledged once its group is durable. False = one
   * file and fsync per sample.
   */
  groupCommit?: boolean;
  /** Most samples / record bytes in one group (defaults 256 and 4 MiB). */
  groupMaxCount?: number;
  groupMaxBytes?: number;
  /** Bytes of just-accepted samples kept in memory for the sender (default 8 MiB; 0 = none). */
  recentMaxBytes?: number;
}

export interface QueueEntry {
  /** The record's file name; stable id for `read`, `remove`, `deadLetter`. */
  id: string;
  seq: number;
  bytes: number;
  /** The pack file holding it, when it was accepted in a group. */
  pack?: string;
}

export interface EnqueueResult {
  id: string;
  sha256: string;
  /** How many old samples the drop-oldest policy removed to make room (0 otherwise). */
  dropped: number;
}

export interface DeadLetterInfo {
  reason: string;
  status?: number;
  response?: string;
  attempts?: number;
  /** Every failed attempt, run-length encoded (oldest runs beyond the bound counted in `omitted`). */
  history?: AttemptRun[];
  omitted?: number;
}

/** The oldest waiting sample and how its delivery is going (`spool status`). */
export interface HeadInfo {
  id: string;
  /** When the sample was accepted (ms since the epoch); undefined if its record is unreadable. */
  createdAt?: number;
  ageMs?: number;
  attempts: number;
  lastReason?: string;
  lastAttemptAt?: number;
}

export interface SpoolStats {
  count: number;
  bytes: number;
  deadCount: number;
  droppedOldest: number;
  droppedDead: number;
  /** Temp files of torn writes removed when the spool was opened. */
  tornCleaned: number;
}

export function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

export class Spool {
  readonly dir: string;
  private readonly queueDir: string;
  private readonly deadDir: string;
  private readonly opts: Required<Omit<SpoolOptions, 'readOnly' | 'groupCommit' | 'groupMaxCount' | 'groupMaxBytes' | 'recentMaxBytes'>> & { readOnly: boolean };
  private readonly committer: GroupCommitter | null;
  /** Members still queued per pack file. */
  private readonly packLive = new Map<string, number>();
  /** The last pack read (the sender reads its members one after another). */
  private packCache: { name: string; records: Map<string, Uint8Array> } | null = null;
  private queue: QueueEntry[] = [];
  /** The queue's entries by id (the sender looks samples up one by one; the queue can be long). */
  private readonly byId = new Map<string, QueueEntry>();
  /**
   * The records accepted last, as the sender will read them (a bounded number of bytes, oldest
   * evicted first): a gateway's sender reads samples a few milliseconds after they were written,
   * and reading them back from disk would cost more than writing them did.
   */
  private readonly recent = new Map<string, SpoolRecord>();
  private recentBytes = 0;
  private readonly recentMaxBytes: number;
  /** Ids with an attempts note on disk (so a sample delivered first time costs no unlink). */
  private readonly noted = new Set<string>();
  /** Packs that have a `.done` side file. */
  private readonly withDone = new Set<string>();
  private bytes = 0;
  private reservedBytes = 0;
  private reservedCount = 0;
  private dead: string[] = [];
  private seq = 0;
  private counters: DropCounters = { droppedOldest: 0, droppedDead: 0 };
  private tornCleaned = 0;
  private qdir: DurableDir | null = null;
  private ddir: DurableDir | null = null;
  private release: (() => Promise<void>) | null = null;
  private waiters: (() => void)[] = [];
  /** Tail of the enqueues waiting to make room (drop-oldest deletes), in call order; null when none. */
  private admitting: Promise<void> | null = null;
  private closed = false;
  /** Ids the sender is working on; drop-oldest skips them. */
  readonly busy = new Set<string>();

  private constructor(dir: string, opts: SpoolOptions) {
    this.dir = dir;
    this.queueDir = join(dir, 'queue');
    this.deadDir = join(dir, 'dead');
    this.opts = {
      maxCount: opts.maxCount ?? 10_000,
      maxBytes: opts.maxBytes ?? 256 * 1024 * 1024,
      whenFull: opts.whenFull ?? 'refuse',
      maxDead: opts.maxDead ?? 1000,
      readOnly: opts.readOnly ?? false,
    };
    this.recentMaxBytes = opts.recentMaxBytes ?? 8 * 1024 * 1024;
    const groupMaxCount = opts.groupMaxCount ?? 256;
    const groupMaxBytes = opts.groupMaxBytes ?? 4 * 1024 * 1024;
    if (!(groupMaxCount >= 1)) throw new SpoolInputError('groupMaxCount must be at least 1', 'groupMaxCount');
    if (!(groupMaxBytes >= 1)) throw new SpoolInputError('groupMaxBytes must be at least 1', 'groupMaxBytes');
    this.committer =
      opts.groupCommit === false ? null : new GroupCommitter((name, bytes) => this.qdir!.write(name, bytes), { maxCount: groupMaxCount, maxBytes: groupMaxBytes });
    if (!(this.opts.maxCount >= 1)) throw new SpoolInputError('maxCount must be at least 1', 'maxCount');
    if (!(this.opts.maxBytes >= 1)) throw new SpoolInputError('maxBytes must be at least 1', 'maxBytes');
    if (this.opts.whenFull !== 'refuse' && this.opts.whenFull !== 'drop-oldest') {
      throw new SpoolInputError(`whenFull must be 'refuse' or 'drop-oldest'`, 'whenFull');
    }
  }

  /** Opens (creating if needed) a spool directory, takes its lock, cleans torn writes, indexes the queue. */
  static async open(dir: string, opts: SpoolOptions = {}): Promise<Spool> {
    const s = new Spool(dir, opts);
    await s.init();
    return s;
  }

  private async init(): Promise<void> {
    if (!this.opts.readOnly) {
      await mkdir(this.queueDir, { recursive: true, mode: 0o700 });
      await mkdir(this.deadDir, { recursive: true, mode: 0o700 });
      this.release = await acquireLock(this.dir);
      this.tornCleaned = (await removeTemps(this.queueDir)) + (await removeTemps(this.deadDir));
      this.qdir = await DurableDir.open(this.queueDir);
      this.ddir = await DurableDir.open(this.deadDir);
    }
    const deadNames = await readdir(this.deadDir).catch(() => [] as string[]);
    this.dead = deadNames.filter((n) => recordSeq(n) >= 0).sort();
    const all = await readdir(this.queueDir).catch(() => [] as string[]);
    const names = all.filter((n) => recordSeq(n) >= 0).sort();
    for (const id of names) {
      const st = await stat(join(this.queueDir, id)).catch(() => null);
      if (!st) continue;
      this.index({ id, seq: recordSeq(id), bytes: st.size });
    }
    if (await this.indexPacks(all)) this.queue.sort((a, b) => a.seq - b.seq);
    if (!this.opts.readOnly) {
      // A note whose record moved back to the queue (crash inside retryDead) is stale.
      const live = new Set(this.dead);
      for (const n of deadNames) if (n.endsWith('.rec.json') && !live.has(n.slice(0, -5))) await unlink(join(this.deadDir, n)).catch(() => undefined);
      // Attempt notes of samples that left the queue (crash between the two unlinks).
      const queued = new Set(this.queue.map((e) => e.id));
      for (const n of await readdir(this.queueDir)) {
        if (!n.endsWith('.rec.json')) continue;
        if (queued.has(n.slice(0, -5))) this.noted.add(n.slice(0, -5));
        else await unlink(join(this.queueDir, n)).catch(() => undefined);
      }
    }
    const last = Math.max(0, ...this.queue.map((e) => e.seq), ...this.dead.map(recordSeq));
    // Start above both the last name on disk and the clock, so names stay unique across history.
    this.seq = Math.max(last, Date.now() * 1000);
    this.counters = await loadCounters(this.dir);
  }

  /** Adds the members of every pack still queued (minus those done or dead-lettered). */
  private async indexPacks(all: string[]): Promise<boolean> {
    const packs = all.filter((n) => packSeq(n) >= 0);
    const dead = new Set(this.dead);
    for (const name of packs) {
      let members;
      try {
        members = decodePack(await readFile(join(this.queueDir, name)), name);
      } catch {
        continue; // unreadable: left in place for a person to look at, never sent half
      }
      const doneText = await readFile(join(this.queueDir, name.slice(0, -5) + DONE_SUFFIX), 'latin1').catch(() => null);
      if (doneText !== null) this.withDone.add(name);
      const done = new Set((doneText ?? '').split('\n'));
      let live = 0;
      for (const m of members) {
        const seq = recordSeq(m.id);
        if (seq < 0 || done.has(m.id) || dead.has(m.id)) continue;
        this.index({ id: m.id, seq, bytes: m.record.byteLength, pack: name });
        live++;
      }
      if (live > 0) this.packLive.set(name, live);
      else if (!this.opts.readOnly) await this.unlinkPack(name);
    }
    return packs.length > 0;
  }

  /** Appends an entry to the queue's end (init and retryDead: callers keep the order). */
  private index(e: QueueEntry): void {
    this.queue.push(e);
    this.byId.set(e.id, e);
    this.bytes += e.bytes;
  }

  private remember(id: string, r: SpoolRecord): void {
    if (r.body.byteLength > this.recentMaxBytes) return;
    this.recent.set(id, r);
    this.recentBytes += r.body.byteLength;
    for (const [old, o] of this.recent) {
      if (this.recentBytes <= this.recentMaxBytes) break;
      this.recent.delete(old);
      this.recentBytes -= o.body.byteLength;
    }
  }

  private unremember(id: string): void {
    const r = this.recent.get(id);
    if (!r) return;
    this.recent.delete(id);
    this.recentBytes -= r.body.byteLength;
  }

  private async unlinkPack(name: string): Promise<void> {
    if (this.packCache?.name === name) this.packCache = null;
    await this.retire(name).catch(() => undefined);
    if (this.withDone.delete(name)) await this.retire(name.slice(0, -5) + DONE_SUFFIX).catch(() => undefined);
  }

  /** Deletes a queue file (its inode kept for the next write: DurableDir.retire). */
  private retire(name: string): Promise<void> {
    return this.qdir ? this.qdir.retire(name) : unlink(join(this.queueDir, name)).catch(() => undefined);
  }

  /**
   * Members of packs left the queue: one `.done` append per pack for all of them, and a pack
   * whose last member left is deleted.
   */
  private async packMembersGone(gone: readonly QueueEntry[]): Promise<void> {
    const perPack = new Map<string, string[]>();
    for (const e of gone) {
      const ids = perPack.get(e.pack!);
      if (ids) ids.push(e.id);
      else perPack.set(e.pack!, [e.id]);
    }
    for (const [name, ids] of perPack) {
      const left = (this.packLive.get(name) ?? ids.length) - ids.length;
      if (left > 0) {
        this.packLive.set(name, left);
        // Not fsynced: a line lost to a crash only means that member is sent again (a duplicate).
        await appendFile(join(this.queueDir, name.slice(0, -5) + DONE_SUFFIX), `${ids.join('\n')}\n`);
        this.withDone.add(name);
      } else {
        this.packLive.delete(name);
        await this.unlinkPack(name);
      }
    }
  }

  /** Groups and samples written by group commit so far. */
  groupStats(): { groups: number; samples: number } {
    return { groups: this.committer?.groups ?? 0, samples: this.committer?.samples ?? 0 };
  }

  private writable(): void {
    if (this.closed) throw new SpoolClosedError();
    if (this.opts.readOnly) throw new SpoolInputError('spool was opened read-only', 'readOnly');
  }

  /**
   * Stores a sample durably. Resolves after fsync + rename + directory fsync; only then may the
   * producer treat the sample as accepted.
   * @throws SpoolFullError when the cap is reached and the policy is 'refuse' (nothing written)
   * @throws SpoolInputError for an empty body, a bad spec field, or anything the client would
   *   refuse to put in the request (header values with CR/LF or non-ASCII, a bad content type…)
   */
  async enqueue(body: Uint8Array, sample: { spec: SampleSpec; contentType: string; signature?: string }): Promise<EnqueueResult> {
    this.writable();
    if (body.byteLength === 0) throw new SpoolInputError('body is empty', 'body');
    checkSpec(sample.spec);
    if (typeof sample.contentType !== 'string') throw new SpoolInputError('contentType must be a string', 'contentType');
    // A sample the client cannot frame would block the queue: refuse it here, nothing written.
    checkSendable(body, { spec: sample.spec, contentType: sample.contentType, signature: sample.signature ?? '' });
    const sha256 = sha256Hex(body);
    const header: RecordHeader = {
      v: 1,
      createdAt: Date.now(),
      sha256,
      bodyLength: body.byteLength,
      contentType: sample.contentType,
      signature: sample.signature ?? '',
      spec: sample.spec,
    };
    const bytes = encodeRecord(header, body);
    // The sequence number (the queue's order) is taken in call order: on the common path (room
    // to spare) synchronously, so callers may enqueue without waiting for earlier samples to be
    // durable and group commit can gather them. Making room is serialised behind earlier calls,
    // and the room found is reserved before the next call looks.
    const size = bytes.byteLength;
    const admit = (): number => {
      this.reservedBytes += size;
      this.reservedCount++;
      return ++this.seq;
    };
    let dropped = 0;
    let seq: number;
    if (this.admitting === null && this.fits(size)) {
      seq = admit();
    } else {
      const turn = (this.admitting ?? Promise.resolve()).then(async () => {
        const d = await this.makeRoom(size);
        return { d, seq: admit() };
      });
      const tail = turn.then(
        () => undefined,
        () => undefined,
      );
      this.admitting = tail;
      void tail.then(() => {
        if (this.admitting === tail) this.admitting = null;
      });
      ({ d: dropped, seq } = await turn);
    }
    const id = recordName(seq, sha256);
    let pack: string | null = null;
    try {
      if (this.committer) pack = (await this.committer.add({ id, seq, sha256, record: bytes })).pack;
      else await this.qdir!.write(id, bytes);
    } catch (e) {
      // Its room is free again: an enqueue waiting for room (makeRoom) must look again.
      queueMicrotask(() => this.wake());
      throw e;
    } finally {
      this.reservedBytes -= bytes.byteLength;
      this.reservedCount--;
    }
    // Keep the index sorted even if concurrent writes finish out of order.
    const entry: QueueEntry = pack ? { id, seq, bytes: bytes.byteLength, pack } : { id, seq, bytes: bytes.byteLength };
    if (pack) this.packLive.set(pack, (this.packLive.get(pack) ?? 0) + 1);
    let i = this.queue.length;
    while (i > 0 && this.queue[i - 1].seq > seq) i--;
    this.queue.splice(i, 0, entry);
    this.byId.set(id, entry);
    this.bytes += bytes.byteLength;
    // The record as read back would be: the header as stored (a copy: the caller's spec object
    // may change later) and the body from our own bytes.
    if (this.recentMaxBytes > 0) this.remember(id, { header: structuredClone(header), body: bytes.subarray(bytes.byteLength - body.byteLength) });
    this.wake();
    return { id, sha256, dropped };
  }

  private fits(size: number): boolean {
    return this.queue.length + this.reservedCount + 1 <= this.opts.maxCount && this.bytes + this.reservedBytes + size <= this.opts.maxBytes;
  }

  private async makeRoom(size: number): Promise<number> {
    if (size > this.opts.maxBytes) {
      throw new SpoolFullError(`sample of ${size} bytes exceeds the spool's byte cap ${this.opts.maxBytes}`, this.queue.length, this.bytes);
    }
    if (this.fits(size)) return 0;
    if (this.opts.whenFull === 'refuse') {
      throw new SpoolFullError(
        `spool is full (${this.queue.length} samples, ${this.bytes} bytes; caps ${this.opts.maxCount}, ${this.opts.maxBytes})`,
        this.queue.length,
        this.bytes,
      );
    }
    let dropped = 0;
    while (!this.fits(size)) {
      const victim = this.queue.find((e) => !this.busy.has(e.id));
      if (!victim && this.reservedCount > 0 && !this.closed) {
        // Room is held by samples still being written (they arrived just before this one):
        // once one lands it is the oldest and can go.
        await new Promise<void>((r) => this.waiters.push(r));
        continue;
      }
      if (!victim) throw new SpoolFullError('spool is full and every sample in it is being sent', this.queue.length, this.bytes);
      this.forget(victim.id);
      if (victim.pack) await this.packMembersGone([victim]);
      else await this.retire(victim.id).catch(() => undefined);
      await this.dropAttempts(victim.id);
      dropped++;
    }
    this.counters.droppedOldest += dropped;
    await saveCounters(this.dir, this.counters);
    return dropped;
  }

  private forget(id: string): QueueEntry | undefined {
    if (!this.byId.delete(id)) return undefined;
    this.unremember(id);
    const i = this.queue.findIndex((e) => e.id === id); // near the front: samples leave oldest first
    const [e] = this.queue.splice(i, 1);
    this.bytes -= e!.bytes;
    return e;
  }

  /** Snapshot of the queue, oldest first. */
  entries(): readonly QueueEntry[] {
    return this.queue.slice();
  }

  /** Oldest waiting sample, or undefined when the queue is empty. */
  head(): QueueEntry | undefined {
    return this.queue[0];
  }

  /** Reads and verifies a queued record. @throws SpoolRecordError if it is torn or altered */
  async read(id: string): Promise<SpoolRecord> {
    const cached = this.recent.get(id);
    if (cached) return cached;
    const pack = this.byId.get(id)?.pack;
    if (!pack) return decodeRecord(await readFile(join(this.queueDir, id)), id, sha256Hex);
    if (this.packCache?.name !== pack) {
      const members = decodePack(await readFile(join(this.queueDir, pack)), pack);
      this.packCache = { name: pack, records: new Map(members.map((m) => [m.id, m.record])) };
    }
    const rec = this.packCache.records.get(id);
    if (!rec) throw new SpoolRecordError(`pack ${pack} does not hold ${id}`, pack);
    return decodeRecord(rec, id, sha256Hex);
  }

  /** Removes a delivered sample. A resend after a crash before this is harmless (duplicate hash). */
  remove(id: string): Promise<void> {
    return this.removeMany([id]);
  }

  /**
   * Removes delivered samples (a batch's answer): pack members cost one `.done` append per pack,
   * not one per sample.
   */
  async removeMany(ids: readonly string[]): Promise<void> {
    this.writable();
    const inPacks: QueueEntry[] = [];
    const files: string[] = [];
    for (const id of ids) {
      const e = this.forget(id);
      if (e?.pack) inPacks.push(e);
      else files.push(id);
    }
    if (inPacks.length > 0) await this.packMembersGone(inPacks);
    await Promise.all(files.map((id) => this.retire(id)));
    for (const id of ids) await this.dropAttempts(id);
  }

  /** The failed attempts recorded for a waiting sample, if any. */
  async attempts(id: string): Promise<SampleAttempts | undefined> {
    if (!this.opts.readOnly && !this.noted.has(id)) return undefined; // we write every note
    try {
      const a = JSON.parse(await readFile(join(this.queueDir, `${id}.json`), 'utf8')) as SampleAttempts;
      return typeof a?.attempts === 'number' && Array.isArray(a.history) ? a : undefined;
    } catch {
      return undefined; // none, or torn by a crash: counting starts again (errs towards retrying)
    }
  }

  /**
   * Records a waiting sample's failed attempts. Atomic (temp + rename) but not fsynced: losing it
   * in a power cut only restarts the count, which delays a dead letter and never loses a sample.
   */
  async saveAttempts(id: string, a: SampleAttempts): Promise<void> {
    this.writable();
    if (!this.byId.has(id)) return;
    this.noted.add(id);
    const tmp = join(this.queueDir, `.${process.pid}-attempts-${id}${TEMP_SUFFIX}`);
    await writeFile(tmp, JSON.stringify(a));
    await rename(tmp, join(this.queueDir, `${id}.json`));
  }

  private async dropAttempts(id: string): Promise<void> {
    if (!this.noted.delete(id)) return;
    await unlink(join(this.queueDir, `${id}.json`)).catch(() => undefined);
  }

  /** The head sample's age, attempts and last failure reason (undefined when the queue is empty). */
  async headInfo(now = Date.now()): Promise<HeadInfo | undefined> {
    const head = this.queue[0];
    if (!head) return undefined;
    const info: HeadInfo = { id: head.id, attempts: 0 };
    const createdAt = await this.createdAt(head.id);
    if (createdAt !== undefined) {
      info.createdAt = createdAt;
      info.ageMs = Math.max(0, now - createdAt);
    }
    const a = await this.attempts(head.id);
    if (a) {
      info.attempts = a.attempts;
      info.lastReason = a.lastReason;
      info.lastAttemptAt = a.lastAt;
    }
    return info;
  }

  /** A record's acceptance time from its header alone (the body may be large). */
  private async createdAt(id: string): Promise<number | undefined> {
    if (this.byId.get(id)?.pack) return (await this.read(id).catch(() => undefined))?.header.createdAt;
    let fh;
    try {
      fh = await open(join(this.queueDir, id), 'r');
      const pre = Buffer.alloc(12);
      await fh.read(pre, 0, 12, 0);
      const hlen = pre.readUInt32LE(8);
      if (hlen > 64 * 1024) return undefined;
      const h = Buffer.alloc(hlen);
      await fh.read(h, 0, hlen, 12);
      const c = (JSON.parse(h.toString('utf8')) as Partial<RecordHeader>).createdAt;
      return typeof c === 'number' ? c : undefined;
    } catch {
      return undefined;
    } finally {
      await fh?.close();
    }
  }

  /** Moves a sample to the dead-letter folder next to a JSON file with the service's answer. */
  async deadLetter(id: string, info: DeadLetterInfo): Promise<void> {
    this.writable();
    const note = { ...info, at: new Date().toISOString(), id };
    // The note goes first: a crash in between leaves the record queued, never a bare record.
    await this.ddir!.write(`${id}.json`, new TextEncoder().encode(JSON.stringify(note, null, 2)));
    const inPack = this.byId.get(id);
    if (inPack?.pack) {
      // A copy of the member becomes a plain dead record; the pack forgets it (init skips
      // members whose id is in the dead folder, should a crash come in between).
      const rec = await this.read(id).catch(() => null);
      if (rec) await this.ddir!.write(id, encodeRecord(rec.header, rec.body));
      this.forget(id);
      await this.packMembersGone([inPack]);
      await this.dropAttempts(id);
      if (rec) this.dead.push(id);
      await this.trimDead();
      return;
    }
    try {
      await rename(join(this.queueDir, id), join(this.deadDir, id));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      // Dropped (drop-oldest) while it was being refused: nothing left to keep.
      await unlink(join(this.deadDir, `${id}.json`)).catch(() => undefined);
      this.forget(id);
      return;
    }
    await this.ddir!.sync();
    await this.qdir!.sync();
    await this.dropAttempts(id);
    this.forget(id);
    this.dead.push(id);
    await this.trimDead();
  }

  private async trimDead(): Promise<void> {
    while (this.dead.length > this.opts.maxDead) {
      const old = this.dead.shift()!;
      await unlink(join(this.deadDir, old)).catch(() => undefined);
      await unlink(join(this.deadDir, `${old}.json`)).catch(() => undefined);
      this.counters.droppedDead++;
      await saveCounters(this.dir, this.counters);
    }
  }

  /** Dead letters, oldest first, with their notes. */
  async deadLetters(): Promise<{ id: string; note: DeadLetterInfo & { at?: string } }[]> {
    const out = [];
    for (const id of this.dead) {
      const note = JSON.parse(await readFile(join(this.deadDir, `${id}.json`), 'utf8').catch(() => '{"reason":"(note missing)"}'));
      out.push({ id, note });
    }
    return out;
  }

  /** Moves every dead letter back to the end of the queue (oldest first). Returns how many moved. */
  async retryDead(): Promise<number> {
    this.writable();
    let n = 0;
    for (const id of this.dead.slice()) {
      const sha = /-([0-9a-f]{16})\.rec$/.exec(id)![1];
      const seq = ++this.seq;
      const nid = `${String(seq).padStart(16, '0')}-${sha}.rec`;
      const size = (await stat(join(this.deadDir, id))).size;
      await rename(join(this.deadDir, id), join(this.queueDir, nid));
      await this.qdir!.sync();
      await unlink(join(this.deadDir, `${id}.json`)).catch(() => undefined);
      this.dead.splice(this.dead.indexOf(id), 1);
      this.index({ id: nid, seq, bytes: size });
      n++;
    }
    await this.ddir!.sync();
    this.wake();
    return n;
  }

  stats(): SpoolStats {
    return {
      count: this.queue.length,
      bytes: this.bytes,
      deadCount: this.dead.length,
      droppedOldest: this.counters.droppedOldest,
      droppedDead: this.counters.droppedDead,
      tornCleaned: this.tornCleaned,
    };
  }

  /** Wakes whatever waits for the queue to change (waitForWork, an enqueue making room). */
  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }

  /** Resolves at the next enqueue (or close, or abort). */
  waitForWork(signal?: AbortSignal): Promise<void> {
    if (this.closed || signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener('abort', done);
        resolve();
      };
      this.waiters.push(done);
      signal?.addEventListener('abort', done, { once: true });
    });
  }

  get isClosed(): boolean {
    return this.closed;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.wake();
    await this.qdir?.close();
    await this.ddir?.close();
    await this.release?.();
  }
}
