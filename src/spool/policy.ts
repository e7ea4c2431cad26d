/**
 * The dead-letter rule, pure so a batch sender applies the same one to each file of a batch.
 *
 * A sample leaves the queue only on an explicit answer:
 * - delivered/duplicate (a 2xx) → removed;
 * - rejected (a 4xx refusal, or the client refusing to frame it) → dead-lettered at once, with the answer;
 * - a per-sample failure (`scope: 'sample'`, e.g. 500 every time) → dead-lettered only when all of:
 *   1. the same reason came back at least `attempts` times,
 *   2. over at least `ageMs` since the first of them,
 *   3. and the service proved healthy meanwhile: some other sample was stored after that first
 *      failure (the sender sends up to `probes` samples from behind the stuck head to find out).
 *   Without 3 a service that fails everything would look like a queue of bad samples.
 * - an outage (`scope: 'outage'`: network, timeouts, 502/503/504/429/408, Retry-After) → waits and
 *   retries for ever, in order; it neither counts nor resets the per-sample streak.
 * SQS's redrive policy counts receives, but its consumers know when they are offline; we do not,
 * hence the health proof.
 */
import type { SendOutcome } from './sender.ts';

export interface DeadLetterPolicy {
  /** Same per-sample failure at least this many times (default 5). */
  attempts: number;
  /** …spread over at least this long, in ms, since the first of them (default 10 min). */
  ageMs: number;
  /** Samples from behind a stuck head sent to prove the service healthy (default 3; 0 never dead-letters on per-sample failures). */
  probes: number;
}

export const DEFAULT_DEAD_LETTER_POLICY: DeadLetterPolicy = { attempts: 5, ageMs: 10 * 60_000, probes: 3 };

/** Consecutive attempts that failed the same way (run-length, so a week offline stays small). */
export interface AttemptRun {
  reason: string;
  scope: 'sample' | 'outage' | 'rejected';
  status?: number;
  count: number;
  firstAt: number;
  lastAt: number;
  /** First answer of the run (per-sample failures), trimmed. */
  response?: string;
}

/** What the spool remembers of a sample's failed attempts (persisted next to its record). */
export interface SampleAttempts {
  attempts: number;
  firstAt: number;
  lastAt: number;
  lastReason: string;
  /** The current streak of one per-sample failure reason. */
  streak: { reason: string; count: number; since: number } | null;
  history: AttemptRun[];
  /** Runs dropped from the front of `history` to keep it bounded. */
  omitted: number;
}

const MAX_RUNS = 64;

export function resolvePolicy(p: Partial<DeadLetterPolicy> = {}): DeadLetterPolicy {
  const out = { ...DEFAULT_DEAD_LETTER_POLICY, ...p };
  if (!Number.isInteger(out.attempts) || out.attempts < 1) throw new RangeError('deadLetter.attempts must be an integer ≥ 1');
  if (!(out.ageMs >= 0)) throw new RangeError('deadLetter.ageMs must be ≥ 0');
  if (!Number.isInteger(out.probes) || out.probes < 0) throw new RangeError('deadLetter.probes must be an integer ≥ 0');
  return out;
}

type Failure = Extract<SendOutcome, { kind: 'retry' | 'rejected' }>;

/** The state after one more failed attempt (a new object; `prev` is not changed). */
export function noteFailure(prev: SampleAttempts | undefined, out: Failure, now: number): SampleAttempts {
  const scope = out.kind === 'rejected' ? 'rejected' : (out.scope ?? 'outage');
  const s: SampleAttempts = prev
    ? { ...prev, history: prev.history.slice(), streak: prev.streak && { ...prev.streak } }
    : { attempts: 0, firstAt: now, lastAt: now, lastReason: '', streak: null, history: [], omitted: 0 };
  s.attempts++;
  s.lastAt = now;
  s.lastReason = out.reason;
  if (scope === 'sample') {
    if (s.streak && s.streak.reason === out.reason) s.streak.count++;
    else s.streak = { reason: out.reason, count: 1, since: now };
  }
  const last = s.history[s.history.length - 1];
  if (last && last.reason === out.reason && last.scope === scope && last.status === out.status) {
    s.history[s.history.length - 1] = { ...last, count: last.count + 1, lastAt: now };
  } else {
    const run: AttemptRun = { reason: out.reason, scope, count: 1, firstAt: now, lastAt: now };
    if (out.status !== undefined) run.status = out.status;
    const response = 'response' in out ? out.response : undefined;
    if (response) run.response = response.slice(0, 500);
    s.history.push(run);
    if (s.history.length > MAX_RUNS) {
      s.history.shift();
      s.omitted++;
    }
  }
  return s;
}

/** Rules 1 and 2: the sample has failed the same way long and often enough. */
export function pastPolicy(s: SampleAttempts | undefined, policy: DeadLetterPolicy, now: number): boolean {
  const k = s?.streak;
  return !!k && policy.probes > 0 && k.count >= policy.attempts && now - k.since >= policy.ageMs;
}

export type Verdict =
  /** Stored: remove it. */
  | 'remove'
  /** Dead-letter it with its history. */
  | 'dead'
  /** Past rules 1-2 but the service's health is unproven: send samples from behind it first. */
  | 'probe'
  /** Wait (backoff) and try again. */
  | 'retry';

/**
 * What to do with a sample after an attempt. `state` already includes this attempt
 * ({@link noteFailure}); `lastStoredAt` is when any other sample was last stored (−∞ if never).
 */
export function verdict(out: SendOutcome, state: SampleAttempts | undefined, policy: DeadLetterPolicy, now: number, lastStoredAt: number): Verdict {
  if (out.kind === 'delivered' || out.kind === 'duplicate') return 'remove';
  if (out.kind === 'rejected') return 'dead';
  if ((out.scope ?? 'outage') === 'outage' || !pastPolicy(state, policy, now)) return 'retry';
  return lastStoredAt >= state!.streak!.since ? 'dead' : 'probe';
}
