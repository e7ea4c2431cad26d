// Property tests of the HTTP response parser (src/http/response-parser.ts), the parser that reads
// whatever a peer sends. Counts: test/prop-runs.ts (EI_FUZZ_RUNS for `npm run fuzz`).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ResponseParser, DEFAULT_RESPONSE_LIMITS, type ResponseLimits } from '../src/http/response-parser.ts';
import { InterimLimitError, ResponseParseError } from '../src/http/errors.ts';
import { runs, timeoutFor } from './prop-runs.ts';
import { splitAt as split } from './split-bytes.ts';

const enc = (s: string) => Buffer.from(s, 'latin1');

type Outcome = { ok: true; status: number; headers: Record<string, string>; body: string; keepAlive: boolean; used: number } | { ok: false; code: string };

/** Feeds the pieces (a copy of each, reused buffers must not matter), then finish(). */
function outcome(pieces: Uint8Array[], limits?: Partial<ResponseLimits>): Outcome {
  const p = new ResponseParser(limits);
  let used = 0;
  try {
    for (const piece of pieces) {
      if (p.complete) break;
      const scratch = Uint8Array.from(piece);
      used += p.push(scratch);
      scratch.fill(0xee); // the parser must have copied what it keeps
    }
    if (!p.complete) p.finish();
    const r = p.result();
    return { ok: true, status: r.status, headers: r.headers, body: Buffer.from(r.body).toString('latin1'), keepAlive: r.keepAlive, used };
  } catch (e) {
    expect(e).toBeInstanceOf(ResponseParseError);
    return { ok: false, code: (e as ResponseParseError).code };
  }
}

const token = fc.stringMatching(/^[A-Za-z][A-Za-z0-9-]{0,15}$/).filter((n) => !/^(content-length|transfer-encoding|connection)$/i.test(n));
const fieldValue = fc.stringMatching(/^[\x21-\x7e]([\x20-\x7e]{0,30}[\x21-\x7e])?$/);
const body = fc.uint8Array({ maxLength: 2000 });

/** A valid response as a model and its bytes: interim answers, headers, CL or chunked or close. */
const response = fc
  .record({
    interim: fc.array(fc.constantFrom(100, 102, 103), { maxLength: DEFAULT_RESPONSE_LIMITS.maxInterimResponses }),
    status: fc.integer({ min: 200, max: 599 }).filter((s) => s !== 204 && s !== 304),
    headers: fc.uniqueArray(fc.tuple(token, fieldValue), { maxLength: 8, selector: ([n]) => n.toLowerCase() }),
    framing: fc.constantFrom('length', 'chunked', 'close'),
    chunk: fc.integer({ min: 1, max: 700 }),
    body,
  })
  .map((m) => {
    const parts: Buffer[] = [];
    for (const s of m.interim) parts.push(enc(`HTTP/1.1 ${s} Interim\r\nX-I: ${s}\r\n\r\n`));
    let head = `HTTP/1.1 ${m.status} Reason phrase\r\n` + m.headers.map(([n, v]) => `${n}: ${v}\r\n`).join('');
    if (m.framing === 'length') head += `Content-Length: ${m.body.length}\r\n`;
    if (m.framing === 'chunked') head += 'Transfer-Encoding: chunked\r\n';
    if (m.framing === 'close') head += 'Connection: close\r\n';
    parts.push(enc(head + '\r\n'));
    if (m.framing === 'chunked') {
      for (let o = 0; o < m.body.length; o += m.chunk) {
        const c = m.body.subarray(o, o + m.chunk);
        parts.push(enc(`${c.length.toString(16)}\r\n`), Buffer.from(c), enc('\r\n'));
      }
      parts.push(enc('0\r\n\r\n'));
    } else parts.push(Buffer.from(m.body));
    return { m, bytes: new Uint8Array(Buffer.concat(parts)) };
  });

describe('HTTP response parser properties', () => {
  it('any valid response, in any split, parses to its model; nothing after it is consumed', { timeout: timeoutFor(300) }, () => {
    fc.assert(
      fc.property(response, fc.array(fc.nat(), { maxLength: 10 }), fc.uint8Array({ maxLength: 20 }), ({ m, bytes }, cuts, trailing) => {
        const withTrail = m.framing === 'close' ? bytes : new Uint8Array([...bytes, ...trailing]);
        const o = outcome(split(withTrail, cuts));
        expect(o.ok).toBe(true);
        if (!o.ok) return;
        expect(o.status).toBe(m.status);
        expect(o.body).toBe(Buffer.from(m.body).toString('latin1'));
        for (const [n, v] of m.headers) expect(o.headers[n.toLowerCase()]).toBe(v);
        expect(o.keepAlive).toBe(m.framing !== 'close');
        if (m.framing !== 'close') expect(o.used).toBe(bytes.length);
      }),
      { numRuns: runs(300) },
    );
  });

  it('arbitrary bytes: a result within the limits or a typed error, the same for every split', { timeout: timeoutFor(1000) }, () => {
    const prefix = fc.constantFrom('', 'HTTP/1.1 200 OK\r\n', 'HTTP/1.1 100 Continue\r\n\r\n', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n', 'HTTP/1.0 200 OK\r\n\r\n');
    const alphabet = fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.array(fc.constantFrom('\r\n', '\r', '\n', 'HTTP/1.1 100 C\r\n\r\n', ': ', '0', 'f', ';', ' ', 'Content-Length: 3', 'a'), { maxLength: 40 }).map((a) => new Uint8Array(enc(a.join('')))));
    const limits = { maxHeaderBytes: 256, maxBodyBytes: 256, maxStatusLineBytes: 64, maxHeaderCount: 8, maxChunkLineBytes: 16, maxInterimResponses: 3 };
    fc.assert(
      fc.property(prefix, alphabet, fc.array(fc.nat(), { maxLength: 8 }), (pre, junk, cuts) => {
        const bytes = new Uint8Array([...enc(pre), ...junk]);
        const whole = outcome([bytes], limits);
        const pieces = outcome(split(bytes, cuts), limits);
        expect(pieces).toEqual(whole);
        if (whole.ok) {
          expect(whole.status).toBeGreaterThanOrEqual(200);
          expect(whole.body.length).toBeLessThanOrEqual(limits.maxBodyBytes);
        }
      }),
      { numRuns: runs(1000) },
    );
  });

  it('single-byte mutations of valid responses: parse or typed error, split-independent', { timeout: timeoutFor(500) }, () => {
    fc.assert(
      fc.property(response, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.array(fc.nat(), { maxLength: 6 }), ({ bytes }, at, byte, cuts) => {
        const mutated = Uint8Array.from(bytes);
        mutated[at % mutated.length] = byte;
        expect(outcome(split(mutated, cuts))).toEqual(outcome([mutated]));
      }),
      { numRuns: runs(500) },
    );
  });

  it('n interim responses: accepted up to the limit, InterimLimitError beyond', { timeout: timeoutFor(200) }, () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 30 }), fc.integer({ min: 0, max: 12 }), (n, max) => {
        const bytes = enc('HTTP/1.1 100 Continue\r\n\r\n'.repeat(n) + 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        const p = new ResponseParser({ maxInterimResponses: max });
        if (n <= max) {
          p.push(bytes);
          expect(p.complete).toBe(true);
        } else expect(() => p.push(bytes)).toThrow(InterimLimitError);
      }),
      { numRuns: runs(200) },
    );
  });
});
