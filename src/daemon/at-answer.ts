/**
 * Cutting one answer out of what a board running Edge Impulse firmware sent after a command
 * (issue 16), pure: the board echoes the command, prints the answer, then the prompt `> `. Bytes
 * before the echo (garbage, debug prints, an earlier prompt) are skipped; the echo line and the
 * prompt are dropped; bare LF and CRLF both end lines.
 */

/** What boards print when they boot (firmware-sdk banner, standalone builds). */
export const BOOT_BANNER = /Hello from Edge Impulse|Type AT\+HELP|Edge Impulse standalone/i;

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

/**
 * Collects text chunk by chunk until one of `needles` shows up, looking only at each new chunk and
 * the few characters before it: a 400 KB base64 answer arriving in thousands of small reads is
 * scanned once, and never re-joined per read. The text is taken to start a line, so a needle
 * beginning with `\n` also matches at the very start (the prompt right after the echo).
 */
export class TerminatorScanner {
  private parts: string[] = [];
  /** Last characters seen (a needle may straddle two chunks); starts as a virtual line break. */
  private tail = '\n';
  private readonly keep: number;
  /** Characters collected so far (the terminator excluded once found). */
  length = 0;
  /** Text after the terminator, once found. */
  rest = '';
  done = false;

  constructor(private readonly needles: readonly string[]) {
    this.keep = Math.max(...needles.map((n) => n.length)) - 1;
  }

  /** Adds a chunk; true once a terminator was seen. */
  push(s: string): boolean {
    if (this.done || s.length === 0) return this.done;
    const win = this.tail + s;
    let best = -1;
    let len = 0;
    for (const n of this.needles) {
      const i = win.indexOf(n);
      if (i >= 0 && (best < 0 || i < best)) {
        best = i;
        len = n.length;
      }
    }
    if (best < 0) {
      this.parts.push(s);
      this.length += s.length;
      this.tail = win.slice(-this.keep);
      return false;
    }
    // The window starts `tail.length` characters before `s`; a match there ends text already kept.
    const cut = best - this.tail.length;
    if (cut < 0) this.trim(-cut);
    else {
      this.parts.push(s.slice(0, cut));
      this.length += cut;
    }
    // A leading line break of the needle belongs to the text (it ends its last line).
    this.rest = win.slice(best + len);
    this.done = true;
    return true;
  }

  /** The text before the terminator. */
  text(): string {
    return this.parts.join('');
  }

  private trim(n: number): void {
    let left = Math.min(n, this.length);
    this.length -= left;
    while (left > 0) {
      const last = this.parts.pop()!;
      if (last.length > left) this.parts.push(last.slice(0, last.length - left));
      left -= Math.min(left, last.length);
    }
  }
}
