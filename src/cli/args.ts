/**
 * Argument parsing shared by the `ei-ingest` commands: one `node:util` parseArgs call in strict
 * mode with `-h/--help` added, the same answer to a bad command line everywhere (the message and
 * the usage on stderr, exit 2), and readers for number flags whose errors name the flag.
 * Each command keeps its own message prefix and wording; this module only removes the repetition.
 */
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';

/** Something text can be written to (a process stream, or a test's collector). */
export interface TextSink {
  write(text: string): unknown;
}

/** Where a command writes its usage and errors. */
export interface CommandOutput {
  stdout: TextSink;
  stderr: TextSink;
}

/** A command as its messages present it. */
export interface CommandInfo {
  /** What error lines start with, before ': ' (e.g. 'ei-ingest serve', or 'keys'). */
  name: string;
  /** Usage text, ending with a newline: printed on --help and after a command-line error. */
  usage: string;
  /** Defaults to process.stdout/stderr, looked up at each write so tests can spy on them. */
  io?: CommandOutput;
}

/** The options object parseArgs takes (long name → { type, short?, multiple?, default? }). */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>;

const HELP_OPTION = { help: { type: 'boolean', short: 'h' } } as const;

/** What parseArgs returns for these options in strict mode, `help` included. */
export type ParsedCommandArgs<O extends OptionsConfig, P extends boolean> = ReturnType<
  typeof parseArgs<{ args: string[]; options: O & typeof HELP_OPTION; strict: true; allowPositionals: P }>
>;

const processOutput: CommandOutput = {
  stdout: { write: (s) => process.stdout.write(s) },
  stderr: { write: (s) => process.stderr.write(s) },
};

function outputOf(command: CommandInfo): CommandOutput {
  return command.io ?? processOutput;
}

/**
 * Parses a command's argv strictly (unknown flags, missing values and, unless `positionals` is
 * set, positional arguments are errors), with `-h/--help` added to `options`.
 * @returns the parsed `{ values, positionals }`, or an exit code the command should return at
 *   once: 2 after writing `<name>: <parse error>` and the usage to stderr, 0 after writing the
 *   usage to stdout for -h/--help.
 * @example
 * const parsed = parseCommandArgs({ name: 'ei-ingest serve', usage: USAGE }, argv, { port: { type: 'string' } });
 * if (typeof parsed === 'number') return parsed;
 * const port = parsed.values.port; // string | undefined
 */
export function parseCommandArgs<const O extends OptionsConfig, P extends boolean = false>(
  command: CommandInfo,
  argv: string[],
  options: O,
  config?: { positionals?: P },
): ParsedCommandArgs<O, P> | number {
  let parsed: ParsedCommandArgs<O, P>;
  try {
    parsed = parseArgs({
      args: argv,
      options: { ...options, ...HELP_OPTION },
      strict: true,
      allowPositionals: (config?.positionals ?? false) as P,
    });
  } catch (e) {
    return usageError(command, (e as Error).message, { withUsage: true });
  }
  // The generic result type stays unresolved here; `help` is in it for every O.
  if ((parsed.values as { help?: boolean }).help) {
    outputOf(command).stdout.write(command.usage);
    return 0;
  }
  return parsed;
}

/**
 * Reports a bad command line: writes `<name>: <message>\n` (then the usage if `withUsage`) to
 * stderr and returns the exit code 2.
 */
export function usageError(command: CommandInfo, message: string, opts?: { withUsage?: boolean }): 2 {
  outputOf(command).stderr.write(`${command.name}: ${message}\n${opts?.withUsage ? command.usage : ''}`);
  return 2;
}

/**
 * Reads an integer flag value between `min` and `max` inclusive, with Number() semantics ('0x10'
 * is 16), except that an empty value is an error rather than 0.
 * @param flag the flag as users type it, e.g. '--port'
 * @param rangeText how the message states the range (default `from MIN to MAX`)
 * @throws RangeError `<flag> must be an integer <rangeText>`
 */
export function integerOption(flag: string, raw: string, min: number, max: number, rangeText = `from ${min} to ${max}`): number {
  const n = raw.trim() === '' ? NaN : Number(raw); // Number('') would be 0
  if (!Number.isInteger(n) || n < min || n > max) throw new RangeError(`${flag} must be an integer ${rangeText}`);
  return n;
}

/**
 * Reads an optional flag value that must be a finite number above 0.
 * @returns undefined when the flag is absent
 * @throws RangeError `<flag> must be a positive number`
 */
export function positiveNumberOption(flag: string, raw: string | undefined): number | undefined {
  if (raw === undefined) return undefined;
  const n = Number(raw);
  if (!(n > 0) || !Number.isFinite(n)) throw new RangeError(`${flag} must be a positive number`);
  return n;
}
