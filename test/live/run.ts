/**
 * Opt-in checks against a real Edge Impulse project (`npm run test:live`). Never part of
 * `npm test` or CI. Keys come from the environment only and are never printed or written:
 *
 *   EI_API_KEY=ei_… [EI_HMAC_KEY=…] npm run test:live
 *
 * For each of JSON/CBOR × /data and /files × TCP port 80 and TLS 443 it uploads one small sample
 * with a unique label, confirms through the Studio API (project id found from the key) that each
 * arrived with that label and its values, connects the device client to remote management and
 * waits for its hello to be accepted, and finally deletes every sample it uploaded.
 *
 * Overrides (to aim it at a staging host or the local service): EI_INGESTION_HOST,
 * EI_INGESTION_HTTP_PORT (80), EI_INGESTION_TLS_PORT (443), EI_STUDIO_URL, EI_REMOTE_MGMT_URL,
 * EI_TLS_CA (PEM file trusted for TLS and wss).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { IngestionClient } from '../../src/client/index.ts';
import { DeviceClient } from '../../src/device/client.ts';
import { discoverKeys, keyFingerprint, studioApiBase } from '../../src/device/keys.ts';
import { SimSource } from '../../src/device/sensors/sim.ts';
import { directUploader } from '../../src/device/uploader.ts';
import { encodeDocument } from '../../src/encode/index.ts';
import { tcpConnector } from '../../src/transport/tcp.ts';
import { tlsConnector } from '../../src/transport/tls.ts';

type Format = 'json' | 'cbor';
type Kind = 'data' | 'files';
type Wire = 'tcp' | 'tls';

interface Upload {
  name: string;
  format: Format;
  kind: Kind;
  wire: Wire;
  values: number[][];
  status?: number;
  sampleId?: number;
  confirmed?: boolean;
}

const env = process.env;

function fail(msg: string): never {
  throw new Error(msg);
}

/** Scrubs both keys from any text before it is printed (server errors may echo headers). */
function scrub(text: string): string {
  let t = text;
  for (const k of [env.EI_API_KEY, env.EI_HMAC_KEY]) if (k) t = t.split(k).join('***');
  return t;
}

async function studio(method: string, url: string): Promise<any> {
  const res = await fetch(url, { method, headers: { 'x-api-key': env.EI_API_KEY!, accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
  const text = await res.text();
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    fail(`${method} ${new URL(url).pathname}: HTTP ${res.status}, not JSON`);
  }
  if (!res.ok || body.success === false) fail(`${method} ${new URL(url).pathname}: HTTP ${res.status} ${scrub(String(body.error ?? ''))}`);
  return body;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main(): Promise<number> {
  const apiKey = env.EI_API_KEY;
  if (!apiKey) {
    process.stdout.write('skipped: set EI_API_KEY\n');
    return 0;
  }
  const hmacKey = env.EI_HMAC_KEY || undefined;
  const host = env.EI_INGESTION_HOST ?? 'ingestion.edgeimpulse.com';
  const httpPort = Number(env.EI_INGESTION_HTTP_PORT ?? 80);
  const tlsPort = Number(env.EI_INGESTION_TLS_PORT ?? 443);
  const studioUrl = env.EI_STUDIO_URL ?? 'https://studio.edgeimpulse.com';
  const remoteUrl = env.EI_REMOTE_MGMT_URL ?? 'wss://remote-mgmt.edgeimpulse.com';
  const ca = env.EI_TLS_CA ? readFileSync(env.EI_TLS_CA) : undefined;
  const api = studioApiBase(studioUrl);
  const log = (s: string) => process.stdout.write(s + '\n');
  let failures = 0;
  const check = (ok: boolean, what: string) => {
    log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
    if (!ok) failures++;
  };

  log(`live checks: key ${keyFingerprint(apiKey)}, ${hmacKey ? `signed with ${keyFingerprint(hmacKey)}` : 'unsigned (set EI_HMAC_KEY to sign)'}`);
  const { projectId } = await discoverKeys({ apiKey, studioUrl });
  log(`project ${projectId}`);

  const runId = randomBytes(4).toString('hex');
  const label = `ei-ingest-live-${runId}`;
  const uploads: Upload[] = [];
  let n = 0;
  for (const format of ['json', 'cbor'] as const)
    for (const kind of ['data', 'files'] as const)
      for (const wire of ['tcp', 'tls'] as const) {
        n++;
        // Distinct small values per upload: no two bodies are duplicates.
        const values = Array.from({ length: 10 }, (_, i) => [n, i, i * 0.5]);
        uploads.push({ name: `live-${runId}-${format}-${kind}-${wire}`, format, kind, wire, values });
      }

  const clients: Record<Wire, IngestionClient> = {
    tcp: new IngestionClient({ connector: tcpConnector({ host, port: httpPort }), apiKey }),
    tls: new IngestionClient({ connector: tlsConnector({ host, port: tlsPort, ca }), apiKey }),
  };
  try {
    // 1. Upload.
    for (const u of uploads) {
      const body = encodeDocument(
        {
          protected: { ver: 'v1', alg: hmacKey ? 'HS256' : 'none', iat: Math.floor(Date.now() / 1000) },
          payload: {
            device_name: `ei-ingest-live-${runId}`,
            device_type: 'ei-ingest-live',
            interval_ms: 10,
            sensors: [
              { name: 'a', units: 'N/A' },
              { name: 'b', units: 'N/A' },
              { name: 'c', units: 'N/A' },
            ],
            values: u.values,
          },
        },
        hmacKey ? { format: u.format, alg: 'HS256', hmacKey } : { format: u.format, alg: 'none' },
      );
      try {
        const res = await clients[u.wire].upload(body, { kind: u.kind, category: 'training', fileName: `${u.name}.${u.format}`, label });
        u.status = res.status;
        if (u.kind === 'files') {
          const j = JSON.parse(res.body);
          const id = j.files?.[0]?.sampleId;
          if (typeof id === 'number') u.sampleId = id;
        }
        check(res.status === 200, `upload ${u.name}: HTTP ${res.status}`);
      } catch (err) {
        check(false, `upload ${u.name}: ${scrub((err as Error).message)}`);
      }
    }

    // 2. Confirm each through the Studio API (processing is asynchronous: poll).
    const wanted = uploads.filter((u) => u.status === 200);
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline && wanted.some((u) => u.sampleId === undefined)) {
      // Studio filters by `labels` (a JSON list); a server that ignores or reads it differently
      // is covered by the unfiltered listing of the newest samples.
      const queries = [
        new URLSearchParams({ category: 'training', limit: '200', offset: '0', labels: JSON.stringify([label]) }),
        new URLSearchParams({ category: 'training', limit: '1000', offset: '0' }),
      ];
      for (const q of queries) {
        if (!wanted.some((u) => u.sampleId === undefined)) break;
        const list = await studio('GET', `${api}/api/${projectId}/raw-data?${q}`);
        for (const s of list.samples ?? []) {
          if (s.label !== label) continue;
          const u = wanted.find((x) => typeof s.filename === 'string' && s.filename.startsWith(x.name));
          if (u && u.sampleId === undefined) u.sampleId = s.id;
        }
      }
      if (wanted.some((u) => u.sampleId === undefined)) await sleep(3000);
    }
    for (const u of wanted) {
      if (u.sampleId === undefined) {
        check(false, `confirm ${u.name}: not in the raw-data list`);
        continue;
      }
      const got = await studio('GET', `${api}/api/${projectId}/raw-data/${u.sampleId}`);
      const sample = got.sample ?? {};
      const values: unknown = got.payload?.values ?? sample.values;
      const labelOk = sample.label === label;
      const valuesOk =
        Array.isArray(values) &&
        values.length === u.values.length &&
        values.every((row: unknown, i: number) => Array.isArray(row) && row.every((v: unknown, k: number) => Math.abs(Number(v) - u.values[i]![k]!) < 1e-6));
      u.confirmed = labelOk && valuesOk;
      check(u.confirmed, `confirm ${u.name}: sample ${u.sampleId}, label ${labelOk ? 'ok' : 'WRONG'}, values ${valuesOk ? 'ok' : 'WRONG or missing'}`);
    }

    // 3. Remote management: the hello is accepted.
    const dev = new DeviceClient({
      url: remoteUrl,
      apiKey,
      deviceId: `ei-ingest-live-${runId}`,
      deviceType: 'ei-ingest-live',
      source: new SimSource(),
      uploader: directUploader(clients.tls),
      wsOptions: ca ? { ca } : undefined,
    });
    dev.start();
    try {
      await Promise.race([dev.waitConnected(), sleep(30_000).then(() => fail('no hello answer within 30 s'))]);
      check(true, 'remote management: hello accepted');
    } catch (err) {
      check(false, `remote management: ${scrub((err as Error).message)}`);
    } finally {
      await dev.stop();
    }
    // Best effort: remove the test device from the project's device list (not a failure if the
    // server keeps it; it shows as disconnected).
    try {
      await studio('DELETE', `${api}/api/${projectId}/devices/${encodeURIComponent(`ei-ingest-live-${runId}`)}`);
      log('ok   removed the test device');
    } catch (err) {
      log(`note could not remove test device ei-ingest-live-${runId}: ${scrub((err as Error).message)}`);
    }
  } finally {
    // 4. Delete everything uploaded, even after a failure above.
    for (const u of uploads) {
      if (u.sampleId === undefined) {
        if (u.status === 200) check(false, `delete ${u.name}: sample id unknown, delete it by hand (label ${label})`);
        continue;
      }
      try {
        await studio('DELETE', `${api}/api/${projectId}/raw-data/${u.sampleId}`);
        check(true, `delete ${u.name} (sample ${u.sampleId})`);
      } catch (err) {
        check(false, `delete ${u.name}: ${scrub((err as Error).message)}`);
      }
    }
    await clients.tcp.close();
    await clients.tls.close();
  }
  log(failures === 0 ? 'live checks passed' : `live checks: ${failures} failed`);
  return failures === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (err) => {
    process.stderr.write(`live checks aborted: ${scrub(String((err as Error)?.message ?? err))}\n`);
    process.exitCode = 1;
  },
);
