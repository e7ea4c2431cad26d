/**
 * A `/files` entry's own `status` (our local service's extension, issue 15): a failed file is
 * settled by it without a resend alone (4xx → dead-lettered at once with the answer; 5xx → the
 * per-sample policy); an entry without one (Edge Impulse's answer) is still resent alone.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngestionService } from '../src/service/index.ts';
import { IngestionClient } from '../src/client/client.ts';
import { encodeToBytes } from '../src/encode/index.ts';
import { BatchSender, Spool, clientBatchSend, clientSend, mapFilesAnswer } from '../src/spool/index.ts';
import type { BatchAnswer, SampleSpec, SendOutcome, SpoolRecord } from '../src/spool/index.ts';

const API_KEY = 'ei_batch_status_made_up_key';
const HMAC_KEY = 'made-up-batch-status-hmac';
const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'spool-bstatus-'));
  cleanups.push(() => rm(d, { recursive: true, force: true }));
  return d;
}
const spec = (i: number): SampleSpec => ({ kind: 'data', category: 'training', fileName: `s${i}.cbor`, label: 'walk' });
async function spoolWith(bodies: Uint8Array[]): Promise<Spool> {
  const spool = await Spool.open(join(await tmp(), 's'));
  cleanups.push(() => spool.close());
  for (let i = 0; i < bodies.length; i++) await spool.enqueue(bodies[i]!, { spec: spec(i), contentType: 'application/cbor' });
  return spool;
}

describe('per-file status in the /files answer', () => {
  it('maps an entry status: 400 refused, 500 per-sample retry, 503 outage; none or a 2xx on a failure: unknown', () => {
    const a = mapFilesAnswer(
      200,
      JSON.stringify({
        success: false,
        files: [
          { success: true, status: 200 },
          { success: false, status: 400, error: 'Invalid CBOR' },
          { success: false, status: 500, error: 'internal error' },
          { success: false, status: 503, error: 'busy' },
          { success: false, error: 'no status' },
          { success: false, status: 200, error: 'contradicts itself' },
        ],
      }),
      6,
    );
    expect(a.kind).toBe('files');
    const f = (a as Extract<BatchAnswer, { kind: 'files' }>).files;
    expect(f[0]).toEqual({ kind: 'delivered', status: 200 });
    expect(f[1]).toMatchObject({ kind: 'failed', error: 'Invalid CBOR', outcome: { kind: 'rejected', status: 400, response: 'Invalid CBOR' } });
    expect(f[2]).toMatchObject({ kind: 'failed', outcome: { kind: 'retry', scope: 'sample', status: 500 } });
    expect(f[3]).toMatchObject({ kind: 'failed', outcome: { kind: 'retry', scope: 'outage', status: 503 } });
    expect(f[4]).toEqual({ kind: 'failed', error: 'no status' });
    expect(f[5]).toEqual({ kind: 'failed', error: 'contradicts itself' });
  });

  it('a refused entry is dead-lettered at once with its answer, a 5xx one kept for the policy: no resend alone', async () => {
    // 2 refused; 3 and 4 fail with 500 in the first batch (so their retry is a batch of two).
    const spool = await spoolWith([1, 2, 3, 4].map((b) => new Uint8Array([b])));
    let batches = 0;
    const sendBatch = async (rs: readonly SpoolRecord[]): Promise<BatchAnswer> => {
      batches++;
      const files = rs.map((r) =>
        r.body[0] === 2
          ? { success: false, status: 400, error: 'Invalid CBOR' }
          : r.body[0]! >= 3 && batches === 1
            ? { success: false, status: 500, error: 'internal' }
            : { success: true, status: 200 },
      );
      return mapFilesAnswer(200, JSON.stringify({ success: false, files }), rs.length);
    };
    const alone = async (): Promise<SendOutcome> => {
      throw new Error('must not be resent alone');
    };
    const sender = new BatchSender(spool, sendBatch, alone, { sleep: async () => {} });
    const counts = await sender.run({ untilEmpty: true });
    expect(sender.stats.single).toBe(0);
    expect(counts).toMatchObject({ delivered: 3, dead: 1 });
    expect(batches).toBe(2);
    expect(counts.retries).toBeGreaterThanOrEqual(1); // the 500 one waited and was delivered on the next try
    const dead = await spool.deadLetters();
    expect(dead).toHaveLength(1);
    expect(dead[0]!.note).toMatchObject({ status: 400, response: 'Invalid CBOR' });
  });

  it('against the local service: a bad file inside a batch is dead-lettered from its entry, the others stored, nothing sent alone', async () => {
    const dir = await tmp();
    const svc = await startIngestionService({ dataDir: join(dir, 'svc'), apiKey: API_KEY, hmacKey: HMAC_KEY, fsync: false });
    cleanups.push(() => svc.close());
    const good = (i: number) =>
      encodeToBytes(
        { payload: { device_type: 'TEST', interval_ms: 10, sensors: [{ name: 'x', units: 'g' }], values: [[i], [i + 1]] } },
        { format: 'cbor', hmacKey: HMAC_KEY, iat: 1_700_000_000 },
      );
    const spool = await spoolWith([good(1), new Uint8Array([0xff, 0x00, 0x01]), good(2), good(3)]);
    const c = new IngestionClient({ endpoint: svc.url, apiKey: API_KEY, retry: { attempts: 1 } });
    cleanups.push(() => c.close());
    const sender = new BatchSender(spool, clientBatchSend(c), clientSend(c), { sleep: async () => {} });
    const counts = await sender.run({ untilEmpty: true });
    expect(counts).toMatchObject({ delivered: 3, dead: 1 });
    expect(sender.stats).toMatchObject({ batches: 1, files: 4, single: 0 });
    expect(c.stats.requestsSent).toBe(1);
    const dead = await spool.deadLetters();
    expect(dead[0]!.note).toMatchObject({ status: 400 });
    expect(svc.store.list(svc.projectId)).toHaveLength(3);
  });
});
