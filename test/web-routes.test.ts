/**
 * The pages' HTTP side without a browser: shell and assets, the /web/api routes (keys, bad
 * queries, the plot summary of a large binary-tail sample), the event stream and its bound.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestionService } from '../src/service/index.ts';
import { createWebPages } from '../src/service/web/routes.ts';
import { API_KEY, HMAC_KEY, accelDoc, binaryTailDoc, startWebService, uploadData, type WebService } from './web-fixtures.ts';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let ws: WebService;
let base: string;
let pid: number;
const hdr = (key = API_KEY) => ({ 'x-api-key': key });

beforeAll(async () => {
  ws = await startWebService();
  base = ws.svc.url;
  pid = ws.svc.projectId;
  expect(await uploadData(base, accelDoc(63, { hmacKey: HMAC_KEY }), { label: 'wave', fileName: 'a.cbor' })).toBe(200);
});
afterAll(async () => ws?.close());

/** Reads server-sent events from a fetch body; `until` reads on until the events seen so far satisfy it. */
function eventReader(res: Response) {
  const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
  const events: { event: string; data: any }[] = [];
  let buf = '';
  return {
    events,
    async until(done: (e: typeof events) => boolean, timeoutMs = 20_000): Promise<void> {
      const deadline = setTimeout(() => void reader.cancel(), timeoutMs);
      try {
        while (!done(events)) {
          const { value, done: ended } = await reader.read();
          if (ended) throw new Error(`stream ended; got ${events.map((e) => e.event).join(',')}`);
          buf += value;
          let cut;
          while ((cut = buf.indexOf('\n\n')) >= 0) {
            const block = buf.slice(0, cut);
            buf = buf.slice(cut + 2);
            const ev = /^event: (.*)$/m.exec(block)?.[1];
            const data = /^data: (.*)$/m.exec(block)?.[1];
            if (ev && data) events.push({ event: ev, data: JSON.parse(data) });
          }
        }
      } finally {
        clearTimeout(deadline);
      }
    },
  };
}

describe('web routes', () => {
  it('page paths answer the shell with a strict CSP; assets come from the package; nothing else is served', async () => {
    for (const p of ['/', '/samples', '/samples/12', '/devices', '/live']) {
      const r = await fetch(base + p);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toMatch(/^text\/html/);
      expect(r.headers.get('content-security-policy')).toMatch(/script-src 'self'/);
      expect(await r.text()).toContain('/web/assets/app.js');
    }
    const u = await fetch(`${base}/web/assets/uPlot.js`);
    expect(u.status).toBe(200);
    expect(await u.text()).toMatch(/uPlot/);
    for (const p of ['/web/assets/nope.js', '/web/assets/constructor', '/web/assets/__proto__', '/web/assets/..%2Fshell.ts', '/web/assets/../routes.ts', '/samples/abc']) {
      expect((await fetch(base + p)).status, p).toBe(404);
    }
    expect((await fetch(`${base}/`, { method: 'POST', body: 'x' })).status).toBe(404);
  });

  it('the API needs the key, refuses other projects and names a bad parameter', async () => {
    expect((await fetch(`${base}/web/api/${pid}/samples`)).status).toBe(401);
    const wrong = await fetch(`${base}/web/api/${pid}/samples`, { headers: hdr('ei_wrong_made_up') });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()) as any).toEqual({ success: false, error: 'Invalid API key' });
    expect((await fetch(`${base}/web/api/${pid + 1}/samples`, { headers: hdr() })).status).toBe(403);
    const bad = await fetch(`${base}/web/api/${pid}/samples?limit=9999`, { headers: hdr() });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as any).error).toMatch(/^limit/);
    const none = await fetch(`${base}/web/api/${pid}/samples/424242`, { headers: hdr() });
    expect(none.status).toBe(404);
    expect(((await none.json()) as any).error).toBe('No sample with id 424242');
    expect((await fetch(`${base}/web/api/${pid}/samples`, { method: 'DELETE', headers: hdr() })).status).toBe(405);
  });

  it('the list answers Sample model fields and counts', async () => {
    const r: any = await (await fetch(`${base}/web/api/${pid}/samples?label=wave`, { headers: hdr() })).json();
    expect(r.totalCount).toBe(1);
    expect(r.counts.labels).toMatchObject({ wave: 1 });
    expect(r.samples[0]).toMatchObject({ filename: 'a.cbor', label: 'wave', signatureValidate: true, signatureMethod: 'HS256', projectId: pid, valuesCount: 63 });
    expect(typeof r.samples[0].created).toBe('string');
    expect(r.samples[0].sha256Hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('a 1,000,000-row sample is sent as a summary of 2 points per column, not as its rows', async () => {
    expect(await uploadData(base, binaryTailDoc(1_000_000), { label: 'big', fileName: 'big.cbor', contentType: 'application/octet-stream' })).toBe(200);
    const id = ws.svc.store.list(pid).find((s) => s.filename === 'big.cbor')!.id;
    const res = await fetch(`${base}/web/api/${pid}/samples/${id}?columns=800`, { headers: hdr() });
    const text = await res.text();
    expect(text.length).toBeLessThan(100_000);
    const r = JSON.parse(text);
    expect(r.plot.kind).toBe('series');
    const s = r.plot.summary;
    expect(s).toMatchObject({ rows: 1_000_000, axes: 2, intervalMs: 10, exact: false });
    expect(s.t).toHaveLength(1600);
    // The square wave's two levels and the ramp's extremes all survive (binaryTailDoc's formulas).
    expect(Math.max(...s.series[1])).toBe(800);
    expect(Math.min(...s.series[1])).toBe(-800);
    expect(Math.min(...s.series[0])).toBe(-1000);
    expect(Math.max(...s.series[0])).toBe(999);
    expect(s.t.at(-1)).toBeLessThan(1_000_000 * 10);
  });

  it('the event stream sends new, relabeled and deleted samples of its project only', async () => {
    const ac = new AbortController();
    const res = await fetch(`${base}/web/api/${pid}/events`, { headers: hdr(), signal: ac.signal });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const r = eventReader(res);
    // The hello is sent once the stream is subscribed.
    await r.until((e) => e.some((x) => x.event === 'hello'));
    expect(await uploadData(base, accelDoc(10, { hmacKey: HMAC_KEY, seed: 3 }), { label: 'live', fileName: 'live.cbor' })).toBe(200);
    const id = ws.svc.store.list(pid).find((s) => s.filename === 'live.cbor')!.id;
    const edit = await fetch(`${base}/v1/api/${pid}/raw-data/${id}/edit-label`, {
      method: 'POST',
      headers: { ...hdr(), 'content-type': 'application/json' },
      body: JSON.stringify({ label: 'renamed' }),
    });
    expect(edit.status).toBe(200);
    expect((await fetch(`${base}/v1/api/${pid}/raw-data/${id}`, { method: 'DELETE', headers: hdr() })).status).toBe(200);
    await r.until((e) => e.some((x) => x.event === 'sample-deleted'));
    ac.abort();
    const events = r.events;
    expect(events.map((e) => e.event)).toEqual(['hello', 'sample', 'sample-relabeled', 'sample-deleted']);
    expect(events[1].data).toMatchObject({ id, filename: 'live.cbor', label: 'live' });
    expect(JSON.stringify(events)).not.toContain(API_KEY);
  });
});

describe('event stream bound', () => {
  it('more streams than allowed are answered 503, and a closed stream frees its place', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ei-web-bound-'));
    const web = createWebPages({ maxStreams: 1 });
    const svc = await startIngestionService({ dataDir: dir, apiKey: API_KEY, pages: web.routes, fsync: false });
    try {
      const url = `${svc.url}/web/api/${svc.projectId}/events`;
      const ac = new AbortController();
      const first = await fetch(url, { headers: hdr(), signal: ac.signal });
      expect(first.status).toBe(200);
      const second = await fetch(url, { headers: hdr() });
      expect(second.status).toBe(503);
      expect(second.headers.get('retry-after')).toBe('5');
      await second.text();
      ac.abort();
      await expect
        .poll(async () => {
          const r = await fetch(url, { headers: hdr() });
          await r.body?.cancel();
          return r.status;
        })
        .toBe(200);
    } finally {
      web.close();
      await svc.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a stream carries only its own project: an upload to another project never shows', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ei-web-projects-'));
    const OTHER = 'ei_web_other_project_made_up_key';
    const web = createWebPages();
    const config = {
      version: 1 as const,
      projects: [
        { id: 1, name: 'one', apiKey: API_KEY, hmacKey: HMAC_KEY },
        { id: 2, name: 'two', apiKey: OTHER },
      ],
    };
    const svc = await startIngestionService({ dataDir: dir, config, pages: web.routes, fsync: false });
    try {
      const ac = new AbortController();
      const r = eventReader(await fetch(`${svc.url}/web/api/1/events`, { headers: hdr(), signal: ac.signal }));
      await r.until((e) => e.some((x) => x.event === 'hello'));
      const up = (key: string, name: string) =>
        fetch(`${svc.url}/api/training/data`, { method: 'POST', headers: { 'x-api-key': key, 'x-file-name': name, 'content-type': 'application/cbor' }, body: accelDoc(5, {}) });
      expect((await up(OTHER, 'theirs.cbor')).status).toBe(200);
      expect((await up(API_KEY, 'ours.cbor')).status).toBe(200);
      // Events are in commit order, so a leaked 'theirs' would arrive before 'ours'.
      await r.until((e) => e.some((x) => x.event === 'sample'));
      ac.abort();
      expect(r.events.filter((e) => e.event === 'sample').map((e) => e.data.filename)).toEqual(['ours.cbor']);
      const theirs = (await (await fetch(`${svc.url}/web/api/2/samples`, { headers: hdr(OTHER) })).json()) as any;
      expect(theirs.samples.map((x: any) => x.filename)).toEqual(['theirs.cbor']);
      expect((await fetch(`${svc.url}/web/api/2/events`, { headers: hdr() })).status).toBe(403);
    } finally {
      web.close();
      await svc.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
