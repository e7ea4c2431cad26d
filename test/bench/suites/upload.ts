/**
 * Upload suite (issue 4): uploads/s over one keep-alive connection vs a new connection per
 * upload (TCP and TLS), end-to-end MB/s of one 100 MB upload vs undici's `request` sending the
 * same chunks, and the client's peak heap for 10 MB vs 100 MB bodies (flat = streaming).
 * The receiving server is a minimal node:http sink in a worker thread, so it costs the same for
 * every variant and does not share the client's event loop.
 */
import type { BenchSuite, BenchVariant, Measurement, TableRow } from '../types.ts';

const quick = () => process.env.BENCH_QUICK === '1';
const MB = 1024 * 1024;
const CHUNK = 64 * 1024;
const API_KEY = 'ei_bench_made_up_key';

const SINK = `
const { parentPort, workerData } = require('node:worker_threads');
const http = require('node:http');
const https = require('node:https');
const handler = (req, res) => {
  let n = 0;
  req.on('data', (d) => { n += d.length; });
  req.on('end', () => { res.writeHead(200, { 'content-type': 'text/plain' }); res.end(String(n)); });
};
const server = workerData.tls ? https.createServer({ key: workerData.key, cert: workerData.cert }, handler) : http.createServer(handler);
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => parentPort.postMessage(server.address().port));
parentPort.on('message', (m) => { if (m === 'close') { server.closeAllConnections(); server.close(() => process.exit(0)); } });
`;

interface Sink {
  port: number;
  ca?: string;
  close(): Promise<void>;
}

async function startSink(tls: boolean): Promise<Sink> {
  const { Worker } = await import('node:worker_threads');
  let certs: { key: string; cert: string; ca: string; cleanup(): void } | undefined;
  if (tls) {
    const { makeCerts } = await import('../../http-support.ts');
    certs = makeCerts();
  }
  const w = new Worker(SINK, { eval: true, workerData: { tls, key: certs?.key, cert: certs?.cert } });
  const port = await new Promise<number>((resolve, reject) => {
    w.once('message', resolve);
    w.once('error', reject);
  });
  return {
    port,
    ca: certs?.ca,
    close: async () => {
      w.postMessage('close');
      await new Promise((r) => w.once('exit', r));
      certs?.cleanup();
    },
  };
}

/** `total` bytes as views of one preallocated buffer (or one small reused one when `reuse`). */
function chunkBody(total: number, reuse: boolean) {
  const big = reuse ? null : Buffer.alloc(total, 0x61);
  const small = Buffer.alloc(CHUNK, 0x61);
  return {
    length: total,
    contentType: 'application/octet-stream',
    signature: '',
    *chunks() {
      for (let off = 0; off < total; off += CHUNK) {
        const n = Math.min(CHUNK, total - off);
        yield big ? big.subarray(off, off + n) : small.subarray(0, n);
      }
    },
  };
}

/** Small uploads (a 265-byte seed-sized body) for a fixed time; returns uploads/s. */
function rate(id: string, tls: boolean, keepAlive: boolean): BenchVariant {
  return {
    id,
    async run(): Promise<Measurement> {
      const { IngestionClient } = await import('../../../src/client/client.ts');
      const { bodyFromBytes } = await import('../../../src/encode/body.ts');
      const sink = await startSink(tls);
      const client = new IngestionClient({
        endpoint: `${tls ? 'https://localhost' : 'http://127.0.0.1'}:${sink.port}`,
        tls: sink.ca ? { ca: sink.ca } : undefined,
        apiKey: API_KEY,
        keepAlive,
        retry: { attempts: 1 },
      });
      const body = bodyFromBytes(new Uint8Array(265).fill(7), 'application/cbor', '00');
      const spec = { kind: 'data' as const, category: 'training', fileName: 'bench.cbor' };
      for (let i = 0; i < 50; i++) await client.upload(body, spec);
      const ms = quick() ? 600 : 2000;
      const t0 = performance.now();
      let n = 0;
      while (performance.now() - t0 < ms) {
        await client.upload(body, spec);
        n++;
      }
      const perSec = (n / (performance.now() - t0)) * 1000;
      await client.close();
      await sink.close();
      return { uploadsPerSec: perSec, connections: client.stats.connectionsOpened };
    },
  };
}

/** One big upload, timed; median MB/s over a few uploads. */
function throughput(id: string, who: 'ours' | 'undici', sizeMb: number): BenchVariant {
  return {
    id,
    async run(): Promise<Measurement> {
      const sink = await startSink(false);
      const total = sizeMb * MB;
      const body = chunkBody(total, false);
      let send: () => Promise<void>;
      let close: () => Promise<void>;
      if (who === 'ours') {
        const { IngestionClient } = await import('../../../src/client/client.ts');
        const client = new IngestionClient({ endpoint: `http://127.0.0.1:${sink.port}`, apiKey: API_KEY, retry: { attempts: 1 } });
        send = async () => {
          const r = await client.upload(body, { kind: 'data', category: 'training', fileName: 'big.bin' });
          if (r.body !== String(total)) throw new Error(`sink got ${r.body}`);
        };
        close = () => client.close();
      } else {
        const { Client } = await import('undici');
        const client = new Client(`http://127.0.0.1:${sink.port}`);
        send = async () => {
          const r = await client.request({
            method: 'POST',
            path: '/api/training/data',
            headers: { 'x-api-key': API_KEY, 'x-file-name': 'big.bin', 'content-type': 'application/octet-stream', 'content-length': String(total) },
            // undici takes any (async) iterable at run time; its typings list only streams.
            body: body.chunks() as unknown as import('node:stream').Readable,
          });
          const text = await r.body.text();
          if (text !== String(total)) throw new Error(`sink got ${text}`);
        };
        close = () => client.close();
      }
      // Both clients get the same warm-up and sample count: a 100 MiB upload takes ~50 ms, so one
      // warm-up and five samples left the ratio at the mercy of JIT timing (0.67–1.7× across runs).
      for (let i = 0; i < (quick() ? 1 : 3); i++) await send();
      const times: number[] = [];
      for (let i = 0; i < (quick() ? 2 : 9); i++) {
        const t0 = performance.now();
        await send();
        times.push(performance.now() - t0);
      }
      await close();
      await sink.close();
      times.sort((a, b) => a - b);
      const med = times[times.length >> 1]!;
      return { mbPerSec: sizeMb / (med / 1000), bytesPerOp: total };
    },
  };
}

/** Peak rise of heapUsed + arrayBuffers above the post-GC baseline while uploading. */
function heap(id: string, sizeMb: number): BenchVariant {
  return {
    id,
    // A small young generation: the peak then shows what the upload keeps alive, not garbage awaiting a scavenge.
    nodeFlags: ['--expose-gc', '--max-semi-space-size=1'],
    async run(): Promise<Measurement> {
      const { IngestionClient } = await import('../../../src/client/client.ts');
      const sink = await startSink(false);
      const client = new IngestionClient({ endpoint: `http://127.0.0.1:${sink.port}`, apiKey: API_KEY, retry: { attempts: 1 } });
      const spec = { kind: 'data' as const, category: 'training', fileName: 'big.bin' };
      await client.upload(chunkBody(MB, true), spec); // warm the code paths
      const gc = (globalThis as { gc?: () => void }).gc!;
      gc();
      const m0 = process.memoryUsage();
      const base = m0.heapUsed + m0.arrayBuffers;
      let peak = 0;
      const sample = () => {
        const m = process.memoryUsage();
        peak = Math.max(peak, m.heapUsed + m.arrayBuffers - base);
      };
      const timer = setInterval(sample, 2);
      await client.upload(chunkBody(sizeMb * MB, true), spec, { onProgress: (sent) => (sent % (8 * MB) < CHUNK ? sample() : undefined) });
      clearInterval(timer);
      sample();
      await client.close();
      await sink.close();
      return { peakHeapBytes: peak, bytesPerOp: sizeMb * MB };
    },
  };
}

const variants: BenchVariant[] = [
  rate('tcp-keepalive', false, true),
  rate('tcp-new-connection', false, false),
  rate('tls-keepalive', true, true),
  rate('tls-new-connection', true, false),
  throughput('100mb-ours', 'ours', 100),
  throughput('100mb-undici', 'undici', 100),
  heap('heap-10mb', 10),
  heap('heap-100mb', 100),
];

const f1 = (x: number | undefined) => (x === undefined || !Number.isFinite(x) ? 'n/a' : x.toFixed(x < 10 ? 2 : 0));
const mib = (b: number | undefined) => (b === undefined ? 'n/a' : `${(b / MB).toFixed(1)} MiB`);

function rows(r: ReadonlyMap<string, Measurement>): TableRow[] {
  const out: TableRow[] = [];
  for (const proto of ['tcp', 'tls']) {
    const ka = r.get(`${proto}-keepalive`)?.uploadsPerSec;
    const nc = r.get(`${proto}-new-connection`)?.uploadsPerSec;
    const ratio = ka !== undefined && nc !== undefined ? ka / nc : undefined;
    out.push({
      measure: `uploads/s, keep-alive vs new connection (${proto.toUpperCase()}, 265 B)`,
      n: 'loop',
      ours: `${f1(ka)} /s`,
      baseline: `${f1(nc)} /s`,
      ratio: ratio === undefined ? 'n/a' : `${ratio.toFixed(2)}×`,
      target: '≥ 3×',
      met: ratio === undefined ? undefined : ratio >= 3,
    });
  }
  const ours = r.get('100mb-ours')?.mbPerSec;
  const und = r.get('100mb-undici')?.mbPerSec;
  const tr = ours !== undefined && und !== undefined ? ours / und : undefined;
  out.push({
    measure: 'one 100 MiB upload, MB/s (ours vs undici request, same 64 KiB chunks)',
    n: '100 MiB',
    ours: `${f1(ours)} MB/s`,
    baseline: `${f1(und)} MB/s`,
    ratio: tr === undefined ? 'n/a' : `${tr.toFixed(2)}×`,
    target: '≥ 0.9×',
    met: tr === undefined ? undefined : tr >= 0.9,
  });
  const h10 = r.get('heap-10mb')?.peakHeapBytes;
  const h100 = r.get('heap-100mb')?.peakHeapBytes;
  const hr = h10 !== undefined && h100 !== undefined ? h100 / Math.max(h10, 1) : undefined;
  out.push({
    measure: 'client peak heap while uploading, 100 MiB vs 10 MiB body',
    n: '10 / 100 MiB',
    ours: mib(h100),
    baseline: mib(h10),
    ratio: hr === undefined ? 'n/a' : `${hr.toFixed(2)}×`,
    target: 'flat: 100 MiB peak < 4 MiB and ≤ 10 MiB peak + 2 MiB',
    met: h10 === undefined || h100 === undefined ? undefined : h100 < 4 * MB && h100 <= h10 + 2 * MB,
  });
  return out;
}

export const suite: BenchSuite = {
  name: 'upload',
  variants,
  rows,
  notes: [
    'server: a node:http sink in a worker thread on 127.0.0.1 that counts the body and answers 200; the TLS sink uses a CA made per run (openssl).',
    'new connection = `keepAlive: false` (sends `Connection: close`, reconnects per upload); undici baseline is `Client.request` with the same async chunk iterable.',
    'heap = peak (heapUsed + arrayBuffers) above the post-GC baseline, sampled every 2 ms and on progress, body streamed from one reused 64 KiB buffer.',
  ],
};
