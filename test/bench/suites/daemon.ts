/**
 * Daemon suite (issue 16): sample read-back throughput from a board running Edge Impulse firmware
 * (the simulated board on a real pty, paced at the line rate since ptys have none), at 115200 baud
 * and with fast transfer at 921600, as a share of the base64 payload rate (baud/10 × 3/4 payload
 * bytes per second). Each read is `AT+READBUFFER=<start>,<length>[,y]` of the sample just recorded,
 * timed from the first byte of the command written to the decoded bytes in hand (command chunking
 * at 5 bytes / 20 ms, echo, OKs and prompt included).
 */
import type { BenchSuite, BenchVariant, Measurement, TableRow } from '../types.ts';

const quick = () => process.env.BENCH_QUICK === '1';

function variant(id: string, o: { transferBaud: number; fast: boolean; lengthMs: number }): BenchVariant {
  return {
    id,
    runs: 1,
    async run(): Promise<Measurement> {
      const { startEiBoardSim } = await import('../../../firmware-sim/ei-board/index.ts');
      const { AtPort } = await import('../../../src/daemon/at-port.ts');
      const { BoardDriver } = await import('../../../src/daemon/board.ts');
      const { median } = await import('../harness.ts');
      const sim = await startEiBoardSim({ startDelayMs: 20, transferBaud: o.transferBaud, deviceId: 'aa:bb:cc:dd:ee:ff' });
      const port = new AtPort({ path: sim.devicePath });
      try {
        await port.open();
        const board = new BoardDriver(port, { fastTransfer: o.fast });
        await board.bringUp();
        const s = await board.sample({ label: 'bench', intervalMs: 0.0625, lengthMs: o.lengthMs, hmacKey: '', path: '/api/training/data', sensor: 'Microphone' });
        const length = s.bytes.length;
        const reads = quick() ? 1 : 3;
        const ms: number[] = [];
        for (let i = 0; i < reads; i++) {
          const t0 = performance.now();
          const got = await board.readBuffer(0, length);
          ms.push(performance.now() - t0);
          if (got.length !== length) throw new Error(`read ${got.length} of ${length} bytes`);
        }
        const rate = o.fast ? o.transferBaud : 115200;
        const payloadRate = ((rate / 10) * 3) / 4;
        const m = median(ms);
        return { bytesPerOp: length, readMs: m, share: length / (m / 1000) / payloadRate };
      } finally {
        await port.close();
        await sim.close();
      }
    },
  };
}

const fmt = (v: number | undefined, d = 3) => (v === undefined ? 'n/a' : v.toFixed(d));

const CASES = [
  { id: 'daemon-readback-115200-1s', label: '115200, 1 s audio', transferBaud: 115200, fast: false, lengthMs: 1000 },
  { id: 'daemon-readback-fast-921600-1s', label: 'fast 921600, 1 s audio', transferBaud: 921600, fast: true, lengthMs: 1000 },
  { id: 'daemon-readback-fast-921600-5s', label: 'fast 921600, 5 s audio', transferBaud: 921600, fast: true, lengthMs: 5000 },
];

export const suite: BenchSuite = {
  name: 'daemon',
  variants: CASES.map((c) => variant(c.id, c)),
  rows(results: ReadonlyMap<string, Measurement>): TableRow[] {
    return CASES.map((c) => {
      const m = results.get(c.id);
      const rate = c.fast ? c.transferBaud : 115200;
      return {
        measure: `daemon: sample read-back (READBUFFER, base64) at ${c.label}, share of the base64 payload rate`,
        n: m?.bytesPerOp ? `${Math.round(m.bytesPerOp / 1024)} KiB` : 'n/a',
        ours: m ? `${fmt(m.share)} (${fmt(m.readMs, 0)} ms)` : 'n/a',
        baseline: `${(rate * 3) / 40} B/s`,
        ratio: fmt(m?.share),
        target: '≥ 0.9',
        met: m?.share === undefined ? undefined : m.share >= 0.9,
      };
    });
  },
  notes: [
    'daemon: simulated board on a socat pty pacing its output at baud/10 B/s (fast transfer switches the pacing to the transfer rate after its first OK, as the firmware switches the UART); the fixed cost per read (5-byte command chunks 20 ms apart, OK/prompt, the 2 × 20 ms the board waits around the baud switch) weighs on short transfers at 921600.',
  ],
};
