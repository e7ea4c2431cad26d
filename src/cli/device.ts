/**
 * `ei-ingest device --sensor <sim|serial:/dev/ttyX|cmd:"...">`: a remote-management device. It
 * connects to Studio's remote-management service (or a local service's), announces its sensor,
 * and records, uploads (through the durable spool) and reports each sample Studio asks for.
 * Keys come from flags, the environment (EI_API_KEY) or the config file written by `keys --save`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { IngestionClient } from '../client/index.ts';
import { configDir, DEFAULT_ENDPOINTS, defaultConfigPath, loadConfig } from '../config/index.ts';
import { DeviceClient } from '../device/client.ts';
import { resolveDeviceId } from '../device/device-id.ts';
import { HelloRefusedError } from '../device/errors.ts';
import { keyFingerprint } from '../device/keys.ts';
import { createSource } from '../device/sensors/index.ts';
import { directUploader, spoolUploader } from '../device/uploader.ts';
import type { SampleUploader } from '../device/uploader.ts';
import type { Connector } from '../transport/transport.ts';
import { Spool } from '../spool/index.ts';
import { parseCommandArgs, positiveNumberOption, usageError } from './args.ts';
import { deadLetterFlags } from './spool-endpoint.ts';

const HELP = `usage: ei-ingest device --sensor <sim|serial:/dev/ttyX|cmd:"..."> [options]
Connects to remote management as a device; records, uploads and reports the samples Studio asks for.
  --sensor S          sim (sine + noise), serial:<port> (MCU, data forwarder line protocol), or
                      cmd:<command> (stdout gives one reading per line; gets EI_INTERVAL_MS,
                      EI_LENGTH_MS, EI_SAMPLE_COUNT in its environment)
  --remote-mgmt URL   default: config file, else wss://remote-mgmt.edgeimpulse.com
  --endpoint URL      ingestion endpoint; default: config file, else https://ingestion.edgeimpulse.com
  --api-key K         default: $EI_API_KEY, else the config file
  --config FILE       config written by 'keys --save' (default ${'$'}EI_INGEST_CONFIG or ~/.config/ei-ingest/config.json)
  --device-type T     default ei-ingest
  --device-id ID      default: a MAC address, else a stable id generated once in the config directory
  --imei N            use this IMEI (15 digits) as the device id
  --modem PATH        upload through an nRF91-style modem on this serial port (AT commands; TLS by
                      the modem for https endpoints); its IMEI becomes the device id
  --modem-baud N      modem UART rate (default 115200)
  --sensor-name N     sensor name announced (default Accelerometer for sim, Sensor otherwise)
  --axes a,b,c        axis names; --units U their units
  --frequency HZ      rate to announce (serial: the MCU's rate, detected when absent)
  --max-length S      longest sample in seconds (default 60)
  --baud N            serial baud rate (default 115200)
  --format cbor|json  document encoding (default cbor)
  --spool DIR         spool directory (default <config dir>/device-spool); --no-spool uploads directly
  --upload-wait S     seconds to wait for a spooled upload before reporting it pending (default 60)
  --dead-attempts N   dead-letter a sample failing on its own (same 5xx) after N tries (default 5)…
  --dead-age S        …over at least S seconds (default 600), once another sample went through
  --ca FILE           CA certificate (PEM) to trust for wss:// and https:// (instead of the system store)
`;

const COMMAND = { name: 'device', usage: HELP };

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(COMMAND, argv, {
    sensor: { type: 'string' },
    'remote-mgmt': { type: 'string' },
    endpoint: { type: 'string' },
    'api-key': { type: 'string' },
    config: { type: 'string' },
    'device-type': { type: 'string' },
    'device-id': { type: 'string' },
    imei: { type: 'string' },
    modem: { type: 'string' },
    'modem-baud': { type: 'string' },
    'sensor-name': { type: 'string' },
    axes: { type: 'string' },
    units: { type: 'string' },
    frequency: { type: 'string' },
    'max-length': { type: 'string' },
    baud: { type: 'string' },
    format: { type: 'string' },
    spool: { type: 'string' },
    'no-spool': { type: 'boolean' },
    'upload-wait': { type: 'string' },
    'dead-attempts': { type: 'string' },
    'dead-age': { type: 'string' },
    ca: { type: 'string' },
  });
  if (typeof parsed === 'number') return parsed;
  const a = parsed.values;
  if (!a.sensor) return usageError(COMMAND, '--sensor is required (sim, serial:<port> or cmd:<command>)');
  const format = a.format ?? 'cbor';
  if (format !== 'cbor' && format !== 'json') return usageError(COMMAND, '--format must be cbor or json');

  const cfg = loadConfig(a.config ?? defaultConfigPath());
  const apiKey = a['api-key'] || process.env.EI_API_KEY || cfg.apiKey;
  if (!apiKey) return usageError(COMMAND, 'no API key: give --api-key, set EI_API_KEY, or run "keys --save-default" first');
  const remoteUrl = a['remote-mgmt'] ?? cfg.endpoints?.remoteMgmt ?? DEFAULT_ENDPOINTS.remoteMgmt;
  const endpoint = a.endpoint ?? cfg.endpoints?.ingestion ?? DEFAULT_ENDPOINTS.ingestion;
  const ca = a.ca ? readFileSync(a.ca) : undefined;
  let deadLetter;
  try {
    deadLetter = deadLetterFlags(a['dead-attempts'], a['dead-age']);
  } catch (e) {
    return usageError(COMMAND, (e as Error).message);
  }

  // A bad number flag throws its RangeError out of run (exit 1 through src/cli.ts), as it always has.
  const source = createSource(a.sensor, {
    name: a['sensor-name'],
    axes: a.axes?.split(',').map((s) => s.trim()).filter((s) => s.length > 0),
    units: a.units,
    frequencyHz: positiveNumberOption('--frequency', a.frequency),
    maxSampleLengthS: positiveNumberOption('--max-length', a['max-length']),
    baudRate: positiveNumberOption('--baud', a.baud),
  });
  await source.open();

  // Uploads over a cellular modem: bring it up first, its IMEI names the device.
  let modem: { imei: string | undefined; close(): Promise<void> } | undefined;
  let connector: Connector | undefined;
  let imei = a.imei;
  if (a.modem) {
    const { createModemConnector } = await import('../transport/modem/index.ts');
    const u = new URL(endpoint);
    const m = createModemConnector({
      path: a.modem,
      baud: positiveNumberOption('--modem-baud', a['modem-baud']),
      host: u.hostname,
      port: u.port ? Number(u.port) : u.protocol === 'https:' ? 443 : 80,
      tls: u.protocol === 'https:',
    });
    modem = m;
    connector = m;
    imei ??= (await m.ready()).imei;
  }
  const id = resolveDeviceId({ explicit: a['device-id'], imei, configDir: configDir() });

  const client = connector
    ? new IngestionClient({ connector, apiKey })
    : new IngestionClient({ endpoint, apiKey, tls: ca ? { ca } : undefined });
  let spool: Spool | undefined;
  let uploader: SampleUploader;
  if (a['no-spool']) uploader = directUploader(client);
  else {
    spool = await Spool.open(a.spool ?? join(configDir(), 'device-spool'));
    uploader = spoolUploader({ spool, client, waitMs: (positiveNumberOption('--upload-wait', a['upload-wait']) ?? 60) * 1000, deadLetter });
  }

  const log = (line: string) => process.stderr.write(`[device] ${line}\n`);
  log(`device id ${id.id} (${id.source}), sensor ${source.name} at ${source.frequencies.join('/')} Hz, key ${keyFingerprint(apiKey)}`);
  log(`remote management ${remoteUrl}, ingestion ${endpoint}${modem ? ` via modem ${a.modem}` : ''}${spool ? `, spool ${spool.dir}` : ''}`);
  const dev = new DeviceClient({
    url: remoteUrl,
    apiKey,
    deviceId: id.id,
    deviceType: a['device-type'] ?? 'ei-ingest',
    source,
    uploader,
    format,
    wsOptions: ca ? { ca } : undefined,
    log,
  });
  const stop = () => void dev.stop();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  dev.start();
  let code = 0;
  try {
    await dev.done;
  } catch (err) {
    if (!(err instanceof HelloRefusedError)) throw err;
    code = 3;
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    await uploader.close();
    await client.close();
    await spool?.close();
    await modem?.close();
    await source.close();
  }
  return code;
}
