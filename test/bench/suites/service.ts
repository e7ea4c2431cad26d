/**
 * Service suite (issue 12): the local service's memory under large and concurrent uploads. Each
 * variant starts its own `serve` child (fresh process, fsync on, as shipped), warms it with one
 * small upload, reads its idle RSS, then uploads and reads the child's peak RSS (VmHWM) and its
 * RSS once the uploads are answered. The documents are the worst case for a decoder that builds
 * values: flattened one-value rows of half floats (3 bytes a value), HS256-signed.
 * Linux only (reads /proc/<pid>/status).
 */
import type { BenchSuite, BenchVariant, Measurement, TableRow } from '../types.ts';

const API_KEY = 'ei_bench_service_made_up_key';
const HMAC_KEY = 'made-up-bench-service-hmac';
const MB = 1e6;

/** A CBOR document of exactly `size` bytes: `{protected, signature, payload{…, values: [_ f16…]}}`. */
async function bigDoc(size: number, seed: number): Promise<Buffer> {
  const { createHmac } = await import('node:crypto');
  const { encode } = await import('cbor-x');
  const zeros = '0'.repeat(64);
  const head = Buffer.from(
    encode({ protected: { ver: 'v1', alg: 'HS256', iat: 1_700_000_000 + seed }, signature: zeros, payload: { device_type: 'BENCH', interval_ms: 1, sensors: [{ name: 'x', units: 'N/A' }], values: 0 } }),
  );
  // cbor-x wrote `values: 0` as the last byte: replace it by an indefinite array of halves.
  const prefix = head.subarray(0, head.length - 1);
  const n = Math.floor((size - prefix.length - 2) / 3);
  const doc = Buffer.alloc(prefix.length + 1 + n * 3 + 1);
  prefix.copy(doc, 0);
  let o = prefix.length;
  doc[o++] = 0x9f;
  for (let i = 0; i < n; i++, o += 3) {
    doc[o] = 0xf9;
    doc.writeUInt16BE(0x3c00 + ((i * 7 + seed) & 0x3ff), o + 1); // 1.0 … 2.0
  }
  doc[o] = 0xff;
  const sig = createHmac('sha256', HMAC_KEY).update(doc).digest('hex');
  doc.write(sig, doc.indexOf(zeros), 'latin1');
  return doc;
}

async function statusKb(pid: number, field: 'VmRSS' | 'VmHWM'): Promise<number> {
  const { readFile } = await import('node:fs/promises');
  const m = new RegExp(`${field}:\\s+(\\d+) kB`).exec(await readFile(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) : NaN;
}

interface Served {
  pid: number;
  port: number;
  stop(): Promise<void>;
}

async function startServe(dir: string): Promise<Served> {
  const { spawn } = await import('node:child_process');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--data', dir, '--api-key', API_KEY, '--hmac-key', HMAC_KEY], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const url = await new Promise<string>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 60_000);
    child.stdout!.on('data', (d: Buffer) => {
      out += d;
      if (/project \d+/.test(out)) {
        clearTimeout(t);
        resolve(out.split('\n')[0]);
      }
    });
    child.stderr!.on('data', (d: Buffer) => (out += d));
    child.on('exit', (c) => reject(new Error(`serve exited ${c}: ${out}`)));
  });
  return {
    pid: child.pid!,
    port: Number(new URL(url).port),
    stop: () =>
      new Promise((r) => {
        child.removeAllListeners('exit');
        child.once('exit', () => r());
        child.kill('SIGTERM');
      }),
  };
}

/** POSTs `body` to /api/training/data; resolves with the status. */
async function post(port: number, body: Buffer, name: string): Promise<number> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request(
      { host: '127.0.0.1', port, method: 'POST', path: '/api/training/data', agent: false, headers: { 'x-api-key': API_KEY, 'x-file-name': name, 'Content-Type': 'application/cbor', 'Content-Length': body.length } },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/** GETs `path`, discarding the body; resolves with status and byte count. */
async function get(port: number, path: string): Promise<{ status: number; bytes: number }> {
  const http = await import('node:http');
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path, agent: false, headers: { 'x-api-key': API_KEY } }, (res) => {
        let bytes = 0;
        res.on('data', (d: Buffer) => (bytes += d.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, bytes }));
      })
      .on('error', reject);
  });
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

function memoryVariant(id: string, count: number, size: number, readBack: boolean): BenchVariant {
  return {
    id,
    runs: 1,
    async run(): Promise<Measurement> {
      const { mkdtemp } = await import('node:fs/promises');
      const { join } = await import('node:path');
      const docs: Buffer[] = [];
      for (let i = 0; i < count; i++) docs.push(await bigDoc(size, i));
      const dir = await mkdtemp(join(process.cwd(), '.bench-service-'));
      const s = await startServe(join(dir, 'data'));
      try {
        const small = await bigDoc(4096, 99);
        if ((await post(s.port, small, 'warm.cbor')) !== 200) throw new Error('warm-up upload failed');
        await settle(1000);
        const idleKb = await statusKb(s.pid, 'VmRSS');
        const statuses = await Promise.all(docs.map((d, i) => post(s.port, d, `big${i}.cbor`)));
        if (statuses.some((st) => st !== 200)) throw new Error(`uploads answered ${statuses.join(',')}`);
        const peakKb = await statusKb(s.pid, 'VmHWM');
        await settle(2000);
        const after2Kb = await statusKb(s.pid, 'VmRSS');
        // V8 shrinks its young generation and returns pages a few seconds after a burst (its
        // memory reducer): "after" is the RSS once that had its chance, 10 s after the answers.
        await settle(8000);
        const afterKb = await statusKb(s.pid, 'VmRSS');
        const m: Measurement = { idleMB: idleKb / 1024, peakMB: peakKb / 1024, after2sMB: after2Kb / 1024, afterMB: afterKb / 1024, uploadMB: (count * size) / MB };
        if (readBack) {
          // GET raw-data/{id}: the values streamed back from the file (2nd sample: id 2).
          const r = await get(s.port, '/v1/api/1/raw-data/2');
          if (r.status !== 200) throw new Error(`raw-data answered ${r.status}`);
          m.readPeakMB = (await statusKb(s.pid, 'VmHWM')) / 1024;
          m.readMB = r.bytes / MB;
        }
        return m;
      } finally {
        await s.stop();
        await (await import('../harness.ts')).discardLater(dir);
      }
    },
  };
}

const fmt = (x: number | undefined) => (x === undefined ? '–' : `${x.toFixed(0)} MB`);

export const suite: BenchSuite = {
  name: 'service',
  variants: [memoryVariant('upload-1x100MB', 1, 100 * MB, true), memoryVariant('upload-10x10MB', 10, 10 * MB, false)],
  rows(results: ReadonlyMap<string, Measurement>): TableRow[] {
    const rows: TableRow[] = [];
    const one = results.get('upload-1x100MB');
    const ten = results.get('upload-10x10MB');
    rows.push({ measure: 'serve peak RSS, one 100 MB CBOR upload (33 M values)', n: '1', ours: fmt(one?.peakMB), baseline: `idle ${fmt(one?.idleMB)}`, ratio: '–', target: '< 256 MB', met: one ? one.peakMB! < 256 : undefined });
    rows.push({ measure: 'serve RSS after it', n: '1', ours: fmt(one?.afterMB), baseline: `idle ${fmt(one?.idleMB)}`, ratio: one ? `+${(one.afterMB! - one.idleMB!).toFixed(0)} MB` : '–', target: 'idle + 32 MB', met: one ? one.afterMB! - one.idleMB! <= 32 : undefined });
    rows.push({ measure: 'serve peak RSS, GET raw-data/{id} of it', n: '1', ours: fmt(one?.readPeakMB), baseline: `answer ${fmt(one?.readMB)}`, ratio: '–', target: '< 256 MB', met: one?.readPeakMB !== undefined ? one.readPeakMB < 256 : undefined });
    rows.push({ measure: 'serve peak RSS, 10 concurrent 10 MB uploads', n: '10', ours: fmt(ten?.peakMB), baseline: `idle ${fmt(ten?.idleMB)}`, ratio: '–', target: '< 512 MB', met: ten ? ten.peakMB! < 512 : undefined });
    rows.push({ measure: 'serve RSS after them', n: '10', ours: fmt(ten?.afterMB), baseline: `idle ${fmt(ten?.idleMB)}`, ratio: ten ? `+${(ten.afterMB! - ten.idleMB!).toFixed(0)} MB` : '–', target: 'idle + 32 MB', met: ten ? ten.afterMB! - ten.idleMB! <= 32 : undefined });
    return rows;
  },
  notes: ['memory rows: one fresh `serve` child per variant, warmed by one 4 KB upload; peak = the child\'s VmHWM, after = VmRSS 10 s after the last answer (V8 shrinks its young generation a few seconds after a burst).'],
};
