/**
 * `ei-ingest serve`: runs the local ingestion service. The first line printed is its URL (scripts
 * read it). Keys are printed once, to the operator's terminal, only when the config file was
 * just created with fresh random keys.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startIngestionService } from '../service/index.ts';
import { attachRemoteManagement, createRemoteManagement } from '../service/remote-mgmt.ts';
import { createWebPages } from '../service/web/routes.ts';
import { EI_PORTS, listenEiPorts, type EiPortListeners } from '../service/ei-ports.ts';
import { integerOption, parseCommandArgs, usageError } from './args.ts';

const USAGE = `usage: ei-ingest serve [--port N] [--host H] [--data DIR] [--config FILE]
                       [--api-key K] [--hmac-key H] [--strict-signatures]
                       [--tls-key FILE --tls-cert FILE]
                       [--ei-ports [--studio-port N] [--remote-mgmt-port N]]
  --port N              listen port (0 = any free port; default 4810)
  --host H              listen address (default 127.0.0.1)
  --data DIR            data directory (default ./.ei-data)
  --config FILE         projects and keys (default DIR/config.json; created with random keys)
  --api-key K           API key of the default project for this run (never written to the config)
  --hmac-key H          HMAC key of the default project for this run (never written to the config)
  --strict-signatures   reject documents whose signature does not verify (400)
  --ei-ports            also listen where Edge Impulse's CLIs go with EI_HOST=<IP>: Studio API
                        on 4800, remote management on 4802 (ingestion stays on --port, 4810)
  --studio-port N       with --ei-ports: the Studio API port instead of 4800 (0 = any)
  --remote-mgmt-port N  with --ei-ports: the remote-management port instead of 4802 (0 = any)
`;

const COMMAND = { name: 'ei-ingest serve', usage: USAGE };

/** How long a stop waits for requests in progress before closing their connections. */
const STOP_DRAIN_MS = 10_000;

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(COMMAND, argv, {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    config: { type: 'string' },
    'api-key': { type: 'string' },
    'hmac-key': { type: 'string' },
    'strict-signatures': { type: 'boolean' },
    'tls-key': { type: 'string' },
    'tls-cert': { type: 'string' },
    'ei-ports': { type: 'boolean' },
    'studio-port': { type: 'string' },
    'remote-mgmt-port': { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  let port: number;
  let studioPort: number;
  let rmPort: number;
  try {
    port = values.port === undefined ? EI_PORTS.ingestion : integerOption('--port', values.port, 0, 65535, '0..65535');
    studioPort = values['studio-port'] === undefined ? EI_PORTS.studio : integerOption('--studio-port', values['studio-port'], 0, 65535, '0..65535');
    rmPort = values['remote-mgmt-port'] === undefined ? EI_PORTS.remoteMgmt : integerOption('--remote-mgmt-port', values['remote-mgmt-port'], 0, 65535, '0..65535');
  } catch (e) {
    return usageError(COMMAND, (e as Error).message);
  }
  if ((values['tls-key'] === undefined) !== (values['tls-cert'] === undefined)) return usageError(COMMAND, '--tls-key and --tls-cert go together');
  if (!values['ei-ports'] && (values['studio-port'] !== undefined || values['remote-mgmt-port'] !== undefined)) return usageError(COMMAND, '--studio-port and --remote-mgmt-port go with --ei-ports');
  if (values['ei-ports'] && values['tls-key'] !== undefined) return usageError(COMMAND, '--ei-ports serves plain HTTP, as the CLIs use with an IP address; drop --tls-key/--tls-cert');
  const dataDir = resolve(values.data ?? '.ei-data');
  // Remote management (devices over WebSocket, start-sampling) rides on the same server.
  const rm = createRemoteManagement();
  const web = createWebPages({ devices: rm.registry });
  const svc = await startIngestionService({
    extraRoutes: rm.routes,
    pages: web.routes,
    studioDevices: rm.registry,
    port,
    host: values.host ?? '127.0.0.1',
    dataDir,
    configFile: resolve(values.config ?? join(dataDir, 'config.json')),
    apiKey: values['api-key'],
    hmacKey: values['hmac-key'],
    strictSignatures: values['strict-signatures'] ?? false,
    tls: values['tls-key'] ? { key: readFileSync(values['tls-key']), cert: readFileSync(values['tls-cert']!) } : undefined,
  });
  attachRemoteManagement(svc, rm);
  let eiPorts: EiPortListeners | undefined;
  if (values['ei-ports']) {
    try {
      eiPorts = await listenEiPorts(svc, { studio: studioPort, remoteMgmt: rmPort });
    } catch (e) {
      await rm.close();
      await svc.close();
      process.stderr.write(`ei-ingest serve: cannot listen on the Edge Impulse ports: ${(e as Error).message}\n`);
      return 1;
    }
  }
  process.stdout.write(`${svc.url}\n`);
  if (eiPorts) process.stdout.write(`studio ${eiPorts.studioUrl}/v1; remote management ${eiPorts.remoteMgmtUrl}; ingestion ${svc.url} (EI_HOST=${svc.host})\n`);
  process.stdout.write(`project ${svc.projectId}; data in ${dataDir}\n`);
  process.stdout.write(`pages: ${svc.url}/ (samples, devices, live)\n`);
  const fresh = { api: svc.configCreated && values['api-key'] === undefined, hmac: svc.configCreated && values['hmac-key'] === undefined };
  if (fresh.api || fresh.hmac) {
    // The one place keys are shown: generated just now, into a new 0600 config, on the operator's terminal.
    process.stdout.write(`new config ${resolve(values.config ?? join(dataDir, 'config.json'))} (mode 0600), keys shown once:\n`);
    if (fresh.api) process.stdout.write(`  API key:  ${svc.apiKey}\n`);
    if (fresh.hmac && svc.hmacKey !== undefined) process.stdout.write(`  HMAC key: ${svc.hmacKey}\n`);
  }
  // Requests being served: on SIGINT/SIGTERM they finish (bounded) before the index closes.
  let active = 0;
  let idle: (() => void) | undefined;
  const track = (_req: unknown, res: import('node:http').ServerResponse): void => {
    active++;
    res.once('close', () => {
      if (--active === 0) idle?.();
    });
  };
  svc.server.on('request', track);
  svc.server.on('checkContinue', track);
  await new Promise<void>((done) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals): void => {
      if (stopping) {
        process.stderr.write(`ei-ingest serve: ${signal} again: exiting without waiting\n`);
        process.exit(1);
      }
      stopping = true;
      process.stderr.write(`ei-ingest serve: ${signal}: finishing ${active} open request(s), then closing the index\n`);
      web.close(); // ends the pages' event streams, which would otherwise count as open requests
      svc.server.close(); // no new connections
      void eiPorts?.close();
      svc.server.closeIdleConnections();
      const drained = new Promise<void>((resolve) => {
        if (active === 0) return resolve();
        idle = resolve;
        setTimeout(resolve, STOP_DRAIN_MS).unref();
      });
      void drained
        .then(() => rm.close())
        .then(() => svc.close())
        .then(() => {
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          // Nothing may keep the process up once the index is closed.
          setTimeout(() => process.exit(process.exitCode ?? 0), 2000).unref();
          done();
        });
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
