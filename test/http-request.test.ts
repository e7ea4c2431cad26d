import { describe, expect, it } from 'vitest';
import { bodyFromBytes, type EncodedBody } from '../src/encode/body.ts';
import { HeaderValueError, RequestSpecError } from '../src/http/errors.ts';
import { multipartBody, randomBoundary } from '../src/http/multipart.ts';
import { collectBody, frameRequest, type RequestSpec } from '../src/http/request.ts';
import { buildRequestHead } from '../src/http/request-head.ts';

// Anchor vectors (shared/reference/anchor-vectors.json): the seed's POST /api/training/data example
// body (Content-Length 265) and the /files example (Content-Length 442) that wraps it unchanged.
const ANCHORS: Record<string, { hex: string; layout: Record<string, string> }> = {
  'seed-data-cbor-none': {
    layout: {},
    hex:
    'a3677061796c6f6164a56b6465766963655f6e616d657131313a32323a33333a34343a35353a36366b6465766963655f' +
    '747970656c4e4f524449435f4e524639316b696e74657276616c5f6d73fb40340000000000006773656e736f727383a2' +
    '646e616d65646163635865756e697473646d2f7332a2646e616d65646163635965756e697473646d2f7332a2646e616d' +
    '65646163635a65756e697473646d2f73326676616c7565738283fb3fc4d3b6c0000000fbbfe9ba4500000000fb4023a8' +
    'd06000000083fb3fb126d8c0000000fbbfe8cf0b60000000fb4023d004a00000006970726f746563746564a263616c67' +
    '646e6f6e6563766572627631697369676e6174757265623030',
  },
  'seed-files-multipart': {
    layout: { boundary: '999e13bfdfc8bcc05b97f4784410806e' },
    hex:
    '2d2d39393965313362666466633862636330356239376634373834343130383036650d0a436f6e74656e742d44697370' +
    '6f736974696f6e3a20666f726d2d646174613b206e616d653d2264617461223b2066696c656e616d653d22746573742e' +
    '63626f72220d0a436f6e74656e742d547970653a206170706c69636174696f6e2f63626f720d0a0d0aa3677061796c6f' +
    '6164a56b6465766963655f6e616d657131313a32323a33333a34343a35353a36366b6465766963655f747970656c4e4f' +
    '524449435f4e524639316b696e74657276616c5f6d73fb40340000000000006773656e736f727383a2646e616d656461' +
    '63635865756e697473646d2f7332a2646e616d65646163635965756e697473646d2f7332a2646e616d65646163635a65' +
    '756e697473646d2f73326676616c7565738283fb3fc4d3b6c0000000fbbfe9ba4500000000fb4023a8d06000000083fb' +
    '3fb126d8c0000000fbbfe8cf0b60000000fb4023d004a00000006970726f746563746564a263616c67646e6f6e656376' +
    '6572627631697369676e61747572656230300d0a2d2d3939396531336266646663386263633035623937663437383434' +
    '3130383036652d2d0d0a',
  },
};
const anchor = (id: string) => ANCHORS[id]!;
const hex = (h: string) => Uint8Array.from(Buffer.from(h, 'hex'));
const text = (b: Uint8Array) => Buffer.from(b).toString('latin1');

const seed = hex(anchor('seed-data-cbor-none').hex);
const seedBody = bodyFromBytes(seed, 'application/cbor', '00');
const KEY = 'ei_0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef';
const base: RequestSpec = { kind: 'data', category: 'training', host: 'ingestion.edgeimpulse.com', apiKey: KEY, fileName: 'test.cbor' };

/** A body that yields in many small borrowed chunks from one reused buffer, like the encoder. */
function chunkedBody(bytes: Uint8Array, size: number, contentType = 'application/cbor'): EncodedBody {
  return {
    length: bytes.byteLength,
    contentType,
    signature: '00',
    *chunks() {
      const buf = new Uint8Array(size);
      for (let i = 0; i < bytes.byteLength; i += size) {
        const n = Math.min(size, bytes.byteLength - i);
        buf.set(bytes.subarray(i, i + n));
        yield buf.subarray(0, n);
      }
    },
  };
}

describe('frameRequest /data', () => {
  it('writes the seed request head byte for byte, then the anchor body', () => {
    const req = collectBody(frameRequest(seedBody, base));
    const head =
      'POST /api/training/data HTTP/1.1\r\n' +
      'Host: ingestion.edgeimpulse.com\r\n' +
      `x-api-key: ${KEY}\r\n` +
      'x-file-name: test.cbor\r\n' +
      'Content-Type: application/cbor\r\n' +
      'Content-Length: 265\r\n' +
      '\r\n';
    expect(text(req.subarray(0, head.length))).toBe(head);
    expect(Buffer.from(req.subarray(head.length)).toString('hex')).toBe(anchor('seed-data-cbor-none').hex);
    expect(req.byteLength).toBe(head.length + 265);
  });

  it('writes every optional ingestion header in the documented order', () => {
    const req = frameRequest(seedBody, {
      ...base,
      category: 'testing',
      label: 'idle',
      noLabel: true,
      disallowDuplicates: true,
      addDateId: true,
      metadata: { site: 'north', 'rev': '2' },
      uploadSource: 'ei-ingest',
      connectionClose: true,
    });
    const bytes = collectBody(req);
    const head = text(bytes).split('\r\n\r\n')[0];
    expect(head.split('\r\n')).toEqual([
      'POST /api/testing/data HTTP/1.1',
      'Host: ingestion.edgeimpulse.com',
      `x-api-key: ${KEY}`,
      'x-file-name: test.cbor',
      'x-label: idle',
      'x-no-label: 1',
      'x-disallow-duplicates: 1',
      'x-add-date-id: 1',
      'x-metadata: {"site":"north","rev":"2"}',
      'x-upload-source: ei-ingest',
      'Content-Type: application/cbor',
      'Content-Length: 265',
      'Connection: close',
    ]);
    expect(req.length).toBe(bytes.byteLength);
  });

  it('URI-encodes label and file name like encodeURIComponent', () => {
    const cases = ['wave 1', 'über/ß', 'a&b=c?d#e', 'смесь', '100%', "quote'\"", 'emoji😀'];
    for (const v of cases) {
      const head = text(collectBody(frameRequest(seedBody, { ...base, label: v, fileName: v + '.cbor' })));
      expect(head).toContain(`x-label: ${encodeURIComponent(v)}\r\n`);
      expect(head).toContain(`x-file-name: ${encodeURIComponent(v + '.cbor')}\r\n`);
    }
  });

  it('escapes non-ASCII metadata as JSON \\u escapes that parse back to the same object', () => {
    const meta = { place: 'Zürich', note: 'a"b' };
    const head = text(collectBody(frameRequest(seedBody, { ...base, metadata: meta })));
    const line = head.split('\r\n').find((l) => l.startsWith('x-metadata: '))!;
    expect(line).toMatch(/^[\x20-\x7e]+$/);
    expect(JSON.parse(line.slice('x-metadata: '.length))).toEqual(meta);
  });

  it('takes the content type override and keeps Content-Length equal to the bytes produced', () => {
    for (const size of [1, 7, 64, 1000]) {
      const req = frameRequest(chunkedBody(seed, size), { ...base, contentType: 'application/octet-stream' });
      const bytes = collectBody(req);
      expect(text(bytes)).toContain('Content-Type: application/octet-stream\r\n');
      expect(Buffer.compare(bytes.subarray(bytes.byteLength - 265), seed)).toBe(0);
    }
  });
});

describe('header injection is refused before any byte', () => {
  const bad = ['a\r\nx-evil: 1', 'a\nb', 'a\rb', 'a\0b', '\r\n'];
  const fields: Array<[string, (v: string) => Partial<RequestSpec>]> = [
    ['x-label', (v) => ({ label: v })],
    ['x-file-name', (v) => ({ fileName: v })],
    ['x-api-key', (v) => ({ apiKey: v })],
    ['Host', (v) => ({ host: v })],
    ['x-metadata', (v) => ({ metadata: { k: v } })],
    ['x-metadata', (v) => ({ metadata: { [v]: 'x' } })],
    ['x-upload-source', (v) => ({ uploadSource: v })],
  ];
  for (const [header, make] of fields) {
    for (const v of bad) {
      it(`${header} ${JSON.stringify(v)}`, () => {
        let produced = false;
        const body: EncodedBody = { ...seedBody, *chunks() { produced = true; yield seed; } };
        let err: unknown;
        try {
          frameRequest(body, { ...base, ...make(v) });
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(HeaderValueError);
        expect((err as HeaderValueError).code).toBe('EI_HTTP_HEADER_VALUE');
        expect((err as HeaderValueError).header).toBe(header);
        expect((err as Error).message).not.toContain(v);
        expect(produced).toBe(false);
      });
    }
  }

  it('never echoes the API key in the error', () => {
    const key = 'ei_secret_value\r\nX: y';
    try {
      frameRequest(seedBody, { ...base, apiKey: key });
      expect.unreachable();
    } catch (e) {
      expect((e as Error).message).not.toContain('ei_secret_value');
    }
  });

  it('rejects other control characters and non-ASCII in verbatim headers', () => {
    expect(() => frameRequest(seedBody, { ...base, apiKey: 'ei_\x01' })).toThrow(HeaderValueError);
    expect(() => frameRequest(seedBody, { ...base, apiKey: 'ei_é' })).toThrow(HeaderValueError);
    expect(() => frameRequest(seedBody, { ...base, host: 'h st\x7f' })).toThrow(HeaderValueError);
  });

  it('rejects bad spec fields with the field named', () => {
    const cases: Array<[Partial<RequestSpec>, string]> = [
      [{ category: 'prod' }, 'category'],
      [{ kind: 'blob' as 'data' }, 'kind'],
      [{ fileName: '' }, 'fileName'],
      [{ apiKey: '' }, 'apiKey'],
      [{ kind: 'files', boundary: 'has space ' }, 'boundary'],
      [{ kind: 'files', boundary: 'x'.repeat(71) }, 'boundary'],
    ];
    for (const [patch, field] of cases) {
      try {
        frameRequest(seedBody, { ...base, ...patch });
        expect.unreachable(field);
      } catch (e) {
        expect(e).toBeInstanceOf(RequestSpecError);
        expect((e as RequestSpecError).field).toBe(field);
      }
    }
    expect(() => frameRequest(seedBody, { ...base, metadata: '[1]' })).toThrow(HeaderValueError);
    expect(() => frameRequest(seedBody, { ...base, metadata: { n: 1 as unknown as string } })).toThrow(/must be a string/);
    expect(() => buildRequestHead('POST', '/a b', [])).toThrow(HeaderValueError);
    expect(() => buildRequestHead('POST', '/a', [['bad name', 'v']])).toThrow(HeaderValueError);
  });
});

describe('multipart /files', () => {
  const mp = anchor('seed-files-multipart');

  it('reproduces the seed-files-multipart anchor byte-exact around seed-data-cbor-none', () => {
    const req = frameRequest(seedBody, { ...base, kind: 'files', boundary: mp.layout.boundary });
    const bytes = collectBody(req);
    const head =
      'POST /api/training/files HTTP/1.1\r\n' +
      'Host: ingestion.edgeimpulse.com\r\n' +
      `x-api-key: ${KEY}\r\n` +
      `Content-Type: multipart/form-data; boundary=${mp.layout.boundary}\r\n` +
      'Content-Length: 442\r\n' +
      '\r\n';
    expect(text(bytes.subarray(0, head.length))).toBe(head);
    expect(Buffer.from(bytes.subarray(head.length)).toString('hex')).toBe(mp.hex);
    expect(req.length).toBe(bytes.byteLength);
  });

  it('gives the same bytes however the inner body is chunked', () => {
    const whole = collectBody(multipartBody([{ fileName: 'test.cbor', contentType: 'application/cbor', body: seedBody }], mp.layout.boundary));
    for (const size of [1, 3, 100]) {
      const b = multipartBody([{ fileName: 'test.cbor', contentType: 'application/cbor', body: chunkedBody(seed, size) }], mp.layout.boundary);
      expect(Buffer.from(collectBody(b)).toString('hex')).toBe(mp.hex);
      expect(b.length).toBe(whole.byteLength);
    }
  });

  it('appends label files as extra parts and counts them in Content-Length', () => {
    const labels = new TextEncoder().encode('{"version":1,"files":[]}');
    const req = frameRequest(seedBody, {
      ...base,
      kind: 'files',
      boundary: 'B',
      extraParts: [{ fileName: 'info.labels', contentType: 'application/json', body: bodyFromBytes(labels, 'application/json') }],
    });
    const t = text(collectBody(req));
    const body = t.slice(t.indexOf('\r\n\r\n') + 4);
    expect(body.startsWith('--B\r\nContent-Disposition: form-data; name="data"; filename="test.cbor"\r\nContent-Type: application/cbor\r\n\r\n')).toBe(true);
    expect(body.endsWith(
      '\r\n--B\r\nContent-Disposition: form-data; name="data"; filename="info.labels"\r\nContent-Type: application/json\r\n\r\n{"version":1,"files":[]}\r\n--B--\r\n',
    )).toBe(true);
    expect(t).toContain(`Content-Length: ${Buffer.byteLength(body, 'latin1')}\r\n`);
  });

  it('makes an image-attachment /data request multipart, document first and image second', () => {
    const jpeg = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]);
    const req = frameRequest(seedBody, {
      ...base,
      boundary: 'img',
      fileName: 'doc.cbor',
      extraParts: [{ fileName: 'photo.jpg', contentType: 'image/jpeg', body: bodyFromBytes(jpeg, 'image/jpeg') }],
    });
    const t = text(collectBody(req));
    expect(t).toMatch(/^POST \/api\/training\/data HTTP\/1\.1\r\n/);
    expect(t).toContain('x-file-name: doc.cbor\r\n');
    expect(t).toContain('Content-Type: multipart/form-data; boundary=img\r\n');
    expect(t.indexOf('filename="doc.cbor"')).toBeLessThan(t.indexOf('filename="photo.jpg"'));
    expect(t.endsWith(Buffer.from(jpeg).toString('latin1') + '\r\n--img--\r\n')).toBe(true);
  });

  it('escapes quotes in the part filename and makes random 32-hex boundaries', () => {
    const t = text(collectBody(multipartBody([{ fileName: 'a"b.csv', contentType: 'text/csv', body: seedBody }], 'q')));
    expect(t).toContain('filename="a%22b.csv"');
    const a = randomBoundary();
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(randomBoundary()).not.toBe(a);
  });
});
