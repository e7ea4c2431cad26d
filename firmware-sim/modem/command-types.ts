/** Shapes shared by the command handlers and the modem core. */
import type { ParsedCommand } from './at-args.ts';
import type { Registration } from './registration.ts';
import type { ModemFaults } from './faults.ts';
import type { SimSocket, SocketNetOptions } from './sim-socket.ts';
import type { SocketTable } from './socket-table.ts';

export type Dialect = 'new' | 'old';

/** What a handler asks the core to send back. */
export type CommandResult =
  | { kind: 'ok'; lines?: string[] }
  | { kind: 'error'; lines?: string[] }
  /** A complete response written as is (binary `#XRECV`). */
  | { kind: 'raw'; bytes: Buffer }
  /** `OK`, then data mode towards `socket`. */
  | { kind: 'datamode'; socket: SimSocket; length?: number };

export const OK: CommandResult = { kind: 'ok' };
export const ERROR: CommandResult = { kind: 'error' };
export const ok = (...lines: string[]): CommandResult => ({ kind: 'ok', lines });

export interface ModemContext {
  readonly dialect: Dialect;
  readonly imei: string;
  readonly registration: Registration;
  readonly faults: ModemFaults;
  readonly net: SocketNetOptions;
  readonly sockets: SocketTable;
  log(line: string): void;
}

export type CommandHandler = (ctx: ModemContext, cmd: ParsedCommand) => CommandResult | Promise<CommandResult>;

