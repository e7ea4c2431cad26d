/**
 * Compiling the simulated MCU's C firmware (firmware-sim/mcu/c) and the vector harness with the
 * machine's C compiler: C99, all warnings as errors, with AddressSanitizer and UBSan where the
 * toolchain has their runtimes. `findCc()` is null where no compiler is installed.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const C_DIR = join(dirname(fileURLToPath(import.meta.url)), 'c');
export const VECTORS_C_DIR = join(C_DIR, '..', '..', '..', 'vectors', 'c');

export const STRICT = ['-std=c99', '-Wall', '-Wextra', '-Werror'];
const SANITIZE = ['-fsanitize=address,undefined', '-fno-sanitize-recover=all'];

/** The C compiler (`$CC`, else `cc`), or null when there is none. */
export function findCc(): string | null {
  for (const cc of [process.env.CC, 'cc'].filter((x): x is string => !!x)) {
    if (spawnSync(cc, ['--version'], { stdio: 'ignore' }).status === 0) return cc;
  }
  return null;
}

let sanitizers: boolean | undefined;

/**
 * Compiles `sources` to `out` with STRICT flags plus `extra`, sanitized when the toolchain can
 * (the answer is probed once). Returns whether the sanitizers are in. Throws with the compiler's
 * output on a compile error.
 */
export function compileC(cc: string, out: string, sources: string[], extra: string[] = []): { sanitized: boolean } {
  const base = [...STRICT, '-O1', '-I', C_DIR, '-I', VECTORS_C_DIR, ...extra, '-o', out, ...sources];
  if (sanitizers !== false) {
    try {
      execFileSync(cc, [...SANITIZE, ...base], { stdio: 'pipe' });
      sanitizers = true;
      return { sanitized: true };
    } catch (e) {
      if (sanitizers === true) throw new Error(String((e as { stderr?: Buffer }).stderr ?? e));
      // A compile error or no sanitizer runtime: the plain build tells which.
    }
  }
  try {
    execFileSync(cc, base, { stdio: 'pipe' });
  } catch (e) {
    throw new Error(String((e as { stderr?: Buffer }).stderr ?? e));
  }
  sanitizers = false;
  return { sanitized: false };
}

/** The firmware's encoder sources (without a main). */
export const ENCODER_SOURCES = [join(C_DIR, 'ei_csdk.c'), join(C_DIR, 'ei_hmac_sha256.c')];

/** Builds the simulated MCU's encoder executable (ei_mcu_encode.c) into `out`. */
export function buildMcuEncoder(cc: string, out: string): { sanitized: boolean } {
  return compileC(cc, out, [join(C_DIR, 'ei_mcu_encode.c'), ...ENCODER_SOURCES]);
}
