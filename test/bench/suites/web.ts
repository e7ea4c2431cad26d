/**
 * Web suite (issue 18): how long the sample page takes in headless Chromium (Debian's, via
 * playwright-core) from navigation to the painted plot, for 1k / 100k / 1M rows × 3 axes —
 * the page loads, fetches the min/max-per-column summary, draws with uPlot. Baseline: the same
 * browser loading a page, then fetching the full decoded sample from /v1 (`raw-data/{id}`) and
 * drawing every row; both timed from navigation start.
 * Target: 1M rows under 1 s. Needs /usr/bin/chromium (or CHROMIUM_PATH).
 */
import { fmtTime, median } from '../harness.ts';
import type { BenchSuite, BenchVariant, Measurement, TableRow } from '../types.ts';

const quick = () => process.env.BENCH_QUICK === '1';
const SIZES = [
  ['1k', 1_000],
  ['100k', 100_000],
  ['1M', 1_000_000],
] as const;

function variant(label: string, rows: number, mode: 'summary' | 'full'): BenchVariant {
  return {
    id: `web-${mode}-${label}`,
    runs: 1,
    async run(): Promise<Measurement> {
      const f = await import('../../web-fixtures.ts');
      const missing = f.chromiumMissing();
      if (missing) throw new Error(missing);
      const ws = await f.startWebService();
      const browser = await f.launchChromium();
      try {
        const status = await f.uploadData(ws.svc.url, f.accelDoc(rows, { hmacKey: f.HMAC_KEY }), { label: 'bench', fileName: 'bench.cbor' });
        if (status !== 200) throw new Error(`upload answered ${status}`);
        const id = ws.svc.store.list(ws.svc.projectId)[0].id;
        const page = await browser.ctx.newPage();
        await page.goto(`${ws.svc.url}/`);
        await page.fill('#api-key', f.API_KEY);
        await page.click('button[type=submit]');
        await page.waitForSelector('#samples');
        const times: number[] = [];
        const reps = mode === 'full' && rows >= 1_000_000 ? 1 : quick() ? 2 : 5;
        for (let i = 0; i < reps + 1; i++) {
          if (mode === 'summary') {
            await page.goto(`${ws.svc.url}/samples/${id}`);
            await page.waitForFunction(() => (globalThis as any).eiPlotDrawnAt !== undefined, undefined, { timeout: 120_000 });
            // performance.now() counts from this navigation's start.
            times.push(await page.evaluate(() => (globalThis as any).eiPlotDrawnAt as number));
          } else {
            await page.goto(`${ws.svc.url}/live`);
            await page.waitForSelector('#samples');
            times.push(
              await page.evaluate(
                async ([pid, sid]) => {
                  const g = globalThis as any;
                  const res = await fetch(`/v1/api/${pid}/raw-data/${sid}`, { headers: { 'x-api-key': g.sessionStorage.getItem('ei-ingest.apiKey') } });
                  const j: any = await res.json();
                  const v = j.payload.values;
                  const t = new Array(v.length);
                  const cols = [0, 1, 2].map(() => new Array(v.length));
                  for (let r = 0; r < v.length; r++) {
                    t[r] = r * 16;
                    for (let a = 0; a < 3; a++) cols[a][r] = v[r][a];
                  }
                  const host = g.document.createElement('div');
                  g.document.body.append(host);
                  new g.uPlot({ width: 1200, height: 320, scales: { x: { time: false } }, series: [{}, { stroke: 'red' }, { stroke: 'green' }, { stroke: 'blue' }] }, [t, ...cols], host);
                  await new Promise((r) => g.requestAnimationFrame(r));
                  // From this navigation's start, like the summary variant (the page load is in both).
                  return performance.now();
                },
                [ws.svc.projectId, id] as const,
              ),
            );
          }
        }
        // The first load also compiles the page's scripts: report the warm median, and the first.
        return { nsPerOp: median(times.slice(1)) * 1e6, firstNs: times[0] * 1e6 };
      } finally {
        await browser.close();
        await ws.close();
      }
    },
  };
}

export const suite: BenchSuite = {
  name: 'web',
  variants: SIZES.flatMap(([label, rows]) => [variant(label, rows, 'summary'), variant(label, rows, 'full')]),
  rows(r): TableRow[] {
    return SIZES.map(([label, rows]) => {
      const ours = r.get(`web-summary-${label}`);
      const base = r.get(`web-full-${label}`);
      const target = rows === 1_000_000;
      return {
        measure: 'web: sample page, navigation → plot painted, 3 axes (Chromium; baseline: full rows from /v1 drawn)',
        n: `${label} rows`,
        ours: `${fmtTime(ours?.nsPerOp)} (first ${fmtTime(ours?.firstNs)})`,
        baseline: fmtTime(base?.nsPerOp),
        ratio: ours?.nsPerOp && base?.nsPerOp ? `${(base.nsPerOp / ours.nsPerOp).toFixed(1)}×` : 'n/a',
        target: target ? '< 1 s' : '–',
        met: target && ours?.nsPerOp !== undefined ? ours.nsPerOp < 1e9 : undefined,
      };
    });
  },
  notes: [
    'web: the page asks the server for a min/max-per-pixel-column summary (2 points per column per axis), so the browser draws ~2,400 points whatever the row count; "first" includes compiling the page scripts.',
  ],
};
