// Runs a CLI command's `run(argv)` in-process with stdout and stderr captured (not a test file).
import { vi } from 'vitest';

export async function runCaptured(
  run: (argv: string[]) => Promise<number>,
  args: string[],
): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((s) => ((out += String(s)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((s) => ((err += String(s)), true));
  try {
    return { code: await run(args), out, err };
  } finally {
    vi.restoreAllMocks();
  }
}
