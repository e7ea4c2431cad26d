import type { Transport } from '../transport.ts';
import { AtErrorResult, type AtChannel } from './at-channel.ts';
import { checkAbort, run } from './bring-up.ts';
import { cmd, RECV_MAX, parseConnected, parseDataMode, parseSocketHandle, type ModemDialect } from './commands.ts';
import { ModemError } from './errors.ts';
import { planPlusSafe } from './plus-guard.ts';

export interface SocketContext {
  ch: AtChannel;
  dialect: ModemDialect;
  baud: number;
  commandTimeoutMs: number;
  connectTimeoutMs: number;
  /** `<timeout>` of each `AT#XRECV` poll, in seconds (the modem's unit). */
  recvPollS: number;
  /** A read() that sees no byte and no close for this long fails with EI_MODEM_TIMEOUT. */
  readTimeoutMs: number;
  /** Bytes gathered before one data-mode send (the send buffer). */
  sendChunk: number;
  /** New dialect: most bytes one `AT#XSEND=<h>,2,0,<len>` carries (writes larger than the buffer). */
  maxSend: number;
}

export interface SocketTarget {
  host: string;
  port: number;
  tls: boolean;
  secTag: number;
  peerVerify: boolean;
}

const PLUS3 = new Uint8Array([0x2b, 0x2b, 0x2b]);
/** A partly filled send buffer goes out after writes paused this long. */
const LAZY_FLUSH_MS = 2;
/** Writes must pause this long before a read may hold the line with `AT#XRECV`. */
const QUIET_MS = 5;
/** Raw writes are cut into pieces this size so a reboot or `+++` from the modem stops us early. */
const RAW_PIECE = 2048;

/**
 * One modem socket as a Transport. write() gathers bytes and sends them in data mode
 * `sendChunk` at a time (fewer commands on the wire); read() first sends what is gathered,
 * then polls `AT#XRECV` until bytes arrive or the peer closes (null).
 */
export class ModemSocket implements Transport {
  private readonly buf: Uint8Array;
  private fill = 0;
  private flushing: Promise<void> | null = null;
  private lazyTimer: ReturnType<typeof setTimeout> | null = null;
  private lastWriteAt = 0;
  private readCalledAt = 0;
  private lastRecvFull = false;
  private error: ModemError | null = null;
  private closed = false;
  private eof = false;
  private interruptNow!: () => void;
  private readonly interrupt = new Promise<void>((resolve) => (this.interruptNow = resolve));

  private constructor(
    private readonly ctx: SocketContext,
    readonly handle: number,
    private readonly onClosed: (s: ModemSocket) => void,
  ) {
    this.buf = new Uint8Array(ctx.sendChunk);
  }

  /** Opens and connects a socket (`AT#XSOCKET`/`AT#XSSOCKET`, hostname option, `AT#XCONNECT`). */
  static open(
    ctx: SocketContext,
    target: SocketTarget,
    onClosed: (s: ModemSocket) => void,
    signal?: AbortSignal,
  ): Promise<ModemSocket> {
    const { ch, dialect } = ctx;
    return ch.exclusive(async () => {
      checkAbort(signal);
      const openCmd = cmd.openSocket(dialect, target.tls, target.secTag, target.peerVerify);
      const lines = await run(ch, openCmd, 'EI_MODEM_SOCKET', ctx.commandTimeoutMs);
      const handle = parseSocketHandle(lines, target.tls);
      if (handle === null) {
        throw new ModemError('EI_MODEM_PROTOCOL', `${openCmd} gave no socket handle`, { command: openCmd });
      }
      try {
        if (target.tls) {
          await run(ch, cmd.hostname(dialect, handle, target.host), 'EI_MODEM_SOCKET', ctx.commandTimeoutMs);
        }
        checkAbort(signal);
        const connectCmd = cmd.connect(dialect, handle, target.host, target.port);
        const ok = parseConnected(await run(ch, connectCmd, 'EI_MODEM_CONNECT', ctx.connectTimeoutMs));
        if (ok === false) {
          throw new ModemError('EI_MODEM_CONNECT', `${connectCmd} reported not connected`, { command: connectCmd });
        }
      } catch (err) {
        // Free the handle (8 at most); pointless after a reboot or a dead link.
        if (!(err instanceof ModemError && (err.code === 'EI_MODEM_REBOOTED' || err.code === 'EI_MODEM_PORT'))) {
          await ch.command(cmd.close(dialect, handle), { timeoutMs: ctx.commandTimeoutMs }).catch(() => {});
        }
        throw err;
      }
      return new ModemSocket(ctx, handle, onClosed);
    });
  }

  get isOpen(): boolean {
    return !this.closed && !this.error && !this.eof;
  }

  /** Latches an error from outside (reboot, deregistration); pending and later calls fail with it. */
  fail(err: ModemError): void {
    if (this.error || this.closed) return;
    this.error = err;
    this.interruptNow();
  }

  /**
   * Copies `data` into the send buffer; sends a full buffer at once (and waits: backpressure).
   * A partly filled buffer goes out once writes pause for LAZY_FLUSH_MS, or when read() starts
   * waiting for the response, so the end of a request is never held back.
   */
  async write(data: Uint8Array): Promise<void> {
    this.check();
    this.cancelLazy();
    this.lastWriteAt = Date.now();
    this.lastRecvFull = false;
    if (this.flushing) await this.flushing;
    this.check();
    let off = 0;
    if (this.ctx.dialect === 'new') {
      // A write that overflows the buffer goes out at once, in `AT#XSEND`s of up to maxSend
      // bytes: what is buffered, then views of `data` (no copy; we resolve only once sent).
      while (this.fill + data.length - off > this.buf.length) {
        const take = Math.min(data.length - off, this.ctx.maxSend - this.fill);
        await this.runFlush(true, data.subarray(off, off + take));
        off += take;
      }
    }
    while (off < data.length) {
      const n = Math.min(this.buf.length - this.fill, data.length - off);
      this.buf.set(data.subarray(off, off + n), this.fill);
      this.fill += n;
      off += n;
      if (this.fill === this.buf.length) await this.runFlush(false);
    }
    this.lastWriteAt = Date.now();
    if (this.fill > 0) this.armLazy();
  }

  async read(): Promise<Uint8Array | null> {
    if (this.closed || this.eof) return null;
    this.check();
    this.readCalledAt = Date.now();
    const loop = this.pollRecv();
    const stop = this.interrupt.then(() => {
      if (this.error) throw this.error;
      return null;
    });
    return Promise.race([loop, stop]);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelLazy();
    this.interruptNow();
    this.onClosed(this);
    const { ch, dialect } = this.ctx;
    if (this.error?.code === 'EI_MODEM_REBOOTED' || ch.dead) return;
    await ch
      .exclusive(() => ch.command(cmd.close(dialect, this.handle), { timeoutMs: this.ctx.commandTimeoutMs }))
      .catch(() => {}); // already closed by the peer or the modem: nothing to free
  }

  private check(): void {
    if (this.error) throw this.error;
    if (this.closed) throw new ModemError('EI_MODEM_CLOSED', 'modem socket is closed');
  }

  private runFlush(final: boolean, extra?: Uint8Array): Promise<void> {
    const p: Promise<void> = this.flush(final, extra).finally(() => {
      if (this.flushing === p) this.flushing = null;
    });
    this.flushing = p;
    return p;
  }

  private armLazy(): void {
    this.lazyTimer = setTimeout(() => {
      this.lazyTimer = null;
      if (this.fill === 0 || this.closed || this.error || this.flushing) return;
      this.runFlush(true).catch((err: unknown) => this.fail(asModemError(err)));
    }, LAZY_FLUSH_MS);
  }

  private cancelLazy(): void {
    if (this.lazyTimer) clearTimeout(this.lazyTimer);
    this.lazyTimer = null;
  }

  /**
   * Before an `AT#XRECV` poll, which holds the line for up to `recvPollS`: let the request go
   * out first. The client starts reading before it writes, so wait until neither a write nor
   * the read() call itself happened for QUIET_MS and nothing is buffered.
   */
  private async waitSendIdle(): Promise<void> {
    for (;;) {
      if (this.closed || this.error) return;
      if (this.flushing) {
        await this.flushing.catch(() => {});
        continue;
      }
      // Mid-response (the last poll came back full): more is waiting, poll at once.
      if (this.lastRecvFull && this.fill === 0) return;
      const quiet = Date.now() - Math.max(this.lastWriteAt, this.readCalledAt);
      if (this.fill === 0 && quiet >= QUIET_MS) return;
      if (this.fill > 0 && quiet >= QUIET_MS) {
        this.cancelLazy();
        await this.runFlush(true);
        continue;
      }
      await new Promise((r) => setTimeout(r, Math.max(1, QUIET_MS - quiet)));
    }
  }

  /** Sends the gathered bytes; `final` also sends a trailing '+' run (old dialect). */
  private async flush(final: boolean, extra?: Uint8Array): Promise<void> {
    const bytes = this.buf.subarray(0, this.fill);
    if (this.ctx.dialect === 'new') {
      const parts = extra ? [bytes, extra] : [bytes];
      await this.ctx.ch.exclusive(() => this.sendDataMode(parts, false));
      this.fill = 0;
      return;
    }
    const plan = planPlusSafe(bytes, final);
    await this.ctx.ch.exclusive(async () => {
      for (const seg of plan.segments) {
        if (seg.kind === 'data') await this.sendDataMode([seg.bytes], true);
        else await this.sendLiteralPlus(seg.count);
      }
    });
    // The carried '+' bytes (at most two) start the next buffer.
    this.buf.fill(0x2b, 0, plan.carry);
    this.fill = plan.carry;
  }

  /**
   * One data-mode session. New dialect: `AT#XSEND=<h>,2,0,<len>` then exactly len bytes; the
   * modem leaves data mode by itself. Old: `AT#XSEND`, bytes (plus-safe, see plus-guard.ts),
   * then `+++`. Both end with `#XDATAMODE: <n>`, negative on failure.
   */
  private async sendDataMode(parts: Uint8Array[], terminated: boolean): Promise<void> {
    this.check();
    const { ch } = this.ctx;
    const length = parts.reduce((n, p) => n + p.length, 0);
    if (length === 0) return;
    const text = terminated ? cmd.sendDataMode : cmd.sendLen(this.handle, length);
    await run(ch, text, 'EI_MODEM_SEND', this.ctx.commandTimeoutMs);
    const wireMs = Math.ceil((length * 10_000) / this.ctx.baud);
    const done = ch.waitFor((l) => l.startsWith('#XDATAMODE:'), this.ctx.commandTimeoutMs + 3 * wireMs, '#XDATAMODE');
    done.promise.catch(() => {}); // awaited below; avoid an unhandled rejection meanwhile
    let escaped = false;
    const off = ch.on((e) => {
      if (e.kind === 'escape') escaped = true;
    });
    try {
      // Old dialect: on a socket error the modem sends `+++` and drops data until we answer
      // `+++` (FACTS §7), so stop early. New dialect: the modem counts <len> bytes, so finish them.
      for (const bytes of parts) {
        for (let i = 0; i < bytes.length && !(escaped && terminated); i += RAW_PIECE) {
          if (this.error) throw this.error;
          await ch.writeRaw(bytes.subarray(i, Math.min(bytes.length, i + RAW_PIECE)));
        }
      }
      if (terminated) await ch.writeRaw(PLUS3);
      const result = parseDataMode(await done.promise);
      if (escaped || result === null || result < 0) {
        throw new ModemError('EI_MODEM_SEND', `data mode send failed (#XDATAMODE: ${result ?? '?'})`, { command: text });
      }
    } catch (err) {
      done.cancel();
      throw err;
    } finally {
      off();
    }
  }

  /** Old dialect: '+' bytes that data mode cannot carry, via the AT-level string form. */
  private async sendLiteralPlus(count: number): Promise<void> {
    for (let left = count; left > 0; ) {
      const n = Math.min(left, 512);
      this.check();
      await run(this.ctx.ch, cmd.sendLiteral('+'.repeat(n)), 'EI_MODEM_SEND', this.ctx.commandTimeoutMs);
      left -= n;
    }
  }

  /**
   * Polls `AT#XRECV`. `ERROR` has no errno in these firmwares: one that comes back after (most
   * of) the poll timeout is the modem's own timeout (nothing yet, poll again); one that comes
   * back at once is a failed socket.
   */
  private async pollRecv(): Promise<Uint8Array | null> {
    const { ch, dialect } = this.ctx;
    const deadline = Date.now() + this.ctx.readTimeoutMs;
    const text = cmd.recv(dialect, this.handle, this.ctx.recvPollS);
    for (;;) {
      await this.waitSendIdle();
      if (this.closed) return null;
      this.check();
      let started = 0;
      try {
        const reply = await ch.exclusive(() => {
          this.check();
          started = Date.now();
          return ch.command(text, { timeoutMs: this.ctx.recvPollS * 1000 + this.ctx.commandTimeoutMs });
        });
        if (reply.payload && reply.payload.length > 0) {
          this.lastRecvFull = reply.payload.length >= RECV_MAX;
          return reply.payload;
        }
        this.eof = true; // bare OK (or size 0): the peer closed
        return null;
      } catch (err) {
        if (!(err instanceof AtErrorResult)) throw err;
        const waited = Date.now() - started;
        if (started === 0 || waited < this.ctx.recvPollS * 800) {
          throw new ModemError('EI_MODEM_RECV', `${text} failed after ${waited} ms`, { cause: err, command: text });
        }
        if (Date.now() >= deadline) {
          throw new ModemError('EI_MODEM_TIMEOUT', `no response bytes in ${this.ctx.readTimeoutMs} ms`, { command: text });
        }
      }
    }
  }
}

function asModemError(err: unknown): ModemError {
  return err instanceof ModemError ? err : new ModemError('EI_MODEM_SEND', 'data mode send failed', { cause: err });
}
