// Property tests of the modem AT parser (src/transport/modem/at-parser.ts): whatever the modem (or
// line noise) sends, in whatever split. Counts: test/prop-runs.ts (EI_FUZZ_RUNS for `npm run fuzz`).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AtParser, MAX_LINE, MAX_PAYLOAD, type AtEvent } from '../src/transport/modem/at-parser.ts';
import { runs, timeoutFor } from './prop-runs.ts';
import { splitAt as split } from './split-bytes.ts';

const enc = (s: string) => Buffer.from(s, 'latin1');

/** Events as plain data (payload bytes as hex) so runs compare with toEqual. */
function events(pieces: Uint8Array[]): unknown[] {
  const p = new AtParser();
  const out: unknown[] = [];
  const emit = (e: AtEvent) => out.push(e.kind === 'payload' ? { kind: 'payload', hex: Buffer.from(e.data).toString('hex') } : e);
  for (const piece of pieces) {
    const scratch = Uint8Array.from(piece);
    p.feed(scratch, emit);
    scratch.fill(0xee); // payloads handed out must not alias the caller's buffer
  }
  return out;
}

/** What a modem says: answer lines, URCs, `#XRECV` headers with raw payloads, `+++`. */
const item = fc.oneof(
  fc.constantFrom('OK', 'ERROR', 'Ready', '+CEREG: 5', '#XSOCKET: 0,1,6', '#XDATAMODE: 0').map((t) => ({ line: t })),
  fc.stringMatching(/^[A-Za-z#+][\x20-\x7e]{0,60}$/).filter((t) => !t.startsWith('#XRECV') && !t.startsWith('+++')).map((t) => ({ line: t })),
  fc.record({ dialect: fc.constantFrom('new', 'old'), payload: fc.uint8Array({ minLength: 1, maxLength: 600 }) }),
);
const script = fc.array(item, { maxLength: 12 }).map((items) => {
  const parts: Buffer[] = [];
  const want: unknown[] = [];
  for (const it of items) {
    if ('line' in it) {
      parts.push(enc(`\r\n${it.line}\r\n`));
      want.push({ kind: 'line', text: it.line });
    } else {
      const header = it.dialect === 'new' ? `#XRECV: 0,0,${it.payload.length}` : `#XRECV: ${it.payload.length}`;
      parts.push(enc(`\r\n${header}\r\n`), Buffer.from(it.payload), enc('\r\nOK\r\n'));
      want.push({ kind: 'line', text: header }, { kind: 'payload', hex: Buffer.from(it.payload).toString('hex') }, { kind: 'line', text: 'OK' });
    }
  }
  return { bytes: new Uint8Array(Buffer.concat(parts)), want };
});

describe('AT parser properties', () => {
  it('a modem script in any split gives back its lines and raw payloads exactly (CR, LF, "OK" inside payloads included)', { timeout: timeoutFor(400) }, () => {
    fc.assert(
      fc.property(script, fc.array(fc.nat(), { maxLength: 12 }), ({ bytes, want }, cuts) => {
        expect(events(split(bytes, cuts))).toEqual(want);
      }),
      { numRuns: runs(400) },
    );
  });

  it('arbitrary bytes: never throws, the same events for every split, every line bounded and free of CR/LF', { timeout: timeoutFor(1000) }, () => {
    const noise = fc.oneof(
      fc.uint8Array({ maxLength: 600 }),
      fc.array(fc.constantFrom('\r', '\n', '\r\n', '+', '+++', '#XRECV: ', '#XRECV: 0,0,', '5', '70000', 'OK', 'x', '\0'), { maxLength: 60 }).map((a) => new Uint8Array(enc(a.join('')))),
    );
    fc.assert(
      fc.property(noise, fc.array(fc.nat(), { maxLength: 10 }), (bytes, cuts) => {
        const whole = events([bytes]);
        expect(events(split(bytes, cuts))).toEqual(whole);
        expect(events(Array.from(bytes, (b) => Uint8Array.of(b)))).toEqual(whole);
        for (const e of whole as AtEvent[]) {
          if (e.kind === 'line') {
            expect(e.text.length).toBeLessThanOrEqual(MAX_LINE);
            expect(e.text).not.toMatch(/[\r\n]/);
          }
        }
      }),
      { numRuns: runs(1000) },
    );
  });

  it('overlong lines and oversized payload headers are reported as overflow, never buffered', { timeout: timeoutFor(100, 20) }, () => {
    fc.assert(
      fc.property(fc.integer({ min: MAX_LINE + 1, max: MAX_LINE * 3 }), fc.integer({ min: MAX_PAYLOAD + 1, max: 10 * MAX_PAYLOAD }), (len, size) => {
        const bytes = enc(`\r\n${'a'.repeat(len)}\r\n#XRECV: ${size}\r\nOK\r\n`);
        const ev = events([bytes]) as AtEvent[];
        expect(ev[0]).toEqual({ kind: 'overflow', length: MAX_LINE });
        expect(ev).toContainEqual({ kind: 'overflow', length: size });
        expect(ev[ev.length - 1]).toEqual({ kind: 'line', text: 'OK' });
      }),
      { numRuns: runs(100) },
    );
  });
});
