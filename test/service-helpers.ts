/**
 * Shared helpers for the service tests: anchors, raw HTTP requests over `net` sockets (so the
 * bytes on the wire are exactly the ones we build), and temp data directories.
 */
import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import net from 'node:net';
import tls from 'node:tls';

export interface Anchor {
  id: string;
  hex: string;
  length: number;
  hmacKey?: string;
  signature?: string;
  input?: { protected: Record<string, unknown>; signature?: string; payload: { values: unknown[]; interval_ms: number; sensors: unknown[]; device_type: string; device_name?: string } };
  request?: { method: string; path: string; host: string; headers: Record<string, string> };
}

export function loadAnchors(): Anchor[] {
  return (JSON.parse(readFileSync(new URL('../vectors/reference/anchor-vectors.json', import.meta.url), 'utf8')) as { vectors: Anchor[] }).vectors;
}

export function anchor(id: string): Anchor {
  const a = loadAnchors().find((v) => v.id === id);
  if (!a) throw new Error(`anchor ${id} missing`);
  return a;
}

export function tempDir(prefix = 'ei-svc-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Builds raw HTTP/1.1 request bytes. Header values are written verbatim. */
export function buildRequest(method: string, path: string, headers: Record<string, string | number>, body: Uint8Array = new Uint8Array(0)): Buffer {
  const lines = [`${method} ${path} HTTP/1.1`];
  for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
  return Buffer.concat([Buffer.from(lines.join('\r\n') + '\r\n\r\n', 'latin1'), body]);
}

export interface RawResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

/** Parses one response with Content-Length from the front of `buf`; null if incomplete. */
export function parseResponse(buf: Buffer): { res: RawResponse; used: number } | null {
  const end = buf.indexOf('\r\n\r\n');
  if (end < 0) return null;
  const head = buf.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(head[0].split(' ')[1]);
  const headers: Record<string, string> = {};
  for (const l of head.slice(1)) {
    const i = l.indexOf(':');
    headers[l.slice(0, i).trim().toLowerCase()] = l.slice(i + 1).trim();
  }
  const len = Number(headers['content-length'] ?? 0);
  if (buf.length < end + 4 + len) return null;
  return { res: { status, headers, body: buf.subarray(end + 4, end + 4 + len) }, used: end + 4 + len };
}

/**
 * Sends `bytes` on a fresh connection and resolves with the first response (or rejects on
 * close/timeout without one).
 */
export function rawRequest(port: number, bytes: Uint8Array, opts: { timeoutMs?: number; tls?: { ca: string | Buffer } } = {}): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const sock = opts.tls
      ? tls.connect({ host: '127.0.0.1', port, ca: opts.tls.ca, servername: 'localhost' })
      : net.connect({ host: '127.0.0.1', port });
    let buf = Buffer.alloc(0);
    const timer = setTimeout(() => {
      sock.destroy();
      reject(new Error('timeout waiting for response'));
    }, opts.timeoutMs ?? 10_000);
    sock.on(opts.tls ? 'secureConnect' : 'connect', () => sock.write(bytes, () => {}));
    sock.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      const p = parseResponse(buf);
      if (p) {
        clearTimeout(timer);
        sock.destroy();
        resolve(p.res);
      }
    });
    sock.on('error', () => {});
    sock.on('close', () => {
      clearTimeout(timer);
      const p = parseResponse(buf);
      if (p) resolve(p.res);
      else reject(new Error(`connection closed without a response (${buf.length} bytes)`));
    });
  });
}

/** JSON GET over a raw socket. */
export async function getJson(port: number, path: string, apiKey: string): Promise<{ status: number; json: any }> {
  const r = await rawRequest(port, buildRequest('GET', path, { Host: 'localhost', 'x-api-key': apiKey, Connection: 'close' }));
  return { status: r.status, json: JSON.parse(r.body.toString('utf8')) };
}

/** A POST of `body` to `/api/<category>/data` with the given extra headers. */
export function dataRequest(apiKey: string, body: Uint8Array, headers: Record<string, string> = {}, category = 'training'): Buffer {
  return buildRequest(
    'POST',
    `/api/${category}/data`,
    { Host: 'localhost', 'x-api-key': apiKey, 'x-file-name': 'sample.cbor', 'Content-Type': 'application/cbor', ...headers, 'Content-Length': body.length, Connection: 'close' },
    body,
  );
}

/** A multipart/form-data body from parts. */
export function multipartBody(boundary: string, parts: { name: string; filename?: string; contentType?: string; body: Uint8Array | string }[]): Buffer {
  const chunks: Buffer[] = [];
  for (const p of parts) {
    let h = `--${boundary}\r\nContent-Disposition: form-data; name="${p.name}"`;
    if (p.filename !== undefined) h += `; filename="${p.filename}"`;
    h += '\r\n';
    if (p.contentType) h += `Content-Type: ${p.contentType}\r\n`;
    chunks.push(Buffer.from(h + '\r\n', 'utf8'), Buffer.from(p.body), Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

export function filesRequest(apiKey: string, boundary: string, body: Uint8Array, headers: Record<string, string> = {}, category = 'training'): Buffer {
  return buildRequest(
    'POST',
    `/api/${category}/files`,
    { Host: 'localhost', 'x-api-key': apiKey, 'Content-Type': `multipart/form-data; boundary=${boundary}`, ...headers, 'Content-Length': body.length, Connection: 'close' },
    body,
  );
}
