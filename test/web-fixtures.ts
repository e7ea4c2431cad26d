/**
 * Shared set-up for the web page tests, the screenshot script and the web bench (not a test file):
 * a service with the pages and remote management on port 0, samples of every kind uploaded over
 * HTTP as devices would, and Debian's Chromium driven by playwright-core.
 */
import { deflateSync } from 'node:zlib';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BrowserContext } from 'playwright-core';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { attachRemoteManagement, createRemoteManagement, type RemoteManagement } from '../src/service/remote-mgmt.ts';
import { createWebPages, type WebPages } from '../src/service/web/routes.ts';
import { encodeToBytes } from '../src/encode/index.ts';
import type { DocumentInput } from '../src/model/document.ts';
import { crc32 } from '../src/gateway/crc32.ts';
import { wav } from './service-docs.ts';
import { simulatedAccelerometer } from '../src/cli/demo.ts';

export const API_KEY = 'ei_web_test_made_up_key_0123456789abcdef';
export const HMAC_KEY = 'web-test-made-up-hmac-key';
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Why the browser tests cannot run here, or null when they can. */
export function chromiumMissing(): string | null {
  if (!existsSync(CHROMIUM)) return `no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`;
  return null;
}

export interface WebService {
  svc: IngestionService;
  rm: RemoteManagement;
  web: WebPages;
  close(): Promise<void>;
}

export async function startWebService(): Promise<WebService> {
  const dataDir = mkdtempSync(join(tmpdir(), 'ei-web-'));
  const rm = createRemoteManagement({ helloTimeoutMs: 5000 });
  const web = createWebPages({ devices: rm.registry });
  const svc = await startIngestionService({ dataDir, apiKey: API_KEY, hmacKey: HMAC_KEY, pages: web.routes, extraRoutes: rm.routes, fsync: false, durability: 'normal' });
  attachRemoteManagement(svc, rm);
  return {
    svc,
    rm,
    web,
    async close() {
      web.close();
      await rm.close();
      await svc.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Launches Chromium headless with a fresh profile. */
export async function launchChromium(): Promise<{ ctx: BrowserContext; close(): Promise<void> }> {
  const { chromium } = await import('playwright-core');
  const profile = mkdtempSync(join(tmpdir(), 'ei-web-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1280, height: 900 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    ctx,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface UploadOptions {
  category?: string;
  label?: string;
  fileName: string;
  contentType?: string;
  metadata?: Record<string, string>;
}

/** POST /api/<category>/data, as a device does. @returns the HTTP status */
export async function uploadData(url: string, body: Uint8Array, o: UploadOptions): Promise<number> {
  const headers: Record<string, string> = {
    'x-api-key': API_KEY,
    'x-file-name': encodeURIComponent(o.fileName),
    'content-type': o.contentType ?? 'application/cbor',
  };
  if (o.label !== undefined) headers['x-label'] = encodeURIComponent(o.label);
  if (o.metadata) headers['x-metadata'] = JSON.stringify(o.metadata);
  const res = await fetch(`${url}/api/${o.category ?? 'training'}/data`, { method: 'POST', headers, body });
  await res.arrayBuffer();
  return res.status;
}

/** POST /api/<category>/files with label files as extra parts (FACTS §2). */
export async function uploadFiles(url: string, files: { name: string; fileName: string; type: string; body: Uint8Array | string }[], category = 'training', label?: string): Promise<number> {
  const form = new FormData();
  for (const f of files) form.append(f.name, new Blob([typeof f.body === 'string' ? f.body : Buffer.from(f.body)], { type: f.type }), f.fileName);
  const headers: Record<string, string> = { 'x-api-key': API_KEY };
  if (label) headers['x-label'] = label;
  const res = await fetch(`${url}/api/${category}/files`, { method: 'POST', headers, body: form });
  await res.arrayBuffer();
  return res.status;
}

/** A 3-axis accelerometer document (CBOR, HS256 with `hmacKey` or unsigned). */
export function accelDoc(rows: number, opts: { hmacKey?: string; seed?: number; deviceName?: string; sensorNames?: string[]; format?: 'cbor' | 'json' } = {}): Uint8Array {
  const names = opts.sensorNames ?? ['accX', 'accY', 'accZ'];
  const doc: DocumentInput = {
    payload: {
      device_name: opts.deviceName ?? 'dev-a',
      device_type: 'EI_INGEST_WEB_TEST',
      interval_ms: 16,
      sensors: names.map((name) => ({ name, units: 'm/s2' })),
      values: { data: simulatedAccelerometer(rows, 16, opts.seed ?? 1), width: 3 },
    },
  };
  return encodeToBytes(doc, { format: opts.format ?? 'cbor', alg: opts.hmacKey ? 'HS256' : 'none', hmacKey: opts.hmacKey, iat: 1_700_000_000 });
}

/** A document with a Ref-BINARY-i16 tail (FACTS §1): 2 axes of a slow ramp and a square wave. */
export function binaryTailDoc(rows: number): Uint8Array {
  const data = new Int16Array(rows * 2);
  for (let i = 0; i < rows; i++) {
    data[2 * i] = ((i * 37) % 2000) - 1000;
    data[2 * i + 1] = Math.floor(i / 25) % 2 ? 800 : -800;
  }
  const doc: DocumentInput = {
    payload: {
      device_name: 'mcu-1',
      device_type: 'NRF9160_DK',
      interval_ms: 10,
      sensors: [
        { name: 'ramp', units: 'mV' },
        { name: 'square', units: 'mV' },
      ],
      values: { tail: 'i16', data },
    },
  };
  return encodeToBytes(doc, { format: 'cbor', alg: 'HS256', hmacKey: HMAC_KEY });
}

/** 16-bit PCM mono WAV: a 440 Hz tone under a rising envelope. */
export function toneWav(seconds: number, rate = 16000): Buffer {
  const n = Math.round(seconds * rate);
  const samples = Array.from({ length: n }, (_, i) => Math.round(Math.sin((2 * Math.PI * 440 * i) / rate) * 12000 * (i / n)));
  return wav(samples, rate);
}

/** A real (decodable) RGB PNG: a gradient with a darker rectangle where a box will go. */
export function gradientPng(width: number, height: number, rect: { x: number; y: number; width: number; height: number }): Buffer {
  const raw = Buffer.alloc((width * 3 + 1) * height);
  for (let y = 0; y < height; y++) {
    const row = y * (width * 3 + 1);
    for (let x = 0; x < width; x++) {
      const inside = x >= rect.x && x < rect.x + rect.width && y >= rect.y && y < rect.y + rect.height;
      raw[row + 1 + 3 * x] = inside ? 40 : 120 + Math.round((100 * x) / width);
      raw[row + 2 + 3 * x] = inside ? 60 : 160 + Math.round((60 * y) / height);
      raw[row + 3 + 3 * x] = inside ? 90 : 210;
    }
  }
  const chunk = (type: string, data: Buffer): Buffer => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
    const crc = Buffer.alloc(4);
    crc.writeUInt32BE(crc32(td));
    return Buffer.concat([len, td, crc]);
  };
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8;
  ihdr[9] = 2;
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}

/** The strings the XSS test plants in a document and expects to see as text. */
export const XSS = {
  label: '<img src=x onerror="window.__xss=1">',
  fileName: '<script>window.__xss=2</script>.cbor',
  device: '<b onmouseover="window.__xss=3">dev</b>',
  sensor: '<svg onload="window.__xss=4">',
  metadata: '"><img src=y onerror="window.__xss=5">',
};

/** Uploads one sample of each kind the pages show. */
export async function seedSamples(url: string): Promise<void> {
  const ok = (s: number): void => {
    if (s !== 200) throw new Error(`seed upload answered ${s}`);
  };
  ok(await uploadData(url, accelDoc(63, { hmacKey: HMAC_KEY, seed: 1 }), { label: 'wave', fileName: 'wave.1.cbor', metadata: { site: 'lab-2', board: 'pi4' } }));
  ok(await uploadData(url, accelDoc(63, { hmacKey: HMAC_KEY, seed: 2, deviceName: 'dev-b' }), { label: 'idle', fileName: 'idle.1.cbor', category: 'testing' }));
  ok(await uploadData(url, accelDoc(63, { seed: 3 }), { label: 'wave', fileName: 'wave.unsigned.cbor' }));
  ok(await uploadData(url, accelDoc(63, { hmacKey: 'not-the-project-key', seed: 4 }), { label: 'wave', fileName: 'wave.badsig.cbor' }));
  ok(await uploadData(url, binaryTailDoc(600), { label: 'ramp', fileName: 'ramp.tail.cbor', contentType: 'application/octet-stream' }));
  ok(await uploadData(url, toneWav(0.5), { label: 'tone', fileName: 'tone.wav', contentType: 'audio/wav' }));
  const structured = {
    version: 1,
    type: 'structured-labels',
    structuredLabels: {
      'gesture.json': [
        { startIndex: 0, endIndex: 19, label: 'idle' },
        { startIndex: 20, endIndex: 44, label: 'swipe' },
        { startIndex: 45, endIndex: 62, label: 'idle' },
      ],
    },
  };
  ok(
    await uploadFiles(url, [
      { name: 'data', fileName: 'gesture.json', type: 'application/json', body: accelDoc(63, { hmacKey: HMAC_KEY, seed: 5, format: 'json' }) },
      { name: 'structured_labels.labels', fileName: 'structured_labels.labels', type: 'application/json', body: JSON.stringify(structured) },
    ]),
  );
  const box = { x: 40, y: 24, width: 56, height: 40 };
  const boxes = { version: 1, type: 'bounding-box-labels', boundingBoxes: { 'cat.png': [{ label: 'cat', ...box }] } };
  ok(
    await uploadFiles(
      url,
      [
        { name: 'data', fileName: 'cat.png', type: 'image/png', body: gradientPng(160, 96, box) },
        { name: 'bounding_boxes.labels', fileName: 'bounding_boxes.labels', type: 'application/json', body: JSON.stringify(boxes) },
      ],
      'training',
      'cat',
    ),
  );
}

/** A sample whose every document-supplied string is an XSS attempt. */
export async function seedXss(url: string): Promise<void> {
  const s = await uploadData(url, accelDoc(63, { hmacKey: HMAC_KEY, deviceName: XSS.device, sensorNames: [XSS.sensor, 'accY', 'accZ'] }), {
    label: XSS.label,
    fileName: XSS.fileName,
    metadata: { note: XSS.metadata },
  });
  if (s !== 200) throw new Error(`xss upload answered ${s}`);
}
