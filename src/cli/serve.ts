/**
 * `ei-ingest serve`: runs the local ingestion service. The first line printed is its URL (scripts
 * read it). Keys are printed once, to the operator's terminal, only when the config file was
 * just created with fresh random keys.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startIngestionService } from '../service/index.ts';
import { attachRemoteManagement, createRemoteManagement } from '../service/remote-mgmt.ts';
import { integerOption, parseCommandArgs, usageError } from './args.ts';

const USAGE = `usage: ei-ingest serve [--port N] [--host H] [--data DIR] [--config FILE]
                       [--api-key K] [--hmac-key H] [--strict-signatures]
                       [--tls-key FILE --tls-cert FILE]
  --port N              listen port (0 = any free port; default 4810)
  --host H              listen address (default 127.0.0.1)
  --data DIR            data directory (default ./.ei-data)
  --config FILE         projects and keys (default DIR/config.json; created with random keys)
  --api-key K           API key of the default project for this run (never written to the config)
  --hmac-key H          HMAC key of the default project for this run (never written to the config)
  --strict-signatures   reject documents whose signature does not verify (400)
`;

const COMMAND = { name: 'ei-ingest serve', usage: USAGE };

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
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  let port: number;
  try {
    port = values.port === undefined ? 4810 : integerOption('--port', values.port, 0, 65535, '0..65535');
  } catch (e) {
    return usageError(COMMAND, (e as Error).message);
  }
  if ((values['tls-key'] === undefined) !== (values['tls-cert'] === undefined)) return usageError(COMMAND, '--tls-key and --tls-cert go together');
  const dataDir = resolve(values.data ?? '.ei-data');
  // Remote management (devices over WebSocket, start-sampling) rides on the same server.
  const rm = createRemoteManagement();
  const svc = await startIngestionService({
    extraRoutes: rm.routes,
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
  process.stdout.write(`${svc.url}\n`);
  process.stdout.write(`project ${svc.projectId}; data in ${dataDir}\n`);
  const fresh = { api: svc.configCreated && values['api-key'] === undefined, hmac: svc.configCreated && values['hmac-key'] === undefined };
  if (fresh.api || fresh.hmac) {
    // The one place keys are shown: generated just now, into a new 0600 config, on the operator's terminal.
    process.stdout.write(`new config ${resolve(values.config ?? join(dataDir, 'config.json'))} (mode 0600), keys shown once:\n`);
    if (fresh.api) process.stdout.write(`  API key:  ${svc.apiKey}\n`);
    if (fresh.hmac && svc.hmacKey !== undefined) process.stdout.write(`  HMAC key: ${svc.hmacKey}\n`);
  }
  await new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      void rm
        .close()
        .then(() => svc.close())
        .then(done);
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
  });
  return 0;
}
