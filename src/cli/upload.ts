/**
 * `ei-ingest upload <files or globs…>`: the Edge Impulse uploader's job with keep-alive,
 * retries, duplicate refusal by default and a clear summary.
 *
 *   npx tsx src/cli.ts upload data/*.cbor --category training --endpoint http://127.0.0.1:4810 --api-key ei_…
 */
import { readFileSync } from 'node:fs';
import { DEFAULT_ENDPOINT, IngestionClient } from '../client/client.ts';
import { HttpStatusError, UploadError } from '../client/errors.ts';
import { CATEGORIES } from '../http/request.ts';
import type { Connector } from '../transport/transport.ts';
import { EiError } from '../errors.ts';
import { expandPaths, isLabelFile, labelPart, prepareFile } from './upload-files.ts';
import { UploadReporter, type FileOutcome, type Mode, type Output } from './upload-progress.ts';
import { integerOption, parseCommandArgs, usageError } from './args.ts';

const USAGE = `usage: ei-ingest upload <files or globs…> [options]
  --category training|testing|anomaly|split   (default training)
  --label L | --no-label                      label for every file (default: from the file name)
  --allow-duplicates                          do not send x-disallow-duplicates: 1
  --add-date-id                               let the service add a date id to names
  --metadata JSON                             x-metadata, a JSON object of strings
  --endpoint URL                              default ${DEFAULT_ENDPOINT}
  --api-key K                                 or EI_API_KEY
  --hmac-key K                                re-sign .json/.cbor documents (or EI_HMAC_KEY)
  --concurrency N                             parallel connections (default 1)
  --ca FILE                                   trusted CA (PEM) for an https endpoint
  --timeout S                                 deadline per attempt in seconds, plus 1 s per --min-rate
                                              bytes of request (default 300)
  --min-rate B                                slowest link in bytes/s: responses slower fail (default 1024; 0 = off)
  --json                                      one JSON summary on stdout
  --modem PATH [--baud N] [--tls] [--sec-tag N]   send through an nRF91 modem on a serial port
Label files (info.labels, bounding_boxes.labels, structured_labels.labels) go with every request.
`;

export interface UploadIo {
  stdout: Output;
  stderr: Output;
  env: Record<string, string | undefined>;
  isTTY: boolean;
}

export async function run(argv: string[]): Promise<number> {
  return runUpload(argv, {
    stdout: { write: (s) => void process.stdout.write(s) },
    stderr: { write: (s) => void process.stderr.write(s) },
    env: process.env,
    isTTY: Boolean(process.stderr.isTTY),
  });
}

/** The command with injectable streams and environment (tests run it in-process). */
export async function runUpload(argv: string[], io: UploadIo): Promise<number> {
  const command = { name: 'upload', usage: USAGE, io };
  const parsed = parseCommandArgs(
    command,
    argv,
    {
      category: { type: 'string', default: 'training' },
      label: { type: 'string' },
      'no-label': { type: 'boolean', default: false },
      'allow-duplicates': { type: 'boolean', default: false },
      'add-date-id': { type: 'boolean', default: false },
      metadata: { type: 'string' },
      endpoint: { type: 'string' },
      'api-key': { type: 'string' },
      'hmac-key': { type: 'string' },
      concurrency: { type: 'string', default: '1' },
      ca: { type: 'string' },
      timeout: { type: 'string' },
      'min-rate': { type: 'string' },
      json: { type: 'boolean', default: false },
      modem: { type: 'string' },
      baud: { type: 'string' },
      tls: { type: 'boolean', default: false },
      'sec-tag': { type: 'string' },
    },
    { positionals: true },
  );
  if (typeof parsed === 'number') return parsed;
  const { values: o, positionals } = parsed;
  const usage = (msg: string): number => usageError(command, msg);
  // The usage here has always been followed by one more blank line than after a parse error.
  if (positionals.length === 0) return usage('no files given\n' + USAGE);
  if (!(CATEGORIES as readonly string[]).includes(o.category!)) return usage(`--category must be one of ${CATEGORIES.join(', ')}`);
  if (o.label !== undefined && o['no-label']) return usage('--label and --no-label exclude each other');
  const apiKey = o['api-key'] ?? io.env.EI_API_KEY;
  if (!apiKey) return usage('no API key: pass --api-key or set EI_API_KEY');
  const hmacKey = o['hmac-key'] ?? io.env.EI_HMAC_KEY;
  let concurrency: number;
  try {
    concurrency = integerOption('--concurrency', o.concurrency, 1, 64);
  } catch (e) {
    return usage((e as Error).message);
  }
  const deadlines: { totalMs?: number; minRateBytesPerSec?: number } = {};
  try {
    if (o.timeout !== undefined) deadlines.totalMs = integerOption('--timeout', o.timeout, 1, 10_000_000) * 1000;
    if (o['min-rate'] !== undefined) deadlines.minRateBytesPerSec = integerOption('--min-rate', o['min-rate'], 0, 1_000_000_000);
  } catch (e) {
    return usage((e as Error).message);
  }
  if (o.metadata !== undefined) {
    try {
      JSON.parse(o.metadata);
    } catch {
      return usage('--metadata must be a JSON object of strings');
    }
  }
  const endpoint = o.endpoint ?? DEFAULT_ENDPOINT;
  let url: URL;
  try {
    url = new URL(endpoint);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error();
  } catch {
    return usage(`--endpoint must be an http:// or https:// URL`);
  }

  let paths: string[];
  try {
    paths = expandPaths(positionals);
  } catch (e) {
    return usage((e as Error).message);
  }
  const labelPaths = paths.filter(isLabelFile);
  const samplePaths = paths.filter((p) => !isLabelFile(p));
  if (samplePaths.length === 0) return usage('no sample files (only label files) given');
  let extraParts;
  try {
    extraParts = labelPaths.map(labelPart);
  } catch (e) {
    return usage(`cannot read label file: ${(e as Error).message}`);
  }

  let connector: (Connector & { close?(): Promise<void> }) | undefined;
  if (o.modem !== undefined) {
    try {
      connector = await modemConnector(o.modem, url, o);
    } catch (e) {
      return usage((e as Error).message);
    }
  }
  let ca: string | undefined;
  if (o.ca !== undefined) {
    try {
      ca = readFileSync(o.ca, 'utf8');
    } catch (e) {
      return usage(`cannot read --ca file: ${(e as Error).message}`);
    }
  }

  const client = new IngestionClient({
    endpoint,
    connector,
    tls: ca ? { ca } : undefined,
    apiKey,
    maxConnections: connector ? 1 : concurrency,
    // Modem bring-up waits for network registration (up to a minute) and LTE round trips are slow.
    timeouts: { ...(connector ? { connectMs: 120_000, firstByteMs: 90_000, idleMs: 90_000 } : {}), ...deadlines },
  });
  const mode: Mode = o.json ? 'json' : io.isTTY ? 'tty' : 'plain';
  // Sizes for the progress bar come from stat; prepared lazily so a huge list stays cheap.
  const prepared = await Promise.all(samplePaths.map((p) => prepareFile(p, hmacKey).catch((e: unknown) => e as Error)));
  const totalBytes = prepared.reduce((s, p) => s + (p instanceof Error ? 0 : p.body.length), 0);
  const reporter = new UploadReporter(mode, io.stdout, io.stderr, samplePaths.length, totalBytes);

  let next = 0;
  const worker = async () => {
    for (let i = next++; i < samplePaths.length; i = next++) {
      const path = samplePaths[i]!;
      const file = prepared[i]!;
      if (file instanceof Error) {
        reporter.done({ file: path, status: 'failed', bytes: 0, error: file.message.replace(`${path}: `, ''), code: (file as EiError).code });
        continue;
      }
      reporter.done(await uploadOne(client, file.path, file.fileName, file.body, o, extraParts, reporter));
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(concurrency, samplePaths.length) }, worker));
  } finally {
    await client.close();
    await connector?.close?.();
  }
  return reporter.finish();
}

type Opts = { category?: string; label?: string; 'no-label'?: boolean; 'allow-duplicates'?: boolean; 'add-date-id'?: boolean; metadata?: string };

async function uploadOne(
  client: IngestionClient,
  path: string,
  fileName: string,
  body: import('../encode/body.ts').EncodedBody,
  o: Opts,
  extraParts: ReturnType<typeof labelPart>[],
  reporter: UploadReporter,
): Promise<FileOutcome> {
  try {
    const res = await client.upload(
      body,
      {
        kind: 'files',
        category: o.category!,
        fileName,
        label: o.label,
        noLabel: o['no-label'] || undefined,
        disallowDuplicates: !o['allow-duplicates'],
        addDateId: o['add-date-id'] || undefined,
        metadata: o.metadata,
        uploadSource: 'ei-ingest',
        extraParts,
      },
      { onProgress: (sent) => reporter.progress(path, Math.min(sent, body.length)) },
    );
    return { ...classify(res.body), file: path, attempts: res.attempts, bytes: body.length };
  } catch (e) {
    const err = e as EiError;
    const cause = (err.cause instanceof UploadError ? err.cause : err) as EiError;
    const message = cause instanceof HttpStatusError ? `${cause.status} ${cause.serviceMessage ? filesError(cause.serviceMessage) : ''}`.trim() : err.message;
    return { file: path, status: 'failed', bytes: 0, error: message, code: err.code };
  }
}

/** Reads the `/files` answer: `{success, files:[{success, error?, duplicate?, sampleId, fileName}]}`. */
function classify(text: string): Omit<FileOutcome, 'file' | 'bytes'> {
  let j: { files?: Array<{ success?: boolean; error?: string; duplicate?: boolean; sampleId?: number; fileName?: string }> };
  try {
    j = JSON.parse(text);
  } catch {
    return { status: 'stored', fileName: text.trim().slice(0, 200) };
  }
  const f = j.files?.[0];
  if (!f) return { status: 'stored' };
  // Edge Impulse phrases a refused duplicate as "already exists"; the local service flags it.
  if (f.duplicate || (f.error && /already exist|duplicate/i.test(f.error))) return { status: 'duplicate', sampleId: f.sampleId, fileName: f.fileName };
  if (f.success === false) return { status: 'failed', error: f.error ?? 'rejected by the service', code: 'EI_UPLOAD_REJECTED' };
  return { status: 'stored', sampleId: f.sampleId, fileName: f.fileName };
}

function filesError(text: string): string {
  try {
    const j = JSON.parse(text) as { error?: string; files?: Array<{ error?: string }> };
    return j.files?.[0]?.error ?? j.error ?? text;
  } catch {
    return text;
  }
}

type ModemConnectorLike = Connector & { close?(): Promise<void> };

async function modemConnector(path: string, url: URL, o: { baud?: string; tls?: boolean; 'sec-tag'?: string }): Promise<ModemConnectorLike> {
  let mod: { createModemConnector(opts: { path: string; baud?: number; host: string; port: number; tls?: boolean; secTag?: number }): ModemConnectorLike };
  try {
    mod = (await import('../transport/modem/index.ts')) as typeof mod;
  } catch (e) {
    throw new Error(`--modem is not available in this build (${(e as Error).message})`);
  }
  const tls = o.tls || url.protocol === 'https:';
  const port = url.port ? Number(url.port) : tls ? 443 : 80;
  return mod.createModemConnector({
    path,
    baud: o.baud !== undefined ? Number(o.baud) : undefined,
    host: url.hostname,
    port,
    tls,
    secTag: o['sec-tag'] !== undefined ? Number(o['sec-tag']) : undefined,
  });
}
