/**
 * The SQLite driver behind the sample index: `libsql` (better-sqlite3's API, prebuilt binaries
 * shipped as npm platform packages for linux x64/arm64/armv7, so installing compiles nothing).
 * Loaded on first use, so importing the service without starting it needs no native module, and a
 * missing driver is a clear error naming the package.
 */
import { closeSync, fsyncSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import type Libsql from 'libsql';
import { requireOptional } from '../optional.ts';

export type Database = Libsql.Database;
export type Statement = Libsql.Statement;
type Ctor = typeof Libsql;

function driver(): Ctor {
  return requireOptional<Ctor>('libsql', 'the local ingestion service (serve)');
}

const held = new Set<string>();

function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One owner per index: a `<file>.lock` holding the owner's pid (O_EXCL), taken over from a dead
 * process. Not SQLite's `locking_mode = EXCLUSIVE`: libsql frees a closed connection (and so its
 * lock) only when the garbage collector runs, so a restart in the same process would find it locked.
 */
function lock(file: string): () => void {
  const path = `${file}.lock`;
  if (held.has(path)) throw new Error(`${file} is already open in this process`);
  for (let attempt = 0; attempt < 5; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      try {
        writeSync(fd, String(process.pid));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      held.add(path);
      return () => {
        held.delete(path);
        try {
          if (readFileSync(path, 'utf8').trim() === String(process.pid)) unlinkSync(path);
        } catch {
          // already gone
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let pid = Number.NaN;
      try {
        pid = Number(readFileSync(path, 'utf8').trim());
      } catch {
        // removed meanwhile: retry
      }
      if (alive(pid)) throw new Error(`${file} is in use by process ${pid}`);
      try {
        unlinkSync(path);
      } catch {
        // removed meanwhile: retry
      }
    }
  }
  throw new Error(`could not take ${path}`);
}

/**
 * Opens (creating) the database file, owned by this process until `close()`. `transaction()` nests like better-sqlite3's: an inner call
 * runs in a SAVEPOINT, so one failing statement rolls back alone (libsql's own does not nest).
 */
export function openDatabase(file: string, opts: { timeout?: number } = {}): Database {
  const Database = driver();
  const release = lock(file);
  let db: Database;
  try {
    db = new Database(file, opts);
  } catch (e) {
    release();
    throw e;
  }
  const close = db.close.bind(db);
  db.close = () => {
    try {
      close();
    } finally {
      release();
    }
    return db;
  };
  // libsql's `pluck()` only applies to `all()`, so `{ simple: true }` would return the row object.
  const pragma = db.pragma.bind(db);
  db.pragma = (source, options) => (options?.simple ? db.prepare(`PRAGMA ${source}`).pluck().all()[0] : pragma(source, options));
  let depth = 0;
  db.transaction = (<F extends (...args: never[]) => unknown>(fn: F) => {
    const run = (...args: Parameters<F>): ReturnType<F> => {
      const name = `sp${depth}`;
      const outer = depth === 0;
      db.exec(outer ? 'BEGIN' : `SAVEPOINT ${name}`);
      depth++;
      let result: ReturnType<F>;
      try {
        result = fn(...args) as ReturnType<F>;
      } catch (e) {
        depth--;
        if (!outer) db.exec(`ROLLBACK TO ${name}; RELEASE ${name}`);
        else if (db.inTransaction) db.exec('ROLLBACK');
        throw e;
      }
      depth--;
      db.exec(outer ? 'COMMIT' : `RELEASE ${name}`);
      return result;
    };
    return run;
  }) as unknown as Database['transaction'];
  return db;
}
