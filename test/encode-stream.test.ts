// Streaming contract: the size/hash pass is the same code as the emit pass (counted bytes equal
// written bytes for every document and buffer size), chunks are re-iterable, the signature is
// patched over the placeholder, and pull sources are encoded in one pass with a latched error.
import { describe, expect, it } from 'vitest';
import { createHmac } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'cbor-x';
import { encodeDocument, encodeToBytes, encodeStreaming, MemorySink, FileSink, DocumentError, type DocumentInput, type LayoutName, type PulledRow } from '../src/index.ts';

const sensors3 = [{ name: 'accX', units: 'm/s2' }, { name: 'accY', units: 'm/s2' }, { name: 'accZ', units: 'm/s2' }];
function accel(n: number): Float32Array {
  const d = new Float32Array(n * 3);
  for (let i = 0; i < d.length; i++) d[i] = Math.sin(i) * 10;
  return d;
}
function collect(chunks: Iterable<Uint8Array>): Buffer {
  return Buffer.concat([...chunks].map((c) => Buffer.from(c))); // copy: chunks are borrowed views
}
function collectCopying(chunks: Iterable<Uint8Array>): Buffer {
  const parts: Buffer[] = [];
  for (const c of chunks) parts.push(Buffer.from(c));
  return Buffer.concat(parts);
}

describe('size pass = emit pass', () => {
  const layouts: LayoutName[] = ['compact', 'docs', 'python', 'c-sdk'];
  for (const format of ['cbor', 'json'] as const) {
    for (const layout of layouts) {
      it(`${format}/${layout}: counted length equals bytes streamed, for several buffer sizes`, () => {
        for (const n of [0, 1, 7, 1000, 5000]) {
          for (const bufferSize of [64, 1000, 65536]) {
            const doc: DocumentInput = { payload: { device_name: 'dev', device_type: 'T', interval_ms: 10, sensors: sensors3, values: { data: accel(n), width: 3 } } };
            const body = encodeDocument(doc, { format, layout, hmacKey: 'k', bufferSize });
            let total = 0;
            let chunks = 0;
            for (const c of body.chunks()) {
              total += c.length;
              chunks++;
              if (c.length !== bufferSize) expect(total).toBe(body.length); // only the last chunk is partial
            }
            expect(total).toBe(body.length);
            expect(chunks).toBe(Math.max(1, Math.ceil(body.length / bufferSize)));
          }
        }
      });
    }
  }

  it('chunks() is re-iterable and gives identical bytes; the signature is the HMAC over the placeholder bytes', () => {
    const doc: DocumentInput = { payload: { device_type: 'T', interval_ms: 10, sensors: sensors3, values: { data: accel(3000), width: 3 } } };
    const key = 'k'.repeat(65);
    const body = encodeDocument(doc, { format: 'cbor', hmacKey: key, bufferSize: 128 });
    const a = collectCopying(body.chunks());
    const b = collectCopying(body.chunks());
    expect(a.equals(b)).toBe(true);
    expect(a.length).toBe(body.length);
    expect(a.subarray(body.signatureOffset, body.signatureOffset + 64).toString('latin1')).toBe(body.signature);
    const zeroed = Buffer.from(a);
    zeroed.fill(0x30, body.signatureOffset, body.signatureOffset + 64);
    expect(createHmac('sha256', key).update(zeroed).digest('hex')).toBe(body.signature);
    // concatenating borrowed views without copying would repeat the last buffer contents
    expect(collect(body.chunks()).length).toBe(body.length);
  });

  it('a one-chunk body is served once from the hash pass, then re-encoded, both identical', () => {
    const doc: DocumentInput = { payload: { device_type: 'T', interval_ms: 10, sensors: sensors3, values: { data: accel(100), width: 3 } } };
    const body = encodeDocument(doc, { format: 'cbor', hmacKey: 'one' });
    const iterA = body.chunks()[Symbol.iterator]();
    const a = Buffer.from(iterA.next().value!);
    const b = collectCopying(body.chunks()); // concurrent second iteration: re-encodes
    expect(iterA.next().done).toBe(true);
    const c = collectCopying(body.chunks());
    expect(a.equals(b) && b.equals(c)).toBe(true);
    const zeroed = Buffer.from(a);
    zeroed.fill(0x30, body.signatureOffset, body.signatureOffset + 64);
    expect(createHmac('sha256', 'one').update(zeroed).digest('hex')).toBe(body.signature);
    // the held buffer went back to the pool: the next body may reuse it without disturbing `a`
    const other = collectCopying(encodeDocument(doc, { format: 'json' }).chunks());
    expect(other[0]).toBe(0x7b);
    expect(collectCopying(body.chunks()).equals(a)).toBe(true);
  });

  it('an abandoned iteration does not disturb the next one', () => {
    const doc: DocumentInput = { payload: { device_type: 'T', interval_ms: 10, sensors: sensors3, values: { data: accel(2000), width: 3 } } };
    const body = encodeDocument(doc, { format: 'json', bufferSize: 256 });
    for (const c of body.chunks()) {
      expect(c.length).toBe(256);
      break;
    }
    const it1 = body.chunks()[Symbol.iterator]();
    it1.next();
    const full = collectCopying(body.chunks());
    expect(JSON.parse(full.toString()).payload.values.length).toBe(2000);
  });

  it('ES256 signature: 128 hex, placeholder of 128 zeros, verifiable', async () => {
    const sign = await import('../src/sign/index.ts');
    const { privateKey, publicKey } = sign.es256KeyPair();
    const doc: DocumentInput = { payload: { device_type: 'T', interval_ms: 10, sensors: sensors3, values: { data: accel(50), width: 3 } } };
    const body = encodeDocument(doc, { format: 'cbor', privateKey });
    expect(body.signature).toMatch(/^[0-9a-f]{128}$/);
    const bytes = collectCopying(body.chunks());
    expect(decode(bytes).protected.alg).toBe('ES256');
    expect(bytes.subarray(body.signatureOffset - 2, body.signatureOffset).toString('hex')).toBe('7880');
    expect(sign.es256Verify(bytes, publicKey)).toBe(true);
    bytes[bytes.length - 1] ^= 1;
    expect(sign.es256Verify(bytes, publicKey)).toBe(false);
  });

  it('buffered: one pass into memory gives the same bytes and signature as the two streaming passes', () => {
    for (const format of ['cbor', 'json'] as const) {
      const doc: DocumentInput = { payload: { device_type: 'T', interval_ms: 10, sensors: sensors3, values: { data: accel(700), width: 3 } } };
      const streamed = encodeDocument(doc, { format, hmacKey: 'bk', bufferSize: 256 });
      const buffered = encodeDocument(doc, { format, hmacKey: 'bk', bufferSize: 256, buffered: true });
      expect(buffered.signature).toBe(streamed.signature);
      expect(buffered.signatureOffset).toBe(streamed.signatureOffset);
      expect(collectCopying(buffered.chunks()).equals(collectCopying(streamed.chunks()))).toBe(true);
    }
  });

  it('a change of the input after signing is detected when streaming', () => {
    const data = accel(10);
    const doc: DocumentInput = { payload: { device_type: 'T', interval_ms: 10, sensors: sensors3, values: { data, width: 3 } } };
    const body = encodeDocument(doc, { format: 'json', hmacKey: 'k' });
    const signed = collectCopying(encodeDocument(doc, { format: 'json', hmacKey: 'k' }).chunks());
    data[4] = NaN;
    // A one-chunk body is served from the hash pass's own bytes the first time: still what was signed.
    expect(collectCopying(body.chunks()).equals(signed)).toBe(true);
    // A retry re-encodes and notices.
    expect(() => collectCopying(body.chunks())).toThrow(/changed after it was signed/);
    const big = { data: accel(5000), width: 3 };
    const body2 = encodeDocument({ payload: { ...doc.payload, values: big } }, { format: 'cbor', hmacKey: 'k', bufferSize: 1024 });
    big.data[7] = Infinity;
    expect(() => collectCopying(body2.chunks())).toThrow(/changed after it was signed/);
  });
});

describe('pull sources (one pass, signature patched at the end)', () => {
  const base = { device_type: 'LIVE', interval_ms: 4, sensors: sensors3 };
  const rows = Array.from({ length: 500 }, (_, i) => [i, i / 3, -i]);

  it('iterator, generator and callback give the same bytes as the array (values indefinite)', () => {
    const ref = encodeToBytes({ payload: { ...base, values: rows } }, { format: 'cbor', layout: 'docs', hmacKey: 'k' });
    function* gen(): Generator<PulledRow> {
      yield* rows;
    }
    let i = 0;
    const cb = (): PulledRow | null => (i < rows.length ? rows[i++] : null);
    for (const values of [gen(), rows[Symbol.iterator](), cb, { [Symbol.iterator]: () => rows[Symbol.iterator]() }]) {
      const got = encodeToBytes({ payload: { ...base, values } }, { format: 'cbor', layout: 'docs', hmacKey: 'k', bufferSize: 100 });
      expect(Buffer.from(got).equals(Buffer.from(ref))).toBe(true);
    }
  });

  it('JSON pull equals JSON.stringify; signature verifies', () => {
    const bytes = Buffer.from(encodeToBytes({ payload: { ...base, values: rows.values() } }, { format: 'json', hmacKey: 'pk', bufferSize: 64 }));
    const parsed = JSON.parse(bytes.toString());
    expect(bytes.toString()).toBe(JSON.stringify({ protected: { ver: 'v1', alg: 'HS256' }, signature: parsed.signature, payload: { ...base, values: rows } }));
    const zeroed = bytes.toString().replace(parsed.signature, '0'.repeat(64));
    expect(createHmac('sha256', 'pk').update(zeroed).digest('hex')).toBe(parsed.signature);
  });

  it('a bad pulled row is latched and reported at the end with its path', () => {
    const bad = rows.map((r) => [...r]);
    bad[317][1] = NaN;
    const sink = new MemorySink();
    const e = (() => { try { encodeStreaming({ payload: { ...base, values: bad.values() } }, { format: 'cbor', bufferSize: 64 }, sink); } catch (x) { return x; } })() as DocumentError;
    expect(e).toBeInstanceOf(DocumentError);
    expect(e.code).toBe('EI_DOC_NON_FINITE');
    expect(e.path).toBe('payload.values[317][1]');
    const short = rows.map((r, i) => (i === 42 ? r.slice(0, 2) : r));
    expect(() => encodeToBytes({ payload: { ...base, values: short.values() } }, { format: 'json' })).toThrow(expect.objectContaining({ code: 'EI_DOC_ROW_WIDTH', path: 'payload.values[42]' }));
    const throwing = (): PulledRow => { throw new Error('sensor unplugged'); };
    expect(() => encodeToBytes({ payload: { ...base, values: throwing } }, { format: 'cbor' })).toThrow(expect.objectContaining({ code: 'EI_DOC_SOURCE', path: 'payload.values[0]' }));
  });

  it('FileSink: constant-memory pull encoding into a file, signature patched in place', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ei-enc-'));
    try {
      const path = join(dir, 'live.cbor');
      const sink = new FileSink(path);
      const r = encodeStreaming({ payload: { ...base, values: rows.values() } }, { format: 'cbor', hmacKey: 'fk', bufferSize: 64 }, sink);
      sink.close();
      const bytes = readFileSync(path);
      expect(bytes.length).toBe(r.length);
      expect(decode(bytes).signature).toBe(r.signature);
      const zeroed = Buffer.from(bytes);
      zeroed.fill(0x30, r.signatureOffset, r.signatureOffset + 64);
      expect(createHmac('sha256', 'fk').update(zeroed).digest('hex')).toBe(r.signature);
      const sink2 = new FileSink(join(dir, 'bad.cbor'));
      expect(() => encodeStreaming({ payload: { ...base, values: [[1, 2]].values() } }, { format: 'cbor' }, sink2)).toThrow(DocumentError);
      sink2.discard();
      expect(existsSync(join(dir, 'bad.cbor'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
