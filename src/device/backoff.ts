/**
 * Reconnect delays: exponential with "equal jitter" (half fixed, half random), so a fleet that lost
 * the server at the same moment does not reconnect in lock-step, yet no delay is near zero.
 */
export interface BackoffOptions {
  /** First delay (default 1 s). */
  initialMs?: number;
  /** Cap (default 60 s). */
  maxMs?: number;
  /** Growth per attempt (default 2). */
  factor?: number;
  /** Source of randomness in [0, 1) (tests inject a fixed one). */
  random?: () => number;
}

export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;
  private readonly random: () => number;

  constructor(opts: BackoffOptions = {}) {
    this.initialMs = opts.initialMs ?? 1000;
    this.maxMs = opts.maxMs ?? 60_000;
    this.factor = opts.factor ?? 2;
    this.random = opts.random ?? Math.random;
    if (!(this.initialMs > 0) || !(this.maxMs >= this.initialMs) || !(this.factor >= 1)) {
      throw new RangeError('backoff: need 0 < initialMs <= maxMs and factor >= 1');
    }
  }

  /** Delay before the next attempt; grows until `reset()`. */
  next(): number {
    const cap = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt++;
    return Math.round(cap / 2 + (cap / 2) * this.random());
  }

  /** Called after a connection that was accepted: the next failure starts from the bottom again. */
  reset(): void {
    this.attempt = 0;
  }

  /** Number of delays handed out since the last reset. */
  get attempts(): number {
    return this.attempt;
  }
}
