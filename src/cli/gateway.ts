/**
 * `ei-ingest gateway`: forwards microcontrollers on serial ports to the ingestion service
 * through the durable spool. Line-protocol ports are cut into signed samples; framed ports carry
 * pre-encoded documents. Runs until SIGINT/SIGTERM; a second signal exits at once.
 */
import { open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { Spool } from '../spool/index.ts';
import type { FullPolicy } from '../spool/index.ts';
import { Gateway } from '../gateway/gateway.ts';
import type { GatewayEvent } from '../gateway/gateway.ts';
import { parsePortSpec } from '../gateway/port-spec.ts';
import { parseSensorList } from '../gateway/line-parser.ts';
import { parseDeviceKeys } from '../gateway/frame-verify.ts';
import { batchingFlags, deadLetterFlags, makeSender, resolveEndpoint, spoolDir } from './spool-endpoint.ts';
import { parseCommandArgs, positiveNumberOption, usageError } from './args.ts';

const USAGE = `usage: ei-ingest gateway --port PATH[:line|:framed][@BAUD] [--port …] --label L [options]
  --port P            serial port; ':line' (default) = data forwarder protocol, ':framed' = COBS frames
  --label L           label of the samples (framed documents may carry their own)
  --category C        training (default), testing, anomaly or split
  --sample-ms N       sample length for line ports (default 1000)
  --frequency HZ      sampling frequency of line ports (default: detected from arrival times)
  --sensors a,b[u]    column names (default: asked from the device, else value0…)
  --detect-ms N       shortest frequency-detection window (default 2000)
  --format cbor|json  document format for line ports (default cbor)
  --spool DIR         spool directory (default $EI_SPOOL_DIR or <config dir>/spool)
  --max-count N       spool cap in samples (default 10000)
  --max-bytes N       spool cap in bytes (default 256 MiB)
  --when-full P       refuse (default) or drop-oldest
  --endpoint URL      ingestion service (default $EI_INGESTION_URL, the config, or Edge Impulse)
  --api-key K         API key (default $EI_API_KEY or the config)
  --hmac-key K        project HMAC key to sign line samples (default $EI_HMAC_KEY or the config)
  --device-keys S     ES256 public keys of framed devices: 'id=04…hex,…', JSON, or @file
  --no-send           only spool (drain later with 'ei-ingest spool drain')
  --dead-attempts N   dead-letter a sample failing on its own (same 5xx) after N tries (default 5)…
  --dead-age S        …over at least S seconds (default 600), once another sample went through
  --connections N     requests in flight at once, each on its own connection (default 2)
  --batch-files N     most samples per /files request (default and most 1000)
  --batch-bytes N     most bytes per /files request (default 1048576)
  --order O           key (default: samples of one label stored in acceptance order) or none
  --ack-log FILE      append 'sha256 file-name port' per spooled sample, fsynced (audits, tests)
  --quiet             no progress line even on a terminal
`;

const COMMAND = { name: 'ei-ingest gateway', usage: USAGE };

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(COMMAND, argv, {
    port: { type: 'string', multiple: true },
    label: { type: 'string' },
    category: { type: 'string' },
    'sample-ms': { type: 'string' },
    frequency: { type: 'string' },
    sensors: { type: 'string' },
    'detect-ms': { type: 'string' },
    format: { type: 'string' },
    spool: { type: 'string' },
    'max-count': { type: 'string' },
    'max-bytes': { type: 'string' },
    'when-full': { type: 'string' },
    endpoint: { type: 'string' },
    'api-key': { type: 'string' },
    'hmac-key': { type: 'string' },
    'device-keys': { type: 'string' },
    'no-send': { type: 'boolean' },
    'dead-attempts': { type: 'string' },
    'dead-age': { type: 'string' },
    connections: { type: 'string' },
    'batch-files': { type: 'string' },
    'batch-bytes': { type: 'string' },
    order: { type: 'string' },
    'ack-log': { type: 'string' },
    quiet: { type: 'boolean' },
  });
  if (typeof parsed === 'number') return parsed;
  const { values } = parsed;
  const fail = (msg: string): number => usageError(COMMAND, msg);
  if (!values.port?.length) return fail('at least one --port is required');
  if (!values.label) return fail('--label is required');
  let ports, sensors, deviceKeys, sampleMs, frequency, detectMs, maxCount, maxBytes;
  try {
    ports = values.port.map(parsePortSpec);
    sensors = values.sensors ? parseSensorList(values.sensors) ?? undefined : undefined;
    if (values.sensors && !sensors) return fail('--sensors must look like accX[m/s2],accY,accZ');
    const keyText = values['device-keys']?.startsWith('@') ? await readFile(values['device-keys'].slice(1), 'utf8') : values['device-keys'];
    deviceKeys = keyText ? parseDeviceKeys(keyText) : undefined;
    sampleMs = positiveNumberOption('--sample-ms', values['sample-ms']) ?? 1000;
    frequency = positiveNumberOption('--frequency', values.frequency);
    detectMs = positiveNumberOption('--detect-ms', values['detect-ms']);
    maxCount = positiveNumberOption('--max-count', values['max-count']);
    maxBytes = positiveNumberOption('--max-bytes', values['max-bytes']);
  } catch (e) {
    return fail((e as Error).message);
  }
  const whenFull = (values['when-full'] ?? 'refuse') as FullPolicy;
  if (whenFull !== 'refuse' && whenFull !== 'drop-oldest') return fail('--when-full must be refuse or drop-oldest');
  const format = values.format ?? 'cbor';
  if (format !== 'cbor' && format !== 'json') return fail('--format must be cbor or json');
  let deadLetter;
  let batching;
  try {
    deadLetter = deadLetterFlags(values['dead-attempts'], values['dead-age']);
    batching = batchingFlags(values.connections, values['batch-files'], values['batch-bytes'], values.order);
  } catch (e) {
    return fail((e as Error).message);
  }
  const ep = resolveEndpoint({ endpoint: values.endpoint, apiKey: values['api-key'] });
  const hmacKey = values['hmac-key'] ?? ep.hmacKey;
  if (!values['no-send'] && !ep.apiKey) return fail('no API key (--api-key, $EI_API_KEY or `keys --save`), or use --no-send');

  const tty = process.stderr.isTTY && !values.quiet;
  const say = (line: string) => process.stderr.write((tty ? '\r\x1b[K' : '') + line + '\n');
  const spool = await Spool.open(spoolDir(values.spool), { maxCount, maxBytes, whenFull });
  if (spool.stats().tornCleaned) say(`spool: removed ${spool.stats().tornCleaned} torn write(s) left by a crash`);
  if (spool.stats().count) say(`spool: ${spool.stats().count} sample(s) waiting from before`);

  let ackLog: FileHandle | null = values['ack-log'] ? await open(values['ack-log'], 'a') : null;
  const onEvent = (e: GatewayEvent) => {
    if (e.type === 'frequency') {
      say(e.source === 'detected'
        ? `${e.port}: detected ${e.measuredHz!.toFixed(2)} Hz (±${(e.uncertainty! * 100).toFixed(2)}%), using ${e.hz} Hz (override with --frequency)`
        : `${e.port}: using ${e.hz} Hz (--frequency)`);
    } else if (e.type === 'sensors') say(`${e.port}: sensors ${e.sensors.map((s) => `${s.name}[${s.units}]`).join(', ')} (${e.source})`);
    else if (e.type === 'port-up') say(`${e.port}: open`);
    else if (e.type === 'port-down') say(`${e.port}: down (${e.reason}), retrying`);
    else if (e.type === 'refused') say(`${e.port}: sample not spooled: ${e.reason}`);
    else if (e.type === 'dropped-oldest') say(`spool full: dropped ${e.count} oldest sample(s) for a new one from ${e.port} (${spool.stats().droppedOldest} in all)`);
    else if (e.type === 'frame-rejected') say(`${e.port}: frame from '${e.deviceId}' rejected: ${e.reason}`);
    else if (e.type === 'error') say(`${e.port}: ${e.message}`);
  };
  const gateway = new Gateway({
    ports, spool, label: values.label, category: values.category ?? 'training', sampleMs, frequencyHz: frequency, sensors,
    hmacKey, format, deviceKeys, detectMs, onEvent,
    onAck: ackLog
      ? async (a) => {
          await ackLog!.write(`${a.sha256} ${a.fileName} ${a.port}\n`);
          await ackLog!.datasync();
        }
      : undefined,
  });
  const ac = new AbortController();
  let sending: Promise<unknown> = Promise.resolve();
  let closeClient = async () => {};
  let sender: ReturnType<typeof makeSender>['sender'] | null = null;
  if (!values['no-send']) {
    const made = makeSender(spool, ep.endpoint, ep.apiKey!, undefined, deadLetter, batching);
    sender = made.sender;
    closeClient = () => made.client.close();
    sending = sender.run({ signal: ac.signal });
  }
  gateway.start();
  const progress = tty
    ? setInterval(() => {
        const parts = gateway.stats().map(
          (p) => `${p.path.replace(/^.*\//, '')}${p.up ? '' : ' (down)'}: ${p.samples} samples, ${p.protocol === 'line' ? `${p.garbage} garbage` : `${p.frameErrors} bad frames`}`,
        );
        const st = spool.stats();
        const c = sender?.counts;
        process.stderr.write(`\r\x1b[K${parts.join(' | ')} | spool: ${st.count} waiting${c ? `, ${c.delivered} sent, ${c.dead} dead` : ''}${sender?.lastError ? ` (${sender.lastError})` : ''}`);
      }, 500)
    : null;
  await new Promise<void>((resolve) => {
    const onSig = () => {
      process.once('SIGINT', () => process.exit(130));
      resolve();
    };
    process.once('SIGINT', onSig);
    process.once('SIGTERM', onSig);
  });
  if (progress) clearInterval(progress);
  await gateway.stop();
  ac.abort();
  await sending;
  await closeClient();
  const st = spool.stats();
  for (const p of gateway.stats()) {
    say(`${p.path}: ${p.samples} samples spooled, ${p.protocol === 'line' ? `${p.garbage} garbage lines, ${p.droppedRows} rows dropped` : `${p.frameErrors} bad frames, ${p.rejectedFrames} rejected`}, ${p.refused} refused`);
  }
  say(`spool: ${st.count} waiting, ${st.deadCount} dead letters, ${st.droppedOldest} dropped when full${sender ? `; sent ${sender.counts.delivered}, duplicates ${sender.counts.duplicates}` : ''}`);
  await ackLog?.close();
  ackLog = null;
  await spool.close();
  return 0;
}
