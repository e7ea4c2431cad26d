/**
 * Fuzzing (fast-check, bounded runs): malformed CBOR, JSON, multipart bodies and headers never
 * crash or hang the service, never get a 500, and never leave anything half-stored. The decoder
 * is also cross-checked against cbor-x on generated values.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { encode, decode } from 'cbor-x';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { decodeCborPrefix } from '../src/service/cbor-decode.ts';
import { parseDocument } from '../src/service/document.ts';
import { SampleFormatError } from '../src/service/errors.ts';
import { anchor, buildRequest, dataRequest, filesRequest, getJson, multipartBody, rawRequest, tempDir } from './service-helpers.ts';
import { jsonDoc, payload } from './service-docs.ts';

const KEY = 'ei_fuzz_key';
const HMAC = anchor('csdk-hs256-3axis').hmacKey!;
const OPTS = { maxDepth: 32, maxValues: 100_000 };
/** `npm run fuzz` (EI_FUZZ_RUNS) runs each property longer; `npm test` keeps these counts. */
const runs = (n: number): number => Math.max(n, Number(process.env.EI_FUZZ_RUNS ?? 0));
let svc: IngestionService;
const tmp = tempDir();
let stored = 0; // 200s that created a sample

beforeAll(async () => {
  svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, hmacKey: HMAC, fsync: false, limits: { maxFileBytes: 64 * 1024, headersTimeoutMs: 2000, requestTimeoutMs: 5000 } });
});
afterAll(async () => {
  await svc.close();
  tmp.cleanup();
});

/** A byte-level mutation of `base`: flips, inserts, deletes, truncation. */
function mutated(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  const op = fc.oneof(
    fc.record({ k: fc.constant('flip' as const), at: fc.nat(), v: fc.integer({ min: 1, max: 255 }) }),
    fc.record({ k: fc.constant('ins' as const), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }) }),
    fc.record({ k: fc.constant('del' as const), at: fc.nat(), v: fc.constant(0) }),
    fc.record({ k: fc.constant('cut' as const), at: fc.nat(), v: fc.constant(0) }),
  );
  return fc.array(op, { minLength: 1, maxLength: 4 }).map((ops) => {
    let b = Array.from(base);
    for (const o of ops) {
      const at = b.length === 0 ? 0 : o.at % b.length;
      if (o.k === 'flip' && b.length) b[at] ^= o.v;
      else if (o.k === 'ins') b.splice(at, 0, o.v);
      else if (o.k === 'del') b.splice(at, 1);
      else b = b.slice(0, at);
    }
    return Uint8Array.from(b);
  });
}

function expectOnlyDocErrors(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof SampleFormatError)) throw e;
  }
}

describe('decoder (pure)', () => {
  it('random bytes and mutated anchors only ever raise SampleFormatError', () => {
    const anchors = ['seed-data-cbor-none', 'docs-cbor-hs256', 'csdk-hs256-1axis'].map((id) => Buffer.from(anchor(id).hex, 'hex'));
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), ...anchors.map(mutated)), (bytes) => {
        expectOnlyDocErrors(() => parseDocument(bytes, OPTS));
      }),
      { numRuns: runs(3000) },
    );
  });

  it('hostile lengths do not allocate or spin: 2^32-element array header', () => {
    const b = Uint8Array.from([0x9b, 0, 0, 0, 1, 0, 0, 0, 0, 0x01]);
    expect(() => decodeCborPrefix(b, { maxDepth: 8, maxItems: 100 })).toThrow(SampleFormatError);
    const deep = new Uint8Array(10_000).fill(0x81);
    expect(() => decodeCborPrefix(deep, { maxDepth: 32, maxItems: 1e6 })).toThrow(/too deep/);
  });

  it('agrees with cbor-x on generated values (any key order, nesting, floats)', () => {
    fc.assert(
      // cbor-x renames a "__proto__" key to "__proto_" on decode (prototype-pollution guard), so such
      // keys cannot be compared with it; our decoder keeps them (null-prototype objects).
      fc.property(fc.dictionary(fc.string(), fc.jsonValue({ maxDepth: 4 }), { maxKeys: 6 }).filter((v) => !JSON.stringify(v).includes('"__proto__"')), (v) => {
        const bytes = encode(v);
        const ours = decodeCborPrefix(bytes, { maxDepth: 64, maxItems: 1e6 });
        expect(ours.end).toBe(bytes.length);
        expect(JSON.stringify(ours.value)).toBe(JSON.stringify(decode(bytes)));
      }),
      { numRuns: runs(500) },
    );
  });
});

async function expectNoHalfStore(): Promise<void> {
  const list = (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json.samples;
  expect(list.length).toBe(stored);
  let files = 0;
  for (const d of readdirSync(join(tmp.dir, 'samples'))) files += readdirSync(join(tmp.dir, 'samples', d)).length;
  expect(files).toBe(stored);
  expect(readdirSync(join(tmp.dir, 'tmp'))).toEqual([]);
}

function okStatus(s: number): void {
  expect([200, 400, 421]).toContain(s);
}

describe('service under malformed input', () => {
  it('mutated CBOR and JSON documents on /data: 200 or 400, never 500', async () => {
    const cbor = Buffer.from(anchor('csdk-hs256-3axis').hex, 'hex');
    const json = jsonDoc(payload([[1, 2, 3]], [{ name: 'a', units: 'm' }, { name: 'b', units: 'm' }, { name: 'c', units: 'm' }]), HMAC);
    await fc.assert(
      fc.asyncProperty(fc.oneof(mutated(cbor), mutated(json), fc.uint8Array({ maxLength: 200 })), async (body) => {
        const r = await rawRequest(svc.port, dataRequest(KEY, body, { 'x-file-name': 'fz.cbor' }));
        okStatus(r.status);
        if (r.status === 200) stored++;
      }),
      { numRuns: runs(150) },
    );
    await expectNoHalfStore();
  });

  it('mutated multipart bodies on /files: 200 or 400, nothing half-stored', async () => {
    const doc = Buffer.from(anchor('seed-data-cbor-none').hex, 'hex');
    const base = multipartBody('XyZ', [
      { name: 'data', filename: 'a.cbor', contentType: 'application/cbor', body: doc },
      { name: 'data', filename: 'b.json', contentType: 'application/json', body: jsonDoc(payload([5])) },
      { name: 'info.labels', filename: 'info.labels', body: JSON.stringify({ version: 1, files: [{ path: 'a.cbor', label: { type: 'label', label: 'x' } }] }) },
    ]);
    await fc.assert(
      fc.asyncProperty(mutated(base), async (body) => {
        const r = await rawRequest(svc.port, filesRequest(KEY, 'XyZ', body));
        okStatus(r.status);
        const j = JSON.parse(r.body.toString());
        expect(typeof j.success).toBe('boolean');
        stored += j.files.filter((f: any) => f.success).length;
      }),
      { numRuns: runs(120) },
    );
    await expectNoHalfStore();
  });

  it('random ingestion header values: 200/400/421 only', async () => {
    const printable = fc.string({ unit: fc.constantFrom(...' !"#$%&\'()*+,-./0123456789:;<=>?@AZaz[\\]^_`{|}~%E0'.split('')), maxLength: 40 });
    const body = jsonDoc(payload([1, 2]));
    await fc.assert(
      fc.asyncProperty(
        fc.record(
          { 'x-label': printable, 'x-file-name': printable, 'x-metadata': fc.oneof(printable, fc.json()), 'x-no-label': printable, 'x-disallow-duplicates': printable, 'x-add-date-id': printable, 'content-type': printable },
          { requiredKeys: [] },
        ),
        async (h) => {
          const headers: Record<string, string> = { Host: 'x', 'x-api-key': KEY, 'Content-Length': String(body.length), Connection: 'close' };
          for (const [k, v] of Object.entries(h)) headers[k] = v.trim();
          const r = await rawRequest(svc.port, buildRequest('POST', '/api/training/data', headers, body));
          okStatus(r.status);
          if (r.status === 200 && r.headers['x-duplicate'] !== '1') stored++;
        },
      ),
      { numRuns: runs(150) },
    );
    await expectNoHalfStore();
  });

  it('random request targets and methods never get a 500', async () => {
    // No DELETE among the methods: it would remove samples the half-store count check expects.
    const seg = fc.constantFrom('api', 'v1', 'training', 'files', 'data', 'raw-data', '1', '..', '%2e%2e', '', '//', '%', '?', 'devkeys', 'hmac', 'raw', 'projects', '0x1', '99999999999999999999');
    await fc.assert(
      fc.asyncProperty(fc.array(seg, { maxLength: 6 }), fc.constantFrom('GET', 'POST', 'PUT', 'PATCH'), async (segs, method) => {
        const target = '/' + segs.join('/');
        const r = await rawRequest(svc.port, buildRequest(method, target, { Host: 'x', 'x-api-key': KEY, 'Content-Length': 0, Connection: 'close' }), { timeoutMs: 4000 }).catch(() => null);
        if (r) expect(r.status).toBeLessThan(500);
      }),
      { numRuns: runs(150) },
    );
    await expectNoHalfStore();
  });

  it('garbage request heads get 400 (or a closed socket) and the server keeps serving', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ minLength: 1, maxLength: 200 }), async (junk) => {
        const bytes = Buffer.concat([Buffer.from('POST /api/training/data HTTP/1.1\r\nx-api-key: ' + KEY + '\r\n'), junk, Buffer.from('\r\n\r\n')]);
        try {
          const r = await rawRequest(svc.port, bytes, { timeoutMs: 4000 });
          expect(r.status).not.toBe(500);
          if (r.status === 200) stored++;
        } catch (e) {
          expect(String(e)).toMatch(/closed without a response/);
        }
      }),
      { numRuns: runs(100) },
    );
    expect((await getJson(svc.port, '/v1/api/projects', KEY)).status).toBe(200);
    await expectNoHalfStore();
  });
});
