/**
 * Assembles AT command lines from bytes clocked in from the host, the way the Serial (LTE) Modem
 * application's command handler does (FACTS §7): bytes before the leading `A`/`a` are ignored
 * (so the LF of a CR+LF after a CR-terminated command is harmless), terminators inside double
 * quotes do not end a command, and the buffer holds 4096 bytes.
 * Pure: no I/O, no timers.
 */

/** Command terminator the firmware was built with. */
export type Terminator = 'cr' | 'crlf';

/** Size of the firmware's AT command buffer (FACTS §7). */
export const COMMAND_BUFFER_SIZE = 4096;

export type CommandLineEvent =
  | { kind: 'command'; line: string }
  | { kind: 'overflow' };

export class CommandLineAssembler {
  private readonly buf = new Uint8Array(COMMAND_BUFFER_SIZE);
  private len = 0;
  private inQuotes = false;
  /** Set after an overflow: everything up to the next terminator is discarded. */
  private discarding = false;
  private prev = -1;

  constructor(private readonly terminator: Terminator) {}

  /** Forgets a partial command (reboot, entering data mode). */
  reset(): void {
    this.len = 0;
    this.inQuotes = false;
    this.discarding = false;
    this.prev = -1;
  }

  /** True while part of a command has been received. */
  get pending(): boolean {
    return this.len > 0;
  }

  /**
   * Feeds one byte. Returns a complete command line (without terminator), an overflow notice
   * (answered with ERROR by the caller, once) or null.
   */
  push(byte: number): CommandLineEvent | null {
    const prev = this.prev;
    this.prev = byte;
    if (this.len === 0 && !this.discarding && byte !== 0x41 && byte !== 0x61) return null; // wait for 'A'
    if (!this.inQuotes && this.isTerminator(byte, prev)) {
      if (this.discarding) {
        this.reset();
        return null;
      }
      let end = this.len;
      if (this.terminator === 'crlf') end -= 1; // drop the CR before the LF
      const line = Buffer.from(this.buf.subarray(0, end)).toString('latin1');
      this.reset();
      return { kind: 'command', line };
    }
    if (this.discarding) return null;
    if (byte === 0x22) this.inQuotes = !this.inQuotes;
    if (this.len >= COMMAND_BUFFER_SIZE) {
      this.reset();
      this.discarding = true;
      return { kind: 'overflow' };
    }
    this.buf[this.len++] = byte;
    return null;
  }

  private isTerminator(byte: number, prev: number): boolean {
    if (this.terminator === 'cr') return byte === 0x0d;
    return byte === 0x0a && prev === 0x0d;
  }
}
