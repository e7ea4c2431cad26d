import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  ChunkSyntaxError,
  HeaderSyntaxError,
  ResponseLimitError,
  ResponseParseError,
  StatusLineError,
  TruncatedResponseError,
} from '../src/http/errors.ts';
import { ResponseParser, type HttpResponse, type ResponseLimits } from '../src/http/response-parser.ts';
import { splitAt } from './split-bytes.ts';

const b = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const t = (u: Uint8Array) => Buffer.from(u).toString('latin1');

/** Parses `bytes` pushed in the given pieces; `eof` signals the peer closed afterwards. */
function parse(pieces: Uint8Array[], eof = true, limits?: Partial<ResponseLimits>): { res: HttpResponse; rest: number } {
  const p = new ResponseParser(limits);
  let rest = 0;
  for (const piece of pieces) {
    if (p.complete) {
      rest += piece.byteLength;
      continue;
    }
    const used = p.push(piece);
    rest += piece.byteLength - used;
  }
  if (!p.complete && eof) p.finish();
  return { res: p.result(), rest };
}

const VALID: Array<[string, string, Partial<HttpResponse> & { bodyText: string }]> = [
  ['content-length', 'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 9\r\n\r\ntest.cbor', { status: 200, reason: 'OK', keepAlive: true, bodyText: 'test.cbor' }],
  ['chunked with extensions and trailers', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4;ext=1\r\nWiki\r\n5\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nX-Trailer: yes\r\n\r\n', { status: 200, keepAlive: true, bodyText: 'Wikipedia in\r\n\r\nchunks.' }],
  ['close-delimited', 'HTTP/1.1 500 Internal Server Error\r\nContent-Type: text/plain\r\n\r\nsomething broke', { status: 500, keepAlive: false, bodyText: 'something broke' }],
  ['connection close', 'HTTP/1.1 401 Unauthorized\r\nConnection: close\r\nContent-Length: 11\r\n\r\nmissing key', { status: 401, keepAlive: false, bodyText: 'missing key' }],
  ['HTTP/1.0 keep-alive', 'HTTP/1.0 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok', { status: 200, version: '1.0', keepAlive: true, bodyText: 'ok' }],
  ['HTTP/1.0 default close', 'HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok', { status: 200, keepAlive: false, bodyText: 'ok' }],
  ['interim 100 then 200', 'HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n', { status: 200, bodyText: '' }],
  ['204 no body', 'HTTP/1.1 204 No Content\r\nX-A: 1\r\n\r\n', { status: 204, bodyText: '' }],
  ['empty reason, repeated header', 'HTTP/1.1 429 \r\nRetry-After: 3\r\nX-A: 1\r\nx-a: 2\r\nContent-Length: 4\r\n\r\nslow', { status: 429, reason: '', bodyText: 'slow', headers: { 'retry-after': '3', 'x-a': '1, 2', 'content-length': '4' } }],
  ['no reason at all', 'HTTP/1.1 503\r\nContent-Length: 0\r\n\r\n', { status: 503, reason: '', bodyText: '' }],
  ['same content-length twice', 'HTTP/1.1 200 OK\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc', { status: 200, bodyText: 'abc' }],
  ['OWS around values', 'HTTP/1.1 200 OK\r\nContent-Length:\t 3 \t\r\n\r\nabc', { status: 200, bodyText: 'abc' }],
];

describe('valid responses', () => {
  for (const [name, raw, want] of VALID) {
    it(name, () => {
      const { res } = parse([b(raw)]);
      const { bodyText, ...rest } = want;
      expect(res).toMatchObject(rest);
      expect(t(res.body)).toBe(bodyText);
    });
  }

  it('any byte split of a valid response parses the same (fast-check)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID), fc.array(fc.nat(), { maxLength: 12 }), ([, raw], cuts) => {
        const whole = parse([b(raw)]).res;
        const split = parse(splitAt(b(raw), cuts)).res;
        expect(split).toEqual(whole);
      }),
      { numRuns: 600 },
    );
  });

  it('every single split point and byte-at-a-time give the same result', () => {
    for (const [, raw] of VALID) {
      const bytes = b(raw);
      const whole = parse([bytes]).res;
      for (let i = 0; i <= bytes.byteLength; i++) expect(parse(splitAt(bytes, [i])).res).toEqual(whole);
      expect(parse(Array.from(bytes, (x) => Uint8Array.of(x))).res).toEqual(whole);
    }
  });

  it('generated bodies in generated chunkings round-trip (fast-check)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.array(fc.integer({ min: 1, max: 500 }), { minLength: 1, maxLength: 10 }), fc.array(fc.nat(), { maxLength: 8 }), (body, sizes, cuts) => {
        let raw = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n';
        const parts: Uint8Array[] = [b(raw)];
        let off = 0;
        let i = 0;
        while (off < body.byteLength) {
          const n = Math.min(sizes[i++ % sizes.length]!, body.byteLength - off);
          parts.push(b(n.toString(16) + '\r\n'), body.subarray(off, off + n), b('\r\n'));
          off += n;
        }
        parts.push(b('0\r\n\r\n'));
        const all = Buffer.concat(parts);
        const chunked = parse(splitAt(all, cuts)).res;
        const fixed = parse(splitAt(Buffer.concat([b(`HTTP/1.1 200 OK\r\nContent-Length: ${body.byteLength}\r\n\r\n`), body]), cuts)).res;
        expect(Buffer.from(chunked.body).equals(Buffer.from(body))).toBe(true);
        expect(Buffer.from(fixed.body).equals(Buffer.from(body))).toBe(true);
        raw = '';
      }),
      { numRuns: 200 },
    );
  });

  it('reports unsolicited bytes after a complete response as unconsumed', () => {
    const { rest } = parse([b('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA')]);
    expect(rest).toBe(5);
  });
});

const MALFORMED: Array<[string, string, new (...a: never[]) => ResponseParseError, string?]> = [
  ['garbage status line', 'HTPT/1.1 200 OK\r\n\r\n', StatusLineError],
  ['HTTP/2 status line', 'HTTP/2 200 OK\r\n\r\n', StatusLineError],
  ['two-digit status', 'HTTP/1.1 20 OK\r\n\r\n', StatusLineError],
  ['status 099', 'HTTP/1.1 099 Low\r\n\r\n', StatusLineError],
  ['101 upgrade', 'HTTP/1.1 101 Switching\r\n\r\n', StatusLineError],
  ['bare LF status line', 'HTTP/1.1 200 OK\nContent-Length: 0\r\n\r\n', StatusLineError],
  ['bare LF header', 'HTTP/1.1 200 OK\r\nContent-Length: 0\n\r\n', HeaderSyntaxError],
  ['NUL in header', 'HTTP/1.1 200 OK\r\nX-A: a\0b\r\n\r\n', HeaderSyntaxError],
  ['header without colon', 'HTTP/1.1 200 OK\r\nNoColon\r\n\r\n', HeaderSyntaxError],
  ['space before colon', 'HTTP/1.1 200 OK\r\nContent-Length : 1\r\n\r\nx', HeaderSyntaxError],
  ['obs-fold', 'HTTP/1.1 200 OK\r\nX-A: 1\r\n  continued\r\n\r\n', HeaderSyntaxError],
  ['negative content-length', 'HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n', HeaderSyntaxError],
  ['hex content-length', 'HTTP/1.1 200 OK\r\nContent-Length: 0x10\r\n\r\n', HeaderSyntaxError],
  ['conflicting content-lengths', 'HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab', HeaderSyntaxError],
  ['TE and CL', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n', HeaderSyntaxError],
  ['chunked not last', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked, gzip\r\n\r\n', HeaderSyntaxError],
  ['bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n', ChunkSyntaxError],
  ['chunk longer than size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n', ChunkSyntaxError],
  ['chunk missing CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\nab\r\n', ChunkSyntaxError],
];

describe('malformed responses give typed errors', () => {
  for (const [name, raw, cls] of MALFORMED) {
    it(name, () => {
      for (const pieces of [[b(raw)], Array.from(b(raw), (x) => Uint8Array.of(x))]) {
        let err: unknown;
        try {
          parse(pieces);
        } catch (e) {
          err = e;
        }
        expect(err).toBeInstanceOf(cls);
        expect((err as ResponseParseError).code).toMatch(/^EI_HTTP_/);
      }
    });
  }

  it('latches the error: later pushes throw it again', () => {
    const p = new ResponseParser();
    expect(() => p.push(b('nope\r\n'))).toThrow(StatusLineError);
    expect(() => p.push(b('HTTP/1.1 200 OK\r\n'))).toThrow(StatusLineError);
    expect(() => p.finish()).toThrow(StatusLineError);
  });

  it('truncation at every point before the end is a TruncatedResponseError', () => {
    for (const [name, raw] of VALID) {
      if (name.startsWith('close-delimited')) continue;
      const bytes = b(raw);
      for (let i = 0; i < bytes.byteLength; i++) {
        expect(() => parse([bytes.subarray(0, i)]), `${name} cut at ${i}`).toThrow(TruncatedResponseError);
      }
    }
  });
});

describe('limits', () => {
  const cases: Array<[string, string, Partial<ResponseLimits>, string]> = [
    ['status line', `HTTP/1.1 200 ${'x'.repeat(200)}\r\n\r\n`, { maxStatusLineBytes: 100 }, 'maxStatusLineBytes'],
    ['header bytes', `HTTP/1.1 200 OK\r\nX-Big: ${'y'.repeat(600)}\r\n\r\n`, { maxHeaderBytes: 512 }, 'maxHeaderBytes'],
    ['header count', `HTTP/1.1 200 OK\r\n${'X-A: 1\r\n'.repeat(11)}\r\n`, { maxHeaderCount: 10 }, 'maxHeaderCount'],
    ['declared body', 'HTTP/1.1 200 OK\r\nContent-Length: 2000\r\n\r\n', { maxBodyBytes: 1000 }, 'maxBodyBytes'],
    ['chunked body', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n${'100\r\n' + 'z'.repeat(256) + '\r\n'}`.repeat(1) + '100\r\n', { maxBodyBytes: 300 }, 'maxBodyBytes'],
    ['close-delimited body', `HTTP/1.1 200 OK\r\n\r\n${'q'.repeat(400)}`, { maxBodyBytes: 300 }, 'maxBodyBytes'],
    ['chunk line', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n1;${'e'.repeat(100)}\r\n`, { maxChunkLineBytes: 64 }, 'maxChunkLineBytes'],
    ['trailers', `HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n${'T: 1\r\n'.repeat(20)}\r\n`, { maxHeaderCount: 10 }, 'maxHeaderCount'],
    ['endless header line', `HTTP/1.1 200 OK\r\nX: ${'a'.repeat(20000)}`, {}, 'maxHeaderBytes'],
  ];
  for (const [name, raw, limits, which] of cases) {
    it(name, () => {
      try {
        parse([b(raw)], false, limits);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(ResponseLimitError);
        expect((e as ResponseLimitError).limit).toBe(which);
      }
    });
  }
});

describe('never hangs on arbitrary bytes (fast-check)', () => {
  it('random bytes: after finish() it is complete or threw a typed error', () => {
    const prefix = fc.constantFrom('', 'HTTP/1.1 200 OK\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\n');
    fc.assert(
      fc.property(prefix, fc.uint8Array({ maxLength: 400 }), fc.array(fc.nat(), { maxLength: 6 }), (pre, junk, cuts) => {
        const bytes = Buffer.concat([b(pre), junk]);
        try {
          const { res } = parse(splitAt(bytes, cuts), true, { maxHeaderBytes: 256, maxBodyBytes: 256 });
          expect(res.status).toBeGreaterThanOrEqual(200);
        } catch (e) {
          expect(e).toBeInstanceOf(ResponseParseError);
        }
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated valid responses parse or fail typed, identically for any split', () => {
    fc.assert(
      fc.property(fc.constantFrom(...VALID), fc.nat(), fc.integer({ min: 0, max: 255 }), fc.array(fc.nat(), { maxLength: 6 }), ([, raw], at, byte, cuts) => {
        const bytes = b(raw);
        bytes[at % bytes.byteLength] = byte;
        const outcome = (pieces: Uint8Array[]) => {
          try {
            return parse(pieces).res;
          } catch (e) {
            expect(e).toBeInstanceOf(ResponseParseError);
            return (e as ResponseParseError).code;
          }
        };
        expect(outcome(splitAt(bytes, cuts))).toEqual(outcome([bytes]));
      }),
      { numRuns: 1000 },
    );
  });
});
