/**
 * Sampling frequency from arrival times (pure). Serial links deliver lines in bursts (a USB or
 * pty chunk carries many readings with one arrival time) and with jitter, and devices pause
 * (reset, garbage bursts). So the estimate is a least-squares slope of arrival time over reading
 * index, pooled over segments split at pauses, with residual outliers (a late line) rejected
 * and the fit repeated. Burst delivery only adds a bounded residual, so the slope stays unbiased.
 */

export interface FrequencyEstimate {
  /** Readings per second as measured. */
  hz: number;
  /** Milliseconds between readings (1000 / hz). */
  intervalMs: number;
  /** Readings used in the final fit. */
  used: number;
  /** Readings rejected as outliers. */
  rejected: number;
  /** Pauses the stream was split at. */
  segments: number;
  /** 95% confidence half-width of hz, as a fraction of hz (0.002 = ±0.2%). */
  uncertainty: number;
}

/** Pause threshold: a gap longer than this many estimated intervals (jitter rarely reaches it) and at least 50 ms (burst delivery never does). */
const GAP_INTERVALS = 2.5;
const GAP_MIN_MS = 50;
/**
 * Never reject a reading closer than half an interval to the fit: arrival times quantised by burst
 * delivery put many readings on an exact lattice, which collapses the MAD and would otherwise
 * make the rejection loop discard everything off that lattice.
 */
const REJECT_FLOOR = 0.5;
/** Quantile of arrival times the final fit follows (see quantileSlope). */
const QUANTILE = 0.25;

function median(xs: number[]): number {
  const s = xs.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * Estimates the sampling frequency from reading arrival times in ms (non-decreasing).
 * `breaks` lists reading indexes that start a new segment (e.g. after a garbage line, which may
 * have replaced a reading and so shifted the index). Returns null with fewer than 8 readings or
 * no usable spread.
 */
export function detectFrequency(times: ArrayLike<number>, breaks: ArrayLike<number> = []): FrequencyEstimate | null {
  const n = times.length;
  if (n < 8) return null;
  // Rough interval: median slope over windows wide enough to span several delivery bursts,
  // between readings that end their delivery chunk. A chunk's last reading is its freshest, so
  // it is on time to within one read period; the others may be a backlog from a stall (a loaded
  // host stalls often, and windows starting inside a catch-up burst would bias the median).
  const k = Math.max(1, Math.floor(n / 16));
  const ends: number[] = [];
  for (let i = 0; i < n; i++) if (i === n - 1 || times[i + 1] > times[i]) ends.push(i);
  const slopes: number[] = [];
  for (let a = 0, b = 0; a < ends.length; a++) {
    while (b < ends.length && ends[b] - ends[a] < k) b++;
    if (b === ends.length) break;
    slopes.push((times[ends[b]] - times[ends[a]]) / (ends[b] - ends[a]));
  }
  const rough = median(slopes);
  if (!(rough > 0)) return null;
  // A gap is either a pause (the device produced nothing: start a new segment) or a delivery
  // stall (readings were produced but arrive late, then in a catch-up burst: keep the segment
  // and reject the delayed readings). A catch-up burst covering half the missing readings or
  // more means a stall.
  const seg = new Int32Array(n);
  const keep = new Uint8Array(n).fill(1);
  let segments = 1;
  const gap = Math.max(GAP_INTERVALS * rough, GAP_MIN_MS);
  const isBreak = new Uint8Array(n);
  for (let j = 0; j < breaks.length; j++) if (breaks[j] > 0 && breaks[j] < n) isBreak[breaks[j]] = 1;
  for (let i = 1; i < n; i++) {
    const d = times[i] - times[i - 1];
    if (isBreak[i]) segments++;
    else if (d > gap) {
      let c = 0;
      while (i + c + 1 < n && times[i + c + 1] - times[i + c] < 0.3 * rough) c++;
      if (c >= 0.5 * (d / rough - 1)) for (let j = i; j <= i + c; j++) keep[j] = 0;
      else segments++;
    }
    seg[i] = segments - 1;
  }
  // First rejection against the rough slope (not a least-squares fit, which delayed readings
  // would already have bent): per-segment median intercept.
  const first: number[] = new Array(n);
  for (let s = 0, i = 0; s < segments; s++) {
    const from = i;
    const offs: number[] = [];
    for (; i < n && seg[i] === s; i++) if (keep[i]) offs.push(times[i] - rough * i);
    const a = offs.length ? median(offs) : 0;
    for (let j = from; j < i; j++) first[j] = keep[j] ? times[j] - a - rough * j : 0;
  }
  const mad0 = median(first.map(Math.abs));
  const limit0 = Math.max(5 * 1.4826 * mad0, REJECT_FLOOR * rough);
  for (let i = 0; i < n; i++) if (Math.abs(first[i]) > limit0) keep[i] = 0;
  let fit = pooledSlope(times, seg, segments, keep);
  for (let round = 0; round < 3 && fit; round++) {
    const res: number[] = [];
    for (let i = 0; i < n; i++) if (keep[i]) res.push(Math.abs(fit.residual(i)));
    const mad = median(res);
    const limit = Math.max(5 * 1.4826 * mad, REJECT_FLOOR * fit.slope);
    let changed = false;
    for (let i = 0; i < n; i++) {
      if (keep[i] && Math.abs(fit.residual(i)) > limit) {
        keep[i] = 0;
        changed = true;
      }
    }
    if (!changed) break;
    fit = pooledSlope(times, seg, segments, keep);
  }
  if (!fit || !(fit.slope > 0)) return null;
  // Arrival delays are one-sided (a line can be late, never early) and, on a loaded host,
  // heavy and uneven over the window, which tilts a least-squares line. A low-quantile fit
  // follows the on-time readings instead; with symmetric jitter it agrees with least squares.
  const slope = quantileSlope(times, seg, segments, keep, fit.slope, QUANTILE);
  const hz = 1000 / slope;
  return {
    hz,
    intervalMs: slope,
    used: fit.used,
    rejected: n - fit.used,
    segments,
    uncertainty: (1.96 * fit.slopeStdErr) / slope,
  };
}

/**
 * Quantile regression (pinball loss at `tau`) of t = a_s + b·i by iteratively reweighted least
 * squares, started from the least-squares slope. Returns b.
 */
function quantileSlope(times: ArrayLike<number>, seg: Int32Array, segments: number, keep: Uint8Array, start: number, tau: number): number {
  const n = times.length;
  const w = new Float64Array(n);
  const a = new Float64Array(segments);
  let b = start;
  const eps = 0.01 * start;
  // Intercepts for the starting slope: the tau-quantile of t - b·i per segment.
  const offs: number[][] = Array.from({ length: segments }, () => []);
  for (let i = 0; i < n; i++) if (keep[i]) offs[seg[i]].push(times[i] - b * i);
  for (let s = 0; s < segments; s++) {
    const o = offs[s].sort((x, y) => x - y);
    a[s] = o.length ? o[Math.min(o.length - 1, Math.floor(tau * o.length))] : 0;
  }
  const sw = new Float64Array(segments);
  const si = new Float64Array(segments);
  const st = new Float64Array(segments);
  for (let iter = 0; iter < 40; iter++) {
    sw.fill(0);
    si.fill(0);
    st.fill(0);
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      const r = times[i] - a[seg[i]] - b * i;
      w[i] = (r >= 0 ? tau : 1 - tau) / Math.max(Math.abs(r), eps);
      sw[seg[i]] += w[i];
      si[seg[i]] += w[i] * i;
      st[seg[i]] += w[i] * times[i];
    }
    let sxy = 0;
    let sxx = 0;
    for (let i = 0; i < n; i++) {
      if (!keep[i]) continue;
      const s = seg[i];
      const dx = i - si[s] / sw[s];
      sxy += w[i] * dx * (times[i] - st[s] / sw[s]);
      sxx += w[i] * dx * dx;
    }
    if (!(sxx > 0)) break;
    const nb = sxy / sxx;
    for (let s = 0; s < segments; s++) if (sw[s] > 0) a[s] = (st[s] - nb * si[s]) / sw[s];
    const done = Math.abs(nb - b) < 1e-9 * Math.abs(b);
    b = nb;
    if (done) break;
  }
  return b > 0 ? b : start;
}

/** Least squares t = a_s + b·i with one intercept per segment and a shared slope b. */
function pooledSlope(times: ArrayLike<number>, seg: Int32Array, segments: number, keep: Uint8Array) {
  const cnt = new Float64Array(segments);
  const si = new Float64Array(segments);
  const st = new Float64Array(segments);
  for (let i = 0; i < times.length; i++) {
    if (!keep[i]) continue;
    cnt[seg[i]]++;
    si[seg[i]] += i;
    st[seg[i]] += times[i];
  }
  let sxy = 0;
  let sxx = 0;
  let used = 0;
  for (let i = 0; i < times.length; i++) {
    if (!keep[i]) continue;
    const s = seg[i];
    const dx = i - si[s] / cnt[s];
    sxy += dx * (times[i] - st[s] / cnt[s]);
    sxx += dx * dx;
    used++;
  }
  if (sxx === 0 || used < 4) return null;
  const slope = sxy / sxx;
  const residual = (i: number) => times[i] - st[seg[i]] / cnt[seg[i]] - slope * (i - si[seg[i]] / cnt[seg[i]]);
  let sse = 0;
  for (let i = 0; i < times.length; i++) if (keep[i]) sse += residual(i) ** 2;
  const dof = Math.max(1, used - segments - 1);
  return { slope, used, residual, slopeStdErr: Math.sqrt(sse / dof / sxx) };
}

/**
 * Snaps a measured frequency to the roundest value within `tolerance` (default 0.5%): 99.93 →
 * 100, 3990 → 4000, 62.49 → 62.5, 104.1 → 104. Devices run at round rates; jitter does not.
 */
export function snapFrequency(hz: number, tolerance = 0.005): number {
  for (let digits = 1; digits <= 4; digits++) {
    const p = 10 ** (Math.floor(Math.log10(hz)) - digits + 1);
    const r = Math.round(hz / p) * p;
    if (Math.abs(r - hz) / hz <= tolerance) return Number(r.toPrecision(digits));
  }
  return Number(hz.toPrecision(6));
}
