/**
 * Label files as the official clients send them: multipart parts named `data` whose file name is
 * the label file's (edge-impulse-cli cli-common/make-image.ts; python-sdk
 * edgeimpulse/data/_functions/upload.py), all five kinds, the `x-bounding-boxes` header, and a
 * request whose labels are invalid failing as a whole with nothing stored.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { filesRequest, getJson, multipartBody, rawRequest, tempDir } from './service-helpers.ts';
import { jsonDoc, payload, tinyJpeg, tinyPng } from './service-docs.ts';

const KEY = 'ei_label_parts_test_key';
const HMAC = 'label-parts-hmac';
let svc: IngestionService;
const tmp = tempDir('ei-labels-');
beforeAll(async () => {
  svc = await startIngestionService({ dataDir: tmp.dir, apiKey: KEY, hmacKey: HMAC, fsync: false });
});
afterAll(async () => {
  await svc.close();
  tmp.cleanup();
});

const json = (v: unknown) => JSON.stringify(v);
async function samples(): Promise<any[]> {
  return (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json.samples;
}
async function post(parts: Parameters<typeof multipartBody>[1], headers: Record<string, string> = {}, category = 'training') {
  const r = await rawRequest(svc.port, filesRequest(KEY, 'LBL', multipartBody('LBL', parts), headers, category));
  return { status: r.status, body: JSON.parse(r.body.toString('utf8')) };
}
const labelPart = (fileName: string, v: unknown) => ({ name: 'data', filename: fileName, contentType: 'application/json', body: json(v) });

describe('label files as parts named data', () => {
  it('bounding_boxes.labels after the image (the uploader): boxes stored, no sample for the label file', async () => {
    const before = (await samples()).length;
    const r = await post([
      { name: 'data', filename: 'street.jpg', contentType: 'image/jpeg', body: tinyJpeg(64, 48) },
      labelPart('bounding_boxes.labels', { version: 1, type: 'bounding-box-labels', boundingBoxes: { 'street.jpg': [{ label: 'car', x: 1, y: 2, width: 30, height: 20 }] } }),
    ]);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ success: true, files: [{ success: true, fileName: 'street.jpg' }] });
    const all = await samples();
    expect(all.length).toBe(before + 1);
    expect(all.find((s) => s.filename === 'street.jpg').boundingBoxes).toEqual([{ label: 'car', x: 1, y: 2, width: 30, height: 20 }]);
    expect(all.some((s) => s.filename.endsWith('.labels'))).toBe(false);
  });

  it('info.labels: category, label and metadata per file', async () => {
    const r = await post([
      { name: 'data', filename: 'a.png', contentType: 'image/png', body: tinyPng(4, 4) },
      { name: 'data', filename: 'b.png', contentType: 'image/png', body: tinyPng(5, 5) },
      labelPart('info.labels', {
        version: 1,
        files: [
          { path: 'imgs/a.png', category: 'testing', label: { type: 'label', label: 'apple' }, metadata: { site: 'x' } },
          { path: 'imgs/b.png', category: 'training', label: { type: 'unlabeled' } },
        ],
      }),
    ]);
    expect(r.status).toBe(200);
    const all = await samples();
    expect(all.find((s) => s.filename === 'a.png')).toMatchObject({ category: 'testing', label: 'apple', metadata: { site: 'x' } });
    expect(all.find((s) => s.filename === 'b.png')).toMatchObject({ category: 'training', label: '' });
  });

  it('structured_labels.labels, attachments (parts + attachments.labels) and label_map.labels, in make-image.ts order', async () => {
    const doc = jsonDoc(payload([1, 2, 3, 4]), HMAC);
    const before = (await samples()).length;
    const r = await post([
      { name: 'data', filename: 'walk.json', contentType: 'application/json', body: doc },
      labelPart('structured_labels.labels', { type: 'structured-labels', version: 1, structuredLabels: { 'walk.json': [{ startIndex: 0, endIndex: 1, label: 'idle' }, { startIndex: 2, endIndex: 3, label: 'walk' }] } }),
      { name: 'data', filename: 'note.txt', contentType: 'text/plain', body: 'left shoe untied' },
      labelPart('attachments.labels', { version: 1, type: 'attachments', attachments: { 'walk.json': [{ filename: 'note.txt' }] } }),
      labelPart('label_map.labels', { version: 1, type: 'label-map-labels', labels: { 'walk.json': { person: 'adult' } } }),
    ]);
    expect(r.status).toBe(200);
    expect(r.body.files.map((f: any) => f.fileName)).toEqual(['walk.json']); // the attachment is not a sample
    const all = await samples();
    expect(all.length).toBe(before + 1);
    const s = all.find((x) => x.filename === 'walk.json');
    expect(s.structuredLabels).toEqual([{ startIndex: 0, endIndex: 1, label: 'idle' }, { startIndex: 2, endIndex: 3, label: 'walk' }]);
    expect(s.structuredLabelsList).toEqual(['idle', 'walk']);
    expect(s.labelMap).toEqual({ type: 'key-values', labels: { person: 'adult' } });
    expect(s.attachments).toEqual([{ filename: 'note.txt', size: 16, contentType: 'text/plain' }]);
    const a = await rawRequest(svc.port, Buffer.from(`GET /v1/api/${svc.projectId}/raw-data/${s.id}/attachments/0 HTTP/1.1\r\nHost: x\r\nx-api-key: ${KEY}\r\nConnection: close\r\n\r\n`));
    expect(a.body.toString()).toBe('left shoe untied');
  });

  it('label_map.labels as a string array, keyvalue-labels in info.labels', async () => {
    await post([
      { name: 'data', filename: 'km1.png', contentType: 'image/png', body: tinyPng(2, 2) },
      { name: 'data', filename: 'km2.png', contentType: 'image/png', body: tinyPng(3, 2) },
      labelPart('label_map.labels', { version: 1, type: 'label-map-labels', labels: { 'km1.png': ['red', 'round'] } }),
      labelPart('info.labels', { version: 1, files: [{ path: 'km2.png', category: 'training', label: { type: 'keyvalue-labels', labels: { color: 'blue' } } }] }),
    ]);
    const all = await samples();
    expect(all.find((s) => s.filename === 'km1.png').labelMap).toEqual({ type: 'key-values', labels: { '0': 'red', '1': 'round' } });
    expect(all.find((s) => s.filename === 'km2.png').labelMap).toEqual({ type: 'key-values', labels: { color: 'blue' } });
  });

  it('x-bounding-boxes (the Python SDK) gives the image its boxes', async () => {
    const r = await post([{ name: 'data', filename: 'dog.png', contentType: 'image/png', body: tinyPng(20, 10) }], {
      'x-bounding-boxes': json([{ label: 'dog', x: 0, y: 0, width: 10, height: 5 }]),
    });
    expect(r.status).toBe(200);
    expect((await samples()).find((s) => s.filename === 'dog.png').boundingBoxes).toEqual([{ label: 'dog', x: 0, y: 0, width: 10, height: 5 }]);
  });

  it('x-device-type (the uploader sends EDGE_IMPULSE_CLI) is the device type of files that name none', async () => {
    await post([{ name: 'data', filename: 'cli.png', contentType: 'image/png', body: tinyPng(3, 3) }], { 'x-device-type': 'EDGE_IMPULSE_CLI' });
    expect((await samples()).find((s) => s.filename === 'cli.png').deviceType).toBe('EDGE_IMPULSE_CLI');
  });
});

describe('invalid labels fail the whole request, nothing stored', () => {
  const cases: [string, Parameters<typeof multipartBody>[1], Record<string, string>, RegExp][] = [
    ['a label file that is not JSON', [{ name: 'data', filename: 'f1.png', contentType: 'image/png', body: tinyPng(4, 4) }, { name: 'data', filename: 'bounding_boxes.labels', body: '{not json' }], {}, /bounding_boxes\.labels: not valid JSON/],
    [
      'a box outside the image, next to a good file',
      [
        { name: 'data', filename: 'f2.png', contentType: 'image/png', body: tinyPng(4, 4) },
        { name: 'data', filename: 'f3.png', contentType: 'image/png', body: tinyPng(4, 4) },
        labelPart('bounding_boxes.labels', { version: 1, type: 'bounding-box-labels', boundingBoxes: { 'f3.png': [{ label: 'x', x: 2, y: 2, width: 9, height: 9 }] } }),
      ],
      {},
      /bounding box 0 lies outside the 4x4 image/,
    ],
    [
      'structured labels that do not cover the sample',
      [
        { name: 'data', filename: 'f4.json', contentType: 'application/json', body: jsonDoc(payload([1, 2, 3]), HMAC) },
        labelPart('structured_labels.labels', { version: 1, type: 'structured-labels', structuredLabels: { 'f4.json': [{ startIndex: 0, endIndex: 0, label: 'a' }] } }),
      ],
      {},
      /structured labels end at index 0/,
    ],
    ['an invalid x-bounding-boxes header', [{ name: 'data', filename: 'f5.png', contentType: 'image/png', body: tinyPng(4, 4) }], { 'x-bounding-boxes': '[{"label":"a","x":0,"y":0,"width":0,"height":1}]' }, /width must be a number > 0/],
    ['a label map with a non-string value', [{ name: 'data', filename: 'f6.png', contentType: 'image/png', body: tinyPng(4, 4) }, labelPart('label_map.labels', { version: 1, type: 'label-map-labels', labels: { 'f6.png': { a: 1 } } })], {}, /label_map\.labels: metadata values must be strings/],
    // Control characters in labels and metadata are refused as in the x-label/x-metadata headers (issue 12).
    ['an info.labels label with a newline', [{ name: 'data', filename: 'c1.png', contentType: 'image/png', body: tinyPng(4, 4) }, labelPart('info.labels', { version: 1, files: [{ path: 'c1.png', category: 'training', label: { type: 'label', label: 'idle\nx-api-key: y' } }] })], {}, /info\.labels: label\.label holds a control character/],
    ['a bounding box label with an escape character', [{ name: 'data', filename: 'c2.png', contentType: 'image/png', body: tinyPng(4, 4) }, labelPart('bounding_boxes.labels', { version: 1, type: 'bounding-box-labels', boundingBoxes: { 'c2.png': [{ label: 'car\u001b[2J', x: 0, y: 0, width: 2, height: 2 }] } })], {}, /bounding_boxes\.labels: label holds a control character/],
    [
      'a structured label with a C1 control',
      [
        { name: 'data', filename: 'c3.json', contentType: 'application/json', body: jsonDoc(payload([1, 2, 3]), HMAC) },
        labelPart('structured_labels.labels', { version: 1, type: 'structured-labels', structuredLabels: { 'c3.json': [{ startIndex: 0, endIndex: 2, label: 'a\u0085b' }] } }),
      ],
      {},
      /structured_labels\.labels: label holds a control character/,
    ],
    ['info.labels metadata with a control character', [{ name: 'data', filename: 'c4.png', contentType: 'image/png', body: tinyPng(4, 4) }, labelPart('info.labels', { version: 1, files: [{ path: 'c4.png', category: 'training', label: { type: 'unlabeled' }, metadata: { site: 'a\u0000b' } }] })], {}, /info\.labels: metadata holds a control character/],
    ['an attachment named but not sent', [{ name: 'data', filename: 'f7.png', contentType: 'image/png', body: tinyPng(4, 4) }, labelPart('attachments.labels', { version: 1, type: 'attachments', attachments: { 'f7.png': [{ filename: 'gone.txt' }] } })], {}, /attachment "gone\.txt" of "f7\.png" is not in the request/],
  ];
  for (const [what, parts, headers, error] of cases) {
    it(what, async () => {
      const before = await samples();
      const r = await post(parts, headers);
      expect(r.status).toBe(400);
      expect(r.body.success).toBe(false);
      expect(r.body.error).toMatch(error);
      expect(await samples()).toEqual(before);
    });
  }
});
