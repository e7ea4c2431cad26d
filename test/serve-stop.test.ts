// `serve … &` then `kill %1` (bash, no job control: SIGTERM to the job's one process) stops the
// service cleanly: a request already being received when the signal comes still completes with
// 200 and is stored; the index is closed (its lock file gone), the port is released, exit code 0.
import { describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { encodeToBytes } from '../src/index.ts';
import { startIngestionService } from '../src/service/index.ts';
import { dataRequest, parseResponse, tempDir } from './service-helpers.ts';

const KEY = 'ei_stop_test_key_made_up';
const HMAC = 'stop-test-hmac-key';

async function until<T>(what: string, f: () => T | undefined, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('serve stops on SIGTERM', () => {
  it('kill %1 of `serve … &`: the request in progress completes and is stored, index closed, exit 0', async () => {
    const t = tempDir('ei-stop-');
    const data = join(t.dir, 'data');
    const log = join(t.dir, 'serve.log');
    const script = `
      node --import tsx src/cli.ts serve --port 0 --data '${data}' --api-key ${KEY} --hmac-key ${HMAC} > '${log}' 2>&1 &
      read -r _
      kill %1
      wait %1
      echo "EXIT $?"
    `;
    const sh = spawn('bash', ['-c', script], { cwd: process.cwd(), stdio: ['pipe', 'pipe', 'inherit'] });
    let shOut = '';
    sh.stdout.on('data', (d) => (shOut += d));
    try {
      const text = () => (existsSync(log) ? readFileSync(log, 'utf8') : '');
      const url = await until('the URL line', () => (/project \d+/.test(text()) ? text().split('\n')[0] : undefined));
      const port = Number(new URL(url).port);
      expect(existsSync(join(data, 'index.sqlite.lock'))).toBe(true);

      const doc = { payload: { device_type: 'STOP_TEST', interval_ms: 10, sensors: [{ name: 'a', units: 'N/A' }], values: [1, 2, 3] } };
      // Expect: 100-continue, so the service's "100 Continue" shows it has the request in hand.
      const req = dataRequest(KEY, encodeToBytes(doc, { format: 'cbor', alg: 'HS256', hmacKey: HMAC }), { 'x-label': 'stop', Expect: '100-continue' });
      const headEnd = req.indexOf('\r\n\r\n') + 4;
      const sock = connect(port, '127.0.0.1');
      let got = Buffer.alloc(0);
      sock.on('data', (d) => (got = Buffer.concat([got, d])));
      const closed = new Promise<void>((r) => sock.on('close', () => r()));
      sock.on('error', () => {});
      await new Promise<void>((r) => sock.once('connect', () => r()));
      sock.write(req.subarray(0, headEnd + 10)); // the head and the first body bytes: in progress
      await until('100 Continue', () => (got.toString('latin1').startsWith('HTTP/1.1 100 Continue\r\n\r\n') ? true : undefined));
      got = Buffer.alloc(0);
      sh.stdin.write('stop\n'); // → kill %1
      await until('serve to announce the stop', () => (/SIGTERM: finishing 1 open request/.test(text()) ? true : undefined));
      sock.write(req.subarray(headEnd + 10));
      await closed;
      const parsed = parseResponse(got);
      expect(parsed?.res.status).toBe(200);

      await until('bash to report the exit code', () => (/EXIT \d+/.test(shOut) ? true : undefined));
      expect(shOut).toContain('EXIT 0');
      expect(existsSync(join(data, 'index.sqlite.lock'))).toBe(false);
      // The port is free and the data directory reopens with the sample in it.
      const svc = await startIngestionService({ port, dataDir: data, apiKey: KEY, hmacKey: HMAC, fsync: false });
      try {
        const samples = svc.store.list(svc.projectId);
        expect(samples.map((s) => s.label)).toEqual(['stop']);
      } finally {
        await svc.close();
      }
    } finally {
      sh.kill('SIGKILL');
      t.cleanup();
    }
  });
});
