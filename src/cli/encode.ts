/**
 * `ei-ingest encode <document.json> [--format cbor|json] [--layout c-sdk|docs|python|compact]
 *   [--alg none|HS256|ES256] [--hmac-key KEY] [--iat SECONDS] [-o FILE]`
 * Encodes and signs an acquisition document; writes the body (or, with --request, the whole raw
 * HTTP request) to FILE or stdout. Bad input: exit 1 with the error code and path on stderr, and
 * nothing written (a regular or new FILE gets a temp file renamed into place only on success; a
 * device, FIFO or socket is opened and written, never replaced).
 */
import { closeSync, fchmodSync, lstatSync, openSync, readFileSync, realpathSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { dirname, basename, join } from 'node:path';
import { encodeDocument } from '../encode/index.ts';
import type { EncodedBody } from '../encode/body.ts';
import type { EncodeOptions } from '../encode/plan.ts';
import { LAYOUT_NAMES, type LayoutName } from '../encode/layout.ts';
import type { Alg, DocumentInput } from '../model/document.ts';
import { parseCommandArgs, usageError } from './args.ts';

const HELP = `usage: ei-ingest encode <document.json> [--format cbor|json] [--layout c-sdk|docs|python|compact]
                      [--alg none|HS256|ES256] [--hmac-key KEY] [--iat SECONDS] [-o FILE]
Encodes and signs an acquisition document (JSON; 'protected' may be absent; '-' reads stdin).
  --format F        cbor (default; json when -o ends in .json) or json
  --layout L        c-sdk, docs, python or compact (default)
  --alg A           none, HS256 or ES256 (default: HS256 with a key, else protected.alg, else none)
  --hmac-key KEY    HS256 key (or EI_HMAC_KEY); a key without --alg means HS256
  --es256-key FILE  file holding the ES256 private key as 64 hex chars (or EI_ES256_KEY holding the hex)
  --iat SECONDS     protected.iat
  --allow-non-finite  let NaN/Infinity through in CBOR
  -o FILE           output file (default stdout)
Raw HTTP request instead of the bare body:
  --request data|files --api-key K [--category training] [--file-name NAME] [--label L]
  [--host ingestion.edgeimpulse.com] [--boundary B]
`;

const COMMAND = { name: 'ei-ingest encode', usage: HELP };

/** A bad flag value found after parsing: reported with the usage, exit 2. */
class UsageError extends Error {}

export async function run(argv: string[]): Promise<number> {
  const parsed = parseCommandArgs(
    COMMAND,
    argv,
    {
      format: { type: 'string' },
      layout: { type: 'string' },
      alg: { type: 'string' },
      'hmac-key': { type: 'string' },
      'es256-key': { type: 'string' },
      iat: { type: 'string' },
      'allow-non-finite': { type: 'boolean', default: false },
      output: { type: 'string', short: 'o' },
      // --request wiring (frameRequest from src/http/request.ts)
      request: { type: 'string' },
      category: { type: 'string' },
      'api-key': { type: 'string' },
      label: { type: 'string' },
      'file-name': { type: 'string' },
      boundary: { type: 'string' },
      host: { type: 'string' },
    },
    { positionals: true },
  );
  if (typeof parsed === 'number') return parsed;
  const o = parsed.values;
  try {
    if (parsed.positionals.length !== 1) throw new UsageError('expected exactly one document file');
    const input = parsed.positionals[0];
    const opts = encodeOptions(o);
    let doc: DocumentInput;
    try {
      doc = JSON.parse(readFileSync(input === '-' ? 0 : input, 'utf8')) as DocumentInput;
    } catch (e) {
      process.stderr.write(`ei-ingest encode: EI_DOC_READ: cannot read ${input}: ${(e as Error).message}\n`);
      return 1;
    }
    let body: EncodedBody = encodeDocument(doc, opts);
    if (o.request !== undefined) body = await frame(body, o, opts.format);
    emit(body, o.output);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) return usageError(COMMAND, e.message, { withUsage: true });
    const err = e as { code?: string; path?: string; message?: string };
    if (typeof err.code === 'string') {
      // DocumentError messages already start with the path.
      process.stderr.write(`ei-ingest encode: ${err.code}: ${err.message}\n`);
      return 1;
    }
    throw e;
  }
}

type Flags = Record<string, string | boolean | undefined>;

function encodeOptions(o: Flags): EncodeOptions {
  const out = o.output as string | undefined;
  const format = (o.format as string | undefined) ?? (out?.endsWith('.json') ? 'json' : 'cbor');
  if (format !== 'cbor' && format !== 'json') throw new UsageError(`--format must be cbor or json, got '${format}'`);
  const layout = (o.layout as string | undefined) ?? 'compact';
  if (!(LAYOUT_NAMES as readonly string[]).includes(layout)) throw new UsageError(`--layout must be one of ${LAYOUT_NAMES.join(', ')}`);
  const alg = o.alg as string | undefined;
  if (alg !== undefined && alg !== 'none' && alg !== 'HS256' && alg !== 'ES256') throw new UsageError(`--alg must be none, HS256 or ES256, got '${alg}'`);
  const hmacKey = (o['hmac-key'] as string | undefined) ?? process.env.EI_HMAC_KEY;
  let privateKey: Uint8Array | undefined;
  const esFile = o['es256-key'] as string | undefined;
  const esHex = esFile !== undefined ? readKeyFile(esFile) : process.env.EI_ES256_KEY?.trim();
  if (esHex !== undefined && esHex !== '') {
    // Never echo the value: it is a private key.
    if (!/^[0-9a-fA-F]{64}$/.test(esHex)) throw new UsageError(`the ES256 key ${esFile !== undefined ? 'file' : 'in EI_ES256_KEY'} must hold 64 hex characters (a P-256 private scalar)`);
    privateKey = Uint8Array.from(Buffer.from(esHex, 'hex'));
  }
  let effective: Alg | undefined = alg as Alg | undefined;
  if (effective === undefined && hmacKey !== undefined) effective = 'HS256';
  else if (effective === undefined && privateKey !== undefined) effective = 'ES256';
  let iat: number | undefined;
  if (o.iat !== undefined) {
    iat = Number(o.iat);
    if (!/^\d+$/.test(o.iat as string) || !Number.isSafeInteger(iat)) throw new UsageError('--iat must be integer seconds since the epoch');
  }
  return {
    format,
    layout: layout as LayoutName,
    alg: effective,
    hmacKey,
    privateKey,
    iat,
    allowNonFinite: o['allow-non-finite'] === true,
  };
}

/**
 * The key text of an `--es256-key` file. Errors name neither the path nor the content: a key
 * passed by mistake as the flag's value would otherwise be printed (as "no such file <key>").
 */
function readKeyFile(path: string): string {
  try {
    return readFileSync(path, 'utf8').trim();
  } catch (e) {
    const code = (e as { code?: string }).code ?? 'EIO';
    const hint = /^[0-9a-fA-F]{64}$/.test(path.trim()) ? '; the flag takes a file holding the key, not the key (or set EI_ES256_KEY)' : '';
    throw new UsageError(`cannot read the --es256-key file (${code})${hint}`);
  }
}

// ---- --request: the coordinator's wiring point to H3's framer (src/http/request.ts) ----
async function frame(body: EncodedBody, o: Flags, format: 'cbor' | 'json'): Promise<EncodedBody> {
  const kind = o.request as string;
  if (kind !== 'data' && kind !== 'files') throw new UsageError("--request must be 'data' or 'files'");
  const apiKey = (o['api-key'] as string | undefined) ?? process.env.EI_API_KEY;
  if (apiKey === undefined) throw new UsageError('--request needs --api-key (or EI_API_KEY)');
  const http = await import('../http/request.ts');
  return http.frameRequest(body, {
    kind,
    category: (o.category as string | undefined) ?? 'training',
    host: (o.host as string | undefined) ?? 'ingestion.edgeimpulse.com',
    apiKey,
    fileName: (o['file-name'] as string | undefined) ?? `sample.${format}`,
    label: o.label as string | undefined,
    boundary: o.boundary as string | undefined,
  });
}

/**
 * Streams the body to stdout or FILE. A regular file or a new path gets a temp file renamed into
 * place once complete (a symlink to a regular file: its target, so the link stays). Anything else
 * (a device such as /dev/null, a FIFO, a socket, a dangling link) is opened and written: renaming
 * over it would replace the node itself.
 */
function emit(body: EncodedBody, file: string | undefined): void {
  if (file === undefined) {
    for (const c of body.chunks()) writeAll(1, c);
    return;
  }
  const target = renameTarget(file);
  if (target === null) {
    const fd = openSync(file, 'w');
    try {
      for (const c of body.chunks()) writeAll(fd, c);
    } finally {
      closeSync(fd);
    }
    return;
  }
  const tmp = join(dirname(target.path), `.${basename(target.path)}.${process.pid}.tmp`);
  const fd = openSync(tmp, 'wx', 0o666);
  try {
    if (target.mode !== undefined) fchmodSync(fd, target.mode);
    for (const c of body.chunks()) writeAll(fd, c);
    closeSync(fd);
    renameSync(tmp, target.path);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* closed already */
    }
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Where a temp file may be renamed to (with the mode to keep), or null: write in place. */
function renameTarget(file: string): { path: string; mode?: number } | null {
  let st;
  try {
    st = lstatSync(file);
  } catch (e) {
    if ((e as { code?: string }).code === 'ENOENT') return { path: file };
    throw e;
  }
  if (st.isFile()) return { path: file, mode: st.mode & 0o7777 };
  if (!st.isSymbolicLink()) return null;
  try {
    const real = realpathSync(file);
    const t = statSync(real);
    return t.isFile() ? { path: real, mode: t.mode & 0o7777 } : null;
  } catch {
    return null; // dangling: opening creates the target through the link
  }
}

function writeAll(fd: number, c: Uint8Array): void {
  let off = 0;
  while (off < c.length) {
    try {
      off += writeSync(fd, c, off, c.length - off);
    } catch (e) {
      if ((e as { code?: string }).code !== 'EAGAIN') throw e;
    }
  }
}

