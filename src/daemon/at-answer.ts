/**
 * Cutting one answer out of what a board running Edge Impulse firmware sent after a command
 * (issue 16), pure: the board echoes the command, prints the answer, then the prompt `> `. Bytes
 * before the echo (garbage, debug prints, an earlier prompt) are skipped; the echo line and the
 * prompt are dropped; bare LF and CRLF both end lines.
 */

/** Error answers of the two handler sets (firmware-sdk, ESP32). */
const INVALID = /Not a valid AT command|Command not found!/;

export interface Answer {
  /** Answer lines, without the echo and the prompt. */
  lines: string[];
  /** Characters of the buffer used up (the prompt included). */
  consumed: number;
}

/** Index just past the echo line of `command` in `text`, or -1 while it has not fully arrived. */
export function echoEnd(text: string, command: string): number {
  const at = text.indexOf(command);
  if (at < 0) return -1;
  const nl = text.indexOf('\n', at + command.length);
  return nl < 0 ? -1 : nl + 1;
}

/** Index of the prompt `> ` at a line start at or after `from`, or -1. */
export function promptAt(text: string, from: number): number {
  if (text.startsWith('> ', from)) return from;
  const i = text.indexOf('\n> ', from);
  return i < 0 ? -1 : i + 1;
}

/** Splits answer text into lines: CRLF and bare LF end lines, stray CRs go. */
export function answerLines(text: string): string[] {
  const lines = text.replace(/\r+\n/g, '\n').replace(/\r/g, '').split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** The answer to `command` once its prompt arrived, else null. */
export function takeAnswer(text: string, command: string): Answer | null {
  const start = echoEnd(text, command);
  if (start < 0) return null;
  const p = promptAt(text, start);
  if (p < 0) return null;
  return { lines: answerLines(text.slice(start, p)), consumed: p + 2 };
}

/** True when the board refused the command as unknown. */
export function isInvalidAnswer(lines: readonly string[]): boolean {
  return lines.some((l) => INVALID.test(l));
}
