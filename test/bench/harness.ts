/**
 * Measurement helpers used inside child processes: batched wall-time medians and a per-operation
 * allocation measurement, plus deterministic sample data shared by suites.
 */
import { PerformanceObserver, performance } from 'node:perf_hooks';
import { mulberry32 } from '../../src/device/sensors/sim.ts';

export interface TimeOptions {
  /** Warm-up time before sampling, ms. */
  warmupMs?: number;
  /** Total sampling time, ms. */
  sampleMs?: number;
  /** Aim for at least this long per timed batch, ms (amortises timer overhead for fast ops). */
  batchMs?: number;
  /** Stop after this many samples even if time remains. */
  maxSamples?: number;
}

/** Median nanoseconds per call of `op`, measured in batches after a warm-up. */
export function timeOp(op: () => void, o: TimeOptions = {}): number {
  const warmupMs = o.warmupMs ?? 300;
  const sampleMs = o.sampleMs ?? 1000;
  const batchMs = o.batchMs ?? 2;
  const maxSamples = o.maxSamples ?? 200;
  // Warm-up, also finding how many calls make one batch.
  let calls = 0;
  const w0 = performance.now();
  let first = 0;
  while (performance.now() - w0 < warmupMs || calls < 2) {
    const t = performance.now();
    op();
    if (calls === 0) first = performance.now() - t;
    calls++;
  }
  const perCall = Math.max((performance.now() - w0 - first) / Math.max(1, calls - 1), 1e-6);
  const batch = Math.max(1, Math.ceil(batchMs / perCall));
  const samples: number[] = [];
  const s0 = performance.now();
  while ((performance.now() - s0 < sampleMs || samples.length < 3) && samples.length < maxSamples) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) op();
    samples.push(Number(process.hrtime.bigint() - t) / batch);
  }
  return median(samples);
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Bytes allocated per call of `op`: the rise of V8 heap used plus ArrayBuffer backing stores
 * (`process.memoryUsage()`) across `perWindow` calls, in windows after one forced full GC
 * in which no GC ran (checked with a PerformanceObserver on 'gc' entries; a window with a GC is
 * discarded). Needs `--expose-gc`; a large young generation (`--min/max-semi-space-size`) keeps
 * scavenges out of the windows. An empty window is measured the same way and subtracted, so the
 * measurement's own allocations cancel out. Returns the median over windows (NaN when a GC ran in
 * every window even with one call per window: the operation allocates too much to measure this way).
 */
export async function measureAllocation(op: () => void, perWindow: number, windows = 7): Promise<{ perOp: number; discarded: number }> {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error('measureAllocation needs node --expose-gc');
  const gcTimes: number[] = [];
  const obs = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) gcTimes.push(e.startTime);
  });
  obs.observe({ entryTypes: ['gc'] });
  // One forced GC before all windows, not one per window: a forced GC is a memory-reducing one,
  // after which V8 re-warms the op (dropped inline caches and code, deopts, boxed doubles) and
  // that showed up as allocation (2–76 KB a call for an op that allocates ~1 KB, measured).
  // The forced GC also throws away optimised code that embeds objects it freed ("weak
  // objects"); one window's worth of calls lets V8 re-optimise before anything is measured.
  gc();
  for (let i = 0; i < perWindow; i++) op();
  const window = async (calls: number): Promise<number | null> => {
    await new Promise((r) => setTimeout(r, 1)); // let a previous GC's entry arrive before t0
    const t0 = performance.now();
    const m0 = process.memoryUsage();
    for (let i = 0; i < calls; i++) op();
    const m1 = process.memoryUsage();
    const t1 = performance.now();
    await new Promise((r) => setTimeout(r, 1));
    if (gcTimes.some((t) => t >= t0 && t <= t1)) return null;
    return m1.heapUsed + m1.arrayBuffers - (m0.heapUsed + m0.arrayBuffers);
  };
  const per: number[] = [];
  let discarded = 0;
  // A window that saw a GC says nothing; shrink the window until some pass (down to one call).
  for (let calls = perWindow; per.length === 0 && calls >= 1; calls = calls === 1 ? 0 : Math.max(1, calls >> 2)) {
    let bad = 0;
    for (let w = 0; w < windows * 2 && per.length < windows; w++) {
      const empty = await window(0);
      const full = await window(calls);
      if (empty === null || full === null) {
        discarded++;
        if (per.length === 0 && ++bad >= 3) break; // hopeless at this size: shrink (or give up at 1)
        continue;
      }
      per.push(Math.max(0, full - empty) / calls);
      if (process.env.BENCH_DEBUG) process.stderr.write(`window: ${calls} calls, ${(full - empty) / calls} B/call\n`);
    }
  }
  obs.disconnect();
  if (per.length === 0) return { perOp: Number.NaN, discarded };
  return { perOp: median(per), discarded };
}

/** Deterministic PRNG (mulberry32) so every process encodes the same samples. */
export const prng: (seed: number) => () => number = mulberry32;

/** N rows of 3 accelerometer-like float64 values, as a Float64Array (row-major). */
export function samplesF64(n: number, width = 3, seed = 42): Float64Array {
  const r = prng(seed);
  const out = new Float64Array(n * width);
  for (let i = 0; i < out.length; i++) out[i] = (r() - 0.5) * 20;
  return out;
}

/** The same samples as plain nested arrays (what JSON.stringify / cbor-x take). */
export function rowsOf(data: Float64Array, width = 3): number[][] {
  const rows: number[][] = new Array(data.length / width);
  for (let i = 0; i < rows.length; i++) rows[i] = Array.from(data.subarray(i * width, i * width + width));
  return rows;
}

export function fmtTime(ns: number | undefined): string {
  if (ns === undefined || !Number.isFinite(ns)) return 'n/a';
  if (ns < 1e3) return `${ns.toFixed(0)} ns`;
  if (ns < 1e6) return `${(ns / 1e3).toFixed(ns < 1e4 ? 1 : 0)} µs`;
  if (ns < 1e9) return `${(ns / 1e6).toFixed(ns < 1e7 ? 2 : 1)} ms`;
  return `${(ns / 1e9).toFixed(2)} s`;
}

export function fmtBytes(b: number | undefined): string {
  if (b === undefined || !Number.isFinite(b)) return 'n/a';
  if (b < 1024) return `${b.toFixed(0)} B`;
  if (b < 1024 * 1024) return `${(b / 1024).toFixed(1)} KiB`;
  return `${(b / 1024 / 1024).toFixed(1)} MiB`;
}

export function fmtRate(bytesPerOp: number | undefined, nsPerOp: number | undefined): string {
  if (!bytesPerOp || !nsPerOp) return 'n/a';
  return `${((bytesPerOp / nsPerOp) * 1e3).toFixed(0)} MB/s`;
}

/** Where bench runs put the directories they are done with (emptied by run.ts at the end). */
export const BENCH_TRASH = '.bench-trash';

/**
 * Puts a finished run's directory aside instead of deleting it now: deleting thousands of files
 * makes the next row's file creation slow on some file systems (ext4 without a journal skips
 * every inode freed in the last minute or more when it allocates one), which would charge one
 * row's clean-up to the next. Falls back to deleting when the rename cannot be done (another
 * file system).
 */
export async function discardLater(dir: string): Promise<void> {
  const { mkdir, rename, rm } = await import('node:fs/promises');
  const { basename, join } = await import('node:path');
  const trash = join(process.cwd(), BENCH_TRASH);
  try {
    await mkdir(trash, { recursive: true });
    await rename(dir, join(trash, `${basename(dir)}-${process.pid}-${Date.now()}`));
  } catch {
    await rm(dir, { recursive: true, force: true });
  }
}
