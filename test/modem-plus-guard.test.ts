import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isPlusSafe, planPlusSafe, type PlusSafeSegment } from '../src/transport/modem/plus-guard.ts';

const PLUS = 0x2b;
const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));
const show = (segs: PlusSafeSegment[]) =>
  segs.map((s) => (s.kind === 'data' ? Buffer.from(s.bytes).toString('latin1') : `<${s.count}>`));

/**
 * What a worst-case old-SLM modem forwards: one matcher over the whole data-mode stream that keeps
 * partial `+++` matches across idle windows. Returns the payload of each session, or null if a
 * session ended before its terminator (bytes lost or misplaced).
 */
function modemView(segments: PlusSafeSegment[]): Uint8Array | null {
  const out: number[] = [];
  for (const seg of segments) {
    if (seg.kind === 'literal') {
      for (let k = 0; k < seg.count; k++) out.push(PLUS);
      continue;
    }
    const stream = [...seg.bytes, PLUS, PLUS, PLUS];
    let run = 0;
    for (let i = 0; i < stream.length; i++) {
      run = stream[i] === PLUS ? run + 1 : 0;
      if (run === 3) {
        if (i !== stream.length - 1) return null; // data mode ended early
        out.push(...stream.slice(0, i - 2));
      }
    }
  }
  return Uint8Array.from(out);
}

/** Body bytes heavy in '+' so runs of every length occur. */
const plusHeavy = fc.uint8Array({ maxLength: 300 }).map((a) => a.map((b) => (b < 150 ? PLUS : b === PLUS ? 0x2c : b)));

describe('planPlusSafe (old dialect +++ guard)', () => {
  it('splits runs of three or more, keeping the last two before a non-plus byte', () => {
    expect(show(planPlusSafe(ascii('a+++b'), true).segments)).toEqual(['a', '<1>', '++b']);
    expect(show(planPlusSafe(ascii('a++b+c'), true).segments)).toEqual(['a++b+c']);
    expect(show(planPlusSafe(ascii('+++++x++'), true).segments)).toEqual(['<3>', '++x', '<2>']);
    expect(show(planPlusSafe(ascii('abc+'), true).segments)).toEqual(['abc', '<1>']);
    expect(show(planPlusSafe(ascii('+'), true).segments)).toEqual(['<1>']);
    expect(show(planPlusSafe(ascii(''), true).segments)).toEqual([]);
  });

  it('holds back a trailing run (at most two) when more bytes may follow', () => {
    const p = planPlusSafe(ascii('ab++++'), false);
    expect(show(p.segments)).toEqual(['ab', '<2>']);
    expect(p.carry).toBe(2);
    expect(planPlusSafe(ascii('ab+'), false).carry).toBe(1);
    expect(planPlusSafe(ascii('ab'), false).carry).toBe(0);
  });

  it('for random plus-heavy bodies: data segments are plus-safe and the modem forwards the exact body', () => {
    fc.assert(
      fc.property(plusHeavy, (body) => {
        const plan = planPlusSafe(body, true);
        expect(plan.carry).toBe(0);
        for (const s of plan.segments) if (s.kind === 'data') expect(isPlusSafe(s.bytes)).toBe(true);
        expect(modemView(plan.segments)).toEqual(body);
      }),
      { numRuns: 2000 },
    );
  });

  it('streamed in random pieces with carry, the forwarded bytes still equal the body', () => {
    fc.assert(
      fc.property(plusHeavy, fc.array(fc.nat(300), { maxLength: 8 }), (body, rawCuts) => {
        const cuts = [...new Set(rawCuts.map((c) => c % (body.length + 1)))].sort((a, b) => a - b);
        const segments: PlusSafeSegment[] = [];
        let carry = 0;
        let prev = 0;
        for (const [k, c] of [...cuts, body.length].entries()) {
          const piece = new Uint8Array([...new Array<number>(carry).fill(PLUS), ...body.subarray(prev, c)]);
          const plan = planPlusSafe(piece, k === cuts.length);
          segments.push(...plan.segments.map((s) => (s.kind === 'data' ? { kind: 'data' as const, bytes: s.bytes.slice() } : s)));
          carry = plan.carry;
          expect(carry).toBeLessThanOrEqual(2);
          prev = c;
        }
        expect(modemView(segments)).toEqual(body);
      }),
      { numRuns: 1000 },
    );
  });

  it('the modem model would lose bytes without the guard (so the test can fail)', () => {
    expect(modemView([{ kind: 'data', bytes: ascii('a+++b') }])).toBeNull();
    expect(modemView([{ kind: 'data', bytes: ascii('ab+') }])).toBeNull();
    expect(isPlusSafe(ascii('a++'))).toBe(false);
    expect(isPlusSafe(ascii('a++b'))).toBe(true);
  });
});
