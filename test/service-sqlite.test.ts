// The libsql adapter under the sample index: nested transactions roll back alone (as
// better-sqlite3's did), one owner per index file, a restart in the same process reopens it.
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { openDatabase } from '../src/service/sqlite.ts';
import { MissingPackageError, requireOptional } from '../src/optional.ts';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function file(): string {
  const d = mkdtempSync(join(tmpdir(), 'ei-sqlite-'));
  dirs.push(d);
  return join(d, 'index.sqlite');
}

describe('sqlite adapter (libsql)', () => {
  it('an inner transaction that throws rolls back alone; the outer one commits the rest', () => {
    const db = openDatabase(file());
    db.exec('CREATE TABLE t (v INTEGER UNIQUE)');
    const ins = db.prepare('INSERT INTO t (v) VALUES (?)');
    const errors: unknown[] = [];
    db.transaction(() => {
      for (const v of [1, 2, 2, 3]) {
        try {
          db.transaction(() => {
            ins.run(v);
            ins.run(v + 100);
          })();
        } catch (e) {
          errors.push(e);
        }
      }
    })();
    expect(errors).toHaveLength(1);
    expect(db.prepare('SELECT v FROM t ORDER BY v').pluck().all()).toEqual([1, 2, 3, 101, 102, 103]);
    expect(db.inTransaction).toBe(false);
    // An outer failure rolls everything back.
    expect(() => db.transaction(() => {
      ins.run(50);
      throw new Error('boom');
    })()).toThrow('boom');
    expect(db.prepare('SELECT COUNT(*) FROM t').pluck().all()[0]).toBe(6);
    db.close();
  });

  it("pragma(…, { simple: true }) gives the value, not the row", () => {
    const db = openDatabase(file());
    expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
    expect(db.pragma('journal_mode = WAL', { simple: true })).toBe('wal');
    db.close();
  });

  it('one owner per index: a second open fails until the first closes; then it reopens with the data', () => {
    const f = file();
    const a = openDatabase(f);
    a.exec('CREATE TABLE t (v); INSERT INTO t VALUES (7)');
    expect(() => openDatabase(f)).toThrow(/already open/);
    a.close();
    expect(existsSync(`${f}.lock`)).toBe(false);
    const b = openDatabase(f);
    expect(b.prepare('SELECT v FROM t').pluck().all()).toEqual([7]);
    b.close();
  });

  it('a live process holding the lock is refused; a dead one is taken over', () => {
    const f = file();
    writeFileSync(`${f}.lock`, String(process.ppid)); // our parent is alive
    expect(() => openDatabase(f)).toThrow(new RegExp(`in use by process ${process.ppid}`));
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(`${f}.lock`, dead);
    const db = openDatabase(f);
    expect(readFileSync(`${f}.lock`, 'utf8')).toBe(String(process.pid));
    db.close();
  });

  it('a missing optional package is a typed error naming it', () => {
    let err: unknown;
    try {
      requireOptional('ei-ingest-no-such-package', 'the test feature');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(MissingPackageError);
    expect((err as MissingPackageError).code).toBe('EI_MISSING_PACKAGE');
    expect((err as Error).message).toMatch(/^the test feature needs the package 'ei-ingest-no-such-package' \(npm install ei-ingest-no-such-package\)/);
  });
});
