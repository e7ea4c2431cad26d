// Group commit of spool accepts: samples arriving while a write is in flight share one pack file
// (one fsync); each is acknowledged only after its own group is durable; packs survive a reopen,
// members leave one by one (delivered, dead-lettered, dropped) and the pack goes with the last.
import { describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Spool } from '../src/spool/index.ts';
import { GroupCommitter } from '../src/spool/group-commit.ts';
import { decodePack, encodePack } from '../src/spool/pack.ts';
import { spec, tempDirs } from './spool-fixture.ts';

const tmp = tempDirs('spool-gc-');
const enc = (s: string) => new TextEncoder().encode(s);
const dec = (b: Uint8Array) => new TextDecoder().decode(b);

/** Enqueues n samples at once (as two busy gateway ports would) and returns their ids. */
async function burst(s: Spool, n: number, tag = 's'): Promise<string[]> {
  const res = await Promise.all(Array.from({ length: n }, (_, i) => s.enqueue(enc(`${tag} ${i}`), { spec: { ...spec, fileName: `${tag}${i}` }, contentType: 'application/json' })));
  return res.map((r) => r.id);
}

async function texts(s: Spool): Promise<string[]> {
  const out = [];
  for (const e of s.entries()) out.push(dec((await s.read(e.id)).body));
  return out;
}

describe('pack format', () => {
  it('round-trips members and rejects every truncation', () => {
    const members = [
      { id: '0000000000000001-aaaaaaaaaaaaaaaa.rec', record: enc('one') },
      { id: '0000000000000002-bbbbbbbbbbbbbbbb.rec', record: enc('second record') },
    ];
    const bytes = encodePack(members);
    const back = decodePack(bytes, 'p');
    expect(back.map((m) => [m.id, dec(m.record)])).toEqual([
      [members[0]!.id, 'one'],
      [members[1]!.id, 'second record'],
    ]);
    for (let n = 0; n < bytes.length; n++) expect(() => decodePack(bytes.subarray(0, n), 'p')).toThrow(expect.objectContaining({ code: 'EI_SPOOL_CORRUPT' }));
    expect(() => decodePack(new Uint8Array([...bytes, 0]), 'p')).toThrow(/after its last member/);
  });
});

describe('GroupCommitter', () => {
  it('writes the first sample alone, the ones arriving meanwhile as one pack, and acknowledges each only after its write', async () => {
    const writes: { name: string; finish: () => void }[] = [];
    const gc = new GroupCommitter((name) => new Promise<void>((finish) => writes.push({ name, finish })), { maxCount: 100, maxBytes: 1e6 });
    const acked: number[] = [];
    const m = (i: number) => ({ id: `${String(i).padStart(16, '0')}-${'a'.repeat(16)}.rec`, seq: i, sha256: 'a'.repeat(64), record: enc(`r${i}`) });
    const ps = [1, 2, 3, 4].map((i) => gc.add(m(i)).then((p) => (acked.push(i), p)));
    await new Promise((r) => setTimeout(r, 10));
    expect(writes.map((w) => w.name)).toEqual([m(1).id]);
    expect(acked).toEqual([]);
    writes[0]!.finish();
    await new Promise((r) => setTimeout(r, 10));
    expect(acked).toEqual([1]);
    expect(writes).toHaveLength(2);
    expect(writes[1]!.name).toMatch(/^0000000000000002-a{16}\.pack$/);
    expect(acked).toEqual([1]); // 2..4 wait for their pack
    writes[1]!.finish();
    const placed = await Promise.all(ps);
    expect(acked).toEqual([1, 2, 3, 4]);
    expect(placed.map((p) => p.pack)).toEqual([null, writes[1]!.name, writes[1]!.name, writes[1]!.name]);
    expect({ groups: gc.groups, samples: gc.samples }).toEqual({ groups: 2, samples: 4 });
  });

  it('a failed write rejects its own group only; later samples go on', async () => {
    let n = 0;
    const gc = new GroupCommitter(async () => {
      if (n++ === 0) throw new Error('ENOSPC');
    }, { maxCount: 2, maxBytes: 1e6 });
    const m = (i: number) => ({ id: `${String(i).padStart(16, '0')}-${'a'.repeat(16)}.rec`, seq: i, sha256: 'a'.repeat(64), record: enc('x') });
    const r = await Promise.allSettled([1, 2, 3, 4, 5].map((i) => gc.add(m(i))));
    expect(r.map((x) => x.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(gc.groups).toBe(2); // [1] failed (not counted), then [2,3] and [4,5]: the count bound holds
    expect(gc.samples).toBe(4);
  });

  it('bounds a group by bytes', async () => {
    const sizes: number[] = [];
    const gc = new GroupCommitter(async (_n, b) => void sizes.push(b.byteLength), { maxCount: 100, maxBytes: 250 });
    const m = (i: number) => ({ id: `${String(i).padStart(16, '0')}-${'a'.repeat(16)}.rec`, seq: i, sha256: 'a'.repeat(64), record: new Uint8Array(100) });
    await Promise.all([1, 2, 3, 4, 5, 6].map((i) => gc.add(m(i))));
    expect(gc.samples).toBe(6);
    expect(gc.groups).toBe(4); // [1], [2,3], [4,5], [6]
  });
});

describe('Spool with group commit', () => {
  it('a burst of accepts shares packs, keeps arrival order, and survives a reopen', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir);
    const ids = await burst(s, 60);
    const g = s.groupStats();
    expect(g.samples).toBe(60);
    expect(g.groups).toBeLessThan(60);
    expect((await readdir(join(dir, 'queue'))).some((n) => n.endsWith('.pack'))).toBe(true);
    expect(s.entries().map((e) => e.id)).toEqual(ids);
    expect(await texts(s)).toEqual(Array.from({ length: 60 }, (_, i) => `s ${i}`));
    await s.close();
    const r = await Spool.open(dir);
    expect(r.entries().map((e) => e.id)).toEqual(ids);
    expect(r.stats().count).toBe(60);
    expect(await texts(r)).toEqual(Array.from({ length: 60 }, (_, i) => `s ${i}`));
    await r.close();
  });

  it('members leave one by one; a reopen skips those gone; the pack is deleted with its last member', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir);
    await burst(s, 20);
    const packed = s.entries().filter((e) => e.pack);
    expect(packed.length).toBeGreaterThan(2);
    const pack = packed[0]!.pack!;
    const members = s.entries().filter((e) => e.pack === pack);
    await s.remove(members[0]!.id);
    await s.deadLetter(members[1]!.id, { reason: 'test refusal', status: 400, response: 'bad' });
    await s.close();

    const r = await Spool.open(dir);
    const left = r.entries().map((e) => e.id);
    expect(left).not.toContain(members[0]!.id);
    expect(left).not.toContain(members[1]!.id);
    expect(left).toHaveLength(18);
    const dead = await r.deadLetters();
    expect(dead.map((d) => d.id)).toEqual([members[1]!.id]);
    expect(dead[0]!.note).toMatchObject({ reason: 'test refusal', status: 400 });
    for (const m of members.slice(2)) await r.remove(m.id);
    expect(await readdir(join(dir, 'queue'))).not.toContain(pack);
    // A dead-lettered pack member goes back to the queue as a plain record, body intact.
    expect(await r.retryDead()).toBe(1);
    const back = r.entries().at(-1)!;
    expect(back.pack).toBeUndefined();
    expect(dec((await r.read(back.id)).body)).toMatch(/^s \d+$/);
    await r.close();
  });

  it('drop-oldest drops pack members without bringing them back after a reopen', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir, { maxCount: 30, whenFull: 'drop-oldest' });
    await burst(s, 30, 'a');
    const first = s.entries().slice(0, 5).map((e) => e.id);
    for (let i = 0; i < 5; i++) await s.enqueue(enc(`b ${i}`), { spec, contentType: 'application/json' });
    expect(s.stats().count).toBe(30);
    await s.close();
    const r = await Spool.open(dir, { maxCount: 30, whenFull: 'drop-oldest' });
    expect(r.stats().count).toBe(30);
    for (const id of first) expect(r.entries().map((e) => e.id)).not.toContain(id);
    expect(r.stats().droppedOldest).toBe(5);
    await r.close();
  });

  it('groupCommit: false writes one record file per sample', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir, { groupCommit: false });
    await burst(s, 10);
    const names = await readdir(join(dir, 'queue'));
    expect(names.filter((n) => n.endsWith('.rec'))).toHaveLength(10);
    expect(names.some((n) => n.endsWith('.pack'))).toBe(false);
    expect(s.groupStats()).toEqual({ groups: 0, samples: 0 });
    await s.close();
  });
});
