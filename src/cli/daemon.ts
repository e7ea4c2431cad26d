/**
 * `ei-ingest daemon --port PATH[@BAUD]`: bridges a board running Edge Impulse firmware (serial AT
 * protocol) to remote management and ingestion, uploading through the durable spool and telling
 * Studio only what really happened. `--list-ports` shows candidate ports; none is ever picked for you.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IngestionClient } from '../client/index.ts';
import { configDir, DEFAULT_ENDPOINTS, defaultConfigPath, loadConfig } from '../config/index.ts';
import { HelloRefusedError } from '../device/errors.ts';
import { keyFingerprint } from '../device/keys.ts';
import { directUploader, spoolUploader } from '../device/uploader.ts';
import type { SampleUploader } from '../device/uploader.ts';
import { Spool } from '../spool/index.ts';
import { Daemon } from '../daemon/daemon.ts';
import { parseDaemonPort } from '../daemon/port-spec.ts';
import { formatPorts, listPorts } from '../daemon/ports.ts';
import { parseCommandArgs, positiveNumberOption, usageError } from './args.ts';

const HELP = `usage: ei-ingest daemon --port PATH[@BAUD] [options]
       ei-ingest daemon --list-ports
Connects a board running Edge Impulse firmware (serial AT protocol) to remote management; samples
it records are read back, signed on the host when the board left the signature blank, spooled and
uploaded; Studio hears sampleFinished only once the service stored the sample.
  --port PATH[@BAUD]  the board's serial port (default 115200 baud); opened exclusively
  --list-ports        list candidate serial ports with USB vendor:product ids and exit
  --remote-mgmt URL   default: config file, else wss://remote-mgmt.edgeimpulse.com
  --endpoint URL      ingestion endpoint; default: config file, else https://ingestion.edgeimpulse.com
  --api-key K         default: $EI_API_KEY, else the config file
  --config FILE       config written by 'keys --save'
  --device-type T     default: the board's own type
  --no-fast           never use fast transfer (AT >= 1.6 boards offer it)
  --timeout MS        deadline per AT command (default 2000)
  --spool DIR         spool directory (default <config dir>/daemon-spool); --no-spool uploads directly
  --upload-wait S     seconds to wait for a spooled upload before reporting it pending (default 60)
  --ca FILE           CA certificate (PEM) to trust for wss:// and https://
`;

const COMMAND = { name: 'daemon', usage: HELP };

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(COMMAND, argv, {
    port: { type: 'string' },
    'list-ports': { type: 'boolean' },
    'remote-mgmt': { type: 'string' },
    endpoint: { type: 'string' },
    'api-key': { type: 'string' },
    config: { type: 'string' },
    'device-type': { type: 'string' },
    'no-fast': { type: 'boolean' },
    timeout: { type: 'string' },
    spool: { type: 'string' },
    'no-spool': { type: 'boolean' },
    'upload-wait': { type: 'string' },
    ca: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const a = parsed.values;
  if (a['list-ports']) {
    process.stdout.write(formatPorts(await listPorts()));
    return 0;
  }
  if (!a.port) return usageError(COMMAND, '--port is required (see --list-ports); the daemon never picks a port by itself');
  const spec = parseDaemonPort(a.port);
  const cfg = loadConfig(a.config ?? defaultConfigPath());
  const apiKey = a['api-key'] || process.env.EI_API_KEY || cfg.apiKey;
  if (!apiKey) return usageError(COMMAND, 'no API key: give --api-key, set EI_API_KEY, or run "keys --save-default" first');
  const remoteUrl = a['remote-mgmt'] ?? cfg.endpoints?.remoteMgmt ?? DEFAULT_ENDPOINTS.remoteMgmt;
  const endpoint = a.endpoint ?? cfg.endpoints?.ingestion ?? DEFAULT_ENDPOINTS.ingestion;
  const ca = a.ca ? readFileSync(a.ca) : undefined;

  const client = new IngestionClient({ endpoint, apiKey, tls: ca ? { ca } : undefined });
  let spool: Spool | undefined;
  let uploader: SampleUploader;
  if (a['no-spool']) uploader = directUploader(client);
  else {
    spool = await Spool.open(a.spool ?? join(configDir(), 'daemon-spool'));
    uploader = spoolUploader({ spool, client, waitMs: (positiveNumberOption('--upload-wait', a['upload-wait']) ?? 60) * 1000 });
  }
  const log = (line: string) => process.stderr.write(`[daemon] ${line}\n`);
  const daemon = new Daemon({
    port: { path: spec.path, baudRate: spec.baudRate, timeoutMs: positiveNumberOption('--timeout', a.timeout) },
    board: { fastTransfer: !a['no-fast'] },
    remoteMgmtUrl: remoteUrl,
    apiKey,
    uploader,
    deviceType: a['device-type'],
    wsOptions: ca ? { ca } : undefined,
    log,
  });
  const stop = () => void daemon.stop();
  let code = 0;
  try {
    const { deviceId } = await daemon.start();
    log(`device id ${deviceId}, key ${keyFingerprint(apiKey)}, remote management ${remoteUrl}, ingestion ${endpoint}${spool ? `, spool ${spool.dir}` : ''}`);
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    await daemon.done;
  } catch (err) {
    if (err instanceof HelloRefusedError) code = 3;
    else throw err;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await daemon.stop();
    await uploader.close();
    await client.close();
    await spool?.close();
  }
  return code;
}
