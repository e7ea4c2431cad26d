/**
 * The simulated nRF91 running the Serial (LTE) Modem application: takes bytes clocked in by the
 * UART, assembles and runs AT commands one at a time (input waits while one runs, as the firmware
 * holds RTS), switches to data mode, emits URCs, and reboots on demand.
 */
import { AtSyntaxError, parseCommand } from './at-args.ts';
import { basicCommands } from './basic-commands.ts';
import { CommandLineAssembler } from './command-line.ts';
import type { CommandHandler, CommandResult, Dialect, ModemContext } from './command-types.ts';
import { DataModeSession } from './data-mode.ts';
import { DEFAULT_RESET_AFTER_BYTES, takeFault, type ModemFaults } from './faults.ts';
import type { PacedUart } from './paced-uart.ts';
import { Registration } from './registration.ts';
import { errnoOf, type SimSocket, type SocketNetOptions } from './sim-socket.ts';
import { newSocketCommands, oldSocketCommands } from './socket-commands.ts';
import { SocketTable } from './socket-table.ts';

export interface ModemCoreOptions {
  dialect: Dialect;
  imei: string;
  registrationDelayMs: number;
  roaming: boolean;
  firstHandle: number;
  faults: ModemFaults;
  net: SocketNetOptions;
  log: (line: string) => void;
}

export interface ModemCounters {
  commands: number;
  reboots: number;
  droppedFromHost: number;
  bytesToNetwork: number;
  dataModeSessions: number;
}

type State = 'command' | 'busy' | 'data';

export class Modem {
  readonly counters: ModemCounters = { commands: 0, reboots: 0, droppedFromHost: 0, bytesToNetwork: 0, dataModeSessions: 0 };
  private readonly ctx: ModemContext;
  private readonly handlers: Record<string, CommandHandler>;
  private readonly line: CommandLineAssembler;
  private state: State = 'command';
  private data: DataModeSession | undefined;
  private deferredUrcs: string[] = [];
  /** Bumped on reboot so late completions of the previous life are ignored. */
  private epoch = 0;
  private closed = false;

  constructor(
    private readonly uart: PacedUart,
    private readonly opts: ModemCoreOptions,
  ) {
    const registration = new Registration({
      delayMs: opts.registrationDelayMs,
      roaming: opts.roaming,
      noRegistrationMs: () => opts.faults.noRegistrationMs ?? 0,
      urc: (line) => this.urc(line),
    });
    this.ctx = {
      dialect: opts.dialect,
      imei: opts.imei,
      registration,
      faults: opts.faults,
      net: opts.net,
      sockets: new SocketTable(opts.firstHandle),
      log: opts.log,
    };
    this.handlers = { ...basicCommands, ...(opts.dialect === 'new' ? newSocketCommands : oldSocketCommands) };
    // New Serial Modem: CR terminates; old SLM: CR+LF (FACTS §7).
    this.line = new CommandLineAssembler(opts.dialect === 'new' ? 'cr' : 'crlf');
    uart.setSink((bytes) => this.feed(bytes));
  }

  get openSockets(): number {
    return this.ctx.sockets.size;
  }

  get registration(): Registration {
    return this.ctx.registration;
  }

  /** Power-on banner. */
  boot(): void {
    this.uart.send('Ready\r\n');
  }

  /** Drops every socket and all state, then prints the banner again (fault or `inject`). */
  reboot(): void {
    this.opts.log('reboot');
    this.epoch++;
    this.counters.reboots++;
    this.data?.abort();
    this.data = undefined;
    this.state = 'command';
    this.deferredUrcs = [];
    this.line.reset();
    this.ctx.sockets.clear(true);
    this.ctx.registration.reset();
    this.uart.discardAll();
    this.uart.send('\r\nReady\r\n');
  }

  close(): void {
    this.closed = true;
    this.epoch++;
    this.data?.abort();
    this.ctx.sockets.clear(false);
    this.ctx.registration.reset();
  }

  /** UART sink: returns how many bytes were taken; the rest wait (flow control). */
  private feed(bytes: Uint8Array): number {
    const faults = this.opts.faults;
    let i = 0;
    while (i < bytes.length && !this.closed) {
      const left = faults.rebootAfterBytes;
      if (left !== undefined && left <= 0) break;
      const end = left === undefined ? bytes.length : Math.min(bytes.length, i + left);
      const took = this.feedSome(bytes.subarray(i, end));
      if (faults.rebootAfterBytes !== undefined) faults.rebootAfterBytes -= took;
      i += took;
      if (took === 0) break;
    }
    if (faults.rebootAfterBytes !== undefined && faults.rebootAfterBytes <= 0) {
      delete faults.rebootAfterBytes;
      this.reboot();
    }
    return i;
  }

  private feedSome(bytes: Uint8Array): number {
    let i = 0;
    while (i < bytes.length) {
      if (this.state === 'busy') return i;
      if (this.state === 'data') {
        const n = this.data!.feed(bytes.subarray(i));
        i += n;
        if (n === 0 || this.state === 'data') return i;
        continue;
      }
      const ev = this.line.push(bytes[i++]);
      if (!ev) continue;
      if (ev.kind === 'overflow') {
        this.opts.log('command buffer overflow');
        this.respond({ kind: 'error' });
        continue;
      }
      this.run(ev.line);
    }
    return i;
  }

  private run(line: string): void {
    this.counters.commands++;
    this.opts.log(`> ${redact(line)}`);
    let result: CommandResult | Promise<CommandResult>;
    try {
      const cmd = parseCommand(line);
      const handler = cmd ? this.handlers[cmd.name] : undefined;
      result = cmd && handler ? handler(this.ctx, cmd) : { kind: 'error' };
    } catch (err) {
      if (!(err instanceof AtSyntaxError)) this.opts.log(`command failed: ${(err as Error).message}`);
      result = { kind: 'error' };
    }
    if (!(result instanceof Promise)) return this.finishCommand(result);
    this.state = 'busy';
    const epoch = this.epoch;
    result.then(
      (r) => {
        if (epoch !== this.epoch) return;
        this.state = 'command';
        this.finishCommand(r);
        this.uart.kick();
      },
      (err) => {
        if (epoch !== this.epoch) return;
        this.opts.log(`command failed: ${(err as Error).message}`);
        this.state = 'command';
        this.finishCommand({ kind: 'error' });
        this.uart.kick();
      },
    );
  }

  private finishCommand(r: CommandResult): void {
    if (r.kind === 'datamode') {
      this.respond({ kind: 'ok' });
      this.enterDataMode(r.socket, r.length);
      return;
    }
    this.respond(r);
  }

  private respond(r: Exclude<CommandResult, { kind: 'datamode' }>): void {
    if (r.kind === 'raw') {
      this.uart.send(r.bytes);
      this.opts.log(`< (${r.bytes.length} bytes)`);
      return;
    }
    let out = '';
    for (const l of r.lines ?? []) out += `\r\n${l}\r\n`;
    out += r.kind === 'ok' ? '\r\nOK\r\n' : '\r\nERROR\r\n';
    this.opts.log(`< ${out.trim().replace(/\r\n(\r\n)?/g, ' | ')}`);
    this.uart.send(out);
  }

  private enterDataMode(socket: SimSocket, length: number | undefined): void {
    this.counters.dataModeSessions++;
    const faults = this.opts.faults;
    let resetAt = takeFault(faults, 'resetMidSend') ? (faults.resetAfterBytes ?? DEFAULT_RESET_AFTER_BYTES) : undefined;
    let sent = 0;
    const epoch = this.epoch;
    this.state = 'data';
    this.line.reset();
    this.opts.log(`data mode on socket ${socket.handle}${length !== undefined ? ` (${length} bytes)` : ''}`);
    this.data = new DataModeSession({
      length,
      dropWithoutFlowControl: faults.dropBytesWithoutFlowControl ?? false,
      flush: async (bytes) => {
        const cut = resetAt !== undefined && sent + bytes.length >= resetAt ? resetAt - sent : undefined;
        if (cut !== undefined) resetAt = undefined;
        sent += bytes.length;
        this.counters.bytesToNetwork += cut ?? bytes.length;
        await socket.write(bytes, cut);
      },
      errnoOf,
      toHost: (s) => this.uart.send(s),
      onExit: (result) => {
        if (epoch !== this.epoch) return;
        this.opts.log(`data mode ended: ${result}`);
        this.data = undefined;
        this.state = 'command';
        this.uart.send(`\r\n#XDATAMODE: ${result}\r\n`);
        for (const u of this.deferredUrcs.splice(0)) this.urc(u);
        this.uart.kick();
      },
      onReady: () => this.uart.kick(),
      onDrop: (n) => (this.counters.droppedFromHost += n),
    });
    if (this.state !== 'data') this.data = undefined; // zero-length send ended at once
  }

  /** URCs wait while in data mode (they would corrupt the stream). */
  private urc(line: string): void {
    if (this.closed) return;
    if (this.state === 'data') {
      this.deferredUrcs.push(line);
      return;
    }
    this.opts.log(`< ${line}`);
    this.uart.send(`\r\n${line}\r\n`);
  }
}

/** Log form of a command line: payload strings (`AT#XSEND="…"` may carry a request with its API key) are elided. */
function redact(line: string): string {
  if (/^AT#XSEND=/i.test(line) && line.includes('"')) return `${line.slice(0, line.indexOf('"'))}"<${line.length} chars>"`;
  return line.length > 200 ? line.slice(0, 200) + '…' : line;
}
