/**
 * `ei-ingest demo` (what `npm start` runs): the whole chain on the embedded defaults, offline.
 * local ingestion service ← TCP ← simulated nRF91 modem on a real pty ← this client, fed by a
 * simulated 3-axis accelerometer; then prints what the service stored.
 * With `--endpoint URL --api-key K` the same samples go to that service instead (direct TCP/TLS,
 * or a real modem with `--modem PATH`).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { encodeDocument } from '../encode/index.ts';
import { mulberry32 } from '../device/sensors/sim.ts';
import type { DocumentInput } from '../model/document.ts';
import type { Connector } from '../transport/transport.ts';
import { integerOption, parseCommandArgs, usageError } from './args.ts';

const HELP = `usage: ei-ingest demo [--samples N] [--dialect new|old] [--no-modem] [--keep]
                      [--endpoint URL --api-key K [--hmac-key K] [--modem PATH [--baud N]]]
Runs the local ingestion service, a simulated nRF91 modem on a pseudo-terminal and a simulated
accelerometer, uploads signed samples through the modem, prints what the service stored, exits 0.
  --samples N     samples to record (default 3), 1 s of 3-axis data at 62.5 Hz each
  --dialect D     modem firmware dialect: new (Serial Modem) or old (SLM); default new
  --no-modem      upload over plain TCP instead of the simulated modem
  --keep          keep the service (and modem) running after the demo; Ctrl-C to stop
  --endpoint URL  send to this ingestion service instead (e.g. https://ingestion.edgeimpulse.com)
  --api-key K     API key for --endpoint (or EI_API_KEY); --hmac-key K (or EI_HMAC_KEY) to sign
  --modem PATH    with --endpoint: a real modem on this serial port
`;

const COMMAND = { name: 'demo', usage: HELP };

/** A simulated accelerometer: gravity on Z plus a slow wobble and noise, float32 like real IMUs. */
export function simulatedAccelerometer(rows: number, intervalMs: number, seed: number): Float32Array {
  const out = new Float32Array(rows * 3);
  const rand = mulberry32(seed);
  const noise = (): number => (rand() - 0.5) * 0.05;
  for (let i = 0; i < rows; i++) {
    const t = (i * intervalMs) / 1000;
    out[i * 3] = Math.sin(2 * Math.PI * 1.5 * t) * 0.4 + noise();
    out[i * 3 + 1] = Math.cos(2 * Math.PI * 0.7 * t) * 0.2 + noise();
    out[i * 3 + 2] = 9.81 + noise();
  }
  return out;
}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(COMMAND, argv, {
    samples: { type: 'string', default: '3' },
    dialect: { type: 'string', default: 'new' },
    'no-modem': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    endpoint: { type: 'string' },
    'api-key': { type: 'string' },
    'hmac-key': { type: 'string' },
    modem: { type: 'string' },
    baud: { type: 'string', default: '115200' },
  });
  if (typeof parsed === 'number') return parsed;
  const o = parsed.values;
  let samples: number;
  let baud: number;
  try {
    samples = integerOption('--samples', o.samples, 1, 1000);
    baud = integerOption('--baud', o.baud, 1200, 4_000_000);
  } catch (e) {
    return usageError(COMMAND, (e as Error).message);
  }
  if (o.dialect !== 'new' && o.dialect !== 'old') return usageError(COMMAND, "--dialect must be 'new' or 'old'");

  const cleanups: Array<() => Promise<void>> = [];
  const cleanup = async (): Promise<void> => {
    for (const c of cleanups.reverse()) await c().catch(() => undefined);
  };
  try {
    let endpoint: URL;
    let apiKey: string;
    let hmacKey: string | undefined;
    let listStored: (() => Promise<void>) | undefined;
    let connector: Connector | undefined;
    let deviceName = 'demo-sbc';

    if (o.endpoint) {
      endpoint = new URL(o.endpoint);
      apiKey = o['api-key'] ?? process.env.EI_API_KEY ?? '';
      hmacKey = o['hmac-key'] ?? process.env.EI_HMAC_KEY;
      if (!apiKey) return usageError(COMMAND, '--endpoint needs --api-key (or EI_API_KEY)');
    } else {
      // Keys made up for this run only; they never leave this process.
      apiKey = 'ei_' + randomBytes(32).toString('hex');
      hmacKey = randomBytes(16).toString('hex');
      const dataDir = await mkdtemp(join(tmpdir(), 'ei-demo-'));
      cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
      const { startIngestionService } = await import('../service/index.ts');
      const { attachRemoteManagement, createRemoteManagement } = await import('../service/remote-mgmt.ts');
      const { createWebPages } = await import('../service/web/routes.ts');
      const rmgmt = createRemoteManagement();
      const web = createWebPages({ devices: rmgmt.registry });
      const service = await startIngestionService({ port: 0, host: '127.0.0.1', dataDir, apiKey, hmacKey, pages: web.routes, extraRoutes: rmgmt.routes });
      cleanups.push(() => service.close());
      attachRemoteManagement(service, rmgmt);
      cleanups.push(async () => (web.close(), await rmgmt.close()));
      endpoint = new URL(service.url);
      process.stdout.write(`local ingestion service: ${service.url} (data in ${dataDir})\n`);
      process.stdout.write(`pages: ${service.url}/ (samples, devices, live)\n`);
      // The pages ask for the API key; with --keep this run's made-up key is shown to the operator, once.
      if (o.keep) process.stdout.write(`API key for the pages (this run only): ${apiKey}\n`);
      listStored = async () => {
        const res = await fetch(new URL(`/v1/api/${service.projectId}/raw-data?category=training`, service.url), {
          headers: { 'x-api-key': apiKey },
        });
        const json = (await res.json()) as { samples: Array<Record<string, unknown>> };
        process.stdout.write(`\nthe service stored ${json.samples.length} sample(s):\n`);
        for (const s of json.samples) {
          process.stdout.write(
            `  #${String(s.id)} ${String(s.filename)} label=${String(s.label)} device=${String(s.deviceName)} ` +
              `interval=${String(s.intervalMs)}ms signatureValidate=${String(s.signatureValidate)}\n`,
          );
        }
      };
    }

    const port = Number(endpoint.port || (endpoint.protocol === 'https:' ? 443 : 80));
    const useTls = endpoint.protocol === 'https:';
    const useSimModem = !o.endpoint && !o['no-modem'];
    if (useSimModem) {
      const { startModemSim } = await import('../../firmware-sim/modem/index.ts');
      const sim = await startModemSim({ dialect: o.dialect, baud });
      cleanups.push(() => sim.close());
      process.stdout.write(`simulated nRF91 modem (${o.dialect} dialect) on ${sim.devicePath}\n`);
      const { createModemConnector } = await import('../transport/modem/index.ts');
      const modem = createModemConnector({ path: sim.devicePath, baud, host: endpoint.hostname, port });
      cleanups.push(() => modem.close());
      const id = await modem.ready();
      deviceName = id.imei; // the modem's IMEI names the device, as on a real nRF91 board
      process.stdout.write(`modem registered: IMEI ${id.imei}, firmware dialect ${id.dialect}\n`);
      connector = modem;
    } else if (o.modem) {
      const { createModemConnector } = await import('../transport/modem/index.ts');
      const modem = createModemConnector({ path: o.modem, baud, host: endpoint.hostname, port, tls: useTls });
      cleanups.push(() => modem.close());
      deviceName = (await modem.ready()).imei;
      connector = modem;
    }

    const { IngestionClient } = await import('../client/client.ts');
    const client = new IngestionClient(
      connector ? { endpoint: endpoint.origin, connector, apiKey } : { endpoint: endpoint.origin, apiKey },
    );
    cleanups.push(() => client.close());

    const intervalMs = 16;
    const rows = Math.round(1000 / intervalMs);
    for (let i = 0; i < samples; i++) {
      const doc: DocumentInput = {
        payload: {
          device_name: deviceName,
          device_type: 'EI_INGEST_DEMO',
          interval_ms: intervalMs,
          sensors: [
            { name: 'accX', units: 'm/s2' },
            { name: 'accY', units: 'm/s2' },
            { name: 'accZ', units: 'm/s2' },
          ],
          values: { data: simulatedAccelerometer(rows, intervalMs, 1 + i), width: 3 },
        },
      };
      const body = encodeDocument(doc, {
        format: 'cbor',
        layout: 'compact',
        alg: hmacKey ? 'HS256' : 'none',
        hmacKey,
        iat: Math.floor(Date.now() / 1000),
      });
      const t0 = performance.now();
      const res = await client.upload(body, {
        kind: 'data',
        category: 'training',
        label: 'wave',
        fileName: `wave.demo${i}.cbor`,
        disallowDuplicates: true,
      });
      const ms = (performance.now() - t0).toFixed(0);
      process.stdout.write(
        `sample ${i + 1}/${samples}: ${body.length} bytes, HTTP ${res.status} in ${ms} ms` +
          `${res.attempts > 1 ? ` after ${res.attempts} attempts` : ''}: ${res.body.trim()}\n`,
      );
    }
    if (listStored) await listStored();

    if (o.keep) {
      process.stdout.write('\nrunning; press Ctrl-C to stop\n');
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
    }
    return 0;
  } finally {
    await cleanup();
  }
}
