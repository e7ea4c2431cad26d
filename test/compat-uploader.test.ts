/**
 * The official uploader (edge-impulse-cli `cli-common/make-image.ts`, `upload()`), replayed byte
 * for byte: the request is built as its source builds it, with undici's FormData (which it uses):
 * the sample as a `data` part typed by extension, then `structured_labels.labels` (multi-label),
 * then `bounding_boxes.labels`, each a `data` part of type application/json holding only this
 * file's entry; headers x-api-key, x-upload-source EDGE_IMPULSE_CLI_UPLOADER, x-label (URI
 * encoded, shared/encoding.ts), x-no-label, x-disallow-duplicates, x-metadata, x-device-type
 * EDGE_IMPULSE_CLI. It then requires `200`, `success` and every `files[i].success`.
 *
 * Also: the uploader calls `GET /v1/api/{projectId}` before a CSV/TXT (project.csvImportConfig),
 * and our own `upload` sends the same parts in the same order for the same label files.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Blob } from 'node:buffer';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { FormData, Request } from 'undici';
import { EdgeImpulseApi } from 'edge-impulse-api';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { runUpload } from '../src/cli/upload.ts';
import { buildRequest, getJson, rawRequest, tempDir } from './service-helpers.ts';
import { tinyJpeg } from './service-docs.ts';
import { rawServer, reply } from './http-support.ts';

const KEY = 'ei_uploader_compat_api_key';
let svc: IngestionService;
const tmp = tempDir('ei-uploader-');
beforeAll(async () => {
  svc = await startIngestionService({ dataDir: join(tmp.dir, 'svc'), apiKey: KEY, hmacKey: 'uploader-hmac', fsync: false });
});
afterAll(async () => {
  await svc.close();
  tmp.cleanup();
});

const BOXES = [{ label: 'car', x: 4, y: 5, width: 20, height: 10 }];

/** The uploader's request for one image with bounding boxes, as make-image.ts builds it. */
async function uploaderRequest(fileName: string, image: Buffer, label: string): Promise<{ head: Record<string, string>; body: Buffer }> {
  const form = new FormData();
  form.append('data', new Blob([image], { type: 'image/jpeg' }), fileName);
  form.append('data', new Blob([JSON.stringify({ version: 1, type: 'bounding-box-labels', boundingBoxes: { [fileName]: BOXES } })], { type: 'application/json' }), 'bounding_boxes.labels');
  const req = new Request(`${svc.url}/api/training/files`, { method: 'POST', body: form as never });
  const body = Buffer.from(await req.arrayBuffer());
  const head = {
    'x-api-key': KEY,
    'x-upload-source': 'EDGE_IMPULSE_CLI_UPLOADER',
    Connection: 'keep-alive',
    'x-label': encodeURIComponent(label),
    'x-disallow-duplicates': '1',
    'x-metadata': JSON.stringify({ site: 'north gate' }),
    'x-device-type': 'EDGE_IMPULSE_CLI',
    'content-type': req.headers.get('content-type')!,
  };
  return { head, body };
}

/** Splits a multipart body into its parts' disposition names, file names, types and bodies. */
function parts(contentType: string, body: Buffer): { name: string; filename: string; type: string; body: string }[] {
  const boundary = /boundary=(.+)$/.exec(contentType)![1]!.replace(/^"|"$/g, '');
  const sep = Buffer.from(`--${boundary}`);
  const out = [];
  let at = body.indexOf(sep) + sep.length;
  for (;;) {
    const next = body.indexOf(sep, at);
    if (next < 0) break;
    const chunk = body.subarray(at + 2, next - 2); // skip CRLF after the boundary, before the next
    const end = chunk.indexOf('\r\n\r\n');
    const head = chunk.subarray(0, end).toString('utf8');
    out.push({
      name: /name="([^"]*)"/.exec(head)![1]!,
      filename: /filename="([^"]*)"/.exec(head)?.[1] ?? '',
      type: /content-type: *([^\r\n]+)/i.exec(head)?.[1] ?? '',
      body: chunk.subarray(end + 4).toString('latin1'),
    });
    at = next + sep.length;
  }
  return out;
}

describe('edge-impulse-uploader replay', () => {
  it('image + bounding_boxes.labels as data parts: 200, every file success, stored with its boxes and headers', async () => {
    const image = tinyJpeg(64, 32);
    const { head, body } = await uploaderRequest('cars 1.jpg', image, 'road scene');
    const r = await rawRequest(svc.port, buildRequest('POST', '/api/training/files', { Host: 'localhost', ...head, 'Content-Length': body.length }, body));
    expect(r.status).toBe(200);
    const answer = JSON.parse(r.body.toString('utf8'));
    // What the uploader checks: msg.success and each files[i].success.
    expect(answer.success).toBe(true);
    expect(answer.files).toHaveLength(1);
    expect(answer.files[0]).toMatchObject({ success: true, fileName: 'cars 1.jpg', projectId: svc.projectId });
    const list = (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json.samples;
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      filename: 'cars 1.jpg',
      label: 'road scene',
      boundingBoxes: BOXES,
      metadata: { site: 'north gate' },
      deviceType: 'EDGE_IMPULSE_CLI',
      uploadSource: 'EDGE_IMPULSE_CLI_UPLOADER',
      imageDimensions: { width: 64, height: 32 },
    });
    // A re-upload of the same bytes is refused as a duplicate (x-disallow-duplicates), still 200.
    const again = await rawRequest(svc.port, buildRequest('POST', '/api/training/files', { Host: 'localhost', ...head, 'Content-Length': body.length }, body));
    expect(JSON.parse(again.body.toString()).files[0]).toMatchObject({ success: true, duplicate: true });
    expect((await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json.samples).toHaveLength(1);
  });

  it('start-up with --api-key (cli-common/config.ts verifyAccess, init-cli-app.ts setupCliApp): listProjects, one project, its info', async () => {
    const api = new EdgeImpulseApi({ endpoint: svc.url, extraHeaders: { 'User-Agent': 'EDGE_IMPULSE_CLI' } });
    await api.authenticate({ method: 'apiKey', apiKey: KEY });
    const list = await api.projects.listProjects();
    expect(list.projects).toHaveLength(1); // one project: no prompt
    const info = await api.projects.getProjectInfo(list.projects[0]!.id, {});
    expect(info.project.name).toEqual(expect.any(String));
    // A wrong key: the CLI looks for 'Invalid API key' in the error.
    const bad = new EdgeImpulseApi({ endpoint: svc.url });
    await bad.authenticate({ method: 'apiKey', apiKey: 'ei_not_the_key' });
    await expect(bad.projects.listProjects()).rejects.toThrow(/Invalid API key/);
  });

  it('before a CSV it reads project info: csvImportConfig absent, project.whitelabelId null', async () => {
    const api = new EdgeImpulseApi({ endpoint: svc.url });
    await api.authenticate({ method: 'apiKey', apiKey: KEY });
    const p = await api.projects.getProjectInfo(svc.projectId, {});
    expect(p.csvImportConfig).toBeUndefined();
    expect(p.project.whitelabelId).toBeNull();
  });
});

describe('our upload sends label files as the uploader does', () => {
  it('same parts (names, file names, types, bodies) in the same order; category, label and metadata from info.labels', async () => {
    const d = join(tmp.dir, 'set');
    mkdirSync(d, { recursive: true });
    const image = tinyJpeg(64, 32);
    writeFileSync(join(d, 'cars 1.jpg'), image);
    writeFileSync(join(d, 'walk.csv'), 'timestamp,accX\n0,1\n10,2\n20,3\n30,4\n');
    writeFileSync(
      join(d, 'info.labels'),
      JSON.stringify({
        version: 1,
        files: [
          { path: 'cars 1.jpg', category: 'testing', label: { type: 'label', label: 'road scene' }, metadata: { site: 'north gate' }, boundingBoxes: BOXES },
          { path: 'walk.csv', category: 'training', label: { type: 'multi-label', labels: [{ startIndex: 0, endIndex: 1, label: 'idle' }, { startIndex: 2, endIndex: 3, label: 'walk' }] } },
        ],
      }),
    );
    const capture = await rawServer(() => reply(200, JSON.stringify({ success: true, files: [{ success: true }] }), ['Content-Type: application/json']));
    try {
      let out = '';
      const io = { stdout: { write: (s: string) => void (out += s) }, stderr: { write: (s: string) => void (out += s) }, env: { EI_API_KEY: KEY }, isTTY: false };
      expect(await runUpload([join(d, 'cars 1.jpg'), join(d, 'walk.csv'), join(d, 'info.labels'), '--endpoint', `http://127.0.0.1:${capture.port}`], io)).toBe(0);
      const byPath = new Map(capture.requests.map((r) => [r.path, r]));
      const img = byPath.get('/api/testing/files')!;
      expect(img.headers['x-label']).toBe(encodeURIComponent('road scene'));
      expect(JSON.parse(img.headers['x-metadata']!)).toEqual({ site: 'north gate' });
      const official = await uploaderRequest('cars 1.jpg', image, 'road scene');
      const strip = (ps: ReturnType<typeof parts>) => ps.map((p) => ({ ...p, body: p.filename.endsWith('.labels') ? JSON.parse(p.body) : p.body }));
      expect(strip(parts(img.headers['content-type']!, img.body))).toEqual(strip(parts(official.head['content-type']!, official.body)));
      const csv = byPath.get('/api/training/files')!;
      expect(csv.headers['x-label']).toBeUndefined(); // multi-label goes in the label file, as in make-image.ts
      expect(parts(csv.headers['content-type']!, csv.body).map((p) => [p.name, p.filename, p.type])).toEqual([
        ['data', 'walk.csv', 'text/csv'],
        ['data', 'structured_labels.labels', 'application/json'],
      ]);
      expect(JSON.parse(parts(csv.headers['content-type']!, csv.body)[1]!.body)).toEqual({
        type: 'structured-labels',
        version: 1,
        structuredLabels: { 'walk.csv': [{ startIndex: 0, endIndex: 1, label: 'idle' }, { startIndex: 2, endIndex: 3, label: 'walk' }] },
      });
    } finally {
      await capture.close();
    }
  });

  it('the same upload against the local service stores both samples with their labels', async () => {
    const d = join(tmp.dir, 'set');
    let out = '';
    const io = { stdout: { write: (s: string) => void (out += s) }, stderr: { write: (s: string) => void (out += s) }, env: { EI_API_KEY: KEY }, isTTY: false };
    expect(await runUpload([join(d, 'walk.csv'), join(d, 'info.labels'), '--endpoint', svc.url], io)).toBe(0);
    const s = (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data?category=training&filename=walk`, KEY)).json.samples[0];
    expect(s.structuredLabels).toEqual([{ startIndex: 0, endIndex: 1, label: 'idle' }, { startIndex: 2, endIndex: 3, label: 'walk' }]);
  });

  it('a bad label file stops the command before any request, naming the file and path', async () => {
    const d = join(tmp.dir, 'bad');
    mkdirSync(d, { recursive: true });
    writeFileSync(join(d, 'a.jpg'), tinyJpeg(8, 8));
    writeFileSync(join(d, 'bounding_boxes.labels'), JSON.stringify({ version: 1, type: 'bounding-box-labels', boundingBoxes: { 'a.jpg': [{ label: 'x', x: 0, y: 0, width: -1, height: 1 }] } }));
    const capture = await rawServer(() => reply(200, '{}'));
    try {
      let err = '';
      const io = { stdout: { write: () => undefined }, stderr: { write: (s: string) => void (err += s) }, env: { EI_API_KEY: KEY }, isTTY: false };
      expect(await runUpload([d, '--endpoint', `http://127.0.0.1:${capture.port}`], io)).toBe(2);
      expect(err).toMatch(/bounding_boxes\.labels: width must be a number > 0 \(at boundingBoxes\.a\.jpg\[0\]\.width\)/);
      expect(capture.requests).toHaveLength(0);
    } finally {
      await capture.close();
    }
  });
});
