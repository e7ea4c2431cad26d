/**
 * Batched drains (issue 15): waiting samples packed into `/files` requests by their headers,
 * per-file answers applied to each sample with the per-sample policy, faults mid-batch losing
 * nothing and storing nothing twice, and the order guarantee (per batch key). Against the real
 * local service, through the link emulator where a connection has to break.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { IngestionClient } from '../src/client/client.ts';
import { encodeToBytes } from '../src/encode/index.ts';
import { BatchSender, Spool, clientBatchSend, clientSend, mapFilesAnswer } from '../src/spool/index.ts';
import type { BatchAnswer, SampleSpec, SendOutcome, SpoolRecord } from '../src/spool/index.ts';
import { batchKey, nextBatch } from '../src/spool/batch-plan.ts';
import { startLink } from '../firmware-sim/link/index.ts';
import { sha256Hex } from '../src/spool/index.ts';

const API_KEY = 'ei_batch_test_made_up_key';
const HMAC_KEY = 'made-up-batch-hmac';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'spool-batch-'));
  cleanups.push(() => rm(d, { recursive: true, force: true }));
  return d;
}

function sample(i: number): Uint8Array {
  const data = new Float64Array(30).map((_, k) => Math.sin(i * 31 + k));
  return encodeToBytes(
    { payload: { device_name: 'batch-dev', device_type: 'TEST', interval_ms: 10, sensors: [{ name: 'x', units: 'g' }, { name: 'y', units: 'g' }, { name: 'z', units: 'g' }], values: { data, width: 3 } } },
    { format: 'cbor', hmacKey: HMAC_KEY, iat: 1_700_000_000 },
  );
}

async function rig(opts: { connections?: number } = {}) {
  const dir = await tmp();
  const svc = await startIngestionService({ dataDir: join(dir, 'svc'), apiKey: API_KEY, hmacKey: HMAC_KEY, fsync: false });
  cleanups.push(() => svc.close());
  const spool = await Spool.open(join(dir, 'spool'), { maxCount: 100_000 });
  cleanups.push(() => spool.close());
  return { dir, svc, spool, connections: opts.connections ?? 2 };
}

function client(endpoint: string, connections: number) {
  const c = new IngestionClient({ endpoint, apiKey: API_KEY, maxConnections: connections, retry: { attempts: 1 } });
  cleanups.push(() => c.close());
  return c;
}

const spec = (i: number, over: Partial<SampleSpec> = {}): SampleSpec => ({ kind: 'data', category: 'training', fileName: `s${String(i).padStart(5, '0')}.cbor`, label: 'walk', ...over });

async function fill(spool: Spool, n: number, specOf: (i: number) => SampleSpec = spec, body = sample): Promise<string[]> {
  const shas: string[] = [];
  for (let i = 0; i < n; i++) shas.push((await spool.enqueue(body(i), { spec: specOf(i), contentType: 'application/cbor' })).sha256);
  return shas;
}

/** sha256 → times stored, and the stored samples in storage order. */
function stored(svc: IngestionService) {
  const list = svc.store.list(svc.projectId).sort((a, b) => a.id - b.id);
  const count = new Map<string, number>();
  for (const s of list) count.set(s.sha256, (count.get(s.sha256) ?? 0) + 1);
  return { list, count };
}

function exactlyOnce(svc: IngestionService, shas: string[]): void {
  const { count } = stored(svc);
  expect(shas.filter((h) => count.get(h) !== 1)).toEqual([]);
  expect([...count.values()].every((n) => n === 1)).toBe(true);
}

describe('batch plan', () => {
  it('keys samples by everything the request headers carry, metadata order aside', () => {
    const base = spec(0);
    expect(batchKey({ ...base, fileName: 'other.cbor', kind: 'files' })).toBe(batchKey(base));
    expect(batchKey({ ...base, metadata: { a: '1', b: '2' } })).toBe(batchKey({ ...base, metadata: { b: '2', a: '1' } }));
    for (const d of [{ label: 'run' }, { category: 'testing' }, { noLabel: true }, { addDateId: true }, { metadata: { a: '1' } }, { uploadSource: 'x' }]) {
      expect(batchKey({ ...base, ...d })).not.toBe(batchKey(base));
    }
  });

  it('takes the oldest usable entry and the same-key entries after it, within count and bytes', () => {
    const es = Array.from({ length: 10 }, (_, i) => ({ id: `e${i}`, seq: i, bytes: 100 }));
    const key = (e: { seq: number }) => (e.seq % 2 ? 'odd' : 'even');
    expect(nextBatch(es, () => true, key, { maxFiles: 3, maxBytes: 1e6 }).map((e) => e.id)).toEqual(['e0', 'e2', 'e4']);
    expect(nextBatch(es, (e) => e.seq > 0, key, { maxFiles: 10, maxBytes: 250 }).map((e) => e.id)).toEqual(['e1', 'e3']);
    expect(nextBatch(es, () => false, key, { maxFiles: 10, maxBytes: 1e6 })).toEqual([]);
    // One entry larger than the byte bound still goes (alone).
    expect(nextBatch([{ id: 'big', seq: 0, bytes: 5000 }, ...es], () => true, () => 'k', { maxFiles: 10, maxBytes: 1000 }).map((e) => e.id)).toEqual(['big']);
  });

  it('maps a /files answer file by file; a short or foreign answer is not trusted for any file', () => {
    const a = mapFilesAnswer(200, JSON.stringify({ success: false, files: [{ success: true }, { success: true, duplicate: true }, { success: false, error: 'Invalid CBOR' }] }), 3);
    expect(a).toEqual({ kind: 'files', files: [{ kind: 'delivered', status: 200 }, { kind: 'duplicate', status: 200 }, { kind: 'failed', error: 'Invalid CBOR' }] });
    for (const body of ['not json', '{"files":[{"success":true}]}', '{"success":true}']) {
      const m = mapFilesAnswer(200, body, 2);
      expect(m.kind).toBe('request');
      expect((m as { outcome: SendOutcome }).outcome).toMatchObject({ kind: 'retry', scope: 'sample' });
    }
  });
});

describe('batch sender against the local service', () => {
  it('drains 250 samples in 3 requests of ≤100 files, each stored once, in acceptance order', async () => {
    const r = await rig();
    const shas = await fill(r.spool, 250);
    const c = client(r.svc.url, 2);
    const sender = new BatchSender(r.spool, clientBatchSend(c), clientSend(c), { batch: { maxFiles: 100 } });
    const counts = await sender.run({ untilEmpty: true });
    expect(counts).toMatchObject({ delivered: 250, duplicates: 0, dead: 0 });
    expect(sender.stats).toMatchObject({ batches: 3, files: 250, single: 0 });
    expect(r.spool.stats().count).toBe(0);
    exactlyOnce(r.svc, shas);
    expect(stored(r.svc).list.map((s) => s.sha256)).toEqual(shas);
    expect(c.stats.requestsSent).toBe(3);
  });

  it('groups by headers: every sample is stored with its own label and metadata', async () => {
    const r = await rig();
    const labels = ['walk', 'run', 'idle'];
    const specOf = (i: number) => spec(i, { label: labels[i % 3], metadata: i % 2 ? { site: 'a' } : undefined });
    const shas = await fill(r.spool, 60, specOf);
    const c = client(r.svc.url, 2);
    const sender = new BatchSender(r.spool, clientBatchSend(c), clientSend(c), { batch: { maxFiles: 100 } });
    await sender.run({ untilEmpty: true });
    expect(sender.stats.batches).toBe(6); // 3 labels × with/without metadata
    exactlyOnce(r.svc, shas);
    const bySha = new Map(stored(r.svc).list.map((s) => [s.sha256, s]));
    shas.forEach((h, i) => {
      expect(bySha.get(h)!.label).toBe(labels[i % 3]);
      expect(bySha.get(h)!.metadata).toEqual(i % 2 ? { site: 'a' } : {});
    });
  });

  it('applies each file answer alone: stored, duplicate, refused for good (dead-lettered with the answer)', async () => {
    const r = await rig();
    const c = client(r.svc.url, 1);
    const before = sample(1000);
    // One sample is already stored (a resend after a crash looks like this).
    await c.upload((await import('../src/encode/body.ts')).bodyFromBytes(before, 'application/cbor'), { kind: 'data', category: 'training', fileName: 'early.cbor', label: 'walk', disallowDuplicates: true });
    const bodies = (i: number) => (i === 3 ? before : i === 5 ? new TextEncoder().encode('not a cbor document') : sample(i));
    await fill(r.spool, 10, spec, bodies);
    const events: string[] = [];
    const sender = new BatchSender(r.spool, clientBatchSend(c), clientSend(c), { onEvent: (e) => events.push(e.type) });
    const counts = await sender.run({ untilEmpty: true });
    expect(counts).toMatchObject({ delivered: 8, duplicates: 1, dead: 1 });
    expect(sender.stats).toMatchObject({ batches: 1, files: 10, single: 0 }); // the refused file is settled by its entry's status, not resent alone
    const dead = await r.spool.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.note).toMatchObject({ status: 400 });
    expect(r.spool.stats().count).toBe(0);
    expect(stored(r.svc).list).toHaveLength(9);
  });

  it('a connection dropped mid-request: the batch is resent, nothing lost, nothing stored twice', async () => {
    const r = await rig();
    const link = await startLink({ target: { port: r.svc.port }, latencyMs: 2 });
    cleanups.push(() => link.close());
    const shas = await fill(r.spool, 120);
    const c = client(link.url, 1);
    const sender = new BatchSender(r.spool, clientBatchSend(c), clientSend(c), { batch: { maxFiles: 60 }, initialBackoffMs: 20, connections: 1 });
    // First connection: reset 50 KB into the first batch's body (not stored, not answered).
    link.inject({ resetAfterBytes: 50_000, resets: 1 });
    await sender.run({ untilEmpty: true });
    exactlyOnce(r.svc, shas);
    expect(link.stats().resets).toBe(1);
    expect(sender.counts.delivered + sender.counts.duplicates).toBe(120);
    expect(r.spool.stats().count).toBe(0);
  });

  it('an answer lost after the service stored the batch: the resend comes back as duplicates', async () => {
    const r = await rig();
    const shas = await fill(r.spool, 40);
    const c = client(r.svc.url, 1);
    const real = clientBatchSend(c);
    let calls = 0;
    // The first request reaches the service and is stored, but its answer never arrives.
    const lossy = async (records: readonly SpoolRecord[], ids: readonly string[]): Promise<BatchAnswer> => {
      const a = await real(records, ids);
      return calls++ === 0 ? { kind: 'request', outcome: { kind: 'retry', scope: 'outage', reason: 'ECONNRESET' } } : a;
    };
    const sender = new BatchSender(r.spool, lossy, clientSend(c), { initialBackoffMs: 10 });
    const counts = await sender.run({ untilEmpty: true });
    expect(counts).toMatchObject({ delivered: 0, duplicates: 40, dead: 0 });
    exactlyOnce(r.svc, shas);
  });

  it('order per key: two keys on two connections at once, each key stored in acceptance order', async () => {
    const r = await rig();
    const specOf = (i: number) => spec(i, { label: i % 2 ? 'b' : 'a' });
    const shas = await fill(r.spool, 200, specOf);
    const link = await startLink({ target: { port: r.svc.port }, latencyMs: 20 });
    cleanups.push(() => link.close());
    const c = client(link.url, 2);
    const sender = new BatchSender(r.spool, clientBatchSend(c), clientSend(c), { batch: { maxFiles: 20 }, connections: 2 });
    await sender.run({ untilEmpty: true });
    exactlyOnce(r.svc, shas);
    expect(sender.stats.peakInFlight).toBe(2);
    expect(sender.stats.batches).toBe(10);
    const list = stored(r.svc).list;
    for (const label of ['a', 'b']) {
      const want = shas.filter((_, i) => specOf(i).label === label);
      expect(list.filter((s) => s.label === label).map((s) => s.sha256)).toEqual(want);
    }
  });

  it("order 'key' keeps one key to one batch in flight; order 'none' overlaps batches of one key", async () => {
    for (const order of ['key', 'none'] as const) {
      const r = await rig();
      const shas = await fill(r.spool, 90);
      const link = await startLink({ target: { port: r.svc.port }, latencyMs: 30 });
      cleanups.push(() => link.close());
      const c = client(link.url, 3);
      const sender = new BatchSender(r.spool, clientBatchSend(c), clientSend(c), { batch: { maxFiles: 10 }, connections: 3, order });
      await sender.run({ untilEmpty: true });
      exactlyOnce(r.svc, shas);
      if (order === 'key') {
        expect(sender.stats.peakInFlight).toBe(1);
        expect(stored(r.svc).list.map((s) => s.sha256)).toEqual(shas);
      } else expect(sender.stats.peakInFlight).toBe(3);
    }
  });
});

describe('batch sender policy (fakes)', () => {
  it('an outage of the whole request waits and resends the batch; no file is resent alone or dead-lettered', async () => {
    const dir = await tmp();
    const spool = await Spool.open(join(dir, 's'));
    cleanups.push(() => spool.close());
    await fill(spool, 5, spec, (i) => new Uint8Array([i + 1]));
    let calls = 0;
    const sendBatch = async (rs: readonly SpoolRecord[]): Promise<BatchAnswer> =>
      ++calls <= 2 ? { kind: 'request', outcome: { kind: 'retry', scope: 'outage', reason: 'ECONNREFUSED' } } : { kind: 'files', files: rs.map(() => ({ kind: 'delivered' as const, status: 200 })) };
    const alone = async (): Promise<SendOutcome> => {
      throw new Error('must not be called');
    };
    const sender = new BatchSender(spool, sendBatch, alone, { sleep: async () => {} });
    const counts = await sender.run({ untilEmpty: true });
    expect(calls).toBe(3);
    expect(counts).toMatchObject({ delivered: 5, dead: 0, retries: 2 });
    expect(sender.stats.single).toBe(0);
  });

  it('a file failing inside a batch is resent alone and its own answer decides; an outage answer stops the isolation', async () => {
    const dir = await tmp();
    const spool = await Spool.open(join(dir, 's'));
    cleanups.push(() => spool.close());
    const shas = await fill(spool, 4, spec, (i) => new Uint8Array([i + 1]));
    const sendBatch = async (rs: readonly SpoolRecord[]): Promise<BatchAnswer> => ({
      kind: 'files',
      files: rs.map((r) => (r.body[0] === 2 ? { kind: 'failed' as const, error: 'Invalid' } : { kind: 'delivered' as const, status: 200 })),
    });
    const seen: number[] = [];
    const alone = async (r: SpoolRecord): Promise<SendOutcome> => {
      seen.push(r.body[0]!);
      return { kind: 'rejected', status: 400, response: 'Invalid', reason: 'service refused the sample with 400' };
    };
    const sender = new BatchSender(spool, sendBatch, alone);
    const counts = await sender.run({ untilEmpty: true });
    expect(seen).toEqual([2]);
    expect(counts).toMatchObject({ delivered: 3, dead: 1 });
    expect((await spool.deadLetters()).map((d) => d.id.slice(-21, -4))).toEqual([`-${shas[1]!.slice(0, 16)}`]);
    expect(sha256Hex(new Uint8Array([2]))).toBe(shas[1]);
  });

  it('maxAttempts with untilEmpty: gives up, leaves the batch queued, and returns', async () => {
    const dir = await tmp();
    const spool = await Spool.open(join(dir, 's'));
    cleanups.push(() => spool.close());
    await fill(spool, 3, spec, (i) => new Uint8Array([i + 1]));
    const down = async (): Promise<BatchAnswer> => ({ kind: 'request', outcome: { kind: 'retry', scope: 'outage', reason: 'ECONNREFUSED' } });
    const sender = new BatchSender(spool, down, async () => ({ kind: 'retry', reason: 'x' }), { sleep: async () => {} });
    await sender.run({ untilEmpty: true, maxAttempts: 3 });
    expect(spool.stats().count).toBe(3);
    expect(sender.counts.retries).toBe(3);
    expect(sender.lastError).toBe('ECONNREFUSED');
  });
});

describe('batching flags', () => {
  it('spool drain and gateway refuse bad --connections / --batch-files / --batch-bytes (exit 2, naming the flag)', async () => {
    const { runCaptured } = await import('./cli-capture.ts');
    const { run: spoolCli } = await import('../src/cli/spool.ts');
    const { run: gatewayCli } = await import('../src/cli/gateway.ts');
    const dir = await tmp();
    for (const [flag, value] of [['--connections', '0'], ['--batch-files', '1001'], ['--batch-bytes', 'lots']]) {
      const r = await runCaptured(spoolCli, ['drain', '--dir', join(dir, 's'), '--api-key', 'k', flag!, value!]);
      expect(r).toMatchObject({ code: 2, err: expect.stringContaining(flag!) });
    }
    const g = await runCaptured(gatewayCli, ['--port', '/dev/x', '--label', 'l', '--spool', join(dir, 'g'), '--api-key', 'k', '--connections', '65']);
    expect(g).toMatchObject({ code: 2, err: expect.stringContaining('--connections') });
  });
});
