import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { encode } from 'cbor-x';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandPaths, fileBody, isLabelFile, prepareFile, UploadFileError } from '../src/cli/upload-files.ts';
import { UploadReporter } from '../src/cli/upload-progress.ts';
import { collectBody } from '../src/http/request.ts';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'ei-upload-files-'));
  mkdirSync(join(dir, 'a', 'b'), { recursive: true });
  for (const f of ['x.cbor', 'y.csv', 'a/z.cbor', 'a/b/w.cbor', 'a/b/v.wav', 'info.labels']) writeFileSync(join(dir, f), f);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rel = (ps: string[]) => ps.map((p) => relative(dir, p).split('\\').join('/'));

describe('expandPaths', () => {
  it('expands *, ?, [..] and ** and keeps plain paths', () => {
    expect(rel(expandPaths([join(dir, '*.cbor')]))).toEqual(['x.cbor']);
    expect(rel(expandPaths([join(dir, '**/*.cbor')])).sort()).toEqual(['a/b/w.cbor', 'a/z.cbor', 'x.cbor']);
    expect(rel(expandPaths([join(dir, 'a/**/?.wav')]))).toEqual(['a/b/v.wav']);
    expect(rel(expandPaths([join(dir, '[xy].*')]))).toEqual(['x.cbor', 'y.csv']);
    expect(rel(expandPaths([join(dir, 'missing.cbor')]))).toEqual(['missing.cbor']);
  });

  it('expands directories to every file below them, without duplicates', () => {
    const all = rel(expandPaths([join(dir, 'a'), join(dir, 'a', 'z.cbor')])).sort();
    expect(all).toEqual(['a/b/v.wav', 'a/b/w.cbor', 'a/z.cbor']);
  });

  it('fails a pattern that matches nothing', () => {
    expect(() => expandPaths([join(dir, '*.png')])).toThrow(UploadFileError);
  });
});

describe('files', () => {
  it('streams a file in borrowed chunks, re-iterably, with the exact length', () => {
    const p = join(dir, 'big.bin');
    const bytes = Buffer.alloc(200_003);
    for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 13) & 0xff;
    writeFileSync(p, bytes);
    const body = fileBody(p, 'application/octet-stream', 4096);
    expect(body.length).toBe(bytes.length);
    const seen: Uint8Array[] = [];
    for (const c of body.chunks()) seen.push(c);
    expect(new Set(seen.map((c) => c.buffer)).size).toBe(1); // one reused buffer
    expect(Buffer.from(collectBody(body)).equals(bytes)).toBe(true);
    expect(Buffer.from(collectBody(body)).equals(bytes)).toBe(true);
  });

  it('classifies by extension and refuses unknown types and missing files', async () => {
    expect((await prepareFile(join(dir, 'y.csv'), undefined)).contentType).toBe('text/csv');
    expect((await prepareFile(join(dir, 'a/b/v.wav'), undefined)).contentType).toBe('audio/wav');
    await expect(prepareFile(join(dir, 'info.txt'), undefined)).rejects.toMatchObject({ code: 'EI_UPLOAD_FILE_TYPE' });
    await expect(prepareFile(join(dir, 'nope.cbor'), undefined)).rejects.toMatchObject({ code: 'EI_UPLOAD_FILE_READ' });
    expect(isLabelFile(join(dir, 'info.labels'))).toBe(true);
  });

  it('refuses to re-sign what is not a plain document', async () => {
    const tail = join(dir, 'tail.cbor');
    writeFileSync(tail, encode({ protected: { ver: 'v1', alg: 'none' }, signature: '00', payload: { device_type: 'X', interval_ms: 1, sensors: [{ name: 'a', units: 'u' }], values: ['Ref-BINARY-i16'] } }));
    await expect(prepareFile(tail, 'k')).rejects.toMatchObject({ code: 'EI_UPLOAD_RESIGN' });
    const notDoc = join(dir, 'plain.json');
    writeFileSync(notDoc, '{"hello":1}');
    await expect(prepareFile(notDoc, 'k')).rejects.toMatchObject({ code: 'EI_UPLOAD_RESIGN' });
    // Without a key the same file is sent as is.
    expect((await prepareFile(notDoc, undefined)).resigned).toBe(false);
  });
});

describe('reporter', () => {
  const sink = () => {
    let s = '';
    return { w: { write: (x: string) => void (s += x) }, get: () => s };
  };

  it('draws a progress bar of files and bytes on a terminal, summary on stdout', () => {
    const out = sink();
    const err = sink();
    const r = new UploadReporter('tty', out.w, err.w, 2, 2048);
    r.progress('a', 512);
    r.done({ file: 'a', status: 'stored', bytes: 1024, sampleId: 7 });
    r.done({ file: 'b', status: 'failed', bytes: 0, error: '400 bad values', code: 'EI_HTTP_STATUS_400' });
    expect(err.get()).toContain('[#######---------------------] 0/2 files  512 B/2.0 KiB');
    expect(err.get()).toContain('stored     a (sample 7)');
    expect(err.get()).toContain('1/2 files  1.0 KiB/2.0 KiB');
    expect(r.finish()).toBe(1);
    expect(out.get()).toBe('1 stored, 0 skipped as duplicate, 1 failed (1.0 KiB)\n  b: EI_HTTP_STATUS_400: 400 bad values\n');
  });

  it('prints one JSON document in json mode and exits 0 without failures', () => {
    const out = sink();
    const r = new UploadReporter('json', out.w, sink().w, 1, 10);
    r.done({ file: 'a', status: 'duplicate', bytes: 10 });
    expect(r.finish()).toBe(0);
    expect(JSON.parse(out.get())).toEqual({ stored: 0, duplicates: 1, failed: 0, files: [{ file: 'a', status: 'duplicate', bytes: 10 }] });
  });
});
