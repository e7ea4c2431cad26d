/**
 * Issue 12 acceptance: the service crash-tested on its own. A `serve` child is SIGKILLed at least
 * 10 times while 500+ uploads run over several keep-alive connections, and restarted on the same
 * data directory each time. Uploads that fail (connection lost) are retried with
 * x-disallow-duplicates, as the spool does. At the end every upload answered 200 is stored
 * exactly once with its exact bytes, and SQLite's integrity check is ok. Kills are triggered by
 * counts of answered uploads (so they land while others are in flight), never by a clock.
 */
import { describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { SampleStore } from '../src/service/store.ts';
import { tempDir } from './service-helpers.ts';
import { jsonDoc, payload } from './service-docs.ts';

const API_KEY = 'ei_crash_test_api_key';
const HMAC_KEY = 'crash-test-hmac';
const UPLOADS = 500;
const KILLS = 10;
const CONNECTIONS = 4;

interface Served {
  child: ChildProcess;
  port: number;
}

function serve(dir: string): Promise<Served> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'serve', '--port', '0', '--data', dir, '--api-key', API_KEY, '--hmac-key', HMAC_KEY], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`serve did not start: ${out}`)), 60_000);
    child.stdout!.on('data', () => {
      if (/project \d+/.test(out)) {
        clearTimeout(t);
        child.removeAllListeners('exit');
        resolve({ child, port: Number(new URL(out.split('\n')[0]).port) });
      }
    });
    child.on('exit', (c) => reject(new Error(`serve exited ${c}: ${out}`)));
  });
}

function kill(s: Served): Promise<void> {
  return new Promise((resolve) => {
    if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
    s.child.once('exit', () => resolve());
    s.child.kill('SIGKILL');
  });
}

describe('service crash test', () => {
  it(`SIGKILL ≥ ${KILLS} times during ${UPLOADS} uploads over ${CONNECTIONS} connections: every 200 stored exactly once`, async () => {
    const t = tempDir('ei-crash-');
    const dir = join(t.dir, 'data');
    const docs = Array.from({ length: UPLOADS }, (_, i) => jsonDoc(payload([[i, i * 2, i * 3]], [{ name: 'a', units: 'N/A' }, { name: 'b', units: 'N/A' }, { name: 'c', units: 'N/A' }]), HMAC_KEY));
    const hashes = docs.map((d) => createHash('sha256').update(d).digest('hex'));
    let cur = await serve(dir);
    let agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
    const queue = docs.map((_, i) => i);
    const acked = new Set<number>();
    const unexpected: string[] = [];
    let kills = 0;
    let sinceKill = 0;
    let restarting: Promise<void> | undefined;
    let attempts = 0;

    const post = (i: number): Promise<number> =>
      new Promise((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port: cur.port, method: 'POST', path: '/api/training/data', agent, headers: { 'x-api-key': API_KEY, 'x-file-name': `s${i}.json`, 'Content-Type': 'application/json', 'x-disallow-duplicates': '1', 'Content-Length': docs[i].length } },
          (res) => {
            res.resume();
            res.on('end', () => resolve(res.statusCode ?? 0));
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(docs[i]);
      });

    const restart = (): Promise<void> =>
      (restarting ??= (async () => {
        await kill(cur);
        kills++;
        sinceKill = 0;
        agent.destroy();
        agent = new http.Agent({ keepAlive: true, maxSockets: CONNECTIONS });
        cur = await serve(dir);
      })().finally(() => (restarting = undefined)));

    const worker = async (): Promise<void> => {
      while (acked.size < UPLOADS && attempts < UPLOADS * 20) {
        if (restarting) await restarting;
        const i = queue.shift();
        if (i === undefined) {
          await new Promise((r) => setTimeout(r, 10));
          continue;
        }
        attempts++;
        try {
          const status = await post(i);
          if (status === 200) {
            acked.add(i);
            // Count-triggered kill: lands while the other connections have uploads in flight.
            if (++sinceKill >= Math.floor(UPLOADS / (KILLS + 2)) && kills < KILLS + 2) void restart();
          } else if (status === 503) queue.push(i);
          else unexpected.push(`upload ${i}: ${status}`);
        } catch {
          queue.push(i); // connection lost to the kill: retried, as the spool would
          if (restarting) await restarting;
        }
      }
    };
    try {
      await Promise.all(Array.from({ length: CONNECTIONS }, worker));
      if (restarting) await restarting;
    } finally {
      agent.destroy();
      await kill(cur);
    }
    expect(unexpected).toEqual([]);
    expect(acked.size).toBe(UPLOADS);
    expect(kills).toBeGreaterThanOrEqual(KILLS);

    const store = new SampleStore(dir, { fsync: false });
    try {
      expect(store.integrityCheck()).toBe('ok');
      const recs = store.list(1);
      const byHash = new Map<string, number>();
      for (const r of recs) byHash.set(r.sha256, (byHash.get(r.sha256) ?? 0) + 1);
      const wrongCounts = hashes.map((h, i) => ({ i, n: byHash.get(h) ?? 0 })).filter((x) => acked.has(x.i) && x.n !== 1);
      expect(wrongCounts).toEqual([]);
      expect(recs.length).toBe(UPLOADS);
      for (const r of recs) {
        const abs = store.absolute(r.path);
        expect(existsSync(abs)).toBe(true);
        expect(createHash('sha256').update(readFileSync(abs)).digest('hex')).toBe(r.sha256);
      }
    } finally {
      store.close();
      t.cleanup();
    }
  }, 300_000);
});
