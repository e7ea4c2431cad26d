/** Failure modes of the serial AT daemon (issue 16), each with a stable code. */
import { EiError } from '../errors.ts';

/** A command got no complete answer (no prompt) in time. */
export class AtTimeoutError extends EiError {
  constructor(
    readonly command: string,
    readonly timeoutMs: number,
  ) {
    super('EI_DAEMON_AT_TIMEOUT', `board did not answer ${command} within ${timeoutMs} ms`);
  }
}

/** The board answered `Not a valid AT command` (or the ESP32 set's `Command not found!`). */
export class AtCommandError extends EiError {
  constructor(readonly command: string) {
    super('EI_DAEMON_AT_INVALID', `board does not know ${command} (answered: not a valid AT command)`);
  }
}

/**
 * The serial port: `EI_DAEMON_PORT_BUSY` (another process has it open), `EI_DAEMON_PORT_OPEN`
 * (cannot open), `EI_DAEMON_PORT_CLOSED` (went away while in use), `EI_DAEMON_NO_PROMPT` (no
 * `> ` after the handshake: not an Edge Impulse board, or stuck), `EI_DAEMON_LIST_PORTS`.
 */
export class BoardPortError extends EiError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, message, options);
  }
}

/** The board answered, but not what the protocol says (no sensors, no buffer range, bad base64, a reset). */
export class BoardProtocolError extends EiError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('EI_DAEMON_BOARD_PROTOCOL', message, options);
  }
}
