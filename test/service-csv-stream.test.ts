/**
 * Issue 12: CSV samples are checked and read line by line through the ByteSource window. The
 * streaming reader must accept, reject and report exactly as the whole-text parser it replaced
 * (kept verbatim in csv-whole-oracle.ts), whatever the window splits: inside a UTF-8 sequence,
 * between \r and \n, inside a quoted field.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkCsv, parseCsv } from '../src/service/csv.ts';
import { parseCsv as wholeParse } from './csv-whole-oracle.ts';
import { FileSource } from '../src/service/byte-source.ts';
import { SampleFormatError } from '../src/service/errors.ts';
import { runs } from './prop-runs.ts';
import { samplePlot } from '../src/service/web/sample-plot.ts';
import { summarizeRows } from '../src/service/web/plot-summary.ts';
import { DEFAULT_LIMITS } from '../src/service/limits.ts';
import type { SampleRecord } from '../src/service/store.ts';

type Outcome = { ok: true; v: unknown } | { ok: false; code: string; message: string; path: unknown };

function outcome(f: () => { sensors: unknown; intervalMs: number; timeSeries: boolean; rows?: number[][]; rowCount?: number }, withRows: boolean): Outcome {
  try {
    const r = f();
    const rowCount = r.rows ? r.rows.length : r.rowCount;
    return { ok: true, v: { sensors: r.sensors, intervalMs: r.intervalMs, timeSeries: r.timeSeries, rowCount, ...(withRows ? { rows: r.rows } : {}) } };
  } catch (e) {
    if (!(e instanceof SampleFormatError)) throw e;
    const x = e as SampleFormatError & { code: string; path?: unknown };
    return { ok: false, code: x.code, message: x.message, path: x.path };
  }
}

const old = (b: Uint8Array, max: number, withRows = true): Outcome => outcome(() => wholeParse(b, max), withRows);

const TABLE: [string, string | Uint8Array][] = [
  ['time series', 'timestamp,a,b\n0,1,2\n10,3,4\n20,5,6\n'],
  ['no timestamp', 'a,b\n1,2\n3,4\n'],
  ['CRLF and trailing blank lines', 'timestamp,x\r\n0,1\r\n10,2\r\n\r\n  \n\t\n'],
  ['lone CR stays in the line', 'a\n1\r\n2\r'],
  ['BOM and double BOM', '\ufeff\ufefftimestamp,x\n0,1\n10,2\n'],
  ['62.5 Hz alternating 16/17', 'timestamp,x\n0,1\n16,2\n32,3\n49,4\n65,5\n81,6\n'],
  ['quoted fields', 'timestamp,"a ""q""",b\n0,"1",2\n10," 3 ",4\n'],
  ['upper-case TIMESTAMP', 'TIMESTAMP,x\n0,1\n5,2\n'],
  ['only a header', 'timestamp,x\n'],
  ['empty', ''],
  ['blank lines only', '\n\n \r\n'],
  ['empty header name', 'a,,b\n1,2,3\n'],
  ['only timestamp', 'timestamp\n0\n10\n'],
  ['too many values', 'a,b\n1,2\n3,4\n5,6\n'],
  ['wrong column count', 'timestamp,x\n0,1\n10,2,3\n'],
  ['not a number', 'timestamp,x\n0,1\n10,abc\n'],
  ['empty cell', 'a,b\n1,\n'],
  ['Infinity', 'a\nInfinity\n'],
  ['blank line inside', 'a\n1\n\n2\n'],
  ['unterminated quote', 'a\n"1\n'],
  ['text after quote', 'a,b\n"1"x,2\n'],
  ['unterminated quote in header', '"a\n1\n'],
  ['one time-series row', 'timestamp,x\n0,1\n'],
  ['timestamps decrease', 'timestamp,x\n10,1\n0,2\n'],
  ['uneven step', 'timestamp,x\n0,1\n10,2\n20,3\n50,4\n60,5\n'],
  ['zero step', 'timestamp,x\n0,1\n10,2\n10,3\n20,4\n30,5\n'],
  ['invalid UTF-8 late, bad number early', Buffer.concat([Buffer.from('a\nx\n1\n'), Buffer.from([0xc3, 0x28]), Buffer.from('\n')])],
  ['truncated UTF-8 at the end', Buffer.concat([Buffer.from('a\n1\n'), Buffer.from([0xe2, 0x82])])],
  ['multibyte header', 'timestamp,température,🙂\n0,1,2\n10,3,4\n'],
  ['huge steps overflow', 'timestamp,x\n-1e308,1\n1e308,2\n'],
  ['fractional ms', 'timestamp,x\n0,1\n0.5,2\n1,3\n1.5,4\n'],
];

const MAX = 8;

describe('streaming CSV reader', () => {
  it.each(TABLE)('%s: same result or error as the whole-text parser, for every window size', (_, input) => {
    const b = typeof input === 'string' ? Buffer.from(input) : input;
    const want = old(b, MAX);
    for (const chunk of [1, 2, 3, 5, 7, 64, 1 << 20]) {
      expect(outcome(() => parseCsv(b, MAX, chunk), true)).toEqual(want);
      expect(outcome(() => checkCsv(b, MAX, chunk), false)).toEqual(old(b, MAX, false));
    }
  });

  it('the table covers both outcomes and each message', () => {
    const outs = TABLE.map(([, i]) => old(typeof i === 'string' ? Buffer.from(i) : i, MAX));
    expect(outs.filter((o) => o.ok).length).toBeGreaterThan(8);
    const msgs = new Set(outs.flatMap((o) => (o.ok ? [] : [o.message.replace(/".*"|\d+/g, '')])));
    expect(msgs.size).toBeGreaterThanOrEqual(12);
  });

  it('the first uneven step is found when there are too many distinct steps to count', () => {
    // > 65,536 distinct steps (falls back to a typed array), one bad step near the end.
    const n = 70_000;
    const lines = ['timestamp,x'];
    let t = 0;
    for (let i = 0; i < n; i++) {
      lines.push(`${t},${i}`);
      t += i === n - 10 ? 40 : 10 + (i % 70_001) / 1e6;
    }
    const b = Buffer.from(lines.join('\n') + '\n');
    const want = old(b, 1e7, false);
    expect(want.ok).toBe(false);
    expect(outcome(() => checkCsv(b, 1e7, 4096), false)).toEqual(want);
    const good = Buffer.from(lines.slice(0, n - 20).join('\n'));
    expect(outcome(() => checkCsv(good, 1e7), false)).toEqual(old(good, 1e7, false));
  });

  it('reads a file through FileSource the same way', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ei-csv-'));
    try {
      for (const [name, input] of TABLE) {
        const p = join(dir, 'x.csv');
        writeFileSync(p, input);
        const src = new FileSource(p);
        try {
          expect(outcome(() => parseCsv(src, MAX, 3), true), name).toEqual(old(Buffer.from(input), MAX));
        } finally {
          src.close();
        }
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('property: random CSV-ish text and random window sizes agree with the whole-text parser', () => {
    const cell = fc.oneof(fc.constantFrom('0', '1', '10', '-2.5', '1e3', '', ' 7 ', '"3"', '"a""b"', 'x', 'é', '🙂', '"', '\r'), fc.integer({ min: -50, max: 50 }).map(String));
    const line = fc.array(cell, { minLength: 1, maxLength: 4 }).map((c) => c.join(','));
    const head = fc.constantFrom('timestamp,a', 'timestamp,a,b', 'a', 'a,b', 'TimeStamp', '', '\ufeffa');
    const text = fc.tuple(head, fc.array(line, { maxLength: 8 }), fc.constantFrom('\n', '\r\n'), fc.constantFrom('', '\n', '\n\n', ' \n')).map(([h, ls, nl, end]) => [h, ...ls].join(nl) + end);
    const timed = fc.tuple(fc.array(fc.integer({ min: -3, max: 30 }), { minLength: 1, maxLength: 10 }), fc.integer({ min: 0, max: 1000 })).map(([steps, t0]) => {
      let t = t0;
      return ['timestamp,v', ...steps.map((s, i) => `${(t += s)},${i}`)].join('\n');
    });
    const bytes = fc.oneof(text.map((s) => Buffer.from(s)), timed.map((s) => Buffer.from(s)), fc.uint8Array({ maxLength: 60 }).map((u) => Buffer.from(u)));
    fc.assert(
      fc.property(bytes, fc.integer({ min: 1, max: 40 }), fc.integer({ min: 1, max: 40 }), (b, chunk, max) => {
        expect(outcome(() => parseCsv(b, max, chunk), true)).toEqual(old(b, max));
      }),
      { numRuns: runs(400) },
    );
  });

  it('the page plot of a CSV is the summary of its rows, exact and column-reduced, with the CSV interval', () => {
    const rec = { kind: 'csv', intervalMs: 123, sensors: [] } as unknown as SampleRecord;
    for (const [n, ts] of [[5, true], [3000, true], [3000, false]] as const) {
      const lines = [ts ? 'timestamp,a,b' : 'a,b'];
      for (let i = 0; i < n; i++) lines.push(`${ts ? `${Math.floor(i * 16.5)},` : ''}${Math.sin(i) * 100},${i % 17}`);
      const b = Buffer.from(lines.join('\n'));
      const c = wholeParse(b, 1e6);
      const got = samplePlot(rec, b, 50, DEFAULT_LIMITS);
      expect(got).toEqual({ kind: 'series', summary: summarizeRows(c.rows, 2, 50, c.intervalMs) });
    }
    expect(() => samplePlot(rec, Buffer.from('a\n1\nx\n'), 50, DEFAULT_LIMITS)).toThrow(/"x" is not a number \(at line 3, column a\)/);
  });
});
