/**
 * Optional packages with native parts (serialport, libsql) or install scripts (cbor-x's
 * cbor-extract): loaded on first use, in the commands that need them, so a client-only install
 * needs none of them and a missing one is a clear error naming it.
 */
import { createRequire } from 'node:module';
import { MissingPackageError } from './missing-package.ts';

export { MissingPackageError };

const load = createRequire(import.meta.url);
const cache = new Map<string, unknown>();

/** `require(name)` once, or MissingPackageError naming `name` and what needed it. */
export function requireOptional<T>(name: string, feature: string): T {
  if (cache.has(name)) return cache.get(name) as T;
  let mod: T;
  try {
    mod = load(name) as T;
  } catch (e) {
    throw new MissingPackageError(name, feature, { cause: e });
  }
  cache.set(name, mod);
  return mod;
}

/** serialport's SerialPort class (prebuilt binaries for linux x64/arm/arm64). */
export function serialPortClass(): typeof import('serialport').SerialPort {
  return requireOptional<typeof import('serialport')>('serialport', 'serial ports').SerialPort;
}

/** cbor-x's generic encode/decode (remote management CBOR sessions, the vectors decoder). */
export function cborX(feature: string): typeof import('cbor-x') {
  return requireOptional<typeof import('cbor-x')>('cbor-x', feature);
}
