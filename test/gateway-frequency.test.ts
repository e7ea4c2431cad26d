import { describe, it, expect } from 'vitest';
import { detectFrequency, snapFrequency } from '../src/gateway/frequency.ts';
import { mulberry32 } from '../src/device/sensors/sim.ts';

/** Seeded streams (the project's mulberry32) so every run sees the same data. */
function rng(seed: number) {
  const next = mulberry32(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(next() || 1e-12)) * Math.cos(2 * Math.PI * next());
  return { next, gauss };
}

interface StreamOpts {
  hz: number;
  seed: number;
  seconds?: number;
  /** Arrival jitter σ as a fraction of the interval (plus 0.2 ms of scheduler noise). */
  jitter?: number;
  /** Delivery bursts: lines reach the host in chunks every `chunkMs` (USB/pty buffering). */
  chunkMs?: number;
  lateFraction?: number;
  pauseMs?: number;
  /** Fraction of readings lost to line noise (each loss reported as a break). */
  lossFraction?: number;
}

/** Synthetic arrival times of a device sampling at `hz`, as a serial host would see them. */
function stream(o: StreamOpts): { times: number[]; breaks: number[] } {
  const r = rng(o.seed);
  const interval = 1000 / o.hz;
  const n = Math.min(8000, Math.max(60, Math.round((o.seconds ?? 2) * o.hz)));
  const drift = 1 + (r.next() - 0.5) * 1e-4; // ±50 ppm crystal
  const times: number[] = [];
  const breaks: number[] = [];
  let prev = 0;
  let lostSinceLast = false;
  for (let i = 0; i < n; i++) {
    let t = 1000 + i * interval * drift;
    if (o.pauseMs && i >= n / 2) t += o.pauseMs;
    if (o.lossFraction && r.next() < o.lossFraction) {
      lostSinceLast = true;
      continue;
    }
    t += r.gauss() * ((o.jitter ?? 0.1) * interval + 0.2);
    if (o.chunkMs) t = Math.ceil(t / o.chunkMs) * o.chunkMs;
    if (o.lateFraction && r.next() < o.lateFraction) t += 5 * interval + 5;
    t = Math.max(prev, t);
    prev = t;
    if (lostSinceLast) breaks.push(times.length);
    lostSinceLast = false;
    times.push(t);
  }
  return { times, breaks };
}

const RATES = [10, 16, 25, 50, 62.5, 100, 104, 200, 250, 500, 1000, 1600, 2000, 3333, 4000];

describe('detectFrequency', () => {
  it.each(RATES)('%d Hz with jitter, burst delivery, late lines and a pause: within 1%%', (hz) => {
    for (let seed = 1; seed <= 20; seed++) {
      const { times } = stream({ hz, seed, jitter: 0.1, chunkMs: 1 + (seed % 16), lateFraction: 0.02, pauseMs: 300 });
      const est = detectFrequency(times)!;
      expect(est).not.toBeNull();
      expect(Math.abs(est.hz - hz) / hz).toBeLessThan(0.01);
    }
  });

  it.each(RATES)('%d Hz with lost readings reported as breaks: within 1%%', (hz) => {
    for (let seed = 100; seed < 110; seed++) {
      const { times, breaks } = stream({ hz, seed, chunkMs: 4, lossFraction: 0.01 });
      const est = detectFrequency(times, breaks)!;
      expect(Math.abs(est.hz - hz) / hz).toBeLessThan(0.01);
    }
  });

  it('heavy jitter (30% of the interval) at 10 Hz over 5 s stays within 1%', () => {
    for (let seed = 1; seed <= 20; seed++) {
      const { times } = stream({ hz: 10, seed, seconds: 5, jitter: 0.3 });
      expect(Math.abs(detectFrequency(times)!.hz - 10) / 10).toBeLessThan(0.01);
    }
  });

  it.each([50, 250, 1000, 4000])('%d Hz on a loaded host (one-sided delays, heavier at the start): within 1%%', (hz) => {
    for (let seed = 1; seed <= 10; seed++) {
      const r = rng(seed * 31);
      const n = Math.max(60, 2 * hz);
      const times: number[] = [];
      let prev = 0;
      for (let i = 0; i < n; i++) {
        // Exponential delays, mean 6 ms early in the window falling to 1 ms: least squares
        // is tilted by the drift; the low-quantile fit follows the on-time readings.
        const mean = 6 - (5 * i) / n;
        const t = Math.max(prev, 1000 + (i * 1000) / hz - mean * Math.log(1 - r.next()));
        times.push((prev = t));
      }
      expect(Math.abs(detectFrequency(times)!.hz - hz) / hz).toBeLessThan(0.01);
    }
  });

  it.each([100, 250, 1000])('%d Hz read by a host that stalls again and again (200–600 ms, each backlog in one chunk): within 1%%', (hz) => {
    // What the gateway saw on a loaded machine: the old rough interval (median over all windows)
    // was dragged by windows starting inside catch-up bursts, and 250 Hz came out as 295 Hz.
    for (let seed = 1; seed <= 12; seed++) {
      const r = rng(seed * 17);
      const times: number[] = [];
      let made = 0;
      let t = 0;
      let nextStall = 300 + r.next() * 400;
      while (t < 2600) {
        t += 2 + r.next() * 10; // the reader wakes every 2–12 ms …
        if (t > nextStall) {
          t += 200 + r.next() * 400; // … except when it stalls
          nextStall = t + 300 + r.next() * 500;
        }
        // Each read gets every reading the device made by then (reading i is made at i/hz).
        for (const upTo = Math.floor((t * hz) / 1000); made < upTo; made++) times.push(t);
      }
      const est = detectFrequency(times)!;
      expect(est, `seed ${seed}`).not.toBeNull();
      expect(Math.abs(est.hz - hz) / hz, `seed ${seed}: ${est.hz}`).toBeLessThan(0.01);
    }
  });

  it('counts pauses as segments and rejects late lines', () => {
    const { times } = stream({ hz: 100, seed: 7, pauseMs: 500, lateFraction: 0.05 });
    const est = detectFrequency(times)!;
    expect(est.segments).toBeGreaterThanOrEqual(2);
    expect(est.rejected).toBeGreaterThan(0);
    expect(est.uncertainty).toBeLessThan(0.01);
  });

  it('needs at least 8 readings and a time spread', () => {
    expect(detectFrequency([1, 2, 3])).toBeNull();
    expect(detectFrequency(new Array(20).fill(5))).toBeNull();
  });

  it('naive mean interval would be fooled by the pause; the detector is not', () => {
    const { times } = stream({ hz: 50, seed: 3, pauseMs: 1000 });
    const naive = (1000 * (times.length - 1)) / (times[times.length - 1] - times[0]);
    expect(Math.abs(naive - 50) / 50).toBeGreaterThan(0.1);
    expect(Math.abs(detectFrequency(times)!.hz - 50) / 50).toBeLessThan(0.01);
  });
});

describe('snapFrequency', () => {
  it.each([
    [99.93, 100],
    [3990, 4000],
    [62.49, 62.5],
    [104.1, 104],
    [10.02, 10],
    [1234.5, 1230], [1251, 1250], [7.771, 7.8], [7.74, 7.74],
  ])('%d → %d', (x, y) => expect(snapFrequency(x)).toBe(y));
});
