/**
 * Issue 12, memory: a document (and a CSV sample) is checked and read back without one JS object per value. The
 * `serve` child runs with its V8 heap capped at 64 MB; a 3 M-value document (9 MB of CBOR, inside
 * every limit) needed several hundred MB of heap before (one array per row), so the old code dies
 * of heap exhaustion here, while the streamed checker and reader pass. Counts only, no timing.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import { join } from 'node:path';
import { encode } from 'cbor-x';
import { tempDir } from './service-helpers.ts';

const API_KEY = 'ei_memory_test_api_key';
const HMAC_KEY = 'memory-test-hmac';

/** `values` as an indefinite array of `n` half floats, 1 + (i mod 1024)/1024; HS256-signed. */
function doc(n: number): Buffer {
  const zeros = '0'.repeat(64);
  const head = Buffer.from(encode({ protected: { ver: 'v1', alg: 'HS256' }, signature: zeros, payload: { device_type: 'MEM', interval_ms: 1, sensors: [{ name: 'x', units: 'N/A' }], values: 0 } }));
  const prefix = head.subarray(0, head.length - 1);
  const d = Buffer.alloc(prefix.length + 2 + 3 * n);
  prefix.copy(d);
  let o = prefix.length;
  d[o++] = 0x9f;
  for (let i = 0; i < n; i++, o += 3) {
    d[o] = 0xf9;
    d.writeUInt16BE(0x3c00 + (i & 0x3ff), o + 1);
  }
  d[o] = 0xff;
  d.write(createHmac('sha256', HMAC_KEY).update(d).digest('hex'), d.indexOf(zeros), 'latin1');
  return d;
}

function serve(dir: string): Promise<{ child: ChildProcess; port: number; out: () => string }> {
  const child = spawn(process.execPath, ['--max-old-space-size=64', '--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--data', dir, '--api-key', API_KEY, '--hmac-key', HMAC_KEY], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 30_000);
    child.stdout!.on('data', () => {
      if (/project \d+/.test(out)) {
        clearTimeout(t);
        resolve({ child, port: Number(new URL(out.split('\n')[0]).port), out: () => out });
      }
    });
    child.on('exit', (c) => reject(new Error(`serve exited ${c}: ${out}`)));
  });
}

function request(port: number, method: string, path: string, body?: Buffer, headers: Record<string, string | number> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent: false, headers: { 'x-api-key': API_KEY, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (d: Buffer) => chunks.push(d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('bounded memory', () => {
  it('a 3 M-value CBOR document is stored and read back by a serve whose heap is capped at 64 MB', async () => {
    const t = tempDir('ei-mem-');
    const N = 3_000_000;
    const s = await serve(join(t.dir, 'data'));
    try {
      const body = doc(N);
      const up = await request(s.port, 'POST', '/api/training/data', body, { 'x-file-name': 'big.cbor', 'Content-Type': 'application/cbor', 'Content-Length': body.length });
      expect(up.status, s.out()).toBe(200);
      const got = await request(s.port, 'GET', '/v1/api/1/raw-data/1');
      expect(got.status, s.out()).toBe(200);
      expect(Number(got.body.length)).toBeGreaterThan(N * 4);
      const text = got.body.toString('latin1');
      const at = text.indexOf('"values":[');
      expect(at).toBeGreaterThan(0);
      // One '[' per row plus the outer one; first and last rows as encoded.
      let rows = -1;
      const end = text.indexOf(']]', at); // rows hold numbers only: the first ']]' closes values
      for (let i = at + 9; i < end; i++) if (text.charCodeAt(i) === 0x5b) rows++;
      expect(rows).toBe(N);
      expect(text).toContain(`"totalPayloadLength":${N}`);
      expect(text.startsWith('"values":[[1],[1.0009765625],', at)).toBe(true);
      const last = 1 + ((N - 1) & 0x3ff) / 1024;
      expect(text.slice(end - 20, end + 2).endsWith(`[${last}]]`)).toBe(true);
      const json = JSON.parse(text.slice(0, at) + '"values":[]}}');
      expect(json.sample.signatureValid ?? json.sample.signatureValidate ?? true).not.toBe(false);
    } finally {
      s.child.kill('SIGKILL');
      t.cleanup();
    }
  }, 120_000);
  it('a 3 M-value CSV (1 M rows) is checked, stored and read back by a serve whose heap is capped at 64 MB', async () => {
    // The whole-text parser held the text, a string per line and an array per row: several
    // hundred MB of heap for this 15 MB file, so the old code dies here.
    const t = tempDir('ei-mem-csv-');
    const R = 1_000_000;
    const a = (i: number): number => i % 1000;
    const b = (i: number): number => ((i * 7) % 10007) / 4;
    const lines: string[] = ['timestamp,a,b'];
    for (let i = 0; i < R; i++) lines.push(`${Math.floor(i * 16.5)},${a(i)},${b(i)}`);
    const body = Buffer.from(lines.join('\r\n') + '\r\n');
    lines.length = 0;
    const s = await serve(join(t.dir, 'data'));
    try {
      const up = await request(s.port, 'POST', '/api/training/data', body, { 'x-file-name': 'big.csv', 'Content-Type': 'text/csv', 'Content-Length': body.length });
      expect(up.status, s.out() + up.body.toString()).toBe(200);
      const got = await request(s.port, 'GET', '/v1/api/1/raw-data/1');
      expect(got.status, s.out()).toBe(200);
      const text = got.body.toString('latin1');
      const at = text.indexOf('"values":[');
      expect(at).toBeGreaterThan(0);
      const values = text.slice(at + 9, text.indexOf(']]', at) + 2);
      const want: string[] = [];
      for (let i = 0; i < R; i++) want.push(`[${a(i)},${b(i)}]`);
      expect(values === `[${want.join(',')}]`).toBe(true);
      expect(text).toContain(`"totalPayloadLength":${R}`);
      const json = JSON.parse(text.slice(0, at) + '"values":[]}}');
      expect(json.sample.intervalMs ?? json.sample.interval_ms ?? json.payload?.interval_ms).toBeCloseTo(16.5, 5);
      // A bad CSV of the same size is refused with the usual message, serve still alive.
      const badBody = Buffer.concat([body, Buffer.from('999999999,x,1\r\n')]);
      const refused = await request(s.port, 'POST', '/api/training/data', badBody, { 'x-file-name': 'bad.csv', 'Content-Type': 'text/csv', 'Content-Length': badBody.length });
      expect(refused.status, s.out()).toBe(400);
      expect(refused.body.toString()).toContain(`"x" is not a number (at line ${R + 2}, column a)`);
    } finally {
      s.child.kill('SIGKILL');
      t.cleanup();
    }
  }, 180_000);
});
