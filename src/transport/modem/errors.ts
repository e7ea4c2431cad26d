import { EiError } from '../../errors.ts';

/**
 * Stable codes of the modem transport. `retryable` says whether a fresh `connect()` (which
 * re-runs bring-up when needed) may succeed where this attempt failed. The client's retry logic
 * recognises these through `err instanceof EiError && err.retryable === true`, without importing
 * this module (transport sits below client).
 *
 * | code | retryable | when |
 * |---|---|---|
 * | EI_MODEM_PORT | no | serial port cannot be opened, or closed under us |
 * | EI_MODEM_NO_RESPONSE | yes | no `OK` to the `AT` probe during bring-up |
 * | EI_MODEM_COMMAND | no | a bring-up command (`AT+CFUN=1`, ...) answered `ERROR` |
 * | EI_MODEM_DIALECT | no | neither `AT#XSMVER` nor `AT#XSLMVER` answered |
 * | EI_MODEM_REGISTRATION_TIMEOUT | yes | `+CEREG` stat 1/5 not reached in time |
 * | EI_MODEM_DEREGISTERED | yes | `+CEREG` left 1/5 while a socket was open |
 * | EI_MODEM_SOCKET | yes | `AT#XSOCKET`/`AT#XSSOCKET`/option answered `ERROR` (all 8 in use, ...) |
 * | EI_MODEM_CONNECT | yes | `AT#XCONNECT` answered `ERROR` or `#XCONNECT: ...,0` |
 * | EI_MODEM_SEND | yes | data mode failed: `#XDATAMODE: <negative>`, modem sent `+++`, `ERROR` |
 * | EI_MODEM_RECV | yes | `AT#XRECV` failed at once (socket reset), not by its own timeout |
 * | EI_MODEM_REBOOTED | yes | `Ready` banner mid-session: every socket is gone |
 * | EI_MODEM_TIMEOUT | yes | a command got no final result within its timeout |
 * | EI_MODEM_PROTOCOL | yes | an answer we cannot parse (line noise, wrong dialect) |
 * | EI_MODEM_CLOSED | no | the transport or connector was closed locally |
 * | EI_MODEM_ABORTED | no | the caller's AbortSignal fired |
 */
export type ModemErrorCode =
  | 'EI_MODEM_PORT'
  | 'EI_MODEM_NO_RESPONSE'
  | 'EI_MODEM_COMMAND'
  | 'EI_MODEM_DIALECT'
  | 'EI_MODEM_REGISTRATION_TIMEOUT'
  | 'EI_MODEM_DEREGISTERED'
  | 'EI_MODEM_SOCKET'
  | 'EI_MODEM_CONNECT'
  | 'EI_MODEM_SEND'
  | 'EI_MODEM_RECV'
  | 'EI_MODEM_REBOOTED'
  | 'EI_MODEM_TIMEOUT'
  | 'EI_MODEM_PROTOCOL'
  | 'EI_MODEM_CLOSED'
  | 'EI_MODEM_ABORTED';

const RETRYABLE: Record<ModemErrorCode, boolean> = {
  EI_MODEM_PORT: false,
  EI_MODEM_NO_RESPONSE: true,
  EI_MODEM_COMMAND: false,
  EI_MODEM_DIALECT: false,
  EI_MODEM_REGISTRATION_TIMEOUT: true,
  EI_MODEM_DEREGISTERED: true,
  EI_MODEM_SOCKET: true,
  EI_MODEM_CONNECT: true,
  EI_MODEM_SEND: true,
  EI_MODEM_RECV: true,
  EI_MODEM_REBOOTED: true,
  EI_MODEM_TIMEOUT: true,
  EI_MODEM_PROTOCOL: true,
  EI_MODEM_CLOSED: false,
  EI_MODEM_ABORTED: false,
};

/** Any failure of the modem transport; `command` names the AT command at fault, if any. */
export class ModemError extends EiError {
  declare readonly code: ModemErrorCode;
  /** True when reconnecting (a new `connect()`) may succeed. */
  readonly retryable: boolean;
  /** The AT command that failed (no secrets: commands hold host names and handles only). */
  readonly command: string | undefined;

  constructor(
    code: ModemErrorCode,
    message: string,
    options?: { cause?: unknown; command?: string },
  ) {
    super(code, message, options);
    this.retryable = RETRYABLE[code];
    this.command = options?.command;
  }
}

/** Whether a modem error invalidates the modem state, so the next connect re-runs bring-up. */
export function needsBringUp(err: unknown): boolean {
  if (!(err instanceof ModemError)) return false;
  return (
    err.code === 'EI_MODEM_REBOOTED' ||
    err.code === 'EI_MODEM_TIMEOUT' ||
    err.code === 'EI_MODEM_PROTOCOL' ||
    err.code === 'EI_MODEM_NO_RESPONSE'
  );
}
