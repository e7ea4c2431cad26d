/**
 * The pages in a real browser: Debian's Chromium driven by playwright-core, against the local
 * service with samples of every kind and a simulated remote-management device. Skipped (with the
 * reason printed) where Chromium is not installed; .ci/run installs it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import type { BrowserContext, Page } from 'playwright-core';
import { DeviceClient } from '../src/device/client.ts';
import { directUploader } from '../src/device/uploader.ts';
import { SimSource } from '../src/device/sensors/sim.ts';
import { IngestionClient } from '../src/client/index.ts';
import { deviceMessages, statusTrace, SUCCESS_ORDER } from './device-helpers.ts';
import { API_KEY, HMAC_KEY, XSS, accelDoc, chromiumMissing, launchChromium, seedSamples, seedXss, startWebService, uploadData, type WebService } from './web-fixtures.ts';

const missing = chromiumMissing();
if (missing) console.log(`web-pages tests skipped: ${missing}`);

describe.skipIf(missing !== null)('web pages in Chromium', () => {
  let ws: WebService;
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let ctx: BrowserContext;
  const requested: string[] = [];
  const consoleText: string[] = [];

  beforeAll(async () => {
    ws = await startWebService();
    await seedSamples(ws.svc.url);
    await seedXss(ws.svc.url);
    browser = await launchChromium();
    ctx = browser.ctx;
    ctx.on('request', (r) => requested.push(r.url()));
    ctx.on('console', (m) => consoleText.push(m.text()));
  });
  afterAll(async () => {
    await browser?.close();
    await ws?.close();
  });

  async function loggedIn(path = '/'): Promise<Page> {
    const page = await ctx.newPage();
    page.on('pageerror', (e) => consoleText.push(`pageerror: ${e.message}`));
    await page.goto(`${ws.svc.url}${path}`);
    if (await page.$('#api-key')) {
      await page.fill('#api-key', API_KEY);
      await page.click('button[type=submit]');
    }
    return page;
  }

  async function idOf(file: string): Promise<number> {
    const s = ws.svc.store.list(ws.svc.projectId).find((r) => r.filename === file);
    if (!s) throw new Error(`no sample ${file}`);
    return s.id;
  }

  it('a wrong key gets a clear message; the right one is kept for the tab, never in a URL', async () => {
    const page = await ctx.newPage();
    await page.goto(`${ws.svc.url}/`);
    await page.fill('#api-key', 'ei_wrong_key_made_up');
    await page.click('button[type=submit]');
    await expect.poll(() => page.textContent('#key-error')).toMatch(/refused this API key/);
    expect(await page.evaluate(() => (globalThis as any).sessionStorage.length)).toBe(0);
    await page.fill('#api-key', API_KEY);
    await page.click('button[type=submit]');
    await page.waitForSelector('#samples tbody tr');
    // A key that stops working (e.g. changed in the config) sends the page back to the form.
    await page.evaluate(() => (globalThis as any).sessionStorage.setItem('ei-ingest.apiKey', 'ei_revoked_made_up'));
    await page.reload();
    await expect.poll(() => page.textContent('#key-error')).toMatch(/refused the API key/);
    await page.close();
  });

  it('the list fills, with counts, filters, sort and paging', async () => {
    const page = await loggedIn('/');
    await page.waitForSelector('#samples tbody tr');
    const total = ws.svc.store.count(ws.svc.projectId);
    expect(await page.$$eval('#samples tbody tr', (r) => r.length)).toBe(total);
    const counts = await page.textContent('.counts:nth-of-type(2)');
    expect(counts).toContain('wave 3');
    expect(await page.textContent('#pager')).toContain(`1–${total} of ${total}`);
    // Newest first: ids descending.
    const ids = await page.$$eval('#samples tbody tr', (rows) => rows.map((r: any) => Number(r.dataset.id)));
    expect(ids).toEqual([...ids].sort((a, b) => b - a));
    await page.selectOption('#filter-label', 'wave');
    await expect.poll(() => page.$$eval('#samples tbody tr', (r) => r.length)).toBe(3);
    expect(page.url()).toContain('label=wave');
    await page.selectOption('#filter-signature', 'invalid');
    await expect.poll(() => page.$$eval('#samples tbody .filename', (r) => r.map((x) => x.textContent))).toEqual(['wave.badsig.cbor']);
    await page.goto(`${ws.svc.url}/?device=dev-b`);
    await expect.poll(() => page.$$eval('#samples tbody .filename', (r) => r.map((x) => x.textContent))).toEqual(['idle.1.cbor']);
    await page.goto(`${ws.svc.url}/?category=testing`);
    await expect.poll(() => page.$$eval('#samples tbody .filename', (r) => r.map((x) => x.textContent))).toEqual(['idle.1.cbor']);
    await page.goto(`${ws.svc.url}/?sort=oldest`);
    await expect.poll(() => page.textContent('#samples tbody tr:first-child .filename')).toBe('wave.1.cbor');
    await page.close();
  });

  it('the plot is drawn: coloured lines on the canvas, axes and series labelled with units', async () => {
    const page = await loggedIn(`/samples/${await idOf('wave.1.cbor')}`);
    await page.waitForSelector('#plot canvas');
    // Lines are coloured; grid, axes and background are grey or white.
    const coloured = await page.$eval('#plot canvas', (c: any) => {
      const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
      let n = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && Math.max(d[i], d[i + 1], d[i + 2]) - Math.min(d[i], d[i + 1], d[i + 2]) > 60) n++;
      return n;
    });
    expect(coloured).toBeGreaterThan(500);
    const legend = await page.$$eval('.u-legend .u-series .u-label', (l) => l.map((x) => x.textContent));
    expect(legend).toEqual(['time (ms)', 'accX (m/s2)', 'accY (m/s2)', 'accZ (m/s2)']);
    expect(await page.textContent('#plot-caption')).toMatch(/^x: time \(ms\) · y: m\/s2 · 63 rows/);
    expect(await page.textContent('.kv')).toContain('valid · HS256');
    expect(await page.textContent('.columns')).toContain('lab-2');
    await page.close();
  });

  it('structured labels are shaded ranges; images show their boxes; binary tails and audio are plotted', async () => {
    const page = await loggedIn(`/samples/${await idOf('gesture.json')}`);
    await page.waitForSelector('#ranges');
    expect(await page.$$eval('#ranges li', (l) => l.map((x) => x.textContent))).toEqual(['idle rows 0–19 (0–320 ms)', 'swipe rows 20–44 (320–720 ms)', 'idle rows 45–62 (720–1008 ms)']);
    await page.goto(`${ws.svc.url}/samples/${await idOf('cat.png')}`);
    await page.waitForSelector('#sample-image');
    await page.waitForFunction(() => (globalThis as any).document.getElementById('sample-image').naturalWidth === 160);
    expect(await page.textContent('.bbox-label')).toBe('cat');
    // The box sits over the image where the label file put it (x 40, y 24, 56×40 of 160×96), at any display size.
    const geo = await page.$eval('.image-box', (el: any) => {
      const i = el.querySelector('img').getBoundingClientRect();
      const b = el.querySelector('.bbox').getBoundingClientRect();
      return [(b.left - i.left) / i.width, (b.top - i.top) / i.height, b.width / i.width, b.height / i.height];
    });
    [40 / 160, 24 / 96, 56 / 160, 40 / 96].forEach((want, k) => expect(Math.abs(geo[k] - want)).toBeLessThan(0.01));
    await page.goto(`${ws.svc.url}/samples/${await idOf('ramp.tail.cbor')}`);
    await page.waitForSelector('#plot canvas');
    expect(await page.$$eval('.u-legend .u-series .u-label', (l) => l.map((x) => x.textContent))).toEqual(['time (ms)', 'ramp (mV)', 'square (mV)']);
    expect(await page.textContent('.kv')).toContain('Ref-BINARY-i16 (decoded)');
    await page.goto(`${ws.svc.url}/samples/${await idOf('tone.wav')}`);
    await page.waitForSelector('#plot canvas');
    expect(await page.textContent('#plot-caption')).toMatch(/8,000 rows \(min\/max per pixel column/);
    await page.close();
  });

  it('an unknown sample is a clear page', async () => {
    const page = await loggedIn('/samples/999999');
    await expect.poll(() => page.textContent('#not-found')).toBe('No sample with id 999999');
    const res = await page.goto(`${ws.svc.url}/samples/abc`);
    expect(res?.status()).toBe(404);
    expect(await page.textContent('h1')).toBe('Not found');
    await page.close();
  });

  it('document text is shown as text: XSS attempts in label, file name, device, sensor and metadata do not run', async () => {
    // The service itself sanitises file names (`<script>…` is stored as `script_.cbor`); the rest is stored as sent.
    const rec = ws.svc.store.list(ws.svc.projectId).find((r) => r.label === XSS.label)!;
    const id = rec.id;
    expect(rec.deviceName).toBe(XSS.device);
    const page = await loggedIn('/');
    await page.waitForSelector(`#samples tr[data-id="${id}"]`);
    const row = `#samples tr[data-id="${id}"]`;
    expect(await page.textContent(`${row} .label`)).toBe(XSS.label);
    expect(await page.textContent(`${row} .filename`)).toBe(rec.filename);
    expect(await page.textContent(row)).toContain(XSS.device);
    expect(await page.textContent(row)).toContain(XSS.sensor);
    await page.goto(`${ws.svc.url}/samples/${id}`);
    await page.waitForSelector('#plot canvas');
    expect(await page.textContent('.columns')).toContain(XSS.metadata);
    expect(await page.textContent('#sample-title')).toContain(rec.filename);
    expect(await page.textContent('.kv')).toContain(XSS.device);
    expect(await page.$$eval('.u-legend .u-series .u-label', (l) => l.map((x) => x.textContent))).toContain(`${XSS.sensor} (m/s2)`);
    expect(await page.inputValue('#relabel-input')).toBe(XSS.label);
    // Nothing planted became an element, and nothing ran.
    expect(await page.$$('img[src="x"], img[src="y"], svg, script:not([src]), b[onmouseover]')).toHaveLength(0);
    expect(await page.evaluate(() => (globalThis as any).__xss)).toBeUndefined();
    await page.close();
  });

  it('download raw gives the stored bytes; relabel and delete change the sample', async () => {
    const id = await idOf('wave.unsigned.cbor');
    const page = await loggedIn(`/samples/${id}`);
    await page.waitForSelector('#download');
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#download')]);
    expect(download.suggestedFilename()).toBe('wave.unsigned.cbor');
    const rec = ws.svc.store.get(ws.svc.projectId, id)!;
    expect(readFileSync((await download.path())!)).toEqual(readFileSync(ws.svc.store.absolute(rec.path)));
    await page.fill('#relabel-input', 'shake');
    await page.click('#relabel button');
    await expect.poll(() => ws.svc.store.get(ws.svc.projectId, id)?.label).toBe('shake');
    await expect.poll(() => page.inputValue('#relabel-input')).toBe('shake');
    page.once('dialog', (d) => void d.accept());
    await page.click('#delete');
    await page.waitForSelector('#samples');
    expect(ws.svc.store.get(ws.svc.projectId, id)).toBeUndefined();
    expect(await page.$(`#samples tr[data-id="${id}"]`)).toBeNull();
    await page.close();
  });

  it('start sampling from the Devices page shows every status message of a simulated device, in order', async () => {
    const client = new IngestionClient({ endpoint: ws.svc.url, apiKey: API_KEY });
    const dev = new DeviceClient({
      url: ws.svc.url.replace('http', 'ws') + '/remote-mgmt',
      apiKey: API_KEY,
      deviceId: 'web-sim-1',
      deviceType: 'EI_INGEST_SIM',
      source: new SimSource({ speed: 4, seed: 9 }),
      uploader: directUploader(client),
    });
    let dev2: DeviceClient | undefined;
    try {
      dev.start();
      await dev.waitConnected();
      const before = ws.rm.registry.get(ws.svc.projectId, 'web-sim-1')!.events.at(-1)!.seq;
      const page = await loggedIn('/devices');
      await page.waitForSelector('#devices tr[data-device="web-sim-1"]');
      expect(await page.textContent('#devices tr[data-device="web-sim-1"]')).toContain('Accelerometer: 62.5 Hz, 100 Hz (max 60 s)');
      await page.waitForSelector('#start:not([disabled])');
      await page.selectOption('#frequency', '100');
      await page.fill('#label', 'from-web');
      await page.fill('#length', '800');
      await page.click('#start');
      await page.waitForSelector('#status-log li:has-text("finished")', { timeout: 30_000 });
      const shown = await page.$$eval('#status-log li', (l) => l.map((x) => x.textContent));
      // What the device really said, in order, from the service's log.
      const said = deviceMessages(ws.rm.registry.get(ws.svc.projectId, 'web-sim-1')!.events, before);
      expect(statusTrace(said)).toMatch(SUCCESS_ORDER);
      const expected = said.map((m) =>
        'sample' in m
          ? 'request accepted'
          : 'sampleStarted' in m
            ? 'started'
            : 'sampleProcessing' in m
              ? 'processing'
              : 'sampleReading' in m
                ? `reading ${m.progressPercentage}%`
                : 'sampleUploading' in m
                  ? 'uploading'
                  : 'finished',
      );
      expect(shown).toEqual(expected);
      const toDevice = ws.rm.registry.get(ws.svc.projectId, 'web-sim-1')!.events.find((e) => e.seq > before && e.kind === 'to-device');
      expect(toDevice?.message).toMatchObject({ sample: { label: 'from-web', length: 800, interval: 10, path: '/api/training/data' } });
      const stored = ws.svc.store.list(ws.svc.projectId).filter((r) => r.label === 'from-web');
      expect(stored).toHaveLength(1);
      expect(stored[0].signatureStatus).toBe('valid');

      // A request the device refuses (longer than its sensor's maximum) shows the device's error.
      const before2 = ws.rm.registry.get(ws.svc.projectId, 'web-sim-1')!.events.at(-1)!.seq;
      await page.fill('#length', '120000');
      await page.click('#start');
      await page.waitForSelector('#status-log li.error');
      const refusal = deviceMessages(ws.rm.registry.get(ws.svc.projectId, 'web-sim-1')!.events, before2)[0] as { sample: boolean; error: string };
      expect(refusal.sample).toBe(false);
      expect(await page.$$eval('#status-log li', (l) => l.map((x) => x.textContent))).toEqual([`error: ${refusal.error}`]);

      // Devices coming and going update the page in place.
      dev2 = new DeviceClient({
        url: ws.svc.url.replace('http', 'ws') + '/remote-mgmt',
        apiKey: API_KEY,
        deviceId: 'web-sim-2',
        deviceType: 'EI_INGEST_SIM',
        source: new SimSource({ speed: 4, seed: 10 }),
        uploader: directUploader(client),
      });
      dev2.start();
      await page.waitForSelector('#devices tr[data-device="web-sim-2"]');
      expect(await page.$$eval('#device option', (o) => o.map((x: any) => x.value))).toEqual(['web-sim-1', 'web-sim-2']);
      await dev.stop();
      await expect.poll(() => page.textContent('#devices tr[data-device="web-sim-1"] .connected')).toBe('no');
      expect(await page.$$eval('#device option', (o) => o.map((x: any) => x.value))).toEqual(['web-sim-2']);
      await page.close();
    } finally {
      await dev.stop();
      await dev2?.stop();
      await client.close();
    }
  });

  it('Live: new samples appear without a reload', async () => {
    const page = await loggedIn('/live');
    await expect.poll(() => page.textContent('#live-state')).toBe('live');
    const rowsBefore = await page.$$eval('#samples tbody tr', (r) => r.length);
    for (let i = 0; i < 3; i++) expect(await uploadData(ws.svc.url, accelDoc(30, { hmacKey: HMAC_KEY, seed: 40 + i }), { label: 'live', fileName: `live.${i}.cbor` })).toBe(200);
    await expect.poll(() => page.textContent('#live-count')).toBe('3');
    expect(await page.$$eval('#samples tbody tr', (r) => r.length)).toBe(rowsBefore + 3);
    expect(await page.textContent('#samples tbody tr:first-child .filename')).toBe('live.2.cbor');
    await page.close();
  });

  it('pages through a long list, filters kept', async () => {
    for (let i = 0; i < 27; i++) expect(await uploadData(ws.svc.url, accelDoc(5, { seed: 60 + i }), { label: 'paged', fileName: `paged.${i}.cbor` })).toBe(200);
    const page = await loggedIn('/?label=paged');
    await expect.poll(() => page.textContent('#pager')).toContain('1–25 of 27');
    expect(await page.$$eval('#samples tbody tr', (r) => r.length)).toBe(25);
    expect(await page.textContent('#samples tbody tr:first-child .filename')).toBe('paged.26.cbor');
    await page.click('#pager a:has-text("next")');
    await expect.poll(() => page.textContent('#pager')).toContain('26–27 of 27');
    expect(await page.$$eval('#samples tbody .filename', (r) => r.map((x) => x.textContent))).toEqual(['paged.1.cbor', 'paged.0.cbor']);
    expect(page.url()).toContain('label=paged');
    await page.click('#pager a:has-text("previous")');
    await expect.poll(() => page.textContent('#pager')).toContain('1–25 of 27');
    await page.close();
  });

  it('the API key never appeared in a URL or in the console', () => {
    expect(requested.length).toBeGreaterThan(20);
    expect(requested.filter((u) => u.includes(API_KEY))).toEqual([]);
    expect(consoleText.filter((t) => t.includes(API_KEY))).toEqual([]);
    expect(consoleText.filter((t) => t.startsWith('pageerror'))).toEqual([]);
  });
});
