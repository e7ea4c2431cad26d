/**
 * What the `upload` command sends for each path: file kind by extension (FACTS §2), a body
 * streamed from disk in constant memory, label files as extra parts, glob expansion, and the
 * re-signing of acquisition documents with an HMAC key.
 */
import { closeSync, fstatSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { basename, join, sep } from 'node:path';
import type { EncodedBody } from '../encode/body.ts';
import { EiError } from '../errors.ts';
import { cborX } from '../optional.ts';

/** Content type by extension for the file kinds the ingestion service takes. */
export const CONTENT_TYPES: Record<string, string> = {
  '.json': 'application/json',
  '.cbor': 'application/cbor',
  '.csv': 'text/csv',
  '.wav': 'audio/wav',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.mp4': 'video/mp4',
  '.avi': 'video/x-msvideo',
};

/** Label files (FACTS §2); upload-labels.ts turns them into per-sample parts and headers. */
export const LABEL_FILES = new Set(['info.labels', 'bounding_boxes.labels', 'structured_labels.labels', 'attachments.labels', 'label_map.labels']);

/** A file the command cannot send (unknown type, unreadable, cannot re-sign). */
export class UploadFileError extends EiError {
  readonly path: string;
  constructor(code: string, path: string, message: string, options?: { cause?: unknown }) {
    super(code, `${path}: ${message}`, options);
    this.path = path;
  }
}

export function extensionOf(path: string): string {
  const b = basename(path).toLowerCase();
  const i = b.lastIndexOf('.');
  return i <= 0 ? '' : b.slice(i);
}

/**
 * A body read from disk in `chunkSize` pieces into one reused buffer (borrowed chunks), opened
 * anew for every iteration so a retry re-reads it. Memory use does not grow with file size.
 */
export function fileBody(path: string, contentType: string, chunkSize = 64 * 1024): EncodedBody {
  const fd = openSync(path, 'r');
  let length: number;
  try {
    length = fstatSync(fd).size;
  } finally {
    closeSync(fd);
  }
  return {
    length,
    contentType,
    signature: '',
    *chunks() {
      const f = openSync(path, 'r');
      try {
        const buf = new Uint8Array(Math.min(chunkSize, Math.max(1, length)));
        let pos = 0;
        while (pos < length) {
          const n = readSync(f, buf, 0, Math.min(buf.byteLength, length - pos), pos);
          if (n === 0) throw new UploadFileError('EI_UPLOAD_FILE_CHANGED', path, 'file shrank while being sent');
          pos += n;
          yield buf.subarray(0, n);
        }
      } finally {
        closeSync(f);
      }
    },
  };
}

const GLOB = /[*?[]/;

/**
 * Expands shell-style patterns (`*`, `?`, `[…]`, `**` for any depth) and directories (all
 * files below them). Plain paths pass through unchanged; results keep argument order.
 */
export function expandPaths(args: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  const add = (p: string) => {
    if (!seen.has(p)) {
      seen.add(p);
      out.push(p);
    }
  };
  for (const arg of args) {
    if (!GLOB.test(arg)) {
      let isDir = false;
      try {
        isDir = statSync(arg).isDirectory();
      } catch {
        // missing: reported when read
      }
      if (isDir) walk(arg, () => true).forEach(add);
      else add(arg);
      continue;
    }
    const parts = arg.split(/[\\/]/);
    const firstGlob = parts.findIndex((p) => GLOB.test(p));
    const root = parts.slice(0, firstGlob).join(sep) || (arg.startsWith('/') ? '/' : '.');
    const rx = globRegex(parts.slice(firstGlob).join('/'));
    const matches = walk(root, (rel) => rx.test(rel)).sort();
    if (matches.length === 0) throw new UploadFileError('EI_UPLOAD_NO_MATCH', arg, 'pattern matches no files');
    matches.forEach(add);
  }
  return out;
}

function globRegex(pattern: string): RegExp {
  let rx = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i]!;
    if (c === '*' && pattern[i + 1] === '*') {
      rx += pattern[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += pattern[i + 2] === '/' ? 2 : 1;
    } else if (c === '*') rx += '[^/]*';
    else if (c === '?') rx += '[^/]';
    else if (c === '[') {
      const end = pattern.indexOf(']', i + 1);
      if (end < 0) rx += '\\[';
      else {
        rx += '[' + pattern.slice(i + 1, end).replace(/^!/, '^').replace(/\\/g, '\\\\') + ']';
        i = end;
      }
    } else rx += c.replace(/[.+^${}()|\\]/g, '\\$&');
  }
  return new RegExp(`^${rx}$`);
}

/** Files below `root` whose path relative to it (with `/`) passes `keep`. */
function walk(root: string, keep: (rel: string) => boolean): string[] {
  const out: string[] = [];
  const visit = (dir: string, rel: string) => {
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      const r = rel ? `${rel}/${e.name}` : e.name;
      const full = join(dir, e.name);
      if (e.isDirectory()) visit(full, r);
      else if (e.isFile() && keep(r)) out.push(root === '.' ? r.split('/').join(sep) : full);
    }
  };
  visit(root, '');
  return out;
}

/** One sample file ready to send. */
export interface PreparedFile {
  path: string;
  fileName: string;
  contentType: string;
  body: EncodedBody;
  resigned: boolean;
}

type Encoder = typeof import('../encode/index.ts');

/**
 * Prepares one sample file. Acquisition documents (.json/.cbor) are re-signed when `hmacKey`
 * is given: decoded and re-encoded in the 'compact' layout with HS256 (the original byte layout
 * is not kept: a re-signed document is a new document; `iat` and other protected fields are).
 * @throws UploadFileError
 */
export async function prepareFile(path: string, hmacKey: string | undefined): Promise<PreparedFile> {
  const ext = extensionOf(path);
  const contentType = CONTENT_TYPES[ext];
  const fileName = basename(path);
  if (!contentType) throw new UploadFileError('EI_UPLOAD_FILE_TYPE', path, `unsupported file type '${ext || '(none)'}' (takes ${Object.keys(CONTENT_TYPES).join(' ')} and label files)`);
  try {
    if (!statSync(path).isFile()) throw new Error('not a regular file');
  } catch (e) {
    throw new UploadFileError('EI_UPLOAD_FILE_READ', path, `cannot read: ${(e as Error).message.replace(/^[A-Z]+: /, '')}`, { cause: e });
  }
  if (hmacKey && (ext === '.json' || ext === '.cbor')) {
    return { path, fileName, contentType, body: await resign(path, ext, hmacKey), resigned: true };
  }
  return { path, fileName, contentType, body: fileBody(path, contentType), resigned: false };
}

export function isLabelFile(path: string): boolean {
  return LABEL_FILES.has(basename(path));
}

async function resign(path: string, ext: string, hmacKey: string): Promise<EncodedBody> {
  const bytes = readFileSync(path);
  let doc: unknown;
  const cbor = ext === '.json' ? undefined : cborX('re-signing a CBOR file (upload --hmac-key)'); // outside the try: a missing package is its own error
  try {
    if (ext === '.json') doc = JSON.parse(bytes.toString('utf8'));
    else doc = cbor!.decode(bytes);
  } catch (e) {
    throw new UploadFileError('EI_UPLOAD_RESIGN', path, `cannot re-sign: not a single ${ext.slice(1).toUpperCase()} document (binary-tail documents cannot be re-signed)`, { cause: e });
  }
  const d = doc as { protected?: Record<string, unknown>; payload?: { values?: unknown[] } };
  if (!d || typeof d !== 'object' || !d.payload || typeof d.payload !== 'object') {
    throw new UploadFileError('EI_UPLOAD_RESIGN', path, 'cannot re-sign: not an acquisition document (no payload)');
  }
  const first = Array.isArray(d.payload.values) ? d.payload.values[0] : undefined;
  if (typeof first === 'string' && first.startsWith('Ref-BINARY-')) {
    throw new UploadFileError('EI_UPLOAD_RESIGN', path, 'cannot re-sign a document with a binary tail or attachment reference');
  }
  const enc: Encoder = await import('../encode/index.ts');
  const prot = { ...(d.protected ?? {}), ver: 'v1', alg: 'HS256' };
  try {
    return enc.encodeDocument({ protected: prot, payload: d.payload } as unknown as Parameters<Encoder['encodeDocument']>[0], {
      format: ext === '.json' ? 'json' : 'cbor',
      layout: 'compact',
      alg: 'HS256',
      hmacKey,
    });
  } catch (e) {
    throw new UploadFileError('EI_UPLOAD_RESIGN', path, `cannot re-sign: ${(e as Error).message}`, { cause: e });
  }
}


