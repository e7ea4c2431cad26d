import { AtErrorResult, type AtChannel } from './at-channel.ts';
import { isRegistered, parseCeregStat, parseImei, type ModemDialect } from './commands.ts';
import { ModemError, type ModemErrorCode } from './errors.ts';

export interface BringUpOptions {
  commandTimeoutMs: number;
  registrationTimeoutMs: number;
  /** Total time for the modem to answer `AT` (it may still be booting). */
  probeTimeoutMs: number;
  signal?: AbortSignal | undefined;
}

export interface ModemIdentity {
  imei: string;
  dialect: ModemDialect;
}

/** Rejects with EI_MODEM_ABORTED as soon as `signal` fires. */
export function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  const aborted = () => new ModemError('EI_MODEM_ABORTED', 'modem operation aborted', { cause: signal.reason });
  if (signal.aborted) return Promise.reject(aborted());
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(aborted());
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

/**
 * Throws EI_MODEM_ABORTED if `signal` fired. Commands themselves are not raced against the
 * signal: a command left running would collide with the next one; each is bounded by its timeout.
 */
export function checkAbort(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new ModemError('EI_MODEM_ABORTED', 'modem operation aborted', { cause: signal.reason });
  }
}

/** Runs a command and maps its `ERROR` to `code`; other failures (timeout, reboot) pass through. */
export async function run(
  ch: AtChannel,
  text: string,
  code: ModemErrorCode,
  timeoutMs: number,
  claims?: (line: string) => boolean,
): Promise<string[]> {
  try {
    return (await ch.command(text, { timeoutMs, claims })).lines;
  } catch (err) {
    if (err instanceof AtErrorResult) {
      throw new ModemError(code, `${text} answered ${err.result}`, { cause: err, command: text });
    }
    throw err;
  }
}

/**
 * Probes with `AT` until `OK`. The terminator is unknown before the dialect is: CR LF works for
 * both (the new dialect ends on CR and skips bytes before the next `A`; the old one needs the LF),
 * so start with it; after a silent timeout try CR alone, and back. An `ERROR` means the modem held
 * junk (bytes of an interrupted data-mode write) that our terminator just flushed: retry at once.
 */
async function probe(ch: AtChannel, opts: BringUpOptions): Promise<void> {
  const deadline = Date.now() + opts.probeTimeoutMs;
  const attemptMs = Math.min(800, opts.commandTimeoutMs);
  let last: unknown;
  let attempts = 0;
  while (Date.now() < deadline) {
    try {
      checkAbort(opts.signal);
      attempts++;
      await ch.command('AT', { timeoutMs: attemptMs });
      // An earlier, unanswered `AT` (the banner or a timeout cut it short) may still get its `OK`
      // late; it would be taken as the answer to the next command and shift every answer by one.
      // Let it arrive while nothing is pending: the channel drops it as unsolicited.
      if (attempts > 1) await sleep(SETTLE_MS);
      return;
    } catch (err) {
      last = err;
      if (err instanceof ModemError && err.code === 'EI_MODEM_TIMEOUT') {
        ch.terminator = ch.terminator === '\r\n' ? '\r' : '\r\n';
      } else if (err instanceof ModemError && err.code === 'EI_MODEM_REBOOTED') {
        await sleep(SETTLE_MS); // the banner overtook our `AT`: its answer is on the way
      } else if (!(err instanceof AtErrorResult)) {
        throw err;
      }
    }
  }
  throw new ModemError('EI_MODEM_NO_RESPONSE', `modem did not answer AT within ${opts.probeTimeoutMs} ms`, {
    cause: last,
    command: 'AT',
  });
}

/** Time for a late answer to a cut-short probe to arrive (≈ 60 bytes at 9600 baud). */
const SETTLE_MS = 100;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** `AT#XSMVER` answers only on the new Serial Modem; `AT#XSLMVER` only on the old SLM. */
async function detectDialect(ch: AtChannel, timeoutMs: number): Promise<ModemDialect> {
  try {
    await ch.command('AT#XSMVER', { timeoutMs });
    return 'new';
  } catch (err) {
    if (!(err instanceof AtErrorResult)) throw err;
  }
  await run(ch, 'AT#XSLMVER', 'EI_MODEM_DIALECT', timeoutMs);
  return 'old';
}

/**
 * Waits for `+CEREG` stat 1 or 5: asks `AT+CEREG?` (a modem that is already registered sends no
 * new URC), then listens for URCs, asking again every second in case one was missed.
 */
export async function waitRegistered(ch: AtChannel, opts: BringUpOptions): Promise<void> {
  const deadline = Date.now() + opts.registrationTimeoutMs;
  let urcRegistered = false;
  let wake: (() => void) | null = null;
  const off = ch.on((e) => {
    if (e.kind === 'cereg' && isRegistered(e.stat)) {
      urcRegistered = true;
      wake?.();
    }
  });
  try {
    let lastStat: number | null = null;
    for (;;) {
      checkAbort(opts.signal);
      const lines = await run(ch, 'AT+CEREG?', 'EI_MODEM_COMMAND', opts.commandTimeoutMs, (l) =>
        l.startsWith('+CEREG:'),
      );
      for (const l of lines) lastStat = parseCeregStat(l, true) ?? lastStat;
      if (urcRegistered || isRegistered(lastStat)) return;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new ModemError(
          'EI_MODEM_REGISTRATION_TIMEOUT',
          `not registered to the network after ${opts.registrationTimeoutMs} ms (+CEREG stat ${lastStat ?? 'unknown'})`,
        );
      }
      await abortable(
        new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(1000, left));
          wake = () => {
            clearTimeout(t);
            resolve();
          };
        }),
        opts.signal,
      );
      wake = null;
      if (urcRegistered) return;
    }
  } finally {
    off();
  }
}

/** Full bring-up (FACTS §7): probe, CMEE, CEREG=5, IMEI, dialect, CFUN=1, registration. */
export async function bringUp(ch: AtChannel, opts: BringUpOptions): Promise<ModemIdentity> {
  const t = opts.commandTimeoutMs;
  const step = (text: string, timeoutMs = t) => {
    checkAbort(opts.signal);
    return run(ch, text, 'EI_MODEM_COMMAND', timeoutMs);
  };
  ch.terminator = '\r\n';
  await probe(ch, opts);
  await step('AT+CMEE=1');
  await step('AT+CEREG=5');
  const imei = parseImei(await step('AT+CGSN'));
  if (!imei) throw new ModemError('EI_MODEM_PROTOCOL', 'AT+CGSN gave no 15-digit IMEI', { command: 'AT+CGSN' });
  checkAbort(opts.signal);
  const dialect = await detectDialect(ch, t);
  // FACTS §7: CR (new) / CR LF (old). The new dialect needs CR alone: after a command that enters
  // data mode, a LF would be the first data byte.
  ch.terminator = dialect === 'new' ? '\r' : '\r\n';
  // CFUN=1 can take a while on real modems (radio power-up).
  await step('AT+CFUN=1', Math.max(t, 10_000));
  await waitRegistered(ch, opts);
  return { imei, dialect };
}
