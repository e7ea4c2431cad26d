/**
 * One serial port to a board running Edge Impulse firmware, speaking its AT protocol (issue 16):
 *
 * - opened exclusively (serialport's `lock`: flock on the tty), so a port another process uses is
 *   an `EI_DAEMON_PORT_BUSY` error, never shared silently;
 * - handshake: `b\r` (breaks out of inference), then up to 5 s for the prompt `> `;
 * - a command is `CMD\r` written in 5-byte chunks 20 ms apart (the boards' UART buffers are
 *   small); its answer runs until the next prompt (see at-answer.ts); one command at a time;
 * - every command has a deadline; `Not a valid AT command` is an AtCommandError;
 * - fast transfer: `,y` commands answer `OK`, the rest comes at the transfer rate and ends with
 *   `OK`; the port follows the rate and switches back before waiting for the prompt.
 *
 * Everything received is bounded (`maxAnswerBytes`).
 */
import { EventEmitter } from 'node:events';
import { serialPortClass } from '../optional.ts';
import { answerLines, BOOT_BANNER, echoEnd, isInvalidAnswer, TerminatorScanner } from './at-answer.ts';
import { AtCommandError, AtTimeoutError, BoardPortError, BoardProtocolError } from './errors.ts';

/** The part of a serialport instance used here. */
export interface AtSerial {
  open(cb: (err: Error | null) => void): void;
  close(cb?: (err: Error | null) => void): void;
  write(data: Buffer, cb?: (err: Error | null | undefined) => void): unknown;
  drain(cb: (err: Error | null) => void): void;
  update(o: { baudRate: number }, cb: (err: Error | null) => void): void;
  on(ev: 'data', cb: (d: Buffer) => void): unknown;
  on(ev: 'close' | 'error', cb: (e?: Error) => void): unknown;
  readonly isOpen: boolean;
}

export interface AtPortOptions {
  path: string;
  baudRate?: number;
  /** Default command deadline (2 s, as the official daemon). */
  timeoutMs?: number;
  /** Handshake deadline for the prompt (5 s). */
  handshakeMs?: number;
  /** Bytes per write and the pause between them (5 and 20 ms). */
  chunkBytes?: number;
  chunkPauseMs?: number;
  maxAnswerBytes?: number;
  portFactory?: (path: string, baudRate: number) => AtSerial;
}

export interface ExecOptions {
  timeoutMs?: number;
  /** Each complete answer line as it arrives (sampling progress). */
  onLine?: (line: string) => void;
  /** Characters of answer received so far (read-back progress). */
  onBytes?: (received: number) => void;
}

export interface AtPortEvents {
  /** The port closed under us (unplugged, pty gone, board reset over USB). */
  closed: [reason: string];
}

/** `AT+X=args` → `AT+X`: errors never carry arguments (HMAC keys travel in them). */
export function commandName(command: string): string {
  return command.split('=')[0]!;
}

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class AtPort extends EventEmitter<AtPortEvents> {
  readonly path: string;
  readonly baudRate: number;
  private port: AtSerial | undefined;
  /** Received chunks not yet taken by a command (latin1 text). */
  private inbox: string[] = [];
  private inboxLength = 0;
  private waiter: (() => void) | undefined;
  private busy = false;
  private closedReason: string | undefined;
  /** Characters received in total (for diagnostics and the bench). */
  received = 0;

  constructor(private readonly o: AtPortOptions) {
    super();
    this.path = o.path;
    this.baudRate = o.baudRate ?? 115200;
  }

  /** Deadline of a command that does not set its own. */
  get defaultTimeoutMs(): number {
    return this.o.timeoutMs ?? 2000;
  }

  get isOpen(): boolean {
    return this.port?.isOpen === true && this.closedReason === undefined;
  }

  /** @throws BoardPortError EI_DAEMON_PORT_BUSY / EI_DAEMON_PORT_OPEN */
  async open(): Promise<void> {
    const port = this.o.portFactory
      ? this.o.portFactory(this.path, this.baudRate)
      : (new (serialPortClass())({ path: this.path, baudRate: this.baudRate, autoOpen: false, lock: true }) as unknown as AtSerial);
    port.on('data', (d) => {
      this.received += d.length;
      this.inbox.push(d.toString('latin1'));
      this.inboxLength += d.length;
      // Bounded: nothing takes this much between two reads; a flood keeps only its tail.
      const max = this.o.maxAnswerBytes ?? 16 * 1024 * 1024;
      if (this.inboxLength > max) {
        const s = this.take().slice(-max);
        this.inbox = [s];
        this.inboxLength = s.length;
      }
      this.waiter?.();
    });
    const gone = (why: string) => {
      if (this.closedReason !== undefined || this.port !== port) return;
      this.closedReason = why;
      this.waiter?.();
      this.emit('closed', why);
    };
    port.on('close', () => gone('port closed'));
    port.on('error', (e) => gone(e?.message ?? 'port error'));
    await new Promise<void>((res, rej) =>
      port.open((err) => {
        if (!err) return res();
        const busy = /lock|busy|EBUSY|EAGAIN|temporarily unavailable/i.test(err.message);
        rej(
          busy
            ? new BoardPortError('EI_DAEMON_PORT_BUSY', `serial port ${this.path} is in use by another process (it is locked); stop it or pick another --port`, { cause: err })
            : new BoardPortError('EI_DAEMON_PORT_OPEN', `cannot open serial port ${this.path}: ${err.message}`, { cause: err }),
        );
      }),
    );
    this.port = port;
    this.closedReason = undefined;
    this.discard();
  }

  async close(): Promise<void> {
    const p = this.port;
    this.closedReason ??= 'closed by the daemon';
    this.waiter?.();
    this.port = undefined;
    if (p?.isOpen) await new Promise<void>((r) => p.close(() => r()));
  }

  /** `b\r`, then the prompt within `handshakeMs`. @throws BoardPortError EI_DAEMON_NO_PROMPT */
  async handshake(): Promise<void> {
    return this.exclusive(async () => {
      this.discard();
      const ms = this.o.handshakeMs ?? 5000;
      const deadline = Date.now() + ms;
      const prompt = new TerminatorScanner(['\n> ']);
      // Once more half way: a board busy printing may have lost the first `b`.
      let resent = false;
      await this.writeRaw('b\r');
      while (!prompt.push(this.take())) {
        const left = deadline - Date.now();
        if (left <= 0) {
          throw new BoardPortError('EI_DAEMON_NO_PROMPT', `no prompt from ${this.path} within ${ms} ms after "b": is it a board running Edge Impulse firmware, at ${this.baudRate} baud?`);
        }
        if (!resent && left < ms / 2) {
          resent = true;
          await this.writeRaw('b\r');
        }
        await this.waitData(Math.min(left, 100));
      }
      this.discard();
    });
  }

  /**
   * Runs one command and returns its answer lines.
   * @throws AtTimeoutError, AtCommandError, BoardPortError EI_DAEMON_PORT_CLOSED
   */
  exec(command: string, opts: ExecOptions = {}): Promise<string[]> {
    return this.exclusive(async () => {
      const timeoutMs = opts.timeoutMs ?? this.o.timeoutMs ?? 2000;
      const deadline = Date.now() + timeoutMs;
      this.discard();
      await this.writeCommand(command, deadline, timeoutMs);
      let chunk = await this.afterEcho(command, deadline, timeoutMs);
      const body = new TerminatorScanner(['\n> ']);
      let emitted = 0;
      for (;;) {
        const done = body.push(chunk);
        if (opts.onLine) {
          // Lines as they complete (sampling progress); answers watched this way are short.
          const t = body.text();
          const complete = answerLines(done ? t : t.slice(0, t.lastIndexOf('\n') + 1));
          for (; emitted < complete.length; emitted++) opts.onLine(complete[emitted]!);
        }
        opts.onBytes?.(body.length);
        if (done) break;
        this.bound(body.length, command);
        await this.waitUntil(deadline, command, timeoutMs);
        chunk = this.take();
      }
      const lines = answerLines(body.text());
      if (isInvalidAnswer(lines)) throw new AtCommandError(commandName(command));
      return lines;
    });
  }

  /**
   * A fast-transfer command (`…,y`): `OK`, data at `transferBaud`, `OK`, back to the base rate,
   * prompt. Returns the data text between the two OKs.
   */
  execFast(command: string, transferBaud: number, opts: ExecOptions = {}): Promise<string> {
    return this.exclusive(async () => {
      const timeoutMs = opts.timeoutMs ?? this.o.timeoutMs ?? 2000;
      const deadline = Date.now() + timeoutMs;
      this.discard();
      await this.writeCommand(command, deadline, timeoutMs);
      // Up to the first OK line: a refusal or a bare prompt instead means no fast transfer.
      const ok = new TerminatorScanner(['\nOK\r\n', '\nOK\n', '\n> ']);
      let chunk = await this.afterEcho(command, deadline, timeoutMs);
      while (!ok.push(chunk)) {
        await this.waitUntil(deadline, command, timeoutMs);
        chunk = this.take();
      }
      const before = answerLines(ok.text());
      if (isInvalidAnswer(before) || before.some((l) => l.trim() !== '')) throw new AtCommandError(commandName(command));
      await this.setBaud(transferBaud);
      const data = new TerminatorScanner(['\nOK\r', '\nOK\n']);
      try {
        chunk = ok.rest;
        for (;;) {
          const done = data.push(chunk);
          opts.onBytes?.(data.length);
          if (done) break;
          this.bound(data.length, command);
          await this.waitUntil(deadline, command, timeoutMs);
          chunk = this.take();
        }
      } finally {
        if (this.isOpen) await this.setBaud(this.baudRate);
      }
      const prompt = new TerminatorScanner(['\n> ']);
      chunk = data.rest;
      while (!prompt.push(chunk)) {
        await this.waitUntil(deadline, command, timeoutMs);
        chunk = this.take();
      }
      return data.text();
    });
  }

  /**
   * Waits for the echo of `command`; returns what followed it. Bytes before it are skipped. A
   * board that booted meanwhile (banner, then its prompt) lost the command: it is written once more.
   */
  private async afterEcho(command: string, deadline: number, timeoutMs: number): Promise<string> {
    let head = this.take();
    let resent = false;
    for (;;) {
      const e = echoEnd(head, command);
      if (e >= 0) return head.slice(e);
      if (!resent && BOOT_BANNER.test(head) && /(^|\n)> $/.test(head)) {
        resent = true;
        head = '';
        this.discard();
        await this.writeCommand(command, deadline, timeoutMs);
        head = this.take();
        continue;
      }
      // Garbage before the echo is bounded: keep only what may still hold a split echo.
      if (head.length > 64 * 1024) head = head.slice(-(command.length + 1024));
      await this.waitUntil(deadline, command, timeoutMs);
      head += this.take();
    }
  }

  private discard(): void {
    this.inbox = [];
    this.inboxLength = 0;
  }

  /** Answers are bounded too: a board streaming forever is an error, not a memory leak. */
  private bound(n: number, command: string): void {
    const max = this.o.maxAnswerBytes ?? 16 * 1024 * 1024;
    if (n > max) throw new BoardProtocolError(`answer to ${commandName(command)} exceeds ${max} bytes`);
  }

  /** Everything received since the last take. */
  private take(): string {
    if (this.inbox.length === 0) return '';
    const s = this.inbox.length === 1 ? this.inbox[0]! : this.inbox.join('');
    this.discard();
    this.inboxLength = 0;
    return s;
  }

  private setBaud(baudRate: number): Promise<void> {
    const p = this.port;
    if (!p) return Promise.resolve();
    // A pty ignores the rate (FACTS §8); a USB CDC port takes it. An error here is the port's.
    return new Promise((res) => p.update({ baudRate }, () => res()));
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (this.busy) throw new Error('AtPort: one command at a time');
    this.busy = true;
    try {
      this.checkOpen();
      return await fn();
    } finally {
      this.busy = false;
    }
  }

  private checkOpen(): void {
    if (!this.port || this.closedReason !== undefined) {
      throw new BoardPortError('EI_DAEMON_PORT_CLOSED', `serial port ${this.path} is not open${this.closedReason ? ` (${this.closedReason})` : ''}`);
    }
  }

  private async writeCommand(command: string, deadline: number, timeoutMs: number): Promise<void> {
    const bytes = Buffer.from(command + '\r', 'latin1');
    const n = this.o.chunkBytes ?? 5;
    for (let i = 0; i < bytes.length; i += n) {
      if (Date.now() > deadline) throw new AtTimeoutError(commandName(command), timeoutMs);
      await this.writeRaw(bytes.subarray(i, i + n));
      if (i + n < bytes.length) await sleep(this.o.chunkPauseMs ?? 20);
    }
  }

  private writeRaw(data: string | Buffer): Promise<void> {
    this.checkOpen();
    const p = this.port!;
    const buf = typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
    return new Promise((res, rej) => {
      p.write(buf);
      p.drain((err) => (err ? rej(new BoardPortError('EI_DAEMON_PORT_CLOSED', `write to ${this.path} failed: ${err.message}`, { cause: err })) : res()));
    });
  }

  private async waitUntil(deadline: number, command: string, timeoutMs: number): Promise<void> {
    this.checkOpen();
    const left = deadline - Date.now();
    if (left <= 0) throw new AtTimeoutError(commandName(command), timeoutMs);
    await this.waitData(left);
    this.checkOpen();
  }

  private waitData(ms: number): Promise<void> {
    return new Promise((res) => {
      const t = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(t);
        if (self.waiter === done) self.waiter = undefined;
        res();
      }
      this.waiter = done;
    });
  }
}
