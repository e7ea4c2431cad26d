import { describe, it, expect } from 'vitest';
import { readdir, writeFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Spool, SpoolFullError, SpoolInputError, SpoolLockedError, encodeRecord, decodeRecord, sha256Hex } from '../src/spool/index.ts';
import { spec, tempDirs } from './spool-fixture.ts';

const tmp = tempDirs('spool-q-');
const body = (s: string) => new TextEncoder().encode(s);

describe('record format', () => {
  it('round-trips and rejects every truncation and a flipped body byte', () => {
    const b = body('hello world');
    const header = { v: 1 as const, createdAt: 1, sha256: sha256Hex(b), bodyLength: b.length, contentType: 'application/cbor', signature: '00', spec };
    const bytes = encodeRecord(header, b);
    const back = decodeRecord(bytes, 'x', sha256Hex);
    expect(new TextDecoder().decode(back.body)).toBe('hello world');
    expect(back.header.spec).toEqual(spec);
    for (let n = 0; n < bytes.length; n++) {
      expect(() => decodeRecord(bytes.subarray(0, n), 'x', sha256Hex)).toThrow(expect.objectContaining({ code: 'EI_SPOOL_CORRUPT' }));
    }
    const flipped = bytes.slice();
    flipped[flipped.length - 1] ^= 1;
    expect(() => decodeRecord(flipped, 'x', sha256Hex)).toThrow(/SHA-256/);
  });
});

describe('Spool', () => {
  it('keeps samples in order across a reopen and never stores the API key', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir);
    for (let i = 0; i < 5; i++) await s.enqueue(body(`sample ${i}`), { spec: { ...spec, fileName: `f${i}` }, contentType: 'application/json' });
    await s.close();
    const r = await Spool.open(dir);
    const ids = r.entries().map((e) => e.id);
    expect(ids).toHaveLength(5);
    expect([...ids].sort()).toEqual(ids);
    const texts = [];
    for (const id of ids) texts.push(new TextDecoder().decode((await r.read(id)).body));
    expect(texts).toEqual([0, 1, 2, 3, 4].map((i) => `sample ${i}`));
    await r.close();
  });

  it('validates input before writing anything', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir);
    await expect(s.enqueue(new Uint8Array(0), { spec, contentType: 'x' })).rejects.toMatchObject({ code: 'EI_SPOOL_INPUT', field: 'body' });
    await expect(s.enqueue(body('x'), { spec: { ...spec, category: 'Bad Cat' }, contentType: 'x' })).rejects.toMatchObject({ field: 'spec.category' });
    await expect(s.enqueue(body('x'), { spec: { ...spec, fileName: 'a\r\nb' }, contentType: 'x' })).rejects.toBeInstanceOf(SpoolInputError);
    expect(await readdir(join(dir, 'queue'))).toEqual([]);
    await s.close();
  });

  it('cleans torn temp files at open and ignores junk names', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir);
    await s.enqueue(body('kept'), { spec, contentType: 'x' });
    await s.close();
    await writeFile(join(dir, 'queue', '.123-9-0000000000000001-abcdabcdabcdabcd.rec.tmp'), 'EISPOOL1\x05\x00');
    const r = await Spool.open(dir);
    expect(r.stats()).toMatchObject({ count: 1, tornCleaned: 1 });
    expect((await readdir(join(dir, 'queue'))).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    await r.close();
  });

  it("refuses with a typed error when full under 'refuse'", async () => {
    const dir = await tmp();
    const s = await Spool.open(dir, { maxCount: 3 });
    for (let i = 0; i < 3; i++) await s.enqueue(body(`s${i}`), { spec, contentType: 'x' });
    const err = await s.enqueue(body('s3'), { spec, contentType: 'x' }).catch((e) => e);
    expect(err).toBeInstanceOf(SpoolFullError);
    expect(err.code).toBe('EI_SPOOL_FULL');
    expect(s.stats().count).toBe(3);
    expect(await readdir(join(dir, 'queue'))).toHaveLength(3);
    await s.close();
  });

  it("drops the oldest and reports the count under 'drop-oldest', bounded by bytes too", async () => {
    const dir = await tmp();
    const one = encodeRecord({ v: 1, createdAt: Date.now(), sha256: '0'.repeat(64), bodyLength: 100, contentType: 'x', signature: '', spec }, new Uint8Array(100)).length;
    const s = await Spool.open(dir, { maxBytes: one * 4 + 10, whenFull: 'drop-oldest' });
    let dropped = 0;
    for (let i = 0; i < 10; i++) {
      const b = new Uint8Array(100).fill(i + 1);
      dropped += (await s.enqueue(b, { spec, contentType: 'x' })).dropped;
    }
    expect(dropped).toBe(6);
    expect(s.stats()).toMatchObject({ count: 4, droppedOldest: 6 });
    expect(s.stats().bytes).toBeLessThanOrEqual(one * 4 + 10);
    const first = await s.read(s.entries()[0].id);
    expect(first.body[0]).toBe(7); // samples 1..6 dropped, 7..10 kept
    await s.close();
    const r = await Spool.open(dir, { readOnly: true });
    expect(r.stats().droppedOldest).toBe(6);
    await r.close();
  });

  it('dead-letters with the answer, lists and retries them', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir);
    const { id } = await s.enqueue(body('bad'), { spec, contentType: 'x' });
    await s.deadLetter(id, { reason: 'refused', status: 400, response: 'invalid message' });
    expect(s.stats()).toMatchObject({ count: 0, deadCount: 1 });
    const dead = await s.deadLetters();
    expect(dead[0].note).toMatchObject({ status: 400, response: 'invalid message', reason: 'refused' });
    expect(await s.retryDead()).toBe(1);
    expect(s.stats()).toMatchObject({ count: 1, deadCount: 0 });
    expect(new TextDecoder().decode((await s.read(s.head()!.id)).body)).toBe('bad');
    await s.close();
  });

  it('bounds the dead-letter folder too, counting what it drops', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir, { maxDead: 2 });
    for (let i = 0; i < 4; i++) {
      const { id } = await s.enqueue(body(`d${i}`), { spec, contentType: 'x' });
      await s.deadLetter(id, { reason: 'refused', status: 400 });
    }
    expect(s.stats()).toMatchObject({ deadCount: 2, droppedDead: 2 });
    expect((await readdir(join(dir, 'dead'))).length).toBe(4); // 2 records + 2 notes
    await s.close();
  });

  it('allows one writer: a live lock holder blocks, a dead one is taken over', async () => {
    const dir = await tmp();
    const s = await Spool.open(dir);
    await s.close();
    await writeFile(join(dir, 'lock'), String(process.ppid)); // a live process that is not us
    await expect(Spool.open(dir)).rejects.toBeInstanceOf(SpoolLockedError);
    await writeFile(join(dir, 'lock'), '999999999'); // no such pid
    const r = await Spool.open(dir);
    expect((await readFile(join(dir, 'lock'), 'utf8')).trim()).toBe(String(process.pid));
    await r.close();
  });
});
