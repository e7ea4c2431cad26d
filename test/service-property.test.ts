/**
 * Property tests (fast-check) for every reader of outside bytes in the local service: CBOR and
 * JSON documents (the streamed token readers), CSV, WAV, label files and multipart, plus the
 * HTTP framing around them. Properties: no exception other than the typed 400 error, no hang
 * (every request has a deadline), no 5xx for bad input, nothing half-stored. Runs are bounded:
 * EI_FUZZ_RUNS (default 40) per service property, ×10 for the pure parsers; `npm run fuzz` runs
 * them with EI_FUZZ_RUNS=20000.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import net from 'node:net';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'cbor-x';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { parseDocument, type ValuesVisitor } from '../src/service/document.ts';
import { JsonTokens } from '../src/service/json-scan.ts';
import { BufferSource } from '../src/service/byte-source.ts';
import { parseCsv } from '../src/service/csv.ts';
import { readWav } from '../src/service/media.ts';
import { parseLabelFile, LABEL_FILE_NAMES } from '../src/service/labels.ts';
import { SampleFormatError } from '../src/service/errors.ts';
import { verifyDocumentSignature } from '../src/service/signature.ts';
import { buildRequest, filesRequest, getJson, multipartBody, parseResponse, rawRequest, tempDir } from './service-helpers.ts';
import { cborDoc, jsonDoc, payload } from './service-docs.ts';

const RUNS = Math.max(1, Number(process.env.EI_FUZZ_RUNS ?? 40));
const PURE_RUNS = RUNS * 10;
const KEY = 'ei_property_test_key';
const HMAC = 'property-test-hmac';
const LIMITS = { maxDepth: 32, maxValues: 100_000 };

/** Runs `f`; only the service's typed 400 error may escape. */
function onlyFormatErrors<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch (e) {
    if (!(e instanceof SampleFormatError)) throw e;
    return undefined;
  }
}

/** Byte-level mutations: flips, inserts, deletes, truncation. */
function mutated(base: Uint8Array): fc.Arbitrary<Uint8Array> {
  const op = fc.record({ k: fc.constantFrom('flip', 'ins', 'del', 'cut', 'dup'), at: fc.nat(), v: fc.integer({ min: 0, max: 255 }), n: fc.integer({ min: 1, max: 16 }) });
  return fc.array(op, { minLength: 1, maxLength: 5 }).map((ops) => {
    let b = Array.from(base);
    for (const o of ops) {
      const at = b.length === 0 ? 0 : o.at % b.length;
      if (o.k === 'flip' && b.length) b[at] ^= o.v || 1;
      else if (o.k === 'ins') b.splice(at, 0, o.v);
      else if (o.k === 'del') b.splice(at, o.n);
      else if (o.k === 'dup') b.splice(at, 0, ...b.slice(at, at + o.n));
      else b = b.slice(0, at);
    }
    return Uint8Array.from(b);
  });
}

const sensorsOf = (w: number) => Array.from({ length: w }, (_, i) => ({ name: `s${i}`, units: 'N/A' }));
/** Valid payloads: width 1..4, 1..30 rows of finite doubles (flattened when width 1, sometimes). */
const validPayload = fc
  .record({ w: fc.integer({ min: 1, max: 4 }), n: fc.integer({ min: 1, max: 30 }), flat: fc.boolean(), seed: fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e9, max: 1e9 }), { minLength: 1, maxLength: 8 }) })
  .map(({ w, n, flat, seed }) => {
    const rows = Array.from({ length: n }, (_, i) => Array.from({ length: w }, (_, j) => seed[(i * w + j) % seed.length]));
    return { w, rows, values: w === 1 && flat ? rows.map((r) => r[0]) : rows };
  });

function collect(): { v: ValuesVisitor; rows: number[][] } {
  const rows: number[][] = [];
  let cur: number[] = [];
  return {
    rows,
    v: {
      value: (x) => cur.push(x),
      rowEnd: () => {
        rows.push(cur);
        cur = [];
      },
    },
  };
}

describe('pure readers', () => {
  it('CBOR and JSON documents: valid ones decode to their values in any key order; signatures verify', () => {
    fc.assert(
      fc.property(validPayload, fc.constantFrom('json', 'cbor'), fc.shuffledSubarray(['protected', 'signature', 'payload'], { minLength: 3, maxLength: 3 }), (p, fmt, order) => {
        const pl = payload(p.values, sensorsOf(p.w));
        const bytes = fmt === 'json' ? jsonDoc(pl, HMAC, order) : cborDoc(pl, HMAC, undefined, order);
        const c = collect();
        const doc = parseDocument(bytes, LIMITS, c.v);
        expect(doc.rowCount).toBe(p.rows.length);
        // Neither JSON.stringify nor cbor-x writes -0 (both write 0): compare with -0 as 0.
        const z = (rows: number[][]) => rows.map((r) => r.map((x) => (x === 0 ? 0 : x)));
        expect(z(c.rows)).toEqual(z(p.rows));
        expect(verifyDocumentSignature(bytes, doc, { hmacKey: HMAC })).toBe('valid');
      }),
      { numRuns: PURE_RUNS },
    );
  });

  it('CBOR and JSON documents: mutations and random bytes raise only the typed 400 error', () => {
    const bases = [jsonDoc(payload([[1, 2]], sensorsOf(2)), HMAC), cborDoc(payload([1.5, 2.5]), HMAC), cborDoc(payload([[1, 2, 3]], sensorsOf(3)))];
    fc.assert(
      fc.property(fc.oneof(...bases.map(mutated), fc.uint8Array({ maxLength: 300 })), (bytes) => {
        onlyFormatErrors(() => parseDocument(bytes, LIMITS, collect().v));
      }),
      { numRuns: PURE_RUNS },
    );
  });

  it('JSON reader: agrees with JSON.parse on generated JSON; never accepts what JSON.parse refuses', () => {
    const read = (text: string): unknown => {
      const t = new JsonTokens(new BufferSource(Buffer.from(text, 'utf8')), { maxDepth: 64, maxItems: 1e6 });
      const v = t.readValue(0);
      t.finish();
      return v;
    };
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 5 }), (v) => {
        const text = JSON.stringify(v);
        expect(JSON.stringify(read(text))).toBe(JSON.stringify(JSON.parse(text)));
      }),
      { numRuns: PURE_RUNS },
    );
    const jsonish = fc.string({ unit: fc.constantFrom(...'{}[],:"\\ 0123456789-+.eEtruefalsn\u00e9\n'.split('')), maxLength: 40 });
    fc.assert(
      fc.property(jsonish, (text) => {
        const ours = onlyFormatErrors(() => ({ v: read(text) }));
        if (ours) expect(JSON.stringify(ours.v)).toBe(JSON.stringify(JSON.parse(text)));
      }),
      { numRuns: PURE_RUNS },
    );
  });

  it('CSV reader: generated CSVs give their rows; mutations raise only the typed 400 error', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 2, max: 20 }), fc.integer({ min: -1000, max: 1000 }), (w, n, k) => {
        const head = ['timestamp', ...Array.from({ length: w }, (_, j) => `c${j}`)].join(',');
        const rows = Array.from({ length: n }, (_, i) => Array.from({ length: w }, (_, j) => (i * 7 + j * k) / 4));
        const text = [head, ...rows.map((r, i) => [i * 10, ...r].join(','))].join('\n') + '\n';
        const c = parseCsv(Buffer.from(text), 1e6);
        expect(c.rows).toEqual(rows);
        expect(c.intervalMs).toBe(10);
      }),
      { numRuns: PURE_RUNS },
    );
    const base = Buffer.from('timestamp,a,b\n0,1,2\n10,3,4\n20,5,"6"\n');
    fc.assert(fc.property(fc.oneof(mutated(base), fc.uint8Array({ maxLength: 200 })), (b) => void onlyFormatErrors(() => parseCsv(b, 1e6))), { numRuns: PURE_RUNS });
  });

  it('WAV reader: generated headers read back; mutations raise only the typed 400 error', () => {
    const wav = (rate: number, ch: number, bits: number, frames: number): Buffer => {
      const data = frames * ch * (bits / 8);
      const b = Buffer.alloc(44 + data);
      b.write('RIFF', 0, 'latin1');
      b.writeUInt32LE(36 + data, 4);
      b.write('WAVEfmt ', 8, 'latin1');
      b.writeUInt32LE(16, 16);
      b.writeUInt16LE(1, 20);
      b.writeUInt16LE(ch, 22);
      b.writeUInt32LE(rate, 24);
      b.writeUInt32LE((rate * ch * bits) / 8, 28);
      b.writeUInt16LE((ch * bits) / 8, 32);
      b.writeUInt16LE(bits, 34);
      b.write('data', 36, 'latin1');
      b.writeUInt32LE(data, 40);
      return b;
    };
    fc.assert(
      fc.property(fc.constantFrom(8000, 16000, 44100), fc.integer({ min: 1, max: 2 }), fc.constantFrom(8, 16), fc.integer({ min: 0, max: 50 }), (rate, ch, bits, frames) => {
        const w = readWav(wav(rate, ch, bits, frames));
        expect([w.sampleRate, w.channels, w.bitsPerSample, w.frames]).toEqual([rate, ch, bits, frames]);
      }),
      { numRuns: PURE_RUNS },
    );
    fc.assert(fc.property(fc.oneof(mutated(wav(16000, 1, 16, 20)), fc.uint8Array({ maxLength: 100 })), (b) => void onlyFormatErrors(() => readWav(b))), { numRuns: PURE_RUNS });
  });

  it('label files: mutations and random JSON raise only the typed 400 error', () => {
    const bases: Record<string, string> = {
      'info.labels': JSON.stringify({ version: 1, files: [{ path: 'a.cbor', name: 'a', category: 'training', label: { type: 'label', label: 'x' }, metadata: { k: 'v' } }] }),
      'bounding_boxes.labels': JSON.stringify({ version: 1, type: 'bounding-box-labels', boundingBoxes: { 'a.jpg': [{ label: 'x', x: 1, y: 2, width: 3, height: 4 }] } }),
      'structured_labels.labels': JSON.stringify({ version: 1, type: 'structured-labels', structuredLabels: { 'a.cbor': [{ startIndex: 0, endIndex: 3, label: 'x' }] } }),
    };
    for (const name of LABEL_FILE_NAMES) {
      const base = Buffer.from(bases[name] ?? '{"version":1}');
      fc.assert(
        fc.property(fc.oneof(mutated(base), fc.json().map((j) => Buffer.from(j))), (b) => void onlyFormatErrors(() => parseLabelFile(name, b))),
        { numRuns: PURE_RUNS },
      );
    }
  });
});

describe('service', () => {
  let svc: IngestionService;
  const tmp = tempDir();
  let stored = 0;
  beforeAll(async () => {
    svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, hmacKey: HMAC, fsync: false, limits: { maxFileBytes: 64 * 1024, requestTimeoutMs: 3000, headersTimeoutMs: 2000, idleTimeoutMs: 2000 } });
  });
  afterAll(async () => {
    await svc.close();
    tmp.cleanup();
  });

  async function expectNothingHalfStored(): Promise<void> {
    const list = (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json.samples;
    expect(list.length).toBe(stored);
    let files = 0;
    for (const d of readdirSync(join(tmp.dir, 'samples'))) files += readdirSync(join(tmp.dir, 'samples', d)).length;
    expect(files).toBe(stored);
  }

  /** Sends `chunks` on one connection (half-closing after when `end`), returns the answer or null. */
  function exchange(chunks: Uint8Array[], end: boolean): Promise<ReturnType<typeof parseResponse>> {
    return new Promise((resolve, reject) => {
      const sock = net.connect({ host: '127.0.0.1', port: svc.port, allowHalfOpen: true });
      let buf = Buffer.alloc(0);
      const timer = setTimeout(() => {
        sock.destroy();
        reject(new Error('no answer and no close within 15 s (hang)'));
      }, 15_000);
      sock.on('connect', () => {
        for (const c of chunks) sock.write(c);
        if (end) sock.end();
      });
      sock.on('data', (d: Buffer) => (buf = Buffer.concat([buf, d])));
      sock.on('end', () => sock.end());
      sock.on('error', () => {});
      sock.on('close', () => {
        clearTimeout(timer);
        resolve(parseResponse(buf));
      });
    });
  }

  it('a valid upload split anywhere across writes is stored (200); cut short with a half-close it gets 400', async () => {
    await fc.assert(
      fc.asyncProperty(validPayload, fc.array(fc.nat(), { maxLength: 4 }), fc.boolean(), fc.nat(), async (p, cuts, truncate, cutAt) => {
        const body = jsonDoc(payload(p.values, sensorsOf(p.w)), HMAC);
        const req = buildRequest('POST', '/api/training/data', { Host: 'x', 'x-api-key': KEY, 'x-file-name': 'p.json', 'Content-Type': 'application/json', 'Content-Length': body.length }, body);
        const bytes = truncate ? req.subarray(0, req.length - 1 - (cutAt % body.length)) : req;
        const at = [...new Set(cuts.map((c) => c % bytes.length))].sort((a, b) => a - b);
        const chunks = [0, ...at].map((s, i, a) => bytes.subarray(s, a[i + 1] ?? bytes.length)).filter((c) => c.length > 0);
        const r = await exchange(chunks, true);
        expect(r, 'every request gets an answer').not.toBeNull();
        expect(r!.res.status).toBe(truncate ? 400 : 200);
        if (r!.res.status === 200) stored++;
      }),
      { numRuns: RUNS },
    );
    await expectNothingHalfStored();
  });

  it('mutated multipart requests (documents, CSV and label parts) on /files: never 5xx, nothing half-stored', async () => {
    const base = multipartBody('b0undary', [
      { name: 'data', filename: 'a.cbor', contentType: 'application/cbor', body: cborDoc(payload([[1, 2, 3]], sensorsOf(3)), HMAC) },
      { name: 'data', filename: 'b.csv', contentType: 'text/csv', body: 'timestamp,x\n0,1\n10,2\n' },
      { name: 'data', filename: 'c.json', contentType: 'application/json', body: jsonDoc(payload([5, 6])) },
      { name: 'structured_labels.labels', filename: 'structured_labels.labels', body: JSON.stringify({ version: 1, type: 'structured-labels', structuredLabels: { 'c.json': [{ startIndex: 0, endIndex: 1, label: 'z' }] } }) },
      { name: 'info.labels', filename: 'info.labels', body: JSON.stringify({ version: 1, files: [{ path: 'a.cbor', name: 'a', category: 'training', label: { type: 'label', label: 'x' } }] }) },
    ]);
    await fc.assert(
      fc.asyncProperty(mutated(base), async (body) => {
        const r = await rawRequest(svc.port, filesRequest(KEY, 'b0undary', body), { timeoutMs: 15_000 });
        expect(r.status).toBeLessThan(500);
        const j = JSON.parse(r.body.toString());
        expect(typeof j.success).toBe('boolean');
        stored += (j.files ?? []).filter((f: { success: boolean }) => f.success).length;
      }),
      { numRuns: RUNS },
    );
    await expectNothingHalfStored();
  });

  it('mutated documents on /data, any content type: 200 or 400, never 5xx', async () => {
    const bases = [cborDoc(payload([[1, 2]], sensorsOf(2)), HMAC), jsonDoc(payload([1, 2, 3]), HMAC), Buffer.from(encode({ protected: { ver: 'v1', alg: 'none' }, signature: '00', payload: payload([7]) }))];
    await fc.assert(
      fc.asyncProperty(fc.oneof(...bases.map(mutated)), fc.constantFrom('application/cbor', 'application/json', 'application/octet-stream', 'text/csv', 'audio/wav'), async (body, type) => {
        const req = buildRequest('POST', '/api/training/data', { Host: 'x', 'x-api-key': KEY, 'x-file-name': 'm.bin', 'Content-Type': type, 'Content-Length': body.length, Connection: 'close' }, body);
        const r = await rawRequest(svc.port, req, { timeoutMs: 15_000 });
        expect([200, 400]).toContain(r.status);
        if (r.status === 200) stored++;
      }),
      { numRuns: RUNS },
    );
    await expectNothingHalfStored();
  });
});
