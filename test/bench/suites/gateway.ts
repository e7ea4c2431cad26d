/**
 * Gateway suite (issue 6): end-to-end throughput in samples/s from two simulated MCUs (framed,
 * each a separate process on its own socat pty) through the gateway, the durable spool and the
 * keep-alive client into the local ingestion service (fsync on, as shipped); and the spool's
 * cost per sample (temp write + fsync + rename + directory fsync) against a plain write.
 */
import type { BenchSuite, BenchVariant, Measurement, TableRow } from '../types.ts';

const quick = () => process.env.BENCH_QUICK === '1';
const API_KEY = 'ei_bench_made_up_key';
const HMAC_KEY = 'made-up-bench-hmac';

/** A line-protocol-sized sample: 100 rows × 3 axes, HS256, CBOR (≈1.3 KB). */
async function sampleBody(i: number): Promise<Uint8Array> {
  const { encodeToBytes } = await import('../../../src/encode/index.ts');
  const data = new Float64Array(300).map((_, k) => Math.sin(i + k / 7));
  return encodeToBytes(
    { payload: { device_type: 'BENCH', interval_ms: 10, sensors: [{ name: 'x', units: 'm/s2' }, { name: 'y', units: 'm/s2' }, { name: 'z', units: 'm/s2' }], values: { data, width: 3 } } },
    { format: 'cbor', hmacKey: HMAC_KEY, iat: 1_700_000_000 },
  );
}

/**
 * Spool accept vs a plain writeFile of the same record, interleaved in one process so drifting
 * load hits both alike, plus the bare fsync of a file of that size.
 */
const spoolCost: BenchVariant = {
  id: 'spool-accept',
  async run(): Promise<Measurement> {
    const { mkdtemp, writeFile, mkdir, open } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { median } = await import('../harness.ts');
    const { Spool } = await import('../../../src/spool/index.ts');
    const n = quick() ? 100 : 400;
    const bodies: Uint8Array[] = [];
    for (let i = 0; i < n; i++) bodies.push(await sampleBody(i));
    // On the project's disk, not a tmpfs, so fsync does real work.
    const dir = await mkdtemp(join(process.cwd(), '.bench-spool-'));
    const spoolNs: number[] = [];
    const plainNs: number[] = [];
    const fsyncNs: number[] = [];
    try {
      const spool = await Spool.open(join(dir, 'spool'), { maxCount: n + 10 });
      await mkdir(join(dir, 'plain'));
      for (let i = 0; i < n; i++) {
        let t = process.hrtime.bigint();
        await spool.enqueue(bodies[i], { spec: { kind: 'data', category: 'training', fileName: 'x.cbor', label: 'bench' }, contentType: 'application/cbor' });
        spoolNs.push(Number(process.hrtime.bigint() - t));
        t = process.hrtime.bigint();
        await writeFile(join(dir, 'plain', `${i}.rec`), bodies[i]);
        plainNs.push(Number(process.hrtime.bigint() - t));
        const fh = await open(join(dir, 'plain', `f${i}.rec`), 'w');
        await fh.write(bodies[i]);
        t = process.hrtime.bigint();
        await fh.sync();
        fsyncNs.push(Number(process.hrtime.bigint() - t));
        await fh.close();
      }
      await spool.close();
    } finally {
      await (await import('../harness.ts')).discardLater(dir);
    }
    return { nsPerOp: median(spoolNs), plainNs: median(plainNs), fsyncNs: median(fsyncNs), bytesPerOp: bodies[0].length };
  },
};

/**
 * Spool accepts offered at a steady 1,000 samples/s (one enqueue a millisecond, not waiting for
 * the previous one, as two busy gateway ports do) for 2 s: CPU time and acknowledgement latency per
 * sample, and durable writes (file + directory fsync) per sample; group commit on or off.
 */
function acceptAtRate(id: string, groupCommit: boolean): BenchVariant {
  return {
    id,
    async run(): Promise<Measurement> {
      const { mkdtemp } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const { median } = await import('../harness.ts');
      const { Spool } = await import('../../../src/spool/index.ts');
      const n = quick() ? 1000 : 2000;
      const bodies: Uint8Array[] = [];
      for (let i = 0; i < 64; i++) bodies.push(await sampleBody(i));
      const dir = await mkdtemp(join(process.cwd(), '.bench-spool-rate-'));
      try {
        const spool = await Spool.open(join(dir, 'spool'), { maxCount: n + 10, groupCommit });
        const spec = { kind: 'data' as const, category: 'training', fileName: 'x.cbor', label: 'bench' };
        const lat: number[] = [];
        const acks: Promise<void>[] = [];
        const cpu0 = process.cpuUsage();
        const t0 = performance.now();
        // Every 5 ms, offer the samples due by then (a timer, not a spin, so the CPU figure is the spool's).
        for (let i = 0; i < n; ) {
          await new Promise((r) => setTimeout(r, 5));
          for (const due = Math.min(n, Math.floor(performance.now() - t0)); i < due; i++) {
            const t = performance.now();
            acks.push(spool.enqueue(bodies[i % 64]!, { spec, contentType: 'application/cbor' }).then(() => void lat.push(performance.now() - t)));
          }
        }
        await Promise.all(acks);
        const secs = (performance.now() - t0) / 1000;
        const cpu = process.cpuUsage(cpu0);
        const g = spool.groupStats();
        await spool.close();
        lat.sort((a, b) => a - b);
        return {
          cpuUsPerSample: (cpu.user + cpu.system) / n,
          latencyMedianMs: median(lat),
          latencyP99Ms: lat[Math.floor(lat.length * 0.99)]!,
          writesPerSample: groupCommit ? g.groups / n : 1,
          offeredPerSec: n / secs,
          bytesPerOp: bodies[0]!.length,
        };
      } finally {
        await (await import('../harness.ts')).discardLater(dir);
      }
    },
  };
}

/**
 * Two framed MCUs at `fps` documents/s each → gateway → spool → sender → the local service in a
 * process of its own (fsync on, as shipped). `sender`: 'batch' = BatchSender as `gateway` runs it
 * (/files batches, 2 connections); 'single' = the one-at-a-time SpoolSender of before.
 */
function throughput(id: string, serviceFsync: boolean, fps: number, mode: 'batch' | 'single'): BenchVariant {
  return {
  id,
  runs: 1,
  async run(): Promise<Measurement> {
    const { spawn } = await import('node:child_process');
    const { mkdtemp } = await import('node:fs/promises');
    const { join } = await import('node:path');
    const { serviceProcess } = await import('../service-process.ts');
    const { BatchSender, Spool, SpoolSender, clientBatchSend, clientSend } = await import('../../../src/spool/index.ts');
    const { IngestionClient } = await import('../../../src/client/client.ts');
    const { Gateway } = await import('../../../src/gateway/gateway.ts');
    const dir = await mkdtemp(join(process.cwd(), '.bench-gw-'));
    const svc = await serviceProcess(join(dir, 'svc'), API_KEY, HMAC_KEY, serviceFsync);
    // offered per MCU: 100 ms documents of 10 rows × 3 axes, sent `fps` a second
    const sims = [0, 1].map((k) =>
      spawn(process.execPath, ['--import', 'tsx', 'firmware-sim/mcu/cli.ts', 'framed', '--device-id', `bench-${k}`, '--sample-ms', '100', '--rate', '100', '--fps', String(fps), '--hmac-key', HMAC_KEY, '--seed', String(k + 1)], {
        cwd: process.cwd(),
        stdio: ['ignore', 'pipe', 'ignore'],
      }),
    );
    try {
      const paths = await Promise.all(
        sims.map((c) => new Promise<string>((resolve) => c.stdout!.once('data', (d: Buffer) => resolve(d.toString().trim().split('\n')[0])))),
      );
      const spool = await Spool.open(join(dir, 'spool'), { maxCount: 1_000_000 });
      const gw = new Gateway({ ports: paths.map((p) => ({ path: p, protocol: 'framed' as const, baudRate: 115200 })), spool, label: 'bench', category: 'training', sampleMs: 100 });
      const client = new IngestionClient({ endpoint: svc.url, apiKey: API_KEY, maxConnections: 2 });
      const sender = mode === 'batch' ? new BatchSender(spool, clientBatchSend(client), clientSend(client), { connections: 2 }) : new SpoolSender(spool, clientSend(client));
      const ac = new AbortController();
      const sending = sender.run({ signal: ac.signal });
      gw.start();
      await new Promise((r) => setTimeout(r, 1000)); // warm-up
      const spooled0 = gw.stats().reduce((a, p) => a + p.samples, 0);
      const sent0 = sender.counts.delivered;
      const t0 = performance.now();
      await new Promise((r) => setTimeout(r, quick() ? 3000 : 8000));
      const secs = (performance.now() - t0) / 1000;
      const spooled = (gw.stats().reduce((a, p) => a + p.samples, 0) - spooled0) / secs;
      const sent = (sender.counts.delivered - sent0) / secs;
      const errors = gw.stats().reduce((a, p) => a + p.frameErrors, 0);
      await gw.stop();
      ac.abort();
      await sending;
      await client.close();
      await spool.close();
      const left = spool.stats().count;
      return { spooledPerSec: spooled, deliveredPerSec: sent, offeredPerSec: 2 * fps, frameErrors: errors, waitingAtEnd: left };
    } finally {
      for (const c of sims) c.kill('SIGTERM');
      await Promise.all(sims.map((c) => new Promise((r) => (c.exitCode !== null ? r(null) : c.once('exit', r)))));
      await svc.stop();
      await (await import('../harness.ts')).discardLater(dir);
    }
  },
  };
}

const us = (ns: number | undefined) => (ns === undefined ? '–' : `${(ns / 1000).toFixed(0)} µs`);

const ms = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(x < 10 ? 2 : 0)} ms`);

export const suite: BenchSuite = {
  name: 'gateway',
  variants: [
    spoolCost,
    acceptAtRate('accept-1000-group', true),
    acceptAtRate('accept-1000-single', false),
    throughput('two-mcus-250', true, 250, 'batch'),
    throughput('two-mcus-250-nofsync', false, 250, 'batch'),
    throughput('two-mcus-500', true, 500, 'batch'),
    throughput('two-mcus-500-single', true, 500, 'single'),
  ],
  rows(r: ReadonlyMap<string, Measurement>): TableRow[] {
    const d = r.get('spool-accept');
    const g = r.get('accept-1000-group');
    const o = r.get('accept-1000-single');
    const rows: TableRow[] = [
      {
        measure: 'spool accept per sample (temp write+fsync+rename+dir fsync) vs plain writeFile',
        n: d?.bytesPerOp ? `${d.bytesPerOp} B sample` : '–',
        ours: us(d?.nsPerOp),
        baseline: us(d?.plainNs),
        ratio: d?.nsPerOp && d.plainNs ? `+${((d.nsPerOp - d.plainNs) / 1000).toFixed(0)} µs (one fsync alone: ${us(d.fsyncNs)})` : '–',
        target: '–',
      },
      {
        measure: 'spool accept cost per sample at 1,000 samples/s: group commit vs one fsync each (CPU; ack latency median/p99; durable writes per sample)',
        n: g?.offeredPerSec ? `${g.offeredPerSec.toFixed(0)}/s offered` : '–',
        ours: g ? `${g.cpuUsPerSample!.toFixed(0)} µs CPU; ${ms(g.latencyMedianMs)}/${ms(g.latencyP99Ms)}; ${g.writesPerSample!.toFixed(2)} writes` : '–',
        baseline: o ? `${o.cpuUsPerSample!.toFixed(0)} µs CPU; ${ms(o.latencyMedianMs)}/${ms(o.latencyP99Ms)}; 1 write` : '–',
        ratio: g?.cpuUsPerSample && o?.cpuUsPerSample ? `${(o.cpuUsPerSample / g.cpuUsPerSample).toFixed(1)}× less CPU` : '–',
        target: 'report',
      },
      ...(
        [
          ['two-mcus-250', 'batched /files, 2 connections, at 2 × 250/s (the rate of the 77% row before)', false],
          ['two-mcus-250-nofsync', 'batched, at 2 × 250/s, service without fsync (our side alone)', false],
          ['two-mcus-500', 'batched /files, 2 connections, at 2 × 500/s (as `gateway` runs)', true],
          ['two-mcus-500-single', 'one sample per request, in order (the sender before batching), at 2 × 500/s', false],
        ] as const
      ).map(([id, what, targeted]) => {
        const t = r.get(id);
        const share = t?.deliveredPerSec && t.offeredPerSec ? t.deliveredPerSec / t.offeredPerSec : undefined;
        return {
          measure: `gateway delivered / offered, 2 framed MCUs → spool → local service (own process; fsync on unless said), ${what}`,
          n: t ? `offered ${t.offeredPerSec}/s` : '–',
          ours: t?.deliveredPerSec !== undefined ? `${t.deliveredPerSec.toFixed(0)} samples/s delivered` : '–',
          baseline: t?.spooledPerSec !== undefined ? `${t.spooledPerSec.toFixed(0)}/s spooled, ${t.waitingAtEnd} waiting at the end` : '–',
          ratio: share === undefined ? '–' : `${share.toFixed(2)} (${t!.spooledPerSec ? (t!.deliveredPerSec! / t!.spooledPerSec).toFixed(2) : '–'} of spooled)`,
          target: targeted ? '1.00' : '–',
          met: targeted && share !== undefined ? share >= 0.995 : undefined,
        };
      }),
    ];
    return rows;
  },
  notes: [
    'spool: median of single enqueues of a 100×3 float64 HS256 CBOR sample into a fresh spool on the project disk (ext4), interleaved with a plain writeFile of the same bytes and a bare fsync of such a file; the difference is what durability costs (two fsyncs, a rename).',
    'accept at 1,000/s: 2,000 enqueues of such samples offered one per millisecond without waiting for earlier ones (process.cpuUsage over the run divided by samples; latency from offer to acknowledgement); group commit writes the samples that arrive during a write as one pack file.',
    'gateway: the MCUs run in their own processes on socat ptys (offered = their nominal frame rate, 10 rows × 3 axes each), the local service in another (test/bench/service-child.ts, fsync on); gateway, spool and sender share the bench process. 1 s warm-up, then 8 s measured; delivered counts samples the service answered 2xx (duplicates excluded).',
  ],
};
