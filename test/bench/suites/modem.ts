/**
 * Modem suite (issue 5): one 64 KiB upload through IngestionClient → modem transport → real pty →
 * paced simulator (firmware-sim/modem) → loopback HTTP sink, after bring-up.
 * - wire bytes per body byte: every byte on the serial line during the upload (both directions:
 *   AT commands, answers, data mode, `#XRECV` framing, the HTTP head and response) ÷ body bytes.
 * - throughput: body bytes ÷ upload time, as a share of the line rate (baud / 10 for 8N1).
 */
import type { BenchSuite, BenchVariant, Measurement, TableRow } from '../types.ts';

const BODY = 64 * 1024;

function variant(dialect: 'new' | 'old', baud: number): BenchVariant {
  return {
    id: `modem-${dialect}-${baud}`,
    runs: 1,
    async run(): Promise<Measurement> {
      const http = await import('node:http');
      const { startModemSim } = await import('../../../firmware-sim/modem/index.ts');
      const { createModemConnector } = await import('../../../src/transport/modem/index.ts');
      const { IngestionClient } = await import('../../../src/client/client.ts');
      const { bodyFromBytes } = await import('../../../src/encode/body.ts');

      const server = http.createServer((req, res) => {
        let n = 0;
        req.on('data', (d: Buffer) => (n += d.length));
        req.on('end', () => {
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.end(String(n));
        });
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const port = (server.address() as { port: number }).port;
      const sim = await startModemSim({ dialect, baud, registrationDelayMs: 20 });
      // Send phase: first `AT#XSEND` until the last `#XDATAMODE` (writes may resolve while buffered).
      let tFirst = 0;
      let tLast = 0;
      const modem = createModemConnector({
        path: sim.devicePath,
        baud,
        host: '127.0.0.1',
        port,
        log: (line) => {
          if (tFirst === 0 && line.startsWith('> AT#XSEND')) tFirst = performance.now();
          if (line.startsWith('< #XDATAMODE')) tLast = performance.now();
        },
      });
      const client = new IngestionClient({
        connector: modem,
        apiKey: 'ei_bench_made_up_key',
        retry: { attempts: 1 },
        keepAlive: false,
        timeouts: { connectMs: 30_000, firstByteMs: 60_000, idleMs: 60_000 },
      });
      try {
        await modem.ready();
        // Pseudo-random binary body (xorshift): realistic for CBOR, and it has '+' bytes.
        const body = new Uint8Array(BODY);
        let x = 0x12345678;
        for (let i = 0; i < BODY; i++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          body[i] = x & 0xff;
        }
        const spec = { kind: 'data' as const, category: 'training', fileName: 'bench.bin' };
        const before = sim.stats();
        const t0 = performance.now();
        let total = 0;
        tFirst = 0;
        const res = await client.upload(bodyFromBytes(body, 'application/octet-stream'), spec, {
          onProgress: (_sent, all) => (total = all),
        });
        const ms = performance.now() - t0;
        const after = sim.stats();
        if (res.body !== String(BODY)) throw new Error(`sink got ${res.body} bytes`);
        const fromHost = after.bytesFromHost - before.bytesFromHost;
        const toHost = after.bytesToHost - before.bytesToHost;
        return {
          wirePerBodyByte: (fromHost + toHost) / BODY,
          hostToModemPerBodyByte: fromHost / BODY,
          lineRateShare: (BODY / (ms / 1000)) / (baud / 10),
          sendPhaseShare: (total / ((tLast - tFirst) / 1000)) / (baud / 10),
          uploadMs: ms,
        };
      } finally {
        await client.close();
        await modem.close();
        await sim.close();
        await new Promise((r) => server.close(r));
      }
    },
  };
}

const fmt = (v: number | undefined, d = 3) => (v === undefined ? 'n/a' : v.toFixed(d));

export const suite: BenchSuite = {
  name: 'modem',
  variants: [variant('new', 115200), variant('old', 115200), variant('new', 921600), variant('old', 921600)],
  rows(results: ReadonlyMap<string, Measurement>): TableRow[] {
    const rows: TableRow[] = [];
    for (const dialect of ['new', 'old'] as const) {
      const m = results.get(`modem-${dialect}-115200`);
      const w = m?.wirePerBodyByte;
      rows.push({
        measure: `modem ${dialect} dialect: serial wire bytes per body byte (64 KiB, both directions)`,
        n: '64 KiB',
        ours: `${fmt(w)} (host→modem ${fmt(m?.hostToModemPerBodyByte)})`,
        baseline: '1.000 (body only)',
        ratio: fmt(w),
        target: dialect === 'new' ? '≤ 1.01' : 'report',
        met: dialect === 'new' && w !== undefined ? w <= 1.01 : undefined,
      });
    }
    for (const baud of [115200, 921600]) {
      for (const dialect of ['new', 'old'] as const) {
        const m = results.get(`modem-${dialect}-${baud}`);
        const share = m?.sendPhaseShare;
        rows.push({
          measure: `modem ${dialect} dialect: 64 KiB throughput at ${baud} baud, share of line rate: send phase (whole upload incl. connect and response)`,
          n: '64 KiB',
          ours: m ? `${fmt(share)} (${fmt(m.lineRateShare)}, ${fmt(m.uploadMs, 0)} ms)` : 'n/a',
          baseline: `${baud / 10} B/s`,
          ratio: fmt(share),
          target: '≥ 0.95 (send phase)',
          met: share === undefined ? undefined : share >= 0.95,
        });
      }
    }
    return rows;
  },
  notes: [
    "modem: one 64 KiB upload after bring-up through the paced simulator on a real pty; wire bytes (both directions, all AT framing, HTTP head and response) from the simulator's UART counters.",
    'modem: send phase = request bytes ÷ time from the first `AT#XSEND` to the last `#XDATAMODE: 0` (AT framing of the sends included); whole upload adds socket open/connect, the response poll and close (fixed ~20–50 ms, which weighs at 921600 baud).',
  ],
};
