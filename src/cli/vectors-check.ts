/**
 * Builds the golden vectors (manifest + .bin + .http) from vectors-suite.ts, and checks them:
 * re-encoding from the manifest (not from the TypeScript definitions) must give the stored bytes,
 * streaming through a tiny buffer must give them too, and independent tools must agree: cbor-x /
 * JSON.parse decode to the input values, node:crypto verifies the signature over the raw bytes,
 * and the anchors equal the bytes recorded from other encoders (vectors/reference/).
 */
import { createHash, createHmac, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { EncodedBody } from '../encode/body.ts';
import { encodeDocument, resolveLayout, type EncodeOptions, type LayoutOptions } from '../encode/index.ts';
import type { DocumentInput } from '../model/document.ts';
import { es256KeyPair, es256PublicKey, fromHex, locateSignature, toHex, verifyBody } from '../sign/index.ts';
import { fromManifestValue, plainValue, toManifestValue } from './vectors-manifest.ts';
import { vectorDefinitions, type VectorDef, type VectorRequest } from './vectors-suite.ts';
import { decodedProblems } from './vectors-decode.ts';
import { C_HEADER_FILE, renderCHeader } from './vectors-c.ts';

export type ManifestKey = { hmac: string } | { es256Seed: string; es256PrivateKey: string; es256PublicKey: string } | null;

export interface ManifestVector {
  id: string;
  description: string;
  tags: string[];
  input: unknown;
  options: VectorDef['options'];
  key: ManifestKey;
  expect: { body: string; length: number; sha256: string; signature: string; contentType: string } | { error: { code: string; path?: string } };
  request?: { spec: VectorRequest; file: string; length: number; sha256: string };
  anchor?: { id: string; compares: 'body' | 'request-body' };
}

export interface Manifest {
  format: 'ei-ingest-golden-vectors';
  version: 1;
  about: string;
  count: number;
  vectors: ManifestVector[];
}

export interface VectorResult {
  id: string;
  ok: boolean;
  problems: string[];
}

type FrameRequest = (body: EncodedBody, spec: VectorRequest) => EncodedBody;

const te = new TextEncoder();

// ------------------------------------------------------------------------------------ encode

function encodeOptions(v: Pick<ManifestVector, 'options' | 'key'>, extra: Partial<EncodeOptions> = {}): EncodeOptions {
  const o: EncodeOptions = { format: v.options.format, layout: v.options.layout as EncodeOptions['layout'], ...extra };
  if (v.options.alg !== undefined) o.alg = v.options.alg;
  if (v.options.iat !== undefined) o.iat = v.options.iat;
  if (v.options.allowNonFinite !== undefined) o.allowNonFinite = v.options.allowNonFinite;
  if (v.key && 'hmac' in v.key) o.hmacKey = v.key.hmac;
  if (v.key && 'es256PrivateKey' in v.key) o.privateKey = fromHex(v.key.es256PrivateKey);
  return o;
}

function collect(body: EncodedBody): Uint8Array {
  const out = new Uint8Array(body.length);
  let o = 0;
  for (const c of body.chunks()) {
    if (o + c.length > out.length) throw new Error(`chunks exceed the announced length ${body.length}`);
    out.set(c, o);
    o += c.length;
  }
  if (o !== body.length) throw new Error(`chunks gave ${o} bytes, length says ${body.length}`);
  return out;
}

function encodeVector(v: ManifestVector, extra?: Partial<EncodeOptions>): EncodedBody {
  return encodeDocument(fromManifestValue(v.input) as DocumentInput, encodeOptions(v, extra));
}

async function loadFrameRequest(): Promise<FrameRequest | null> {
  try {
    const m = (await import('../http/request.ts')) as { frameRequest?: unknown };
    return typeof m.frameRequest === 'function' ? (m.frameRequest as FrameRequest) : null;
  } catch {
    return null;
  }
}

function sha256Hex(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex');
}

// ------------------------------------------------------------------------------------ build

function manifestKey(def: VectorDef): ManifestKey {
  if (def.key?.hmac !== undefined) return { hmac: def.key.hmac };
  if (def.key?.es256Seed !== undefined) {
    const { privateKey } = es256KeyPair(te.encode(def.key.es256Seed));
    return { es256Seed: def.key.es256Seed, es256PrivateKey: toHex(privateKey), es256PublicKey: toHex(es256PublicKey(privateKey)) };
  }
  return null;
}

/** Writes manifest.json, <id>.bin and <id>.http into `dir`; returns build problems (should be none). */
export async function buildVectors(dir: string): Promise<{ count: number; problems: string[] }> {
  mkdirSync(dir, { recursive: true });
  const frame = await loadFrameRequest();
  const problems: string[] = [];
  const vectors: ManifestVector[] = [];
  const files = new Set<string>();
  for (const def of vectorDefinitions()) {
    const base = { id: def.id, description: def.description, tags: def.tags, input: toManifestValue(def.input), options: def.options, key: manifestKey(def) };
    if (def.error) {
      vectors.push({ ...base, expect: { error: def.error } });
      continue;
    }
    let body: EncodedBody;
    let bytes: Uint8Array;
    try {
      body = encodeVector(base as ManifestVector);
      bytes = collect(body);
    } catch (e) {
      problems.push(`${def.id}: encoding failed: ${(e as Error).message}`);
      continue;
    }
    const file = `${def.id}.bin`;
    writeFileSync(join(dir, file), bytes);
    files.add(file);
    const v: ManifestVector = {
      ...base,
      expect: { body: file, length: bytes.length, sha256: sha256Hex(bytes), signature: body.signature, contentType: body.contentType },
    };
    if (def.anchor) v.anchor = { id: def.anchor, compares: def.anchorCompares ?? 'body' };
    if (def.request) {
      if (!frame) problems.push(`${def.id}: src/http/request.ts frameRequest unavailable, .http not written`);
      else {
        const req = collect(frame(body, def.request));
        const rfile = `${def.id}.http`;
        writeFileSync(join(dir, rfile), req);
        files.add(rfile);
        v.request = { spec: def.request, file: rfile, length: req.length, sha256: sha256Hex(req) };
      }
    }
    vectors.push(v);
  }
  for (const f of readdirSync(dir)) if ((f.endsWith('.bin') || f.endsWith('.http')) && !files.has(f)) rmSync(join(dir, f));
  const manifest: Manifest = {
    format: 'ei-ingest-golden-vectors',
    version: 1,
    about: 'Golden vectors of the ei-ingest encoder and signers. See README.md in this folder for every field.',
    count: vectors.length,
    vectors,
  };
  writeFileSync(join(dir, 'manifest.json'), JSON.stringify(manifest, null, 1) + '\n');
  mkdirSync(join(dir, 'c'), { recursive: true });
  writeFileSync(join(dir, C_HEADER_FILE), renderCHeader(vectors, (f) => new Uint8Array(readFileSync(join(dir, f)))));
  return { count: vectors.length, problems };
}

// ------------------------------------------------------------------------------------ check

function loadAnchors(dir: string): Map<string, { hex: string; signature?: string }> {
  const file = join(dir, 'reference', 'anchor-vectors.json');
  const m = new Map<string, { hex: string; signature?: string }>();
  if (!existsSync(file)) return m;
  const j = JSON.parse(readFileSync(file, 'utf8')) as { vectors: { id: string; hex: string; signature?: string }[] };
  for (const a of j.vectors) m.set(a.id, { hex: a.hex, ...(a.signature ? { signature: a.signature } : {}) });
  return m;
}

function equalBytes(a: Uint8Array, b: Uint8Array): string | null {
  if (a.length !== b.length) return `length ${a.length} ≠ ${b.length}`;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return `first difference at byte ${i}`;
  return null;
}

/** node:crypto's verdict on the signature in `bytes` (found by searching for its expected text). */
function nodeSignatureProblems(v: ManifestVector, bytes: Uint8Array, signature: string): string[] {
  const p: string[] = [];
  const alg = v.options.alg ?? (signature.length === 64 ? 'HS256' : signature.length === 128 ? 'ES256' : 'none');
  // The key followed by the signature text, as each format writes it.
  const sig = Buffer.from(signature, 'latin1');
  const keyAndHead =
    v.options.format === 'json'
      ? Buffer.from('"signature":"', 'latin1')
      : Buffer.concat([Buffer.from([0x69]), Buffer.from('signature'), Buffer.from(sig.length < 24 ? [0x60 + sig.length] : [0x78, sig.length])]);
  const found = Buffer.from(bytes).indexOf(Buffer.concat([keyAndHead, sig]));
  if (found < 0) return ['signature key and text not found in the body'];
  const at = found + keyAndHead.length;
  const loc = locateSignature(bytes);
  if (loc.start !== at || loc.end !== at + signature.length) p.push(`locateSignature found [${loc.start},${loc.end}), text search found ${at}`);
  if (alg === 'none') {
    if (signature !== '00') p.push(`alg none must sign '00', got '${signature}'`);
    return p;
  }
  const zeroed = Uint8Array.from(bytes);
  zeroed.fill(0x30, at, at + signature.length);
  if (alg === 'HS256') {
    if (!v.key || !('hmac' in v.key)) return [...p, 'HS256 vector without hmac key'];
    const want = createHmac('sha256', Buffer.from(v.key.hmac, 'utf8')).update(zeroed).digest('hex');
    if (want !== signature) p.push('node:crypto HMAC-SHA256 over the zeroed body disagrees with the signature');
  } else {
    if (!v.key || !('es256PublicKey' in v.key)) return [...p, 'ES256 vector without public key'];
    const pub = Buffer.from(v.key.es256PublicKey, 'hex');
    const key = createPublicKey({ key: { kty: 'EC', crv: 'P-256', x: pub.subarray(1, 33).toString('base64url'), y: pub.subarray(33).toString('base64url') }, format: 'jwk' });
    if (!nodeVerify('sha256', zeroed, { key, dsaEncoding: 'ieee-p1363' }, Buffer.from(signature, 'hex'))) p.push('node:crypto ECDSA P-256 verification failed');
  }
  return p;
}

function checkOne(dir: string, v: ManifestVector, anchors: Map<string, { hex: string; signature?: string }>, frame: FrameRequest | null): string[] {
  const p: string[] = [];
  if ('error' in v.expect) {
    const want = v.expect.error;
    try {
      encodeVector(v);
      p.push(`expected ${want.code} but encoding succeeded`);
    } catch (e) {
      const err = e as { code?: string; path?: string };
      if (err.code !== want.code) p.push(`expected ${want.code}, got ${err.code ?? (e as Error).message}`);
      if (want.path !== undefined && err.path !== want.path) p.push(`expected path ${want.path}, got ${err.path}`);
    }
    return p;
  }
  const exp = v.expect;
  const stored = new Uint8Array(readFileSync(join(dir, exp.body)));
  if (stored.length !== exp.length || sha256Hex(stored) !== exp.sha256) p.push(`${exp.body} does not match the manifest's length/sha256`);

  // 1. re-encode from the manifest, through the default buffer and through a 64-byte one.
  const body = encodeVector(v);
  const fresh = collect(body);
  const d1 = equalBytes(fresh, stored);
  if (d1) p.push(`re-encoded body differs from ${exp.body}: ${d1}`);
  if (body.signature !== exp.signature) p.push(`signature ${body.signature} ≠ expected ${exp.signature}`);
  if (body.contentType !== exp.contentType) p.push(`content type ${body.contentType} ≠ ${exp.contentType}`);
  const again = collect(body);
  if (equalBytes(again, fresh)) p.push('iterating chunks() a second time gave different bytes');
  const small = collect(encodeVector(v, { bufferSize: 64 }));
  const d2 = equalBytes(small, stored);
  if (d2) p.push(`encoding through a 64-byte buffer differs: ${d2}`);
  const noble = collect(encodeVector(v, { hashBackend: 'noble' }));
  if (equalBytes(noble, stored)) p.push('the @noble/hashes backend gives different bytes');

  // 2. independent signature check and decode check on the stored bytes.
  p.push(...nodeSignatureProblems(v, stored, exp.signature));
  const key = v.key;
  const ours = verifyBody(stored, key && 'hmac' in key ? { hmacKey: key.hmac } : key && 'es256PublicKey' in key ? { publicKey: fromHex(key.es256PublicKey) } : {});
  if (!ours.valid || ours.signature !== exp.signature || ours.format !== v.options.format) p.push(`verifyBody disagrees: ${JSON.stringify(ours)}`);
  const layout = resolveLayout(v.options.layout as LayoutOptions);
  p.push(...decodedProblems(stored, v.options.format, plainValue(v.input), { ...v.options, signature: exp.signature, round32: layout.numbers === 'float32-shortest', flatten: layout.flattenSingleAxis, noneExp: layout.noneExp }));

  // 3. anchors: bytes recorded from other encoders.
  let requestBytes: Uint8Array | null = null;
  if (v.request) {
    if (!frame) p.push('frameRequest unavailable: cannot check the .http file');
    else {
      requestBytes = collect(frame(body, v.request.spec));
      const storedReq = new Uint8Array(readFileSync(join(dir, v.request.file)));
      const d3 = equalBytes(requestBytes, storedReq);
      if (d3) p.push(`re-framed request differs from ${v.request.file}: ${d3}`);
      p.push(...requestProblems(storedReq, stored, v.request.spec.kind));
    }
  }
  if (v.anchor) {
    const a = anchors.get(v.anchor.id);
    if (!a) p.push(`anchor ${v.anchor.id} missing from vectors/reference/anchor-vectors.json`);
    else {
      let ours: Uint8Array | null = stored;
      if (v.anchor.compares === 'request-body') ours = requestBytes ? requestBytes.subarray(headEnd(requestBytes)) : null;
      if (!ours) p.push('anchor compares the request body but no request was framed');
      else if (Buffer.from(ours).toString('hex') !== a.hex) p.push(`bytes differ from anchor ${v.anchor.id}: ${equalBytes(ours, Buffer.from(a.hex, 'hex'))}`);
      if (a.signature && a.signature !== exp.signature) p.push(`signature differs from anchor ${v.anchor.id}`);
    }
  }
  return p;
}

function headEnd(req: Uint8Array): number {
  const i = Buffer.from(req).indexOf('\r\n\r\n');
  return i < 0 ? req.length : i + 4;
}

/** The framed request: a parseable head whose Content-Length is the body's, carrying the document. */
function requestProblems(req: Uint8Array, doc: Uint8Array, kind: 'data' | 'files'): string[] {
  const p: string[] = [];
  const end = headEnd(req);
  const head = Buffer.from(req.subarray(0, end)).toString('latin1');
  const bodyPart = req.subarray(end);
  if (!/^POST \/api\/[a-z]+\/(data|files) HTTP\/1\.1\r\n/.test(head)) p.push('request line is not POST /api/<category>/<kind> HTTP/1.1');
  const cl = /\r\ncontent-length: *(\d+)\r\n/i.exec(head);
  if (!cl || Number(cl[1]) !== bodyPart.length) p.push(`Content-Length ${cl?.[1]} ≠ body ${bodyPart.length}`);
  if (kind === 'data' && equalBytes(bodyPart, doc)) p.push('a /data request body must be the document bytes unchanged');
  if (kind === 'files' && Buffer.from(bodyPart).indexOf(Buffer.from(doc)) < 0) p.push('the multipart body does not contain the document bytes');
  return p;
}

/** The C header must be exactly what the manifest and the stored bodies render to. */
function cHeaderProblems(dir: string, manifest: Manifest): string[] {
  const file = join(dir, C_HEADER_FILE);
  if (!existsSync(file)) return [`${C_HEADER_FILE} missing (run \`vectors build\`)`];
  let want: string;
  try {
    want = renderCHeader(manifest.vectors, (f) => new Uint8Array(readFileSync(join(dir, f))));
  } catch (e) {
    return [`rendering ${C_HEADER_FILE} failed: ${(e as Error).message}`];
  }
  const got = readFileSync(file, 'utf8');
  if (got === want) return [];
  let i = 0;
  while (i < got.length && got[i] === want[i]) i++;
  const line = got.slice(0, i).split('\n').length;
  return [`${C_HEADER_FILE} differs from the manifest's rendering at line ${line} (run \`vectors build\`)`];
}

/** Checks every vector in `dir`; also reports vectors defined in the suite but missing from the manifest. */
export async function checkVectors(dir: string): Promise<{ passed: number; failed: number; results: VectorResult[] }> {
  const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const anchors = loadAnchors(dir);
  const frame = await loadFrameRequest();
  const results: VectorResult[] = [];
  for (const v of manifest.vectors) {
    let problems: string[];
    try {
      problems = checkOne(dir, v, anchors, frame);
    } catch (e) {
      problems = [`check threw: ${(e as { code?: string }).code ?? ''} ${(e as Error).message}`];
    }
    results.push({ id: v.id, ok: problems.length === 0, problems });
  }
  const inManifest = new Set(manifest.vectors.map((v) => v.id));
  for (const d of vectorDefinitions()) {
    if (!inManifest.has(d.id)) results.push({ id: d.id, ok: false, problems: ['defined in vectors-suite.ts but missing from manifest.json (run `vectors build`)'] });
  }
  results.push({ id: C_HEADER_FILE, ok: true, problems: cHeaderProblems(dir, manifest) });
  results[results.length - 1]!.ok = results[results.length - 1]!.problems.length === 0;
  if (manifest.count !== manifest.vectors.length) results.push({ id: 'manifest', ok: false, problems: [`count ${manifest.count} ≠ ${manifest.vectors.length} vectors`] });
  const passed = results.filter((r) => r.ok).length;
  return { passed, failed: results.length - passed, results };
}
