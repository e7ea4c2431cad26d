import { describe, it, expect, expectTypeOf, vi, afterEach } from 'vitest';
import { integerOption, parseCommandArgs, positiveNumberOption, usageError } from '../src/cli/args.ts';
import type { CommandInfo } from '../src/cli/args.ts';
import { runCaptured } from './cli-capture.ts';

afterEach(() => vi.restoreAllMocks());

const USAGE = 'usage: ei-ingest thing [--port N] [--verbose] [--tag T]…\n';

/** A command writing into strings, the way upload's tests inject their streams. */
function collecting(name = 'ei-ingest thing'): { command: CommandInfo; out: () => string; err: () => string } {
  let out = '';
  let err = '';
  const command = { name, usage: USAGE, io: { stdout: { write: (s: string) => (out += s) }, stderr: { write: (s: string) => (err += s) } } };
  return { command, out: () => out, err: () => err };
}

const OPTIONS = {
  port: { type: 'string' },
  verbose: { type: 'boolean', short: 'v', default: false },
  tag: { type: 'string', multiple: true },
} as const;

describe('parseCommandArgs', () => {
  it('returns the values and positionals, typed as parseArgs types them', () => {
    const c = collecting();
    const parsed = parseCommandArgs(c.command, ['--port', '80', '-v', '--tag', 'a', '--tag=b', 'file.json'], OPTIONS, { positionals: true });
    if (typeof parsed === 'number') throw new Error(`exit ${parsed}: ${c.err()}`);
    expect(parsed.values).toEqual({ port: '80', verbose: true, tag: ['a', 'b'] });
    expect(parsed.positionals).toEqual(['file.json']);
    expect(c.out() + c.err()).toBe('');
    expectTypeOf(parsed.values.port).toEqualTypeOf<string | undefined>();
    expectTypeOf(parsed.values.verbose).toEqualTypeOf<boolean>(); // has a default
    expectTypeOf(parsed.values.tag).toEqualTypeOf<string[] | undefined>();
    expectTypeOf(parsed.positionals).toEqualTypeOf<string[]>();
    // @ts-expect-error: only declared options (and help) exist
    void parsed.values.bogus;
  });

  it('applies defaults when a flag is absent', () => {
    const parsed = parseCommandArgs(collecting().command, [], OPTIONS);
    if (typeof parsed === 'number') throw new Error(`exit ${parsed}`);
    expect(parsed.values.verbose).toBe(false);
    expect(parsed.values.port).toBeUndefined();
    expectTypeOf(parsed.positionals).toEqualTypeOf<[]>();
  });

  it.each([
    [['--bogus'], "ei-ingest thing: Unknown option '--bogus'"],
    [['-x'], "ei-ingest thing: Unknown option '-x'"],
    [['--port'], "ei-ingest thing: Option '--port <value>' argument missing"],
    [['--verbose=yes'], "ei-ingest thing: Option '-v, --verbose' does not take an argument"],
    [['file.json'], "ei-ingest thing: Unexpected argument 'file.json'"],
    [['--help', '--bogus'], "ei-ingest thing: Unknown option '--bogus'"],
  ])('%j: exit 2, the parse error then the usage on stderr, nothing on stdout', (argv, start) => {
    const c = collecting();
    expect(parseCommandArgs(c.command, argv, OPTIONS)).toBe(2);
    expect(c.err().startsWith(start)).toBe(true);
    expect(c.err().endsWith(`\n${USAGE}`)).toBe(true);
    expect(c.err().split('\n').length).toBeGreaterThanOrEqual(3);
    expect(c.out()).toBe('');
  });

  it.each([[['--help']], [['-h']], [['--port', '1', '-h', 'x.json']]])('%j: exit 0, the usage on stdout only', (argv) => {
    const c = collecting();
    expect(parseCommandArgs(c.command, argv, OPTIONS, { positionals: true })).toBe(0);
    expect(c.out()).toBe(USAGE);
    expect(c.err()).toBe('');
  });

  it('writes to process.stdout/stderr when no io is given (looked up at write time)', async () => {
    const command = { name: 'thing', usage: USAGE };
    const help = await runCaptured(async (argv) => parseCommandArgs(command, argv, OPTIONS) as number, ['-h']);
    expect(help).toEqual({ code: 0, out: USAGE, err: '' });
    const bad = await runCaptured(async (argv) => parseCommandArgs(command, argv, OPTIONS) as number, ['--nope']);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    expect(bad.err).toMatch(/^thing: Unknown option '--nope'.*\n/);
    expect(bad.err.endsWith(USAGE)).toBe(true);
  });
});

describe('usageError', () => {
  it('writes "<name>: <message>" and returns 2; the usage follows only when asked', () => {
    const c = collecting('keys');
    expect(usageError(c.command, 'give --api-key or set EI_API_KEY')).toBe(2);
    expect(c.err()).toBe('keys: give --api-key or set EI_API_KEY\n');
    expect(usageError(c.command, "unknown subcommand 'x'", { withUsage: true })).toBe(2);
    expect(c.err()).toBe(`keys: give --api-key or set EI_API_KEY\nkeys: unknown subcommand 'x'\n${USAGE}`);
    expect(c.out()).toBe('');
  });
});

describe('integerOption', () => {
  it.each([
    ['0', 0],
    ['65535', 65535],
    ['4810', 4810],
    ['0x10', 16], // Number() semantics, as the commands always parsed
  ])('%j → %d', (raw, n) => {
    expect(integerOption('--port', raw, 0, 65535)).toBe(n);
  });

  it.each(['65536', '-1', '1.5', 'abc', 'NaN', 'Infinity', '', ' '])('%j: RangeError naming the flag and the range', (raw) => {
    expect(() => integerOption('--port', raw, 0, 65535)).toThrow(new RangeError('--port must be an integer from 0 to 65535'));
    expect(() => integerOption('--port', raw, 0, 65535, '0..65535')).toThrow(new RangeError('--port must be an integer 0..65535'));
  });

  it('bounds are inclusive on both ends', () => {
    expect(integerOption('--samples', '1', 1, 1000)).toBe(1);
    expect(integerOption('--samples', '1000', 1, 1000)).toBe(1000);
    expect(() => integerOption('--samples', '1001', 1, 1000)).toThrow('--samples must be an integer from 1 to 1000');
    expect(() => integerOption('--samples', '0', 1, 1000)).toThrow('--samples must be an integer from 1 to 1000');
  });
});

describe('positiveNumberOption', () => {
  it('passes an absent flag through and reads positive numbers', () => {
    expect(positiveNumberOption('--frequency', undefined)).toBeUndefined();
    expect(positiveNumberOption('--frequency', '62.5')).toBe(62.5);
    expect(positiveNumberOption('--frequency', '1e-3')).toBe(0.001);
  });

  it.each(['0', '-1', 'abc', '', 'Infinity', 'NaN'])('%j: RangeError naming the flag', (raw) => {
    expect(() => positiveNumberOption('--max-bytes', raw)).toThrow(new RangeError('--max-bytes must be a positive number'));
  });
});

// The commands that use parseCommandArgs answer a bad command line and --help the same way,
// each with its own message prefix (kept as it was before the helper).
const COMMANDS: Array<[string, string]> = [
  ['device', 'device'],
  ['encode', 'ei-ingest encode'],
  ['gateway', 'ei-ingest gateway'],
  ['keys', 'keys'],
  ['serve', 'ei-ingest serve'],
  ['spool', 'ei-ingest spool'],
  ['upload', 'upload'],
  ['vectors', 'vectors'],
];

describe('every command', () => {
  it.each(COMMANDS)('%s: --help prints its usage (exit 0); an unknown flag prints "%s: …" and the same usage (exit 2)', async (name, prefix) => {
    const mod = (await import(`../src/cli/${name}.ts`)) as { run(argv: string[]): Promise<number> };
    const help = await runCaptured(mod.run, ['--help']);
    expect(help.code).toBe(0);
    expect(help.err).toBe('');
    expect(help.out).toMatch(new RegExp(`^usage: ei-ingest ${name}`));
    const bad = await runCaptured(mod.run, ['--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    const first = bad.err.split('\n')[0]!;
    expect(first.startsWith(`${prefix}: Unknown option '--no-such-flag'`)).toBe(true);
    expect(bad.err).toBe(`${first}\n${help.out}`);
  });

  it('serve names --port and its range in its own wording', async () => {
    const { run } = await import('../src/cli/serve.ts');
    expect(await runCaptured(run, ['--port', '70000'])).toEqual({ code: 2, out: '', err: 'ei-ingest serve: --port must be an integer 0..65535\n' });
  });

  it('gateway names the flag of a bad number', async () => {
    const { run } = await import('../src/cli/gateway.ts');
    expect(await runCaptured(run, ['--port', '/dev/null', '--label', 'l', '--max-count', '0'])).toEqual({
      code: 2,
      out: '',
      err: 'ei-ingest gateway: --max-count must be a positive number\n',
    });
  });

  it('demo answers a bad flag like every other command: message and usage on stderr, exit 2', async () => {
    const { run } = await import('../src/cli/demo.ts');
    const bad = await runCaptured(run, ['--no-such-flag']);
    expect(bad.code).toBe(2);
    expect(bad.out).toBe('');
    expect(bad.err).toMatch(/^demo: Unknown option '--no-such-flag'.*\nusage: ei-ingest demo /s);
    expect(await runCaptured(run, ['--baud', 'fast'])).toEqual({ code: 2, out: '', err: 'demo: --baud must be an integer from 1200 to 4000000\n' });
    expect(await runCaptured(run, ['--samples', '0'])).toEqual({ code: 2, out: '', err: 'demo: --samples must be an integer from 1 to 1000\n' });
  });
});
