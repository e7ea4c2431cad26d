// What the spool does to keep up with a busy gateway: enqueues not awaited one by one keep their
// call order (and share group commits), delivered samples leave in one removal per batch,
// delivered files' inodes are reused for later writes (no create/delete churn), just-accepted
// records are read from memory, and attempt notes are only looked for where one was written.
import { describe, expect, it } from 'vitest';
import { readFile, readdir, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Spool } from '../src/spool/index.ts';
import { DurableDir, FREE_SUFFIX } from '../src/spool/durable-fs.ts';
import { spec, tempDirs } from './spool-fixture.ts';

const tmp = tempDirs('spool-rate-');
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);
const put = (s: Spool, text: string) => s.enqueue(enc(text), { spec: { ...spec, fileName: `${text}.json` }, contentType: 'application/json' });

async function texts(s: Spool): Promise<string[]> {
  const out = [];
  for (const e of s.entries()) out.push(dec((await s.read(e.id)).body));
  return out;
}

describe('enqueue order without waiting', () => {
  it('keeps call order across overlapping enqueues and groups them (fewer writes than samples)', async () => {
    const s = await Spool.open(await tmp());
    const names = Array.from({ length: 60 }, (_, i) => `s${i}`);
    const acks = names.map((n) => put(s, n));
    const res = await Promise.all(acks);
    expect(await texts(s)).toEqual(names);
    // Sequence numbers follow the calls, so ids sort in call order too.
    expect(res.map((r) => r.id)).toEqual([...res.map((r) => r.id)].sort());
    expect(s.groupStats().groups).toBeLessThan(60);
    await s.close();
    const again = await Spool.open(s.dir);
    expect(await texts(again)).toEqual(names);
    await again.close();
  });

  it('keeps call order when some calls must drop the oldest to make room, and never exceeds the cap', async () => {
    const s = await Spool.open(await tmp(), { maxCount: 5, whenFull: 'drop-oldest' });
    const names = Array.from({ length: 23 }, (_, i) => `s${i}`);
    const res = await Promise.all(names.map((n) => put(s, n)));
    expect(s.stats().count).toBe(5);
    expect(await texts(s)).toEqual(names.slice(-5));
    expect(res.reduce((a, r) => a + r.dropped, 0)).toBe(18);
    expect(s.stats().droppedOldest).toBe(18);
    await s.close();
  });

  it('refuses what does not fit under refuse, in call order, writing nothing of it', async () => {
    const s = await Spool.open(await tmp(), { maxCount: 3 });
    const out = await Promise.allSettled(['a', 'b', 'c', 'd', 'e'].map((n) => put(s, n)));
    expect(out.map((o) => o.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled', 'rejected', 'rejected']);
    expect(await texts(s)).toEqual(['a', 'b', 'c']);
    await s.close();
  });
});

describe('removeMany', () => {
  it('removes a whole pack in one call without a .done file, and a part of one with a single .done append', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir);
    await put(s, 'first'); // written alone: the next ones arrive during its write and share a pack
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => put(s, n)));
    const packs = new Set(s.entries().map((e) => e.pack).filter(Boolean));
    expect(packs.size).toBeGreaterThan(0);
    // Part of the packed samples: one .done line each, in one side file per pack.
    const packed = s.entries().filter((e) => e.pack);
    const goneId = packed[0]!.id;
    const goneText = dec((await s.read(goneId)).body);
    await s.removeMany([goneId]);
    const names = await readdir(join(dir, 'queue'));
    expect(names.filter((n) => n.endsWith('.pack.done'))).toHaveLength(1);
    const gone = goneText;
    await s.close();
    let r = await Spool.open(dir);
    expect(await texts(r)).toEqual(['first', 'a', 'b', 'c', 'd'].filter((t) => t !== gone));
    await r.close();
    r = await Spool.open(dir);
    await r.removeMany(r.entries().map((e) => e.id));
    expect(r.stats().count).toBe(0);
    expect((await readdir(join(dir, 'queue'))).filter((n) => !n.startsWith('.'))).toEqual([]);
    await r.close();
    r = await Spool.open(dir);
    expect(r.stats().count).toBe(0);
    await r.close();
  });
});

describe('removeMany of a whole pack', () => {
  it('writes no .done side file and retires the pack', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir);
    await put(s, 'first');
    await Promise.all(['a', 'b', 'c', 'd'].map((n) => put(s, n)));
    const packed = s.entries().filter((e) => e.pack);
    expect(packed.length).toBeGreaterThan(1);
    await s.removeMany(packed.map((e) => e.id));
    const names = await readdir(join(dir, 'queue'));
    expect(names.filter((n) => n.endsWith('.pack') || n.endsWith('.pack.done'))).toEqual([]);
    // 'a' arrived at an idle spool and went alone; b, c, d came during its write and share a pack.
    expect(await texts(s)).toEqual(['first', 'a']);
    await s.close();
  });
});

describe('inode reuse (DurableDir.retire)', () => {
  it('a retired file is written again under the next name: same inode, new contents, nothing left over', async () => {
    const dir = await tmp();
    const d = await DurableDir.open(dir);
    await d.write('one.rec', enc('first contents, longer than the next'));
    const ino = (await stat(join(dir, 'one.rec'))).ino;
    await d.retire('one.rec');
    expect(d.freeCount).toBe(1);
    expect((await readdir(dir)).filter((n) => !n.endsWith(FREE_SUFFIX))).toEqual([]);
    await d.write('two.rec', enc('second'));
    expect((await stat(join(dir, 'two.rec'))).ino).toBe(ino);
    expect(dec(new Uint8Array(await readFile(join(dir, 'two.rec'))))).toBe('second');
    expect(d.freeCount).toBe(0);
    expect(await readdir(dir)).toEqual(['two.rec']);
    await d.retire('missing.rec'); // not an error
    await d.close();
  });

  it('the retire rename is fsynced before its inode is written again (a power cut cannot bring the old name back with new bytes)', async () => {
    const dir = await tmp();
    const d = await DurableDir.open(dir);
    await d.write('a.rec', enc('a'));
    expect(d.syncs).toBe(1);
    await d.write('b.rec', enc('b')); // a new file: only its own directory fsync
    expect(d.syncs).toBe(2);
    await d.retire('a.rec');
    await d.write('c.rec', enc('c')); // reuses a's inode: the directory is synced first, then after the rename
    expect(d.syncs).toBe(4);
    await d.retire('b.rec');
    await d.retire('c.rec');
    await d.close();
    // Free files found at open may have renames not yet on disk: the first reuse syncs first too.
    const again = await DurableDir.open(dir);
    await again.write('d.rec', enc('d'));
    expect(again.syncs).toBe(2);
    await again.write('e.rec', enc('e')); // reuse again, nothing retired since: one sync
    expect(again.syncs).toBe(3);
    await again.close();
  });

  it('retired files survive a restart as free files, are reused, and are never read as samples', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir);
    for (const t of ['a', 'b', 'c']) await put(s, t);
    await s.removeMany(s.entries().map((e) => e.id));
    await s.close();
    expect((await readdir(join(dir, 'queue'))).filter((n) => n.endsWith(FREE_SUFFIX)).length).toBe(3);
    const r = await Spool.open(dir);
    expect(r.stats()).toMatchObject({ count: 0, tornCleaned: 0 });
    await put(r, 'after');
    expect(await texts(r)).toEqual(['after']);
    expect((await readdir(join(dir, 'queue'))).filter((n) => n.endsWith(FREE_SUFFIX)).length).toBe(2);
    await r.close();
  });

  it('keeps at most 64 free files; beyond, delivered files are deleted', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir, { groupCommit: false });
    for (let i = 0; i < 70; i++) await put(s, `s${i}`);
    await s.removeMany(s.entries().map((e) => e.id));
    expect((await readdir(join(dir, 'queue'))).filter((n) => n.endsWith(FREE_SUFFIX)).length).toBe(64);
    expect(s.stats().count).toBe(0);
    await s.close();
  });
});

describe('reads and attempt notes', () => {
  it('a just-accepted sample reads back as accepted even if the caller reuses its buffer', async () => {
    const s = await Spool.open(await tmp());
    const body = enc('original');
    const meta = { kind: 'data' as const, category: 'training', fileName: 'x.json', label: 'idle' };
    const { id } = await s.enqueue(body, { spec: meta, contentType: 'application/json' });
    body.fill(0x41);
    meta.label = 'changed';
    const r = await s.read(id);
    expect(dec(r.body)).toBe('original');
    expect(r.header.spec.label).toBe('idle');
    await s.close();
  });

  it('attempt notes written before a restart are found after it; none is looked for where none was written', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir);
    const { id } = await put(s, 'x');
    const { id: other } = await put(s, 'y');
    const note = { attempts: 2, history: [{ reason: 'HTTP 500', count: 2, first: 1, last: 2 }], lastAt: 2 } as never;
    await s.saveAttempts(id, note);
    expect((await s.attempts(id))?.attempts).toBe(2);
    await s.close();
    const r = await Spool.open(dir);
    expect((await r.attempts(id))?.attempts).toBe(2);
    expect(await r.attempts(other)).toBeUndefined();
    await r.removeMany([id]);
    expect((await readdir(join(dir, 'queue'))).filter((n) => n.endsWith('.rec.json'))).toEqual([]);
    await r.close();
    // A read-only view (spool status next to a running writer) reads notes from the disk.
    await writeFile(join(dir, 'queue', `${other}.json`), JSON.stringify({ attempts: 7, history: [] }));
    const ro = await Spool.open(dir, { readOnly: true });
    expect((await ro.attempts(other))?.attempts).toBe(7);
    await ro.close();
  });
});
