/**
 * `npm run screenshots`: the README's pictures of each page, taken in headless Chromium against a
 * service seeded with one sample of each kind and a simulated remote-management device.
 * Writes docs/screenshots/{samples,sample-accel,sample-labels,sample-image,sample-audio,sample-binary-tail,
 * sample-1m-rows,devices,live}.png.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { DeviceClient } from '../src/device/client.ts';
import { directUploader } from '../src/device/uploader.ts';
import { SimSource } from '../src/device/sensors/sim.ts';
import { IngestionClient } from '../src/client/index.ts';
import { API_KEY, accelDoc, chromiumMissing, HMAC_KEY, launchChromium, seedSamples, startWebService, uploadData } from './web-fixtures.ts';

const out = join(import.meta.dirname, '..', 'docs', 'screenshots');

async function main(): Promise<number> {
  const missing = chromiumMissing();
  if (missing) {
    process.stderr.write(`screenshots: ${missing}\n`);
    return 1;
  }
  mkdirSync(out, { recursive: true });
  const ws = await startWebService();
  const browser = await launchChromium();
  const client = new IngestionClient({ endpoint: ws.svc.url, apiKey: API_KEY });
  const dev = new DeviceClient({
    url: ws.svc.url.replace('http', 'ws') + '/remote-mgmt',
    apiKey: API_KEY,
    deviceId: 'pi-kitchen',
    deviceType: 'RASPBERRY_PI_4',
    source: new SimSource({ speed: 4, seed: 7 }),
    uploader: directUploader(client),
  });
  try {
    await seedSamples(ws.svc.url);
    await uploadData(ws.svc.url, accelDoc(1_000_000, { hmacKey: HMAC_KEY, seed: 11, deviceName: 'pi-garage' }), { label: 'long-run', fileName: 'long-run.cbor' });
    dev.start();
    await dev.waitConnected();
    const page = await browser.ctx.newPage();
    await page.goto(`${ws.svc.url}/`);
    await page.fill('#api-key', API_KEY);
    await page.click('button[type=submit]');
    await page.waitForSelector('#samples tbody tr');
    await page.screenshot({ path: join(out, 'samples.png'), fullPage: true });
    const ids = await page.$$eval('#samples tbody tr', (rows) => rows.map((r: any) => ({ id: r.dataset.id as string, file: r.querySelector('.filename')?.textContent as string })));
    const idOf = (f: string): string => ids.find((x) => x.file === f)!.id!;
    for (const [file, name] of [
      ['wave.1.cbor', 'sample-accel'],
      ['gesture.json', 'sample-labels'],
      ['cat.png', 'sample-image'],
      ['tone.wav', 'sample-audio'],
      ['ramp.tail.cbor', 'sample-binary-tail'],
      ['long-run.cbor', 'sample-1m-rows'],
    ] as const) {
      await page.goto(`${ws.svc.url}/samples/${idOf(file)}`);
      await page.waitForSelector(file === 'cat.png' ? '#sample-image' : '#plot canvas');
      if (file === 'cat.png') await page.waitForFunction(() => (globalThis as any).document.getElementById('sample-image').complete);
      await page.screenshot({ path: join(out, `${name}.png`), fullPage: true });
    }
    // Devices: a sampling round trip, captured once it finished.
    await page.goto(`${ws.svc.url}/devices`);
    await page.waitForSelector('#start:not([disabled])');
    await page.fill('#label', 'shake');
    await page.fill('#length', '1000');
    await page.click('#start');
    await page.waitForSelector('#status-log li:has-text("finished")', { timeout: 30_000 });
    await page.screenshot({ path: join(out, 'devices.png'), fullPage: true });
    // Live: open, then a device uploads two samples.
    await page.goto(`${ws.svc.url}/live`);
    await page.waitForSelector('#live-state:has-text("live")');
    for (let i = 0; i < 2; i++) await uploadData(ws.svc.url, accelDoc(63, { hmacKey: HMAC_KEY, seed: 20 + i, deviceName: 'dev-live' }), { label: 'live', fileName: `live.${i}.cbor` });
    await page.waitForFunction(() => (globalThis as any).document.getElementById('live-count')?.textContent === '2');
    await page.screenshot({ path: join(out, 'live.png'), fullPage: true });
    process.stdout.write(`screenshots written to ${out}\n`);
    return 0;
  } finally {
    await dev.stop();
    await client.close();
    await browser.close();
    await ws.close();
  }
}

process.exitCode = await main();
