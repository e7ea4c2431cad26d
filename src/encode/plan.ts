/**
 * Everything decided once per request before encoding: validated shape of the values, the final
 * protected header in order, the alg, number policy and value-array form. The encode passes
 * then only read this plan.
 */
import { ALGS, type Alg, type DocumentInput, type ProtectedValue } from '../model/document.ts';
import { DocumentError } from '../model/errors.ts';
import { checkIat, inspectDocument, typeName, type ValidateOptions, type ValuesShape } from '../model/validate.ts';
import { NUM_FLOAT32, NUM_FLOAT64, NUM_SHORTEST, type NumPolicy } from './cbor.ts';
import { JSON_NUMBER_MAX } from './json.ts';
import { resolveLayout, type LayoutName, type LayoutOptions, type ResolvedLayout } from './layout.ts';

/** Options of `encodeDocument`. */
export interface EncodeOptions {
  format: 'cbor' | 'json';
  /** Byte layout to reproduce (default 'compact'). */
  layout?: LayoutName | LayoutOptions;
  /** Default: protected.alg, else HS256 with hmacKey, ES256 with privateKey, else none. */
  alg?: Alg;
  /** HS256 key; its UTF-8 bytes are the HMAC key (any length). */
  hmacKey?: string | undefined;
  /** ES256 32-byte P-256 private key. */
  privateKey?: Uint8Array | undefined;
  /** protected.iat, integer seconds since the epoch (replaces a caller-given iat). */
  iat?: number | undefined;
  /** Let NaN/±Infinity values through in CBOR (JSON rejects them always). */
  allowNonFinite?: boolean;
  /** Chunk size of the reusable buffer (default 64 KiB). */
  bufferSize?: number;
  /**
   * With the default bufferSize, a document whose body is estimated at most this many bytes
   * (default 8 MiB, `SINGLE_PASS_LIMIT`) is encoded once, into one pooled buffer of this size,
   * hashed, and the signature patched in; `chunks()` then serves 64 KiB slices of it. Larger
   * bodies, or 0 here, or an explicit bufferSize: the two constant-memory passes.
   */
  singlePassLimit?: number;
  /**
   * Encode once into memory and patch the signature in, instead of the two constant-memory
   * passes. Memory grows with the body; worth it for JSON full of long decimals, where
   * formatting each double dominates. Pull sources always work this way.
   */
  buffered?: boolean;
  /** Hash implementation for signing (default 'auto': node:crypto when present). */
  hashBackend?: 'node' | 'noble' | 'auto';
}

export interface EncodePlan {
  readonly format: 'cbor' | 'json';
  readonly layout: ResolvedLayout;
  readonly policy: NumPolicy;
  /** float32-shortest: payload numbers are float32-rounded (JSON too). */
  readonly round32: boolean;
  readonly doc: DocumentInput;
  readonly shape: ValuesShape;
  readonly alg: Alg;
  readonly protectedKeys: string[];
  readonly protectedValues: ProtectedValue[];
  readonly interval: number;
  /** Rows as bare numbers (single sensor). */
  readonly flatten: boolean;
  /** CBOR `values` indefinite-length. */
  readonly indefinite: boolean;
  readonly allowNonFinite: boolean;
  readonly contentType: string;
  /** Upper bound of one encoded row in bytes. */
  readonly maxRow: number;
  readonly bufferSize: number;
}

const MIN_BUFFER = 64;

// The validation options makePlan can ask for, made once (not an object per request).
const INSPECT: readonly ValidateOptions[] = [
  { format: 'json', allowNonFinite: false, deferValues: true },
  { format: 'cbor', allowNonFinite: false, deferValues: true },
  { format: 'cbor', allowNonFinite: true, deferValues: true },
];

// Shared protected headers for the common case (no caller fields, no iat): no arrays per request.
const ADDED: Record<string, { keys: string[]; values: ProtectedValue[] }> = {};
for (const order of ['ver-alg', 'alg-ver']) {
  for (const alg of ALGS) {
    ADDED[order + alg] = order === 'ver-alg' ? { keys: ['ver', 'alg'], values: ['v1', alg] } : { keys: ['alg', 'ver'], values: [alg, 'v1'] };
  }
}

/**
 * The last computed protected entries and what they were computed from. Steady-state encoding
 * passes the same protected object (or equal contents) every time; re-checking the cached
 * snapshot with for-in allocates nothing, rebuilding the arrays does.
 */
let lastEntries: {
  given: object;
  snapshot: { keys: string[]; values: unknown[] };
  alg: Alg;
  iat: number | undefined;
  layout: ResolvedLayout;
  out: { keys: string[]; values: ProtectedValue[] };
} | null = null;

/** The last none-signer protected header with an added exp (the c-sdk preset's), no caller fields. */
let lastExp: { exp: number; order: string; out: { keys: string[]; values: ProtectedValue[] } } | null = null;

function sameAsSnapshot(given: Record<string, unknown>, snap: { keys: string[]; values: unknown[] }): boolean {
  let i = 0;
  for (const k in given) {
    if (!Object.hasOwn(given, k)) return false;
    if (i >= snap.keys.length || snap.keys[i] !== k || !Object.is(snap.values[i], given[k])) return false;
    i++;
  }
  return i === snap.keys.length;
}

function cachedProtectedEntries(doc: DocumentInput, alg: Alg, iat: number | undefined, layout: ResolvedLayout): { keys: string[]; values: ProtectedValue[] } {
  const given = doc.protected;
  if (given === undefined) return protectedEntries(doc, alg, iat, layout);
  const l = lastEntries;
  if (l !== null && l.given === given && l.alg === alg && l.iat === iat && l.layout === layout && sameAsSnapshot(given, l.snapshot)) return l.out;
  const out = protectedEntries(doc, alg, iat, layout);
  const keys = Object.keys(given);
  lastEntries = { given, snapshot: { keys, values: keys.map((k) => given[k]) }, alg, iat, layout, out };
  return out;
}

/**
 * Protected fields in order: the caller's order; ver/alg added first (layout order) when absent;
 * iat replaced in place or appended; the C SDK's exp appended for alg none when the layout asks.
 */
function protectedEntries(doc: DocumentInput, alg: Alg, iat: number | undefined, layout: ResolvedLayout): { keys: string[]; values: ProtectedValue[] } {
  const given = doc.protected;
  const exp = alg === 'none' ? layout.noneExp : undefined;
  if (given === undefined && iat === undefined) {
    if (exp === undefined) return ADDED[layout.addedProtectedOrder + alg];
    const c = lastExp;
    if (c !== null && c.exp === exp && c.order === layout.addedProtectedOrder) return c.out; // steady state: no arrays per request
  }
  const keys: string[] = [];
  const values: ProtectedValue[] = [];
  if (given !== undefined) {
    for (const k of Object.keys(given)) {
      const v = given[k];
      if (v === undefined) continue;
      keys.push(k);
      values.push(k === 'alg' ? alg : k === 'iat' && iat !== undefined ? iat : v);
    }
  }
  const added = layout.addedProtectedOrder === 'ver-alg' ? ['alg', 'ver'] : ['ver', 'alg'];
  for (const k of added) {
    if (keys.includes(k)) continue;
    keys.unshift(k);
    values.unshift(k === 'ver' ? 'v1' : alg);
  }
  if (iat !== undefined && !keys.includes('iat')) {
    keys.push('iat');
    values.push(iat);
  }
  if (exp !== undefined && !keys.includes('exp')) {
    keys.push('exp');
    values.push(exp);
  }
  if (given === undefined && iat === undefined && exp !== undefined) lastExp = { exp, order: layout.addedProtectedOrder, out: { keys, values } };
  return { keys, values };
}

/**
 * Validates the document and options and fixes every layout decision.
 * @throws DocumentError
 */
export function makePlan(doc: DocumentInput, opts: EncodeOptions): EncodePlan {
  if (opts === null || typeof opts !== 'object') throw new DocumentError('EI_DOC_OPTION', 'options', 'expected an options object');
  const format = opts.format;
  if (format !== 'cbor' && format !== 'json') throw new DocumentError('EI_DOC_OPTION', 'options.format', `expected 'cbor' or 'json', got ${typeName(format)}`);
  const layout = resolveLayout(opts.layout);
  const allowNonFinite = opts.allowNonFinite === true && format === 'cbor';
  const shape = inspectDocument(doc, INSPECT[format === 'cbor' ? (allowNonFinite ? 2 : 1) : 0]!);

  let alg: unknown = opts.alg ?? doc.protected?.alg;
  if (alg === undefined) alg = opts.hmacKey !== undefined ? 'HS256' : opts.privateKey !== undefined ? 'ES256' : 'none';
  if (!(ALGS as readonly unknown[]).includes(alg)) throw new DocumentError('EI_DOC_ALG', opts.alg !== undefined ? 'options.alg' : 'protected.alg', `unknown alg ${JSON.stringify(alg)} (none, HS256 or ES256)`);
  if (alg === 'HS256' && typeof opts.hmacKey !== 'string') throw new DocumentError('EI_DOC_OPTION', 'options.hmacKey', 'HS256 needs an HMAC key string');
  if (alg === 'ES256' && !(opts.privateKey instanceof Uint8Array)) throw new DocumentError('EI_DOC_OPTION', 'options.privateKey', 'ES256 needs a 32-byte private key');
  if (opts.iat !== undefined) checkIat(opts.iat, 'options.iat');

  const { keys, values } = cachedProtectedEntries(doc, alg as Alg, opts.iat, layout);
  const policy: NumPolicy = layout.numbers === 'float64' ? NUM_FLOAT64 : layout.numbers === 'float32-shortest' ? NUM_FLOAT32 : NUM_SHORTEST;
  const round32 = policy === NUM_FLOAT32;
  const width = shape.width;
  let flatten = false;
  if (width === 1 && (shape.kind === 'flat' || shape.kind === 'rows' || shape.kind === 'typed' || shape.kind === 'pull')) {
    flatten = layout.flattenSingleAxis ?? shape.kind !== 'rows';
  }
  const perValue = format === 'cbor' ? 9 : JSON_NUMBER_MAX;
  const maxRow = 4 + perValue * width;

  const bufferSize = opts.bufferSize ?? 64 * 1024;
  if (!Number.isSafeInteger(bufferSize) || bufferSize < MIN_BUFFER) {
    throw new DocumentError('EI_DOC_OPTION', 'options.bufferSize', `expected an integer >= ${MIN_BUFFER}`);
  }
  const interval = doc.payload.interval_ms;
  if (round32 && Math.fround(interval) === Infinity) {
    throw new DocumentError('EI_DOC_INTERVAL', 'payload.interval_ms', `${interval} is beyond float32's range, and this layout rounds interval_ms to float32`);
  }
  return {
    format,
    layout,
    policy,
    round32,
    doc,
    shape,
    alg: alg as Alg,
    protectedKeys: keys,
    protectedValues: values,
    interval: round32 ? Math.fround(interval) : interval,
    flatten,
    indefinite: shape.kind === 'pull' || shape.kind === 'tail' || layout.valuesIndefinite,
    allowNonFinite,
    contentType: shape.kind === 'tail' ? 'application/octet-stream' : format === 'cbor' ? 'application/cbor' : 'application/json',
    maxRow,
    bufferSize,
  };
}
