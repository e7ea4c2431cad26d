/**
 * Sample storage: original bytes as files under `<dataDir>/samples`, an index in SQLite (WAL).
 * Crash-safe order per sample: write temp file, fsync, rename into place, fsync the directory,
 * then commit the index row; a sample answered 200 is therefore on disk and indexed. A request's
 * files go through these steps together (placeMany, then one commit turn): one directory fsync per
 * directory and one index transaction for the lot. Index writes
 * are synchronous transactions on one connection, so concurrent uploads cannot interleave them.
 */
import { openDatabase, type Database, type Statement } from './sqlite.ts';
import { MissingPackageError } from '../optional.ts';
import { randomUUID } from 'node:crypto';
import { chmodSync, closeSync, fsync as fsyncCb, mkdirSync, openSync, readdirSync, renameSync, rmSync, writeSync } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { join, resolve, sep } from 'node:path';
import { StorageError } from './errors.ts';
import { SCHEMA, rowToRecord, type NewSample, type Row, type SampleRecord } from './store-schema.ts';

export type { NewSample, SampleRecord, SignatureStatusText } from './store-schema.ts';

/** What changed in the index (the web pages' live list listens to this). */
export type StoreChange = { kind: 'added'; record: SampleRecord } | { kind: 'deleted' | 'relabeled'; projectId: number; id: number };

/** A file to place: a finished temp file under the store's tmp dir, or bytes to write. */
export interface PlaceSource {
  tmpPath?: string;
  bytes?: Uint8Array;
}

/** Files whose data fsyncs run at once in placeMany (libuv's pool has 4 threads). */
const PLACE_CONCURRENCY = 8;

/** Files up to this size are written inline (writeSmall); larger ones through the pool. */
const SYNC_WRITE_MAX = 256 * 1024;

export interface StoreOptions {
  /** 'full' fsyncs the WAL at every commit (default); 'normal' trusts the OS on power loss. */
  durability?: 'full' | 'normal';
  /** Skip file fsyncs (tests on slow disks only; a 200 then survives a process crash, not power loss). */
  fsync?: boolean;
}

/** Stored paths of a sample's attachments.labels files (kept in its info). */
function attachmentsOf(info: Record<string, unknown>): string[] {
  const list = info.attachments;
  return Array.isArray(list) ? list.map((a) => (a as { path?: unknown }).path).filter((p): p is string => typeof p === 'string') : [];
}

/** The sample index and its files. One instance per data directory. */
export class SampleStore {
  readonly root: string;
  readonly tmpDir: string;
  private readonly db: Database;
  private readonly fsync: boolean;
  private readonly stmts: {
    insert: Statement;
    insertHash: Statement;
    insertLabel: Statement;
    byHash: Statement;
    get: Statement;
    list: Statement;
    listAll: Statement;
    del: Statement;
    count: Statement;
    labels: Statement;
    setLabel: Statement;
    clearLabels: Statement;
  };
  private readonly watchers = new Set<(c: StoreChange) => void>();

  constructor(dataDir: string, opts: StoreOptions = {}) {
    this.root = resolve(dataDir);
    this.tmpDir = join(this.root, 'tmp');
    this.fsync = opts.fsync ?? true;
    mkdirSync(join(this.root, 'samples'), { recursive: true, mode: 0o700 });
    let opened: Database | undefined;
    try {
      opened = openDatabase(join(this.root, 'index.sqlite'), { timeout: 200 });
      this.db = opened;
      chmodSync(join(this.root, 'index.sqlite'), 0o600); // -wal/-shm inherit this mode
      // A second service on the same data dir fails in openDatabase (its pid lock) instead of sharing it.
      this.db.pragma('journal_mode = WAL');
      this.db.pragma(`synchronous = ${opts.durability === 'normal' ? 'NORMAL' : 'FULL'}`);
      this.db.pragma('foreign_keys = ON');
      this.db.exec(SCHEMA);
    } catch (e) {
      if (opened?.open) opened.close();
      if (e instanceof MissingPackageError) throw e;
      throw new StorageError('cannot open the sample index (is another service using this data directory?)', { cause: e });
    }
    // Temp files left by a crash were never acknowledged: drop them (only once we hold the lock).
    rmSync(this.tmpDir, { recursive: true, force: true });
    mkdirSync(this.tmpDir, { recursive: true, mode: 0o700 });
    const db = this.db;
    this.stmts = {
      insert: db.prepare(`INSERT INTO samples (project_id, category, filename, label, kind, format, content_type, path,
        attachment_path, size, sha256, signature_alg, signature_status, device_name, device_type, interval_ms, sensors,
        row_count, total_length_ms, info, metadata, upload_source, added) VALUES (@project_id, @category, @filename, @label,
        @kind, @format, @content_type, @path, @attachment_path, @size, @sha256, @signature_alg, @signature_status,
        @device_name, @device_type, @interval_ms, @sensors, @row_count, @total_length_ms, @info, @metadata,
        @upload_source, @added)`),
      insertHash: db.prepare('INSERT INTO hashes (project_id, sha256, sample_id) VALUES (?, ?, ?)'),
      insertLabel: db.prepare('INSERT INTO labels (sample_id, label, start_index, end_index) VALUES (?, ?, ?, ?)'),
      byHash: db.prepare('SELECT s.* FROM hashes h JOIN samples s ON s.id = h.sample_id WHERE h.project_id = ? AND h.sha256 = ? ORDER BY s.id LIMIT 1'),
      get: db.prepare('SELECT * FROM samples WHERE project_id = ? AND id = ?'),
      list: db.prepare('SELECT * FROM samples WHERE project_id = ? AND category = ? ORDER BY id'),
      listAll: db.prepare('SELECT * FROM samples WHERE project_id = ? ORDER BY id'),
      del: db.prepare('DELETE FROM samples WHERE project_id = ? AND id = ?'),
      count: db.prepare('SELECT COUNT(*) AS n FROM samples WHERE project_id = ?'),
      labels: db.prepare('SELECT label, start_index AS startIndex, end_index AS endIndex FROM labels WHERE sample_id = ? ORDER BY rowid'),
      setLabel: db.prepare("UPDATE samples SET label = ?, info = json_set(info, '$.lastModified', ?) WHERE project_id = ? AND id = ?"),
      clearLabels: db.prepare('DELETE FROM labels WHERE sample_id = ?'),
    };
    this.removeOrphans();
  }

  /** Files renamed into place whose index row never committed (crash in between) are dropped. */
  private removeOrphans(): void {
    const known = new Set<string>();
    for (const r of this.db.prepare('SELECT path, attachment_path, info FROM samples').all() as Row[]) {
      known.add(r.path);
      if (r.attachment_path) known.add(r.attachment_path);
      for (const a of attachmentsOf(JSON.parse(r.info) as Record<string, unknown>)) known.add(a);
    }
    const dir = join(this.root, 'samples');
    for (const sub of readdirSync(dir, { withFileTypes: true })) {
      if (!sub.isDirectory()) continue;
      for (const f of readdirSync(join(dir, sub.name))) {
        const rel = `samples/${sub.name}/${f}`;
        if (!known.has(rel)) rmSync(join(dir, sub.name, f), { force: true });
      }
    }
  }

  /** Absolute path of a stored file; refuses anything resolving outside the data directory. */
  absolute(rel: string): string {
    const abs = resolve(this.root, rel);
    if (!abs.startsWith(this.root + sep)) throw new StorageError('stored path escapes the data directory');
    return abs;
  }

  /** How many fsyncs and index transactions this store has done (tests count them: group commit). */
  readonly syncCounts = { file: 0, dir: 0, indexCommits: 0 };

  /**
   * Moves a finished temp file (or writes `bytes`) into place durably. The stored name is a fresh
   * UUID plus a sanitised extension: nothing from the request becomes a path.
   */
  async place(projectId: number, source: PlaceSource, ext: string): Promise<string> {
    const [r] = await this.placeMany([{ projectId, source, ext }]);
    if (r instanceof Error) throw r;
    return r;
  }

  /**
   * Places many files durably with few fsyncs: each file's data is fsynced (a few at a time, so the
   * file system can share journal commits), all are renamed into place, then each directory
   * touched is fsynced once. Every file is durable under its final name when this resolves; a
   * file that failed gets its StorageError in its slot (and nothing of it is left in place).
   */
  async placeMany(items: { projectId: number; source: PlaceSource; ext: string }[]): Promise<(string | StorageError)[]> {
    const out: (string | StorageError)[] = new Array(items.length);
    const tmps: (string | undefined)[] = items.map((it) => it.source.tmpPath);
    const fail = async (i: number, e: unknown): Promise<void> => {
      const t = tmps[i];
      if (t) await rm(t, { force: true }).catch(() => {});
      out[i] = new StorageError('cannot write sample file', { cause: e });
    };
    // 1. Data durable in the temp dir (written here first when given as bytes).
    let next = 0;
    const worker = async (): Promise<void> => {
      for (let i = next++; i < items.length; i = next++) {
        const it = items[i];
        try {
          if (!tmps[i]) tmps[i] = join(this.tmpDir, `w-${randomUUID()}`);
          const bytes = it.source.bytes;
          if (!it.source.tmpPath && bytes && bytes.byteLength <= SYNC_WRITE_MAX) {
            await this.writeSmall(tmps[i]!, bytes);
            continue;
          }
          const fh = await open(tmps[i]!, it.source.tmpPath ? 'r+' : 'w', 0o600);
          try {
            if (!it.source.tmpPath) await fh.write(it.source.bytes ?? new Uint8Array(0));
            if (this.fsync) {
              await fh.sync();
              this.syncCounts.file++;
            }
          } finally {
            await fh.close();
          }
        } catch (e) {
          await fail(i, e);
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(PLACE_CONCURRENCY, items.length) }, worker));
    // 2. Into place (a rename is a metadata change in the page cache: done inline, not on the
    // pool); 3. one fsync per directory touched.
    const dirs = new Map<string, number[]>();
    for (let i = 0; i < items.length; i++) {
      if (out[i]) continue;
      const it = items[i];
      const safeExt = /^[a-z0-9]{1,8}$/.test(it.ext) ? `.${it.ext}` : '';
      const dirRel = `samples/${it.projectId}`;
      try {
        const dirAbs = this.absolute(dirRel);
        if (!this.madeDirs.has(dirAbs)) {
          mkdirSync(dirAbs, { recursive: true, mode: 0o700 });
          this.madeDirs.add(dirAbs);
        }
        const rel = `${dirRel}/${randomUUID()}${safeExt}`;
        try {
          renameSync(tmps[i]!, this.absolute(rel));
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
          // The project's folder went away under us (deleted by hand): make it again, once.
          mkdirSync(dirAbs, { recursive: true, mode: 0o700 });
          renameSync(tmps[i]!, this.absolute(rel));
        }
        out[i] = rel;
        dirs.set(dirAbs, [...(dirs.get(dirAbs) ?? []), i]);
      } catch (e) {
        await fail(i, e);
      }
    }
    if (this.fsync) {
      for (const [dirAbs, idx] of dirs) {
        try {
          const dh = await open(dirAbs, 'r');
          try {
            await dh.sync();
            this.syncCounts.dir++;
          } finally {
            await dh.close();
          }
        } catch (e) {
          // The names may not be durable: none of these files counts as placed.
          for (const i of idx) {
            await this.unplace(out[i] as string);
            out[i] = new StorageError('cannot write sample file', { cause: e });
          }
        }
      }
    }
    return out;
  }

  /** Project folders known to exist (placeMany makes each once, not once per file). */
  private readonly madeDirs = new Set<string>();

  /**
   * Writes a small file and makes its data durable: the open, the write into the page cache and
   * the close are done inline (each takes microseconds; sent to libuv's pool they cost two thread
   * hand-offs apiece, which dominated a /files request of small documents); only the fsync, which
   * waits for the disk, goes to the pool.
   */
  private async writeSmall(path: string, bytes: Uint8Array): Promise<void> {
    const fd = openSync(path, 'w', 0o600);
    try {
      for (let off = 0; off < bytes.byteLength; ) off += writeSync(fd, bytes, off);
      if (this.fsync) {
        await new Promise<void>((resolve, reject) => fsyncCb(fd, (e) => (e ? reject(e) : resolve())));
        this.syncCounts.file++;
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Removes a placed file whose sample was not committed (duplicate, later failure). */
  async unplace(rel: string | null | undefined): Promise<void> {
    if (rel) await rm(this.absolute(rel), { force: true }).catch(() => {});
  }

  private queue: { s: NewSample; path: string; attachmentPath: string | null; dedupe: boolean; resolve(v: { record: SampleRecord; duplicate: boolean }): void; reject(e: unknown): void }[] = [];
  private flushScheduled = false;

  /**
   * Commits the index row (and hash, labels). Rows arriving in the same event-loop turn share one
   * transaction (group commit: one WAL fsync for many uploads); each row sits in its own savepoint,
   * so one failing row does not take the others down. With `disallowDuplicates`, a body whose hash
   * the project already holds is not inserted: the existing sample is returned.
   */
  commit(s: NewSample, path: string, attachmentPath: string | null, disallowDuplicates: boolean): Promise<{ record: SampleRecord; duplicate: boolean }> {
    return new Promise((resolve, reject) => {
      this.queue.push({ s, path, attachmentPath, dedupe: disallowDuplicates, resolve, reject });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.flushScheduled = false;
    const batch = this.queue;
    this.queue = [];
    const outcomes: ({ ok: true; v: { record: SampleRecord; duplicate: boolean } } | { ok: false; e: unknown })[] = [];
    try {
      if (!this.db.open) throw new Error('index closed');
      this.syncCounts.indexCommits++;
      this.db.transaction(() => {
        for (const b of batch) {
          try {
            outcomes.push({ ok: true, v: this.db.transaction(() => this.commitOne(b.s, b.path, b.attachmentPath, b.dedupe))() });
          } catch (e) {
            outcomes.push({ ok: false, e });
          }
        }
      })();
    } catch (e) {
      for (const b of batch) b.reject(new StorageError('cannot commit the sample index row', { cause: e }));
      return;
    }
    batch.forEach((b, i) => {
      const o = outcomes[i];
      if (o.ok) b.resolve(o.v);
      else b.reject(new StorageError('cannot commit the sample index row', { cause: o.e }));
    });
    for (const o of outcomes) if (o.ok && !o.v.duplicate) this.notify({ kind: 'added', record: o.v.record });
  }

  private commitOne(s: NewSample, path: string, attachmentPath: string | null, disallowDuplicates: boolean): { record: SampleRecord; duplicate: boolean } {
    if (disallowDuplicates) {
      const dup = this.stmts.byHash.get(s.projectId, s.sha256) as Row | undefined;
      if (dup) return { record: rowToRecord(dup), duplicate: true };
    }
    const added = Date.now();
    const info = this.stmts.insert.run({
      project_id: s.projectId,
      category: s.category,
      filename: s.filename,
      label: s.label,
      kind: s.kind,
      format: s.format,
      content_type: s.contentType,
      path,
      attachment_path: attachmentPath,
      size: s.size,
      sha256: s.sha256,
      signature_alg: s.signatureAlg,
      signature_status: s.signatureStatus,
      device_name: s.deviceName,
      device_type: s.deviceType,
      interval_ms: s.intervalMs,
      sensors: JSON.stringify(s.sensors),
      row_count: s.rowCount,
      total_length_ms: s.totalLengthMs,
      info: JSON.stringify({ ...s.info, structuredLabels: s.structuredLabels ?? undefined }),
      metadata: JSON.stringify(s.metadata),
      upload_source: s.uploadSource,
      added,
    });
    const id = Number(info.lastInsertRowid);
    this.stmts.insertHash.run(s.projectId, s.sha256, id);
    if (s.structuredLabels) {
      for (const l of s.structuredLabels) this.stmts.insertLabel.run(id, l.label, l.startIndex, l.endIndex);
    } else if (s.label !== null) {
      this.stmts.insertLabel.run(id, s.label, null, null);
    }
    return { record: { ...s, id, path, attachmentPath, added }, duplicate: false };
  }

  findByHash(projectId: number, sha256: string): SampleRecord | undefined {
    const r = this.stmts.byHash.get(projectId, sha256) as Row | undefined;
    return r ? rowToRecord(r) : undefined;
  }

  get(projectId: number, id: number): SampleRecord | undefined {
    const r = this.stmts.get.get(projectId, id) as Row | undefined;
    return r ? rowToRecord(r) : undefined;
  }

  list(projectId: number, category?: string): SampleRecord[] {
    const rows = (category ? this.stmts.list.all(projectId, category) : this.stmts.listAll.all(projectId)) as Row[];
    return rows.map((r) => rowToRecord(r));
  }

  count(projectId: number): number {
    return (this.stmts.count.get(projectId) as { n: number }).n;
  }

  labelsOf(id: number): { label: string; startIndex: number | null; endIndex: number | null }[] {
    return this.stmts.labels.all(id) as { label: string; startIndex: number | null; endIndex: number | null }[];
  }

  /**
   * Sets a sample's single label (Studio's edit-label; null: unlabeled) and its lastModified.
   * Structured labels are replaced by the one label, as Studio does.
   * @returns false when there is no such sample
   */
  updateLabel(projectId: number, id: number, label: string | null): boolean {
    const changed = this.db.transaction(() => {
      const r = this.stmts.setLabel.run(label, Date.now(), projectId, id);
      if (r.changes === 0) return false;
      this.stmts.clearLabels.run(id);
      if (label !== null) this.stmts.insertLabel.run(id, label, null, null);
      this.db.prepare("UPDATE samples SET info = json_remove(info, '$.structuredLabels') WHERE id = ?").run(id);
      return true;
    })();
    if (changed) this.notify({ kind: 'relabeled', projectId, id });
    return changed;
  }

  /** Deletes the row first (so a crash never leaves a row without its file), then the files. */
  async delete(projectId: number, id: number): Promise<boolean> {
    const rec = this.get(projectId, id);
    if (!rec) return false;
    this.stmts.del.run(projectId, id);
    await this.unplace(rec.path);
    await this.unplace(rec.attachmentPath);
    for (const a of attachmentsOf(rec.info)) await this.unplace(a);
    this.notify({ kind: 'deleted', projectId, id });
    return true;
  }

  /** Calls `fn` after each committed change; returns the function that stops it. */
  watch(fn: (c: StoreChange) => void): () => void {
    this.watchers.add(fn);
    return () => this.watchers.delete(fn);
  }

  private notify(c: StoreChange): void {
    for (const w of this.watchers) {
      try {
        w(c);
      } catch {
        // A watcher's failure is its own; the commit already happened.
      }
    }
  }

  /** Runs SQLite's integrity check; 'ok' when the index is sound. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check', { simple: true }) as string) ?? 'unknown';
  }

  /** Closes the index after committing whatever is queued. */
  close(): void {
    if (this.queue.length > 0) this.flush();
    if (this.db.open) this.db.close();
  }
}
