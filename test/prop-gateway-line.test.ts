// Property tests of the gateway's line protocol (src/gateway/line-parser.ts): the data forwarder's
// text lines, in any split, with any garbage. Counts: test/prop-runs.ts (EI_FUZZ_RUNS).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { LineSplitter, MAX_LINE, parseNote, parseReading, parseSensorList } from '../src/gateway/line-parser.ts';
import { runs, timeoutFor } from './prop-runs.ts';
import { splitAt as split } from './split-bytes.ts';

function lines(pieces: Uint8Array[]) {
  const s = new LineSplitter();
  const out: string[] = [];
  for (const p of pieces) out.push(...s.push(p));
  return { out, overlong: s.overlongLines };
}

describe('line protocol properties', () => {
  it('the splitter gives the same lines for every split; lines are bounded and hold no CR/LF', { timeout: timeoutFor(1000) }, () => {
    const text = fc.oneof(
      fc.uint8Array({ maxLength: 3000 }),
      fc.array(fc.constantFrom('1.5', ',', ' ', '\t', '\r', '\n', '\r\n', '# sensors: a, b[m/s2]', 'x'.repeat(1500), '-', 'e7'), { maxLength: 40 }).map((a) => new Uint8Array(Buffer.from(a.join(''), 'latin1'))),
    );
    fc.assert(
      fc.property(text, fc.array(fc.nat(), { maxLength: 12 }), (bytes, cuts) => {
        const whole = lines([bytes]);
        expect(lines(split(bytes, cuts))).toEqual(whole);
        for (const l of whole.out) {
          expect(l.length).toBeGreaterThan(0);
          expect(l.length).toBeLessThanOrEqual(MAX_LINE);
          expect(l).not.toMatch(/[\r\n]/);
        }
      }),
      { numRuns: runs(1000) },
    );
  });

  it('rows of finite numbers written with any separators read back as the same numbers', { timeout: timeoutFor(1000) }, () => {
    const num = fc.double({ noNaN: true, noDefaultInfinity: true });
    const sep = fc.constantFrom(',', ' ', '\t', ', ', ' \t ');
    fc.assert(
      fc.property(fc.array(fc.tuple(num, sep), { minLength: 1, maxLength: 12 }), fc.boolean(), (row, expo) => {
        const text = row.map(([v, s], i) => (expo ? v.toExponential() : String(v)) + (i < row.length - 1 ? s : '')).join('');
        const got = parseReading(text);
        expect(got).not.toBeNull();
        // -0 reads back as -0, and String(-0) is "0": compare through the text form.
        expect(got!.map((v) => (Object.is(v, -0) ? 0 : v))).toEqual(row.map(([v]) => (Object.is(v, -0) ? 0 : Number(expo ? v.toExponential() : String(v)))));
      }),
      { numRuns: runs(1000) },
    );
  });

  it('arbitrary text: parseReading returns null or finite numbers; sensor lists and notes never throw', { timeout: timeoutFor(2000) }, () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary', maxLength: 200 }), (s) => {
        const r = parseReading(s);
        if (r !== null) for (const v of r) expect(Number.isFinite(v)).toBe(true);
        const list = parseSensorList(s);
        if (list !== null) for (const x of list) expect(x.name).toMatch(/^[A-Za-z0-9_.-]{1,64}$/);
        const n = parseNote(s);
        if (!s.startsWith('#')) expect(n).toBeNull();
        else expect(['sensors', 'reset', 'other']).toContain(n!.kind);
      }),
      { numRuns: runs(2000) },
    );
  });
});
