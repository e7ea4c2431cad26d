import { describe, it, expect } from 'vitest';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { spawn } from 'node:child_process';
import { Spool, SpoolSender, classifyStatus, classifyError, clientSend } from '../src/spool/index.ts';
import type { SendFn, SendOutcome, SpoolRecord } from '../src/spool/index.ts';
import { HttpStatusError, NetworkError, TimeoutError, RetriesExhaustedError } from '../src/client/errors.ts';
import { spec, tempDirs } from './spool-fixture.ts';

const tmp = tempDirs('spool-s-');
const text = (r: SpoolRecord) => new TextDecoder().decode(r.body);

async function filled(n: number): Promise<Spool> {
  const s = await Spool.open(await tmp());
  for (let i = 0; i < n; i++) await s.enqueue(new TextEncoder().encode(`s${i}`), { spec, contentType: 'application/json' });
  return s;
}

describe('outcome table', () => {
  it.each([
    [200, 'a.cbor', 'delivered'],
    [201, '', 'delivered'],
    // No text matching: only a 2xx counts as stored (policy tests: spool-policy.test.ts).
    [400, 'An item with this hash already exists', 'rejected'],
    [200, 'duplicate sample ignored', 'delivered'],
    [400, 'invalid message', 'rejected'],
    [401, 'missing x-api-key', 'rejected'],
    [421, 'missing header', 'rejected'],
    [500, 'oops', 'retry'],
    [503, '', 'retry'],
    [429, '', 'retry'],
    [408, '', 'retry'],
  ])('%i %s → %s', (status, body, kind) => {
    expect(classifyStatus(status, body).kind).toBe(kind);
  });
  it("classifies the client's own error classes", () => {
    expect(classifyError(new HttpStatusError(401, 'missing or invalid key')).kind).toBe('rejected');
    expect(classifyError(new HttpStatusError(421, 'missing x-file-name')).kind).toBe('rejected');
    expect(classifyError(new HttpStatusError(400, 'An item with this hash already exists')).kind).toBe('rejected');
    expect(classifyError(new HttpStatusError(503, 'busy', 1500))).toMatchObject({ kind: 'retry', retryAfterMs: 1500 });
    expect(classifyError(new NetworkError('reset')).kind).toBe('retry');
    expect(classifyError(new TimeoutError('firstByte', 1000)).kind).toBe('retry');
    expect(classifyError(new RetriesExhaustedError(3, new HttpStatusError(500, 'x')))).toMatchObject({ kind: 'retry', scope: 'sample', status: 500 });
  });

  it('classifies thrown errors', () => {
    expect(classifyError({ code: 'EI_NET_RESET' })).toEqual({ kind: 'retry', scope: 'outage', reason: 'EI_NET_RESET' });
    expect(classifyError({ status: 401, retryable: false, body: 'bad key' }).kind).toBe('rejected');
    expect(classifyError({ status: 418, retryable: false, body: '' }).kind).toBe('rejected');
    expect(classifyError({ status: 502, retryable: true, body: '' }).kind).toBe('retry');
    expect(classifyError({ status: 503, retryable: true, serviceMessage: 'busy', retryAfterMs: 2000 })).toMatchObject({ kind: 'retry', retryAfterMs: 2000 });
  });
});

describe('SpoolSender', () => {
  it('drains in order, retrying the head until it goes through', async () => {
    const s = await filled(4);
    const seen: string[] = [];
    let fails = 2;
    const send: SendFn = async (r) => {
      seen.push(text(r));
      if (text(r) === 's1' && fails-- > 0) throw Object.assign(new Error('reset'), { code: 'EI_NET' });
      return { kind: 'delivered', status: 200 };
    };
    const sender = new SpoolSender(s, send, { initialBackoffMs: 1 });
    const c = await sender.run({ untilEmpty: true });
    expect(seen).toEqual(['s0', 's1', 's1', 's1', 's2', 's3']);
    expect(c).toMatchObject({ delivered: 4, retries: 2, dead: 0 });
    expect(s.stats().count).toBe(0);
    await s.close();
  });

  it('dead-letters refused samples with the answer and carries on; duplicates leave the queue', async () => {
    const s = await filled(3);
    const outs: SendOutcome[] = [
      { kind: 'rejected', status: 400, response: 'invalid message', reason: 'refused with 400' },
      { kind: 'duplicate', status: 200 },
      { kind: 'delivered', status: 200 },
    ];
    let i = 0;
    const c = await new SpoolSender(s, async () => outs[i++]).run({ untilEmpty: true });
    expect(c).toMatchObject({ delivered: 1, duplicates: 1, dead: 1 });
    const dead = await s.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0].note).toMatchObject({ status: 400, response: 'invalid message' });
    await s.close();
  });

  it('leaves the sample queued when it gives up (maxAttempts) and when stopped', async () => {
    const s = await filled(2);
    const c = await new SpoolSender(s, async () => ({ kind: 'retry', reason: 'down' }), { initialBackoffMs: 1 }).run({ untilEmpty: true, maxAttempts: 3 });
    expect(c.retries).toBe(3);
    expect(s.stats().count).toBe(2);
    const ac = new AbortController();
    const sender = new SpoolSender(s, async () => ({ kind: 'retry', reason: 'down' }), { initialBackoffMs: 10_000 });
    const p = sender.run({ signal: ac.signal });
    setTimeout(() => ac.abort(), 20);
    await p;
    expect(s.stats().count).toBe(2);
    await s.close();
  });

  it('a record rotted on disk is dead-lettered (kept, with the reason), never sent or deleted', async () => {
    const first = await filled(2);
    const [bad] = first.entries();
    await first.close();
    // Reopened, as after a restart: nothing of it is in memory, the disk is all there is.
    const s = await Spool.open(first.dir);
    await writeFile(join(s.dir, 'queue', bad.id), 'EISPOOL1 not a record');
    const sent: string[] = [];
    const c = await new SpoolSender(s, async (r) => (sent.push(text(r)), { kind: 'delivered', status: 200 })).run({ untilEmpty: true });
    expect(sent).toEqual(['s1']);
    expect(c).toMatchObject({ delivered: 1, dead: 1 });
    const dead = await s.deadLetters();
    expect(dead[0].id).toBe(bad.id);
    expect(dead[0].note.reason).toMatch(/corrupt record/);
    await s.close();
  });

  it('a record just accepted is sent from memory as accepted, even if its file rots before the read', async () => {
    const s = await filled(2);
    const [e0] = s.entries();
    await writeFile(join(s.dir, 'queue', e0.id), 'EISPOOL1 not a record');
    const sent: string[] = [];
    const c = await new SpoolSender(s, async (r) => (sent.push(text(r)), { kind: 'delivered', status: 200 })).run({ untilEmpty: true });
    expect(sent).toEqual(['s0', 's1']);
    expect(c).toMatchObject({ delivered: 2, dead: 0 });
    await s.close();
  });

  it('with recentMaxBytes 0 every read goes to the disk (a rotted record is caught at once)', async () => {
    const s = await Spool.open(await tmp(), { recentMaxBytes: 0 });
    for (let i = 0; i < 2; i++) await s.enqueue(new TextEncoder().encode(`s${i}`), { spec, contentType: 'application/json' });
    const [bad] = s.entries();
    await writeFile(join(s.dir, 'queue', bad.id), 'EISPOOL1 not a record');
    const sent: string[] = [];
    const c = await new SpoolSender(s, async (r) => (sent.push(text(r)), { kind: 'delivered', status: 200 })).run({ untilEmpty: true });
    expect(sent).toEqual(['s1']);
    expect(c).toMatchObject({ delivered: 1, dead: 1 });
    await s.close();
  });

  it('waits for new work when not draining until empty', async () => {
    const s = await filled(0);
    const got: string[] = [];
    const ac = new AbortController();
    const p = new SpoolSender(s, async (r) => {
      got.push(text(r));
      if (got.length === 2) ac.abort();
      return { kind: 'delivered', status: 200 };
    }).run({ signal: ac.signal });
    await s.enqueue(new TextEncoder().encode('late1'), { spec, contentType: 'x' });
    await s.enqueue(new TextEncoder().encode('late2'), { spec, contentType: 'x' });
    await p;
    expect(got).toEqual(['late1', 'late2']);
    await s.close();
  });

  it('clientSend sends x-disallow-duplicates and the stored spec, and maps answers', async () => {
    const s = await filled(1);
    const calls: Record<string, unknown>[] = [];
    const send = clientSend({
      async upload(body, sp) {
        calls.push({ ...sp, length: body.length, type: body.contentType });
        return { status: 200, body: 'a.cbor' };
      },
    });
    const r = await s.read(s.head()!.id);
    expect(await send(r, 'id')).toMatchObject({ kind: 'delivered', status: 200 });
    expect(calls[0]).toMatchObject({ kind: 'data', category: 'training', fileName: 'a.cbor', label: 'idle', disallowDuplicates: true, length: 2, type: 'application/json' });
    const bad = clientSend({ upload: async () => { throw Object.assign(new Error('HTTP 401'), { status: 401, retryable: false, body: 'bad key' }); } });
    expect((await bad(r, 'id')).kind).toBe('rejected');
    await s.close();
  });
});

describe('crash safety', () => {
  it('every sample acknowledged before SIGKILL is readable after reopen', async () => {
    const dir = await tmp();
    const script = `
      import { Spool } from ${JSON.stringify(join(process.cwd(), 'src/spool/index.ts'))};
      const s = await Spool.open(process.argv[2]);
      for (let i = 0; ; i++) {
        const r = await s.enqueue(new TextEncoder().encode('x'.repeat(i % 5000) + i), { spec: { kind: 'data', category: 'training', fileName: 'f' + i }, contentType: 'x' });
        process.stdout.write(r.id + '\\n');
      }`;
    const file = join(dir, 'writer.mts');
    await writeFile(file, script);
    const acked = new Set<string>();
    for (let round = 0; round < 3; round++) {
      const child = spawn(process.execPath, ['--import', 'tsx', file, join(dir, 'spool')], { stdio: ['ignore', 'pipe', 'inherit'], cwd: process.cwd() });
      let buf = '';
      await new Promise<void>((resolve) => {
        child.stdout.on('data', (d: Buffer) => {
          buf += d.toString();
          if (buf.split('\n').length > 30 + round * 10) child.kill('SIGKILL');
        });
        child.on('exit', () => resolve());
      });
      for (const l of buf.split('\n')) if (l) acked.add(l);
    }
    expect(acked.size).toBeGreaterThan(90);
    const s = await Spool.open(join(dir, 'spool'));
    const ids = new Set(s.entries().map((e) => e.id));
    for (const id of acked) {
      expect(ids.has(id)).toBe(true);
      await s.read(id); // verifies the SHA-256
    }
    await s.close();
  });
});
