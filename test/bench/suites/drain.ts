/**
 * Drain suite (issue 15): how fast a spooled backlog of 100 × 3 HS256 CBOR samples (~2.9 KB
 * each) reaches the local service over a slow path.
 * - link: the emulated link (firmware-sim/link) at 100 ms RTT and 10 Mbit/s each way; goodput =
 *   sample bytes delivered ÷ time, as a share of the link's rate. Ours (batched `/files`) drains
 *   the whole 10,000-sample backlog; the one-at-a-time sender and the official uploader's way
 *   (20 parallel single-file requests, each on a new connection) are measured on a bounded prefix
 *   and extrapolated (they would take minutes to tens of minutes), which the row says.
 * - modem: the simulated nRF91 at 115200 baud with a 300 ms network RTT; goodput as a share of
 *   the serial line rate (baud / 10). At 11.5 KB/s the full backlog would take ~40 min, so both
 *   ways are measured on a prefix and extrapolated.
 * The peer runs in its own process: a minimal `/files` sink (test/bench/files-sink.ts: counts the
 * parts, answers each file, stores nothing) so the path is what is measured; one row drains into
 * the local service instead (fsync off), whose per-file cost on this machine is below the link's
 * rate only when the machine is idle.
 */
import type { BenchSuite, BenchVariant, Measurement, TableRow } from '../types.ts';

const API_KEY = 'ei_bench_made_up_key';
const HMAC_KEY = 'made-up-bench-hmac';
const BACKLOG = 10_000;
const RTT_MS = 100;
const LINK_BPS = 10_000_000;
const MODEM_RTT_MS = 300;
const BAUD = 115200;
const quick = () => process.env.BENCH_QUICK === '1';

async function sampleBody(i: number): Promise<Uint8Array> {
  const { encodeToBytes } = await import('../../../src/encode/index.ts');
  const data = new Float64Array(300).map((_, k) => Math.sin(i * 0.37 + k / 7));
  return encodeToBytes(
    { payload: { device_name: 'bench-dev', device_type: 'BENCH', interval_ms: 10, sensors: [{ name: 'x', units: 'm/s2' }, { name: 'y', units: 'm/s2' }, { name: 'z', units: 'm/s2' }], values: { data, width: 3 } } },
    { format: 'cbor', hmacKey: HMAC_KEY, iat: 1_700_000_000 },
  );
}

interface Rig {
  dir: string;
  url: string;
  port: number;
  spool: import('../../../src/spool/index.ts').Spool;
  bodies: Uint8Array[];
  close(): Promise<void>;
}

/** A peer process (the files sink, or the local service) and a spool holding `n` samples. */
async function rig(n: number, peer: 'sink' | 'service' = 'sink'): Promise<Rig> {
  const { mkdtemp } = await import('node:fs/promises');
  const { join } = await import('node:path');
  const { serviceProcess } = await import('../service-process.ts');
  const { Spool } = await import('../../../src/spool/index.ts');
  const dir = await mkdtemp(join(process.cwd(), '.bench-drain-'));
  const svc = await serviceProcess(join(dir, 'svc'), API_KEY, HMAC_KEY, peer === 'sink' ? 'sink' : false);
  const spool = await Spool.open(join(dir, 'spool'), { maxCount: n + 10, maxBytes: 2 ** 31 });
  const bodies: Uint8Array[] = [];
  for (let i = 0; i < n; i += 250) {
    const chunk = await Promise.all(Array.from({ length: Math.min(250, n - i) }, (_, k) => sampleBody(i + k)));
    bodies.push(...chunk);
    await Promise.all(chunk.map((b, k) => spool.enqueue(b, { spec: { kind: 'data', category: 'training', fileName: `s${i + k}.cbor`, label: 'drain' }, contentType: 'application/cbor' })));
  }
  return {
    dir,
    url: svc.url,
    port: svc.port,
    spool,
    bodies,
    close: async () => {
      await spool.close();
      await svc.stop();
      await (await import('../harness.ts')).discardLater(dir);
    },
  };
}

type Way = 'batch' | 'batch-ordered' | 'batch-service' | 'single' | 'parallel20';

/** Drains through the emulated link; `prefix` bounds the slow ways (then extrapolated). */
function linkVariant(way: Way, prefix: number): BenchVariant {
  return {
    id: `link-${way}`,
    runs: 1,
    async run(): Promise<Measurement> {
      const { startLink } = await import('../../../firmware-sim/link/index.ts');
      const { IngestionClient } = await import('../../../src/client/client.ts');
      const { BatchSender, SpoolSender, clientBatchSend, clientSend } = await import('../../../src/spool/index.ts');
      const { bodyFromBytes } = await import('../../../src/encode/body.ts');
      const batched = way.startsWith('batch');
      const n = batched ? (quick() ? 2000 : BACKLOG) : Math.min(prefix, quick() ? prefix / 2 : prefix);
      const r = await rig(n, way === 'batch-service' ? 'service' : 'sink');
      const link = await startLink({ target: { port: r.port }, latencyMs: RTT_MS / 2, bitsPerSecond: LINK_BPS });
      try {
        const sampleBytes = r.bodies.reduce((a, b) => a + b.length, 0);
        const t0 = performance.now();
        let delivered = 0;
        if (batched) {
          // 'batch-ordered' is what `spool drain` does by default (one key: one batch in flight).
          const ordered = way === 'batch-ordered';
          const conns = ordered ? 2 : 4;
          const client = new IngestionClient({ endpoint: link.url, apiKey: API_KEY, maxConnections: conns, timeouts: { idleMs: 60_000 } });
          const sender = new BatchSender(r.spool, clientBatchSend(client), clientSend(client), ordered ? { connections: conns } : { connections: conns, order: 'none', batch: { maxFiles: 200 } });
          const c = await sender.run({ untilEmpty: true, maxAttempts: 5 });
          delivered = c.delivered + c.duplicates;
          await client.close();
        } else if (way === 'single') {
          const client = new IngestionClient({ endpoint: link.url, apiKey: API_KEY });
          const c = await new SpoolSender(r.spool, clientSend(client)).run({ untilEmpty: true, maxAttempts: 5 });
          delivered = c.delivered + c.duplicates;
          await client.close();
        } else {
          // The official uploader: one file per /files request, 20 at a time, each on a new connection.
          const client = new IngestionClient({ endpoint: link.url, apiKey: API_KEY, keepAlive: false, maxConnections: 20 });
          let next = 0;
          await Promise.all(
            Array.from({ length: 20 }, async () => {
              while (next < r.bodies.length) {
                const i = next++;
                const res = await client.upload(bodyFromBytes(r.bodies[i]!, 'application/cbor'), { kind: 'files', category: 'training', fileName: `s${i}.cbor`, label: 'drain' });
                if (res.status === 200) delivered++;
              }
            }),
          );
          await client.close();
        }
        const secs = (performance.now() - t0) / 1000;
        if (delivered !== n) throw new Error(`delivered ${delivered} of ${n}`);
        const share = (sampleBytes * 8) / secs / LINK_BPS;
        return { samples: n, secs, share, extrapolatedSecs: (secs * BACKLOG) / n, samplesPerSec: n / secs, connections: link.stats().connections };
      } finally {
        await link.close();
        await r.close();
      }
    },
  };
}

/** Drains through the simulated modem (new dialect) on a pty; a prefix of the backlog. */
function modemVariant(way: 'batch' | 'single', n: number): BenchVariant {
  return {
    id: `modem-${way}`,
    runs: 1,
    async run(): Promise<Measurement> {
      const { startModemSim } = await import('../../../firmware-sim/modem/index.ts');
      const { createModemConnector } = await import('../../../src/transport/modem/index.ts');
      const { IngestionClient } = await import('../../../src/client/client.ts');
      const { BatchSender, SpoolSender, clientBatchSend, clientSend } = await import('../../../src/spool/index.ts');
      const count = quick() ? Math.max(2, n / 2) : n;
      const r = await rig(count);
      const sim = await startModemSim({ dialect: 'new', baud: BAUD, registrationDelayMs: 20, latencyMs: MODEM_RTT_MS / 2 });
      const modem = createModemConnector({ path: sim.devicePath, baud: BAUD, host: '127.0.0.1', port: r.port });
      const client = new IngestionClient({ connector: modem, apiKey: API_KEY, retry: { attempts: 2 }, timeouts: { connectMs: 30_000, firstByteMs: 120_000, idleMs: 120_000 } });
      try {
        await modem.ready();
        const sampleBytes = r.bodies.reduce((a, b) => a + b.length, 0);
        const t0 = performance.now();
        const c =
          way === 'batch'
            ? await new BatchSender(r.spool, clientBatchSend(client), clientSend(client), { connections: 1, batch: { maxFiles: 1000, maxBytes: 64 * 1024 * 1024 } }).run({ untilEmpty: true, maxAttempts: 3 })
            : await new SpoolSender(r.spool, clientSend(client)).run({ untilEmpty: true, maxAttempts: 3 });
        const secs = (performance.now() - t0) / 1000;
        if (c.delivered + c.duplicates !== count) throw new Error(`delivered ${c.delivered + c.duplicates} of ${count}`);
        const share = sampleBytes / secs / (BAUD / 10);
        return { samples: count, secs, share, extrapolatedSecs: (secs * BACKLOG) / count };
      } finally {
        await client.close();
        await modem.close();
        await sim.close();
        await r.close();
      }
    },
  };
}

const f2 = (v: number | undefined) => (v === undefined ? 'n/a' : v.toFixed(2));
const dur = (s: number | undefined) => (s === undefined ? '–' : s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`);

export const suite: BenchSuite = {
  name: 'drain',
  variants: [
    linkVariant('batch', BACKLOG),
    linkVariant('batch-ordered', BACKLOG),
    linkVariant('batch-service', BACKLOG),
    linkVariant('single', 150),
    linkVariant('parallel20', 1000),
    modemVariant('batch', 120),
    modemVariant('single', 10),
  ],
  rows(r: ReadonlyMap<string, Measurement>): TableRow[] {
    const rows: TableRow[] = [];
    const linkRow = (id: string, what: string, target: boolean): TableRow => {
      const m = r.get(id);
      const prefix = m && m.samples! < BACKLOG;
      return {
        measure: `drain 10,000 × 2.9 KB backlog over the emulated link (100 ms RTT, 10 Mbit/s): goodput share of link rate, ${what}`,
        n: m ? (prefix ? `first ${m.samples} (extrapolated)` : `${m.samples}`) : '–',
        ours: m ? `${f2(m.share)} (${dur(prefix ? m.extrapolatedSecs : m.secs)} for 10,000${prefix ? ', extrapolated' : ''})` : 'n/a',
        baseline: `${LINK_BPS / 1e6} Mbit/s`,
        ratio: f2(m?.share),
        target: target ? '≥ 0.9' : '–',
        met: target && m?.share !== undefined ? m.share >= 0.9 : undefined,
      };
    };
    rows.push(linkRow('link-batch', 'batched /files (200 files, 4 connections, order none: `spool drain --order none --connections 4 --batch-files 200`)', true));
    rows.push(linkRow('link-batch-ordered', "batched, `spool drain`'s defaults (≤ 1,000 files / 1 MiB, one batch per key in flight: acceptance order)", false));
    rows.push(linkRow('link-batch-service', 'batched as the first row, into the local service (own process, fsync off) instead of the sink', false));
    rows.push(linkRow('link-single', 'one at a time, keep-alive (the sender before batching)', false));
    rows.push(linkRow('link-parallel20', '20 parallel single-file requests, new connection each (official uploader)', false));
    for (const [id, what, target] of [
      ['modem-batch', 'batched /files on one modem socket', true],
      ['modem-single', 'one at a time', false],
    ] as const) {
      const m = r.get(id);
      rows.push({
        measure: `drain the backlog through the simulated modem (115200 baud, 300 ms RTT): goodput share of serial line rate, ${what}`,
        n: m ? `first ${m.samples} (extrapolated)` : '–',
        ours: m ? `${f2(m.share)} (${dur(m.extrapolatedSecs)} for 10,000, extrapolated)` : 'n/a',
        baseline: `${BAUD / 10} B/s`,
        ratio: f2(m?.share),
        target: target ? '≥ 0.9' : '–',
        met: target && m?.share !== undefined ? m.share >= 0.9 : undefined,
      });
    }
    return rows;
  },
  notes: [
    'drain: samples are 100 rows × 3 float64, HS256, CBOR (≈3.0 KB), spooled with group commit before the clock starts; Goodput counts sample bytes only (multipart and HTTP framing, answers and AT framing are overhead). Link: firmware-sim/link, 50 ms each way, 10 Mbit/s each way, one RTT per new connection; no loss or slow start, so real paths do worse. Slow ways run on the first N samples and are extrapolated linearly to 10,000 (their cost per sample is constant: round trips).',
    'modem: new dialect, RTS/CTS, one socket kept alive; batches up to 1,000 files / 64 MiB (the whole prefix of 120 samples in one request); one-at-a-time on the first 10.',
    'peer: the link rows except the local-service one, and the modem rows, drain into test/bench/files-sink.ts in its own process (answers each file of a /files request as stored, JSON of FACTS §4).',
  ],
};
