// `ei-ingest/encode` (src/portable.ts) must load where Node's modules do not exist: bundled for a
// browser by esbuild (which refuses node: built-ins on that platform) and run in a bare V8 context
// with no process, Buffer or require, it signs the same bytes as Node does (there with node:crypto).
import { describe, expect, it } from 'vitest';
import { runInNewContext } from 'node:vm';
import { webcrypto } from 'node:crypto';
import { build } from 'esbuild';
import { encodeToBytes, hashBackend } from '../src/portable.ts';

const doc = {
  payload: {
    device_name: 'ac:87:a3:0a:2d:1b',
    device_type: 'BROWSER_TEST',
    interval_ms: 10,
    sensors: [{ name: 'accX', units: 'm/s2' }, { name: 'accY', units: 'm/s2' }, { name: 'accZ', units: 'm/s2' }],
    values: [[0.12, -0.8, 9.83], [0.07, -0.78, 9.91]],
  },
};
const opts = (format: 'cbor' | 'json') => ({ format, alg: 'HS256' as const, hmacKey: 'portable-test-hmac-key', iat: 1700000000 });

describe('ei-ingest/encode in a browser bundle', () => {
  it('bundles for the browser platform and encodes + signs without process, Buffer or node:crypto', async () => {
    const out = await build({ entryPoints: ['src/portable.ts'], bundle: true, platform: 'browser', format: 'iife', globalName: 'ei', write: false, logLevel: 'silent' });
    const code = out.outputFiles[0]!.text;
    // node:crypto / node:fs appear only as run-time getBuiltinModule() names, never as imports.
    expect(code).not.toMatch(/\brequire\(|\bimport\(|from\s*["']/);
    const ctx: Record<string, unknown> = { TextEncoder, TextDecoder, crypto: webcrypto, doc: structuredClone(doc), opts: { cbor: opts('cbor'), json: opts('json') } };
    runInNewContext(`${code}
      globalThis.result = {
        hasProcess: typeof process !== 'undefined', hasBuffer: typeof Buffer !== 'undefined',
        backend: ei.hashBackend().name,
        cbor: Array.from(ei.encodeToBytes(doc, opts.cbor)),
        json: Array.from(ei.encodeToBytes(doc, opts.json)),
      };`, ctx);
    const r = ctx.result as { hasProcess: boolean; hasBuffer: boolean; backend: string; cbor: number[]; json: number[] };
    expect(r.hasProcess).toBe(false);
    expect(r.hasBuffer).toBe(false);
    expect(r.backend).toBe('noble');
    expect(hashBackend().name).toBe('node');
    expect(r.cbor).toEqual(Array.from(encodeToBytes(doc, opts('cbor'))));
    expect(r.json).toEqual(Array.from(encodeToBytes(doc, opts('json'))));
  });
});
