import { AtParser, type AtEvent } from './at-parser.ts';
import { finalResult, parseCeregStat, parseDataMode } from './commands.ts';
import { ModemError } from './errors.ts';
import type { ByteLink } from './serial-link.ts';

/** Lines and (for `#XRECV`) the counted raw bytes a command got before its `OK`. */
export interface AtReply {
  lines: string[];
  payload: Uint8Array | null;
}

/** A command's final `ERROR` / `+CME ERROR: n`; callers map it to a ModemError with their code. */
export class AtErrorResult extends Error {
  constructor(
    readonly command: string,
    readonly result: string,
    readonly lines: string[],
  ) {
    super(`${command} answered ${result}`);
  }
}

/** Things the modem says on its own. `escape` is a bare `+++` (socket error in data mode). */
export type ModemEvent =
  | { kind: 'ready' }
  | { kind: 'cereg'; stat: number }
  | { kind: 'datamode'; result: number }
  | { kind: 'escape' }
  | { kind: 'unsolicited'; text: string }
  | { kind: 'closed'; error: ModemError };

export interface CommandOptions {
  timeoutMs: number;
  /** Lines this command owns even though they look like URCs (`+CEREG:` for `AT+CEREG?`). */
  claims?: (line: string) => boolean;
}

interface Pending {
  text: string;
  lines: string[];
  payload: Uint8Array | null;
  claims: ((line: string) => boolean) | undefined;
  resolve: (r: AtReply) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

interface Waiter {
  match: (line: string) => boolean;
  resolve: (line: string) => void;
  reject: (e: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/**
 * One AT command at a time over a ByteLink: writes `<cmd><terminator>`, collects info lines and
 * `#XRECV` payloads until the final result, enforces a per-command timeout, and routes URCs to
 * listeners. A `Ready` banner fails whatever is pending with EI_MODEM_REBOOTED.
 * Multi-step operations (send in data mode, bring-up) hold `exclusive()` so nothing interleaves.
 */
export class AtChannel {
  /** Command terminator: bring-up probes with CR LF, then sets CR (new dialect) or CR LF (old). */
  terminator = '\r\n';
  private readonly parser = new AtParser();
  private pending: Pending | null = null;
  private readonly waiters = new Set<Waiter>();
  private readonly listeners = new Set<(e: ModemEvent) => void>();
  private chain: Promise<unknown> = Promise.resolve();
  private deadError: ModemError | null = null;
  /** Bytes written and read, for the wire-overhead benchmark. */
  readonly counters = { tx: 0, rx: 0 };

  constructor(
    private readonly link: ByteLink,
    private readonly log: (msg: string) => void = () => {},
  ) {
    link.onData((chunk) => {
      this.counters.rx += chunk.length;
      this.parser.feed(chunk, this.onEvent);
    });
    link.onClose((err) => {
      this.fail(new ModemError('EI_MODEM_PORT', 'serial link closed', { cause: err }));
    });
  }

  /** Non-null once the link is gone for good. */
  get dead(): ModemError | null {
    return this.deadError;
  }

  on(listener: (e: ModemEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Runs `fn` after every earlier exclusive section finished (a promise-chain mutex). */
  exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => {});
    return run;
  }

  /** Sends one command and resolves on `OK`; rejects with AtErrorResult or a ModemError. */
  command(text: string, options: CommandOptions): Promise<AtReply> {
    if (this.deadError) return Promise.reject(this.deadError);
    if (this.pending) {
      return Promise.reject(new Error(`AT command overlap: ${text} while ${this.pending.text}`));
    }
    return new Promise<AtReply>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.pending !== p) return;
        this.pending = null;
        // A payload cut short (modem rebooted mid-#XRECV) would swallow the next answers.
        if (this.parser.inPayload) this.parser.reset();
        reject(new ModemError('EI_MODEM_TIMEOUT', `no answer to ${text} in ${options.timeoutMs} ms`, { command: text }));
      }, options.timeoutMs);
      const p: Pending = { text, lines: [], payload: null, claims: options.claims, resolve, reject, timer };
      this.pending = p;
      this.log(`> ${text}`);
      this.writeRaw(new TextEncoder().encode(text + this.terminator)).catch((err: unknown) => {
        if (this.pending !== p) return;
        this.pending = null;
        clearTimeout(timer);
        reject(err instanceof Error ? err : new Error(String(err)));
      });
    });
  }

  /**
   * Resolves with the next line matching `match` (e.g. `#XDATAMODE:`), ahead of URC routing.
   * Register before writing what provokes the line. `cancel()` drops the wait silently.
   */
  waitFor(match: (line: string) => boolean, timeoutMs: number, what: string): { promise: Promise<string>; cancel: () => void } {
    let waiter!: Waiter;
    const promise = new Promise<string>((resolve, reject) => {
      if (this.deadError) return reject(this.deadError);
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        reject(new ModemError('EI_MODEM_TIMEOUT', `no ${what} in ${timeoutMs} ms`));
      }, timeoutMs);
      waiter = { match, resolve, reject, timer };
      this.waiters.add(waiter);
    });
    const cancel = () => {
      if (!waiter || !this.waiters.delete(waiter)) return;
      clearTimeout(waiter.timer);
    };
    return { promise, cancel };
  }

  /** Writes bytes as they are (data mode, `+++`). */
  async writeRaw(data: Uint8Array): Promise<void> {
    if (this.deadError) throw this.deadError;
    this.counters.tx += data.length;
    await this.link.write(data);
  }

  /** Fails everything pending and refuses further use (link closed). */
  fail(error: ModemError): void {
    if (this.deadError) return;
    this.deadError = error;
    this.rejectAll(error);
    this.emit({ kind: 'closed', error });
  }

  async close(): Promise<void> {
    this.fail(new ModemError('EI_MODEM_CLOSED', 'modem connector closed'));
    await this.link.close();
  }

  private rejectAll(error: Error): void {
    const p = this.pending;
    if (p) {
      this.pending = null;
      clearTimeout(p.timer);
      p.reject(error);
    }
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(error);
    }
    this.waiters.clear();
  }

  private emit(e: ModemEvent): void {
    for (const l of this.listeners) l(e);
  }

  private readonly onEvent = (e: AtEvent): void => {
    switch (e.kind) {
      case 'line':
        this.onLine(e.text);
        return;
      case 'payload':
        if (this.pending) this.pending.payload = e.data;
        else this.log(`dropped ${e.data.length} unsolicited payload bytes`);
        return;
      case 'escape':
        this.log('< +++');
        this.emit({ kind: 'escape' });
        return;
      case 'overflow':
        this.log(`< overlong line or payload (${e.length} bytes) dropped`);
        return;
    }
  };

  private onLine(text: string): void {
    this.log(`< ${text}`);
    if (text === 'Ready') {
      this.parser.reset();
      this.rejectAll(new ModemError('EI_MODEM_REBOOTED', 'modem rebooted (Ready banner); its sockets are gone'));
      this.emit({ kind: 'ready' });
      return;
    }
    for (const w of this.waiters) {
      if (!w.match(text)) continue;
      this.waiters.delete(w);
      clearTimeout(w.timer);
      w.resolve(text);
      return;
    }
    const p = this.pending;
    if (p?.claims?.(text)) {
      p.lines.push(text);
      return;
    }
    const stat = parseCeregStat(text, false);
    if (stat !== null) {
      this.emit({ kind: 'cereg', stat });
      return;
    }
    const dm = parseDataMode(text);
    if (dm !== null) {
      this.emit({ kind: 'datamode', result: dm });
      return;
    }
    if (!p) {
      this.emit({ kind: 'unsolicited', text });
      return;
    }
    const result = finalResult(text);
    if (result === null) {
      if (text !== p.text) p.lines.push(text); // skip the echo if the modem has ATE1
      return;
    }
    this.pending = null;
    clearTimeout(p.timer);
    if (result === 'ok') p.resolve({ lines: p.lines, payload: p.payload });
    else p.reject(new AtErrorResult(p.text, text, p.lines));
  }
}
