/**
 * One HTTP/1.1 connection over any {@link Transport}: sends a framed request, reads the
 * response concurrently (a service may answer early, e.g. 401, and close), and guards every
 * phase with one timer re-armed per phase and refreshed on progress (undici's model).
 */
import type { EncodedBody } from '../encode/body.ts';
import { ResponseParser, type HttpResponse, type ResponseLimits } from '../http/response-parser.ts';
import { ResponseParseError } from '../http/errors.ts';
import type { Connector, Transport } from '../transport/transport.ts';
import { EiError } from '../errors.ts';
import { NetworkError, TimeoutError, UploadAbortedError, UploadError } from './errors.ts';

/** Milliseconds; 0 disables a timeout. */
export interface Timeouts {
  /** Establishing the transport (TCP + TLS handshake, or modem bring-up). Default 10 000. */
  connectMs: number;
  /** No progress while sending or receiving. Default 30 000. */
  idleMs: number;
  /** From the last request byte to the first response byte. Default 60 000. */
  firstByteMs: number;
  /**
   * Whole attempt (send + response), extended by 1 s per `minRateBytesPerSec` request bytes so a
   * large body on a slow link still fits (mod_reqtimeout's MinRate idea). Default 300 000.
   */
  totalMs: number;
  /**
   * Slowest link an attempt tolerates, in bytes/s. Extends `totalMs` for the request, and the
   * response must arrive at least this fast on average once `idleMs` has passed (a peer trickling
   * a byte at a time re-arms the idle timer for ever, not this). Default 1024; 0 disables both.
   */
  minRateBytesPerSec: number;
  /** How long an unused connection is kept open (below Node's 5 s server default). Default 4 000. */
  keepAliveMs: number;
}

export const DEFAULT_TIMEOUTS: Timeouts = { connectMs: 10_000, idleMs: 30_000, firstByteMs: 60_000, totalMs: 300_000, minRateBytesPerSec: 1024, keepAliveMs: 4_000 };

/** The attempt's deadline budget in ms for a request of `length` bytes (0 = none). */
export function attemptBudgetMs(t: Timeouts, length: number): number {
  if (!(t.totalMs > 0)) return 0;
  return t.totalMs + (t.minRateBytesPerSec > 0 ? Math.ceil((length * 1000) / t.minRateBytesPerSec) : 0);
}

export interface ExchangeOptions {
  limits?: Partial<ResponseLimits>;
  signal?: AbortSignal;
  /** Called after each chunk is written with the bytes sent so far. */
  onProgress?: (sent: number) => void;
}

export interface Exchange {
  response: HttpResponse;
  /** The connection can carry another request. */
  reusable: boolean;
}

type Phase = 'send' | 'firstByte' | 'receive' | 'total' | 'keepAlive';

/** Test hook: the live Kill of the exchange in progress, to check its pending set stays bounded. */
export const _inspect = { waiting: (c: Connection): number => (c as unknown as { kill: Kill | null }).kill?.waiting ?? 0 };

function describe(err: unknown): string {
  const e = err as { code?: string; message?: string };
  return e?.code ? `${e.code}${e.message ? ` (${e.message})` : ''}` : String(e?.message ?? err);
}

/**
 * Cancels the connection's pending operations when it is killed (timeout, abort). Each read or
 * write is wrapped in its own promise that the kill can reject; nothing is ever raced against a
 * long-lived promise. (`Promise.race([read, never])` adds a reaction to `never` per call, and each
 * reaction keeps its race's result — the chunk read — alive: an endless 100 Continue stream then
 * grew memory without bound.)
 */
class Kill {
  reason: UploadError | null = null;
  private readonly pending = new Set<(e: unknown) => void>();

  /** Operations waiting now (tests check it stays bounded). */
  get waiting(): number {
    return this.pending.size;
  }

  /** `p`, or the kill's reason if the connection is killed first. */
  wrap<T>(p: Promise<T>): Promise<T> {
    if (this.reason) {
      p.catch(() => {});
      return Promise.reject(this.reason);
    }
    return new Promise<T>((resolve, reject) => {
      this.pending.add(reject);
      p.then(
        (v) => {
          this.pending.delete(reject);
          resolve(v);
        },
        (e) => {
          this.pending.delete(reject);
          reject(e);
        },
      );
    });
  }

  fire(reason: UploadError): void {
    if (this.reason) return;
    this.reason = reason;
    for (const reject of this.pending) reject(reason);
    this.pending.clear();
  }
}

export class Connection {
  readonly transport: Transport;
  private readonly timeouts: Timeouts;
  /** Requests completed on this connection. */
  requests = 0;
  private timer: NodeJS.Timeout | undefined;
  private phase: Phase = 'send';
  private phaseMs = 0;
  private deadline = Infinity;
  private budgetMs = 0;
  private kill: Kill | null = null;
  private closed = false;
  private onIdleExpire: (() => void) | null = null;

  private constructor(transport: Transport, timeouts: Timeouts) {
    this.transport = transport;
    this.timeouts = timeouts;
  }

  /**
   * Connects through `connector` within `connectMs`.
   * @throws TimeoutError('connect'), NetworkError, UploadAbortedError
   */
  static async open(connector: Connector, timeouts: Timeouts, signal?: AbortSignal): Promise<Connection> {
    if (signal?.aborted) throw new UploadAbortedError();
    const ac = new AbortController();
    const onAbort = () => ac.abort(new UploadAbortedError());
    signal?.addEventListener('abort', onAbort, { once: true });
    const timer = timeouts.connectMs > 0 ? setTimeout(() => ac.abort(new TimeoutError('connect', timeouts.connectMs)), timeouts.connectMs) : undefined;
    timer?.unref();
    // The connector should honour the signal; racing it too means one that does not cannot hang us.
    const aborted = new Promise<never>((_, reject) => ac.signal.addEventListener('abort', () => reject(ac.signal.reason), { once: true }));
    aborted.catch(() => {});
    const pending = connector.connect(ac.signal);
    try {
      const transport = await Promise.race([pending, aborted]);
      return new Connection(transport, timeouts);
    } catch (err) {
      pending.then((t) => t.close(), () => {});
      if (ac.signal.aborted) throw ac.signal.reason;
      // A transport that knows its failure is final (a modem port that does not exist, an AT
      // command the firmware rejects) says so with retryable === false: keep its code, no retry.
      if (err instanceof EiError && (err as { retryable?: unknown }).retryable === false) {
        throw new UploadError(err.code, `connect to ${connector.authority} failed: ${describe(err)}`, false, { cause: err });
      }
      throw new NetworkError(`connect to ${connector.authority} failed: ${describe(err)}`, { cause: err });
    } finally {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    }
  }

  get isOpen(): boolean {
    return !this.closed && this.transport.isOpen;
  }

  /**
   * Writes `request` (awaiting each write before advancing the iterator: chunks are borrowed)
   * while reading the response.
   * @throws NetworkError (transport failure or malformed response), TimeoutError, UploadAbortedError
   */
  async exchange(request: EncodedBody, opts: ExchangeOptions = {}): Promise<Exchange> {
    this.stopIdle();
    const kill = (this.kill = new Kill());
    const reused = this.requests > 0;
    const t = this.transport;
    const onAbort = () => this.fail(new UploadAbortedError());
    opts.signal?.addEventListener('abort', onAbort, { once: true });
    if (opts.signal?.aborted) onAbort();
    const budget = attemptBudgetMs(this.timeouts, request.length);
    this.deadline = budget > 0 ? Date.now() + budget : Infinity;
    this.budgetMs = budget;
    const rate = this.timeouts.minRateBytesPerSec;
    let receiveStart = 0;
    let receiveBytes = 0;

    const parser = new ResponseParser(opts.limits);
    let writesDone = false;
    let firstByte = false;
    let extraBytes = false;
    this.arm('send', this.timeouts.idleMs);

    const reading = (async () => {
      while (!parser.complete) {
        const chunk = await kill.wrap(t.read());
        if (chunk === null) {
          parser.finish();
          break;
        }
        if (!firstByte) {
          firstByte = true;
          receiveStart = Date.now();
          if (writesDone) this.arm('receive', this.timeouts.idleMs);
        } else if (this.phase === 'receive') this.progress();
        receiveBytes += chunk.byteLength;
        // Minimum receive rate: after a grace of idleMs, at least `rate` bytes/s on average.
        if (rate > 0 && Date.now() - receiveStart > this.timeouts.idleMs + (receiveBytes * 1000) / rate) {
          this.fail(new TimeoutError('minRate', rate, `response arrived slower than ${rate} bytes/s (${receiveBytes} bytes in ${Date.now() - receiveStart} ms)`));
          throw kill.reason;
        }
        const used = parser.push(chunk);
        if (parser.complete && used < chunk.byteLength) extraBytes = true;
      }
      return parser.result();
    })();
    reading.catch(() => {});
    let readSettled = false;
    reading.then(
      () => (readSettled = true),
      () => (readSettled = true),
    );

    let writeError: unknown = null;
    let bodyError: unknown = null;
    let sent = 0;
    const chunks = request.chunks()[Symbol.iterator]();
    try {
      for (;;) {
        if (readSettled) {
          chunks.return?.();
          break;
        }
        let next: IteratorResult<Uint8Array>;
        try {
          next = chunks.next();
        } catch (err) {
          // The body itself failed (file changed, encoder error): not the network's fault.
          bodyError = err;
          break;
        }
        if (next.done) break;
        // Awaited before the iterator advances: the chunk is borrowed.
        await kill.wrap(t.write(next.value));
        sent += next.value.byteLength;
        this.progress();
        opts.onProgress?.(sent);
      }
      if (bodyError !== null) {
        this.disarm();
        this.fail(new UploadAbortedError('request body failed'));
        opts.signal?.removeEventListener('abort', onAbort);
        this.kill = null;
        throw bodyError;
      }
      writesDone = sent === request.length;
      if (!readSettled) this.arm(firstByte ? 'receive' : 'firstByte', firstByte ? this.timeouts.idleMs : this.timeouts.firstByteMs);
    } catch (err) {
      if (err === bodyError) throw err;
      writeError = err;
      // The service may have answered (401, 413…) and then closed: give the reader its chance.
      if (!kill.reason) this.arm('firstByte', this.timeouts.firstByteMs);
    }

    try {
      const response = await kill.wrap(reading);
      this.requests++;
      const reusable = writesDone && writeError === null && response.keepAlive && !extraBytes && t.isOpen;
      return { response, reusable };
    } catch (err) {
      if (kill.reason) throw kill.reason;
      const stale = reused && parser.bytesReceived === 0;
      if (err instanceof ResponseParseError) {
        const code = err.code === 'EI_HTTP_TRUNCATED' ? 'EI_NETWORK_CLOSED' : err.code === 'EI_HTTP_TOO_MANY_INTERIM' ? 'EI_NETWORK_TOO_MANY_INTERIM' : 'EI_NETWORK_BAD_RESPONSE';
        throw new NetworkError(`malformed response: ${err.message}`, { cause: err, code, staleConnection: stale && err.code === 'EI_HTTP_TRUNCATED' });
      }
      const cause = writeError ?? err;
      throw new NetworkError(`connection failed while ${writeError ? 'sending' : 'receiving'}: ${describe(cause)}`, { cause, staleConnection: stale });
    } finally {
      this.disarm();
      opts.signal?.removeEventListener('abort', onAbort);
      this.kill = null;
    }
  }

  /** Keeps the connection for reuse; closes it after `keepAliveMs` unused. */
  startIdle(onExpire: () => void): void {
    this.onIdleExpire = onExpire;
    this.arm('keepAlive', this.timeouts.keepAliveMs);
  }

  /** Leaves the idle state (taken from the pool). */
  stopIdle(): void {
    this.onIdleExpire = null;
    this.disarm();
  }

  close(): Promise<void> {
    this.closed = true;
    this.disarm();
    return this.transport.close();
  }

  private arm(phase: Phase, ms: number): void {
    this.disarm();
    this.phase = phase;
    let limit = ms > 0 ? ms : Infinity;
    if (phase !== 'keepAlive' && this.deadline !== Infinity) {
      const left = Math.max(1, this.deadline - Date.now());
      if (left <= limit) {
        limit = left;
        this.phase = 'total';
      }
    }
    this.phaseMs = limit;
    if (limit === Infinity) return;
    this.timer = setTimeout(() => this.onTimer(), limit);
    this.timer.unref();
  }

  /** Progress in an idle-guarded phase: restart its clock, unless the total deadline binds. */
  private progress(): void {
    if (!this.timer || this.phase === 'total') return;
    if (this.deadline !== Infinity && Date.now() + this.phaseMs > this.deadline) this.arm(this.phase, this.phaseMs);
    else this.timer.refresh();
  }

  private disarm(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private onTimer(): void {
    this.timer = undefined;
    if (this.phase === 'keepAlive') {
      const cb = this.onIdleExpire;
      this.onIdleExpire = null;
      void this.close();
      cb?.();
      return;
    }
    const ms = this.phase === 'total' ? this.budgetMs : this.phaseMs;
    this.fail(new TimeoutError(this.phase, ms));
  }

  private fail(reason: UploadError): void {
    this.kill?.fire(reason);
    this.closed = true;
    void this.transport.close();
  }
}
