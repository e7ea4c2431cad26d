/**
 * Acceptance (issue 15): `ei-ingest spool drain` sending batches on two connections is SIGKILLed
 * again and again while it drains a backlog through a slow emulated link, and the ingestion
 * service is stopped and restarted in some rounds. Afterwards every sample is stored exactly once.
 *
 * Speed-independent: each round kills the drain only after the service stored something new in
 * that round (plus a random delay), and the link's 2 Mbit/s caps how much one round can carry,
 * so any machine needs several rounds; the run ends when the backlog is gone or after 20 rounds,
 * and the last samples are drained in-process.
 */
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startIngestionService } from '../src/service/index.ts';
import type { IngestionService } from '../src/service/index.ts';
import { BatchSender, Spool, clientBatchSend, clientSend } from '../src/spool/index.ts';
import { IngestionClient } from '../src/client/client.ts';
import { encodeToBytes } from '../src/encode/index.ts';
import { mulberry32 } from '../src/device/sensors/sim.ts';
import { startLink } from '../firmware-sim/link/index.ts';

const API_KEY = 'ei_batch_crash_made_up_key';
const HMAC_KEY = 'made-up-batch-crash-hmac';
const N = 400;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function sample(i: number): Uint8Array {
  const data = new Float64Array(300).map((_, k) => Math.sin(i * 7 + k / 3));
  return encodeToBytes(
    { payload: { device_name: 'crash-dev', device_type: 'TEST', interval_ms: 10, sensors: [{ name: 'x', units: 'g' }, { name: 'y', units: 'g' }, { name: 'z', units: 'g' }], values: { data, width: 3 } } },
    { format: 'cbor', hmacKey: HMAC_KEY, iat: 1_700_000_000 },
  );
}

describe('batched drain crash safety', () => {
  it('SIGKILL during batched drains, service restarts: every sample stored exactly once', { timeout: 180_000 }, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'batch-crash-'));
    const rand = mulberry32(Number(process.env.CRASH_SEED ?? 7));
    const dataDir = join(dir, 'svc');
    let svc: IngestionService | null = await startIngestionService({ dataDir, apiKey: API_KEY, hmacKey: HMAC_KEY, fsync: false });
    const port = svc.port;
    const link = await startLink({ target: { port }, latencyMs: 5, bitsPerSecond: 2_000_000 });
    const spoolDir = join(dir, 'spool');
    const shas: string[] = [];
    {
      const spool = await Spool.open(spoolDir);
      for (let i = 0; i < N; i++) shas.push((await spool.enqueue(sample(i), { spec: { kind: 'data', category: 'training', fileName: `c${i}.cbor`, label: 'crash' }, contentType: 'application/cbor' })).sha256);
      await spool.close();
    }
    const storedCount = () => svc?.store.list(svc.projectId).length ?? -1;
    const args = ['--import', 'tsx', 'src/cli.ts', 'spool', 'drain', '--dir', spoolDir, '--endpoint', link.url, '--api-key', API_KEY, '--batch-files', '20', '--connections', '2', '--attempts', '1000'];
    let kills = 0;
    let restarts = 0;
    let finished = false;
    let child: ChildProcess | null = null;
    try {
      for (let round = 0; round < 20 && !finished; round++) {
        const before = storedCount();
        child = spawn(process.execPath, args, { cwd: process.cwd(), stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, EI_INGEST_CONFIG_DIR: dir } });
        const exited = new Promise<number | null>((r) => child!.once('exit', (code) => r(code)));
        let code: number | null | undefined;
        void exited.then((c) => (code = c));
        // Wait for progress in this round (bounded), then kill at a random moment after it.
        const t0 = Date.now();
        while (storedCount() <= before && code === undefined && Date.now() - t0 < 30_000) await sleep(10);
        if (rand() < 0.3 && svc) {
          await sleep(rand() * 200);
          await svc.close();
          svc = null;
          restarts++;
          await sleep(rand() * 300);
          svc = await startIngestionService({ port, dataDir, apiKey: API_KEY, hmacKey: HMAC_KEY, fsync: false });
        }
        await sleep(rand() * 300);
        if (code === undefined) {
          child.kill('SIGKILL');
          kills++;
        } else finished = code === 0;
        await exited;
        child = null;
      }
      if (!svc) svc = await startIngestionService({ port, dataDir, apiKey: API_KEY, hmacKey: HMAC_KEY, fsync: false });
      // Whatever the last round left, drained in-process.
      const spool = await Spool.open(spoolDir);
      const client = new IngestionClient({ endpoint: svc.url, apiKey: API_KEY, maxConnections: 2 });
      await new BatchSender(spool, clientBatchSend(client), clientSend(client), { initialBackoffMs: 20 }).run({ untilEmpty: true, maxAttempts: 50 });
      expect(spool.stats()).toMatchObject({ count: 0, deadCount: 0 });
      await client.close();
      await spool.close();

      const count = new Map<string, number>();
      for (const s of svc.store.list(svc.projectId)) count.set(s.sha256, (count.get(s.sha256) ?? 0) + 1);
      expect(shas.filter((h) => !count.has(h))).toEqual([]); // nothing lost
      expect([...count].filter(([, n]) => n > 1)).toEqual([]); // nothing stored twice
      expect(count.size).toBe(N);
      // ≥ 5 rounds are forced by the link's rate (≈ 1.2 MB at 2 Mbit/s, ≤ ~4 batches of 20 a round).
      expect(kills).toBeGreaterThanOrEqual(5);
      console.log(`batch crash test: ${kills} kills, ${restarts} service restarts, finished in a round: ${finished}`);
    } finally {
      child?.kill('SIGKILL');
      await link.close();
      await svc?.close();
      await rm(dir, { recursive: true, force: true });
    }
  });
});
