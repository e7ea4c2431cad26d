/**
 * The ingestion API's behaviour: formats (JSON/CBOR in any order, indefinite lengths, binary
 * tails, image attachments, CSV, WAV, JPEG, PNG), label files, every FACTS §4 header, status
 * codes, ES256, and the Studio routes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { p256 } from '@noble/curves/nist.js';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { buildRequest, dataRequest, filesRequest, getJson, multipartBody, rawRequest, tempDir } from './service-helpers.ts';
import { cborDoc, es256JsonDoc, hmacHex, jsonDoc, payload, tinyJpeg, tinyPng, wav } from './service-docs.ts';

const KEY = 'ei_ingest_test_api_key';
const HMAC = 'ingest-test-hmac-key';
const es = p256.keygen();
const other = p256.keygen();

let svc: IngestionService;
const tmp = tempDir();
beforeAll(async () => {
  svc = await startIngestionService({
    dataDir: tmp.dir,
    apiKey: KEY,
    hmacKey: HMAC,
    es256PublicKeys: [Buffer.from(es.publicKey).toString('hex')],
    fsync: false,
  });
});
afterAll(async () => {
  await svc.close();
  tmp.cleanup();
});

async function list(): Promise<any[]> {
  return (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json.samples;
}
async function byName(name: string): Promise<any> {
  return (await list()).find((s) => s.filename === name);
}
async function detail(id: number): Promise<any> {
  return (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data/${id}`, KEY)).json;
}
async function postData(body: Uint8Array, headers: Record<string, string>, category = 'training') {
  const r = await rawRequest(svc.port, dataRequest(KEY, body, headers, category));
  return { status: r.status, text: r.body.toString('utf8'), headers: r.headers };
}

describe('documents', () => {
  it('JSON in any key order, flattened single-axis values, HS256 valid', async () => {
    const body = jsonDoc(payload([1.5, 2.5, -3]), HMAC, ['payload', 'signature', 'protected']);
    const r = await postData(body, { 'x-file-name': 'json1.json', 'content-type': 'application/json' });
    expect(r).toMatchObject({ status: 200, text: 'json1.json' });
    const s = await byName('json1.json');
    expect(s).toMatchObject({ signatureValidate: true, intervalMs: 10, totalLengthMs: 30, deviceName: 'dev-1', label: 'json1' });
    expect((await detail(s.id)).payload.values).toEqual([[1.5], [2.5], [-3]]);
  });

  it('CBOR via cbor-x (payload first, non-shortest heads) verifies', async () => {
    const sensors = [{ name: 'a', units: 'm' }, { name: 'b', units: 'm' }];
    const body = cborDoc(payload([[0.1, 2], [3, 4.25]], sensors), HMAC, undefined, ['payload', 'protected', 'signature']);
    expect((await postData(body, { 'x-file-name': 'cx.cbor' })).status).toBe(200);
    const s = await byName('cx.cbor');
    expect(s.signatureValidate).toBe(true);
    expect((await detail(s.id)).payload.values).toEqual([[0.1, 2], [3, 4.25]]);
  });

  it('indefinite-length map, arrays and text chunks', async () => {
    // {_ "protected": {_ "ver": "v1", "alg": "none"}, "signature": (_ "0", "0"), "payload": {...}}
    const t = (s: string) => Buffer.concat([Buffer.from([0x60 + s.length]), Buffer.from(s)]);
    const body = Buffer.concat([
      Buffer.from([0xbf]), t('protected'), Buffer.from([0xbf]), t('ver'), t('v1'), t('alg'), t('none'), Buffer.from([0xff]),
      t('signature'), Buffer.from([0x7f]), t('0'), t('0'), Buffer.from([0xff]),
      t('payload'), Buffer.from([0xa4]), t('device_type'), t('X'), t('interval_ms'), Buffer.from([0xf9, 0x3c, 0x00]),
      t('sensors'), Buffer.from([0x81, 0xa2]), t('name'), t('s'), t('units'), t('u'),
      t('values'), Buffer.from([0x9f, 0xf9, 0x3e, 0x00, 0xfa, 0x3f, 0xc0, 0x00, 0x00, 0x9f, 0x05, 0xff, 0xff]),
      Buffer.from([0xff]),
    ]);
    const r = await postData(body, { 'x-file-name': 'indef.cbor' });
    expect(r.status).toBe(200);
    const s = await byName('indef.cbor');
    expect(s).toMatchObject({ signatureStatus: 'none', intervalMs: 1 });
    expect((await detail(s.id)).payload.values).toEqual([[1.5], [1.5], [5]]);
  });

  it('binary tails: i16 and f32 decoded, HMAC over document + tail', async () => {
    const sensors = [{ name: 'x', units: 'm' }, { name: 'y', units: 'm' }];
    const tail = Buffer.alloc(8);
    [1, -2, 300, -32768].forEach((v, i) => tail.writeInt16LE(v, i * 2));
    const body = cborDoc(payload(['Ref-BINARY-i16'], sensors), HMAC, tail);
    expect((await postData(body, { 'x-file-name': 'tail16.cbor', 'content-type': 'application/octet-stream' })).status).toBe(200);
    const s = await byName('tail16.cbor');
    expect(s).toMatchObject({ signatureValidate: true, valuesCount: 2 });
    expect((await detail(s.id)).payload.values).toEqual([[1, -2], [300, -32768]]);

    const ft = Buffer.alloc(8);
    ft.writeFloatLE(1.25, 0);
    ft.writeFloatLE(-0.5, 4);
    const fbody = cborDoc(payload(['Ref-BINARY-f32']), HMAC, ft);
    expect((await postData(fbody, { 'x-file-name': 'tailf.cbor' })).status).toBe(200);
    expect((await detail((await byName('tailf.cbor')).id)).payload.values).toEqual([[1.25], [-0.5]]);
    // Flip a tail byte: the HMAC covers it.
    const bad = Buffer.from(body);
    bad[bad.length - 1] ^= 1;
    expect((await postData(bad, { 'x-file-name': 'tail16bad.cbor' })).status).toBe(200);
    expect((await byName('tail16bad.cbor')).signatureStatus).toBe('invalid');
  });

  it('binary tail of a partial row, unknown type, trailing bytes: 400 naming the field', async () => {
    const r1 = await postData(cborDoc(payload(['Ref-BINARY-i16']), undefined, Buffer.from([1, 2, 3])), { 'x-file-name': 'bad1.cbor' });
    expect(r1.status).toBe(400);
    expect(r1.text).toContain('payload.values[0]');
    const r2 = await postData(cborDoc(payload(['Ref-BINARY-q7']), undefined, Buffer.from([1])), { 'x-file-name': 'bad2.cbor' });
    expect(r2.status).toBe(400);
    const r3 = await postData(Buffer.concat([cborDoc(payload([1, 2])), Buffer.from([0])]), { 'x-file-name': 'bad3.cbor' });
    expect(r3.status).toBe(400);
    expect(r3.text).toMatch(/after the document/);
    expect(await byName('bad1.cbor')).toBeUndefined();
  });

  it('row width and non-numbers are refused with the path', async () => {
    const sensors = [{ name: 'a', units: 'm' }, { name: 'b', units: 'm' }];
    const r = await postData(jsonDoc(payload([[1, 2], [3]], sensors)), { 'x-file-name': 'w.json' });
    expect(r.status).toBe(400);
    expect(r.text).toContain('payload.values[1]');
    const r2 = await postData(jsonDoc(payload([[1, 2], [3, 'x']], sensors)), { 'x-file-name': 'w.json' });
    expect(r2.text).toContain('payload.values[1][1]');
    const r3 = await postData(jsonDoc({ ...payload([1]), device_type: undefined }), { 'x-file-name': 'w.json' });
    expect(r3.text).toContain('payload.device_type');
  });

  it('image attachment: document part then JPEG part, HMAC of the image checked', async () => {
    const img = tinyJpeg(96, 64);
    const ref = `Ref-BINARY-image/jpeg (${img.length} bytes) ${hmacHex(HMAC, img)}`;
    const doc = jsonDoc({ device_type: 'CAM', interval_ms: 0, sensors: [{ name: 'image', units: 'rgba' }], values: [ref] }, HMAC);
    const send = (image: Buffer, name: string) => {
      const body = multipartBody('b0undary', [
        { name: 'message', filename: 'message.json', contentType: 'application/json', body: doc },
        { name: 'image', filename: 'image.jpg', contentType: 'image/jpeg', body: image },
      ]);
      return rawRequest(svc.port, buildRequest('POST', '/api/training/data', { Host: 'x', 'x-api-key': KEY, 'x-file-name': name, 'Content-Type': 'multipart/form-data; boundary=b0undary', 'Content-Length': body.length }, body));
    };
    expect((await send(img, 'cam.json')).status).toBe(200);
    const s = await byName('cam.json');
    expect(s).toMatchObject({ signatureValidate: true, imageDimensions: { width: 96, height: 64 } });
    const att = await rawRequest(svc.port, buildRequest('GET', `/v1/api/${svc.projectId}/raw-data/${s.id}/attachment`, { Host: 'x', 'x-api-key': KEY }));
    expect(att.body.equals(img)).toBe(true);
    // Same size, different bytes: HMAC mismatch is flagged.
    const other = Buffer.from(img);
    other[other.length - 3] ^= 0xff;
    expect((await send(other, 'cam2.json')).status).toBe(200);
    expect((await byName('cam2.json')).signatureStatus).toBe('invalid');
    // Wrong size: refused.
    const r = await send(Buffer.concat([img, Buffer.from([0])]), 'cam3.json');
    expect(r.status).toBe(400);
    expect(r.body.toString()).toMatch(/bytes/);
  });

  it('ES256 documents verify with a registered public key only', async () => {
    const good = es256JsonDoc(payload([1, 2]), es.secretKey);
    expect((await postData(good, { 'x-file-name': 'es.json' })).status).toBe(200);
    expect((await byName('es.json')).signatureValidate).toBe(true);
    const foreign = es256JsonDoc(payload([1, 2]), other.secretKey);
    expect((await postData(foreign, { 'x-file-name': 'es2.json' })).status).toBe(200);
    expect((await byName('es2.json')).signatureStatus).toBe('invalid');
  });
});

describe('files', () => {
  it('CSV: label from <label>.<id>.csv, frequency from timestamps; uneven timestamps refused', async () => {
    const csv = 'timestamp,accX,accY\n0,1,2\n10,3,4\n20,5,6\n';
    const body = multipartBody('B', [{ name: 'data', filename: 'idle.01.csv', contentType: 'text/csv', body: csv }]);
    const r = await rawRequest(svc.port, filesRequest(KEY, 'B', body));
    expect(r.status).toBe(200);
    const s = await byName('idle.01.csv');
    expect(s).toMatchObject({ label: 'idle', intervalMs: 10, frequency: 100, valuesCount: 3 });
    expect((await detail(s.id)).payload.values).toEqual([[1, 2], [3, 4], [5, 6]]);
    const bad = multipartBody('B', [{ name: 'data', filename: 'x.csv', body: 'timestamp,a\n0,1\n10,2\n50,3\n' }]);
    const rb = await rawRequest(svc.port, filesRequest(KEY, 'B', bad));
    expect(rb.status).toBe(400);
    const j = JSON.parse(rb.body.toString());
    expect(j.success).toBe(false);
    expect(j.files[0].error).toMatch(/line 4/);
  });

  it('WAV, JPEG and PNG headers are read', async () => {
    const body = multipartBody('B', [
      { name: 'data', filename: 'noise.wav', contentType: 'audio/wav', body: wav([1, -1, 2, -2], 16000) },
      { name: 'data', filename: 'cat.jpg', contentType: 'image/jpeg', body: tinyJpeg(320, 240) },
      { name: 'data', filename: 'dog.png', contentType: 'image/png', body: tinyPng(17, 9) },
    ]);
    const r = await rawRequest(svc.port, filesRequest(KEY, 'B', body));
    const j = JSON.parse(r.body.toString());
    expect(r.status).toBe(200);
    expect(j.files.map((f: any) => f.success)).toEqual([true, true, true]);
    const w = await byName('noise.wav');
    expect(w).toMatchObject({ intervalMs: 0.0625, valuesCount: 4, label: 'noise' });
    expect((await detail(w.id)).payload.values).toEqual([[1], [-1], [2], [-2]]);
    expect(await byName('cat.jpg')).toMatchObject({ imageDimensions: { width: 320, height: 240 } });
    expect(await byName('dog.png')).toMatchObject({ imageDimensions: { width: 17, height: 9 } });
    const bad = multipartBody('B', [{ name: 'data', filename: 'fake.png', body: 'not a png' }]);
    expect((await rawRequest(svc.port, filesRequest(KEY, 'B', bad))).status).toBe(400);
  });

  it('info.labels, bounding_boxes.labels and structured_labels.labels are applied', async () => {
    const info = { version: 1, files: [{ path: 'a1.json', name: 'a1', category: 'testing', label: { type: 'label', label: 'wave' }, metadata: { site: 'lab' } }] };
    const boxes = { version: 1, type: 'bounding-box-labels', boundingBoxes: { 'pic.jpg': [{ label: 'cat', x: 1, y: 2, width: 10, height: 20 }] } };
    const structured = { version: 1, type: 'structured-labels', structuredLabels: { 'b1.json': [{ startIndex: 0, endIndex: 1, label: 'idle' }, { startIndex: 2, endIndex: 3, label: 'up' }] } };
    const body = multipartBody('B', [
      { name: 'data', filename: 'a1.json', body: jsonDoc(payload([1, 2])) },
      { name: 'data', filename: 'b1.json', body: jsonDoc(payload([1, 2, 3, 4])) },
      { name: 'data', filename: 'pic.jpg', body: tinyJpeg(64, 64) },
      { name: 'info.labels', filename: 'info.labels', body: JSON.stringify(info) },
      { name: 'bounding_boxes.labels', filename: 'bounding_boxes.labels', body: JSON.stringify(boxes) },
      { name: 'structured_labels.labels', body: JSON.stringify(structured) },
    ]);
    const r = await rawRequest(svc.port, filesRequest(KEY, 'B', body));
    expect(r.status).toBe(200);
    expect(await byName('a1.json')).toMatchObject({ category: 'testing', label: 'wave', metadata: { site: 'lab' } });
    expect((await byName('pic.jpg')).boundingBoxes).toEqual(boxes.boundingBoxes['pic.jpg']);
    expect((await byName('b1.json')).structuredLabels).toEqual(structured.structuredLabels['b1.json']);

    const gap = { version: 1, type: 'structured-labels', structuredLabels: { 'c.json': [{ startIndex: 0, endIndex: 0, label: 'a' }, { startIndex: 2, endIndex: 3, label: 'b' }] } };
    const r2 = await rawRequest(svc.port, filesRequest(KEY, 'B', multipartBody('B', [
      { name: 'data', filename: 'c.json', body: jsonDoc(payload([1, 2, 3, 4])) },
      { name: 'structured_labels.labels', filename: 'structured_labels.labels', body: JSON.stringify(gap) },
    ])));
    expect(r2.status).toBe(400);
    expect(JSON.parse(r2.body.toString()).error).toMatch(/gap/);
    expect(await byName('c.json')).toBeUndefined();
    const oob = { version: 1, type: 'bounding-box-labels', boundingBoxes: { 'p2.jpg': [{ label: 'x', x: 60, y: 0, width: 10, height: 0 }] } };
    const r3 = await rawRequest(svc.port, filesRequest(KEY, 'B', multipartBody('B', [
      { name: 'data', filename: 'p2.jpg', body: tinyJpeg(64, 64) },
      { name: 'bounding_boxes.labels', body: JSON.stringify(oob) },
    ])));
    expect(r3.status).toBe(400);
  });

  it('split sends files to training or testing by hash; partial failures are reported per file', async () => {
    const parts = Array.from({ length: 20 }, (_, i) => ({ name: 'data', filename: `sp${i}.json`, body: jsonDoc(payload([i, i + 1])) }));
    parts.push({ name: 'data', filename: 'broken.json', body: Buffer.from('{"protected":') });
    const r = await rawRequest(svc.port, filesRequest(KEY, 'B', multipartBody('B', parts), {}, 'split'));
    expect(r.status).toBe(200);
    const j = JSON.parse(r.body.toString());
    expect(j.success).toBe(false);
    expect(j.files.filter((f: any) => f.success)).toHaveLength(20);
    expect(j.files[20]).toMatchObject({ success: false, fileName: 'broken.json' });
    const cats = (await list()).filter((s) => s.filename.startsWith('sp')).map((s) => s.category);
    expect(cats).toHaveLength(20);
    expect(new Set(cats)).toEqual(new Set(['training', 'testing']));
  });
});

describe('headers and status codes', () => {
  it('x-label is URI-decoded; x-no-label leaves it empty; metadata and upload source stored', async () => {
    await postData(jsonDoc(payload([1])), { 'x-file-name': 'h1.json', 'x-label': 'left%20turn%2Fv2', 'x-metadata': '{"a":"1"}', 'x-upload-source': 'test' });
    expect(await byName('h1.json')).toMatchObject({ label: 'left turn/v2', metadata: { a: '1' }, uploadSource: 'test' });
    await postData(jsonDoc(payload([1])), { 'x-file-name': 'nolabel.json', 'x-no-label': '1' });
    expect((await byName('nolabel.json')).label).toBe('');
    await postData(jsonDoc(payload([1])), { 'x-file-name': encodeURIComponent('my file.json') });
    expect((await byName('my file.json')).label).toBe('my file');
  });

  it('bad x-metadata, bad URI encoding → 400; missing x-file-name → 421', async () => {
    expect((await postData(jsonDoc(payload([1])), { 'x-file-name': 'm.json', 'x-metadata': '{"a":1}' })).status).toBe(400);
    expect((await postData(jsonDoc(payload([1])), { 'x-file-name': 'm.json', 'x-metadata': 'nope' })).status).toBe(400);
    expect((await postData(jsonDoc(payload([1])), { 'x-file-name': 'm.json', 'x-label': '%E0%A4%A' })).status).toBe(400);
    const body = jsonDoc(payload([1]));
    const r = await rawRequest(svc.port, buildRequest('POST', '/api/training/data', { Host: 'x', 'x-api-key': KEY, 'Content-Length': body.length }, body));
    expect(r.status).toBe(421);
    expect(r.body.toString()).toMatch(/x-file-name/);
  });

  it('a wrong or missing key is 401 whatever else is wrong, and never echoed', async () => {
    const body = Buffer.from('garbage');
    const r = await rawRequest(svc.port, buildRequest('POST', '/api/bogus/data', { Host: 'x', 'x-api-key': 'ei_wrong_secret_key', 'Content-Length': body.length }, body));
    expect(r.status).toBe(401);
    expect(r.body.toString()).not.toContain('ei_wrong_secret_key');
    const r2 = await rawRequest(svc.port, buildRequest('POST', '/api/training/data', { Host: 'x', 'Content-Length': 5000000 }, Buffer.alloc(10)));
    expect(r2.status).toBe(401);
    const r3 = await rawRequest(svc.port, buildRequest('GET', '/v1/api/projects', { Host: 'x', 'x-api-key': 'nope' }));
    expect(r3.status).toBe(401);
  });

  it('x-disallow-duplicates drops a body the project already holds; x-add-date-id renames', async () => {
    const body = jsonDoc(payload([42, 43]));
    const a = await postData(body, { 'x-file-name': 'dup.json', 'x-disallow-duplicates': '1' });
    const before = (await list()).length;
    const b = await postData(body, { 'x-file-name': 'dup-again.json', 'x-disallow-duplicates': '1' });
    expect(a.status).toBe(200);
    expect(b.status).toBe(200);
    expect(b.text).toBe('dup.json');
    expect(b.headers['x-duplicate']).toBe('1');
    expect((await list()).length).toBe(before);
    const c = await postData(body, { 'x-file-name': 'dup.json' });
    expect((await list()).length).toBe(before + 1);
    expect(c.status).toBe(200);
    const d = await postData(body, { 'x-file-name': 'dated.json', 'x-add-date-id': '1' });
    expect(d.text).toMatch(/^dated\.[0-9a-z]+\.json$/);
    expect(await byName(d.text)).toBeDefined();
  });

  it('file names are sanitised: nothing escapes the data dir', async () => {
    const r = await postData(jsonDoc(payload([1])), { 'x-file-name': encodeURIComponent('../../etc/passwd\u0001.json') });
    expect(r.status).toBe(200);
    expect(r.text).toBe('passwd_.json');
  });
});

describe('studio API', () => {
  it('projects, devkeys, other projects, delete', async () => {
    const p = await getJson(svc.port, '/v1/api/projects', KEY);
    expect(p.json).toMatchObject({ success: true, projects: [{ id: svc.projectId, name: expect.any(String) }] });
    const k = await getJson(svc.port, `/v1/api/${svc.projectId}/devkeys/hmac`, KEY);
    expect(k.json).toEqual({ success: true, hmacKey: HMAC });
    expect((await getJson(svc.port, `/v1/api/999/devkeys/hmac`, KEY)).status).toBe(403);
    await postData(jsonDoc(payload([7])), { 'x-file-name': 'del.json' });
    const s = await byName('del.json');
    const del = await rawRequest(svc.port, buildRequest('DELETE', `/v1/api/${svc.projectId}/raw-data/${s.id}`, { Host: 'x', 'x-api-key': KEY }));
    expect(del.status).toBe(200);
    expect(await byName('del.json')).toBeUndefined();
    expect((await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data/${s.id}`, KEY)).status).toBe(404);
    const bad = await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data?category=nope`, KEY);
    expect(bad.status).toBe(400);
  });

  it('a project without an HMAC key answers devkeys without one', async () => {
    const t = tempDir();
    const s2 = await startIngestionService({ dataDir: t.dir, config: { version: 1, projects: [{ id: 7, name: 'nokey', apiKey: 'ei_nokey_project' }] }, fsync: false });
    try {
      expect((await getJson(s2.port, '/v1/api/7/devkeys/hmac', 'ei_nokey_project')).json).toEqual({ success: true });
      // HS256 cannot be checked without a key: stored, status null.
      await rawRequest(s2.port, dataRequest('ei_nokey_project', jsonDoc(payload([1]), 'whatever'), { 'x-file-name': 'u.json' }));
      const l = await getJson(s2.port, '/v1/api/7/raw-data', 'ei_nokey_project');
      expect(l.json.samples[0]).toMatchObject({ signatureValidate: false, signatureStatus: 'unverified' });
    } finally {
      await s2.close();
      t.cleanup();
    }
  });
});

describe('data directory', () => {
  it('a second service on the same data directory is refused while the first runs', async () => {
    await expect(startIngestionService({ dataDir: tmp.dir, apiKey: 'ei_other_key', fsync: false })).rejects.toMatchObject({ code: 'EI_SVC_STORAGE' });
    // The first one is unharmed.
    expect((await getJson(svc.port, '/v1/api/projects', KEY)).status).toBe(200);
    expect((await list()).length).toBeGreaterThan(10);
  });
});

describe('large bodies', () => {
  it('a 2 MB binary-tail document spills to disk while streaming and is stored exactly (/data and /files)', async () => {
    const sensors = [{ name: 'x', units: 'm' }, { name: 'y', units: 'm' }];
    const tail = Buffer.alloc(2 * 1024 * 1024);
    for (let i = 0; i < tail.length / 2; i++) tail.writeInt16LE((i * 7919) % 65536 - 32768, i * 2);
    const body = cborDoc(payload(['Ref-BINARY-i16'], sensors), HMAC, tail);
    expect((await postData(body, { 'x-file-name': 'big.cbor' })).status).toBe(200);
    const s = await byName('big.cbor');
    expect(s).toMatchObject({ signatureValidate: true, valuesCount: tail.length / 4, size: body.length });
    const raw = await rawRequest(svc.port, buildRequest('GET', `/v1/api/${svc.projectId}/raw-data/${s.id}/raw`, { Host: 'x', 'x-api-key': KEY }));
    expect(raw.body.equals(body)).toBe(true);
    const mp = multipartBody('B', [{ name: 'data', filename: 'big2.cbor', body }]);
    const r = await rawRequest(svc.port, filesRequest(KEY, 'B', mp));
    expect(r.status).toBe(200);
    expect((await byName('big2.cbor')).sha256Hash).toBe(s.sha256Hash);
  });
});

describe('raw-data listing', () => {
  it('pages with limit/offset and keeps totalCount', async () => {
    const all = (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data`, KEY)).json;
    const page = (await getJson(svc.port, `/v1/api/${svc.projectId}/raw-data?limit=3&offset=2`, KEY)).json;
    expect(page.totalCount).toBe(all.totalCount);
    expect(page.samples.map((s: any) => s.id)).toEqual(all.samples.slice(2, 5).map((s: any) => s.id));
  });
});
