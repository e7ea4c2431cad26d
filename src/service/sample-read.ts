/**
 * Rebuilds the decoded payload of a stored sample for the Studio raw-data API: rows of numbers
 * for documents (binary tails expanded), CSV and PCM WAV; header facts only for images and video.
 * The values are written as JSON text straight from the stored file, a bounded chunk at a time
 * with the response's backpressure, so answering a 30 M-value sample holds neither the values
 * nor their text (issue 12).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { parseDocument } from './document.ts';
import { BINARY_TYPES, type BinaryType } from './binary-tail.ts';
import { CsvRows } from './csv.ts';
import { readWav } from './media.ts';
import { CborTokens } from './cbor-decode.ts';
import { JsonTokens } from './json-scan.ts';
import { FileSource, sourceOf, type ByteSource } from './byte-source.ts';
import type { DocTokens } from './doc-tokens.ts';
import type { SampleRecord } from './store.ts';
import type { ServiceLimits } from './limits.ts';

export interface DecodedPayload {
  device_name?: string;
  device_type: string | null;
  interval_ms: number | null;
  sensors: { name: string; units: string }[];
  values: number[][];
}

/** Pulls rows of a stored sample: each call appends up to `budget` values' JSON text to `out`. */
type RowPump = (budget: number, out: string[]) => boolean;

const num = (v: number): string => (Number.isFinite(v) ? String(v) : 'null');

/** Rows of inline document values, re-walked from `valuesAt` (the file was checked at upload). */
function documentRows(t: DocTokens, maxRows: number): RowPump {
  t.beginArray(2);
  let first = true;
  let rows = 0;
  return (budget, out) => {
    let n = 0;
    while (n < budget) {
      if (rows++ >= maxRows || !t.nextElement()) return true;
      out.push(first ? '[' : ',[');
      first = false;
      if (t.peekKind() === 'number') {
        out.push(num(t.readNumber()));
        n++;
      } else {
        t.beginArray(3);
        let j = 0;
        while (t.nextElement()) {
          out.push(j++ === 0 ? num(t.readNumber()) : ',' + num(t.readNumber()));
          n++;
        }
      }
      out.push(']');
    }
    return false;
  };
}

/** Rows of little-endian elements: a binary tail or PCM WAV frames. */
function fixedRows(src: ByteSource, offset: number, rowCount: number, width: number, size: number, read: (dv: DataView, o: number) => number): RowPump {
  let row = 0;
  return (budget, out) => {
    const rows = Math.max(1, Math.floor(budget / Math.max(1, width)));
    const end = Math.min(rowCount, row + rows);
    for (; row < end; row++) {
      const { buf, at } = src.window(offset + row * width * size, width * size);
      const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
      let s = row === 0 ? '[' : ',[';
      for (let j = 0; j < width; j++) s += (j ? ',' : '') + num(read(dv, at + j * size));
      out.push(s + ']');
    }
    return row >= rowCount;
  };
}

const TAIL_READ: Record<BinaryType, (dv: DataView, o: number) => number> = {
  i8: (dv, o) => dv.getInt8(o),
  u8: (dv, o) => dv.getUint8(o),
  i16: (dv, o) => dv.getInt16(o, true),
  u16: (dv, o) => dv.getUint16(o, true),
  i32: (dv, o) => dv.getInt32(o, true),
  u32: (dv, o) => dv.getUint32(o, true),
  f32: (dv, o) => dv.getFloat32(o, true),
};

/** The row pump for a stored sample, or null when it has no numeric values (images, video). */
function rowsOf(rec: SampleRecord, src: ByteSource, limits: ServiceLimits, maxRows = Number.POSITIVE_INFINITY): RowPump | null {
  switch (rec.kind) {
    case 'document': {
      const doc = parseDocument(src, { maxDepth: limits.maxDepth, maxValues: limits.maxValues });
      if (doc.values.kind === 'rows') {
        const opts = { maxDepth: limits.maxDepth, maxItems: limits.maxValues * 2 + 1024 };
        return documentRows(doc.format === 'json' ? new JsonTokens(src, opts, doc.valuesAt) : new CborTokens(src, opts, doc.valuesAt), maxRows);
      }
      if (doc.values.kind === 'binary') {
        const size = BINARY_TYPES[doc.values.type];
        return fixedRows(src, doc.values.tailOffset, Math.min(doc.values.rowCount, maxRows), doc.sensors.length, size, TAIL_READ[doc.values.type]);
      }
      return null;
    }
    case 'csv': {
      // Rows pulled line by line through the window (issue 12): one row in memory at a time.
      const csv = new CsvRows(src, limits.maxValues);
      let i = 0;
      return (budget, out) => {
        for (let n = 0; i < maxRows && n < budget; i++) {
          const row = csv.next();
          if (!row) return true;
          out.push((i ? ',[' : '[') + row.map(num).join(',') + ']');
          n += row.length;
        }
        return i >= maxRows || csv.atEnd;
      };
    }
    case 'wav': {
      // Only the header is parsed; frames are read through the window.
      const w = readWav(src);
      if (w.audioFormat === 1 && (w.bitsPerSample === 16 || w.bitsPerSample === 8)) {
        const step = w.bitsPerSample / 8;
        return fixedRows(src, w.dataOffset, Math.min(w.frames, maxRows), w.channels, step, step === 2 ? (dv, o) => dv.getInt16(o, true) : (dv, o) => dv.getUint8(o) - 128);
      }
      return null;
    }
    default:
      return null;
  }
}

/** Decodes `bytes` (the stored original) as the record says it was checked at upload. */
export function decodePayload(rec: SampleRecord, bytes: Uint8Array, limits: ServiceLimits): DecodedPayload {
  const out = payloadHead(rec) as unknown as DecodedPayload;
  const pump = rowsOf(rec, sourceOf(bytes), limits);
  const parts: string[] = [];
  if (pump) while (!pump(1 << 16, parts));
  out.values = JSON.parse(`[${parts.join('')}]`) as number[][];
  return out;
}

/** The payload's fields other than values, as the record holds them. */
export function payloadHead(rec: SampleRecord): Omit<DecodedPayload, 'values'> {
  const out: Omit<DecodedPayload, 'values'> = { device_type: rec.deviceType, interval_ms: rec.intervalMs, sensors: rec.sensors };
  if (rec.deviceName !== null) out.device_name = rec.deviceName;
  return out;
}

const VALUES_MARK = '\u0000ei-values\u0000';
/** Values text is flushed to the socket in pieces of about this many values. */
const VALUES_PER_CHUNK = 16 * 1024;

/**
 * Answers 200 with `answer` as JSON, where `answer.payload` gets the stored sample's fields (plus
 * any the caller put there) and its `values` streamed from the file at `path`. Same bytes as JSON.stringify of the whole
 * object; memory bounded by one chunk.
 */
export async function sendSampleWithPayload(
  req: IncomingMessage,
  res: ServerResponse,
  answer: Record<string, unknown>,
  rec: SampleRecord,
  path: string,
  limits: ServiceLimits,
  maxRows = Number.POSITIVE_INFINITY,
): Promise<void> {
  const src = new FileSource(path);
  try {
    // Size pass first (same pump, counting: values text is ASCII), so the answer keeps its
    // Content-Length; then the real pass. Twice the walk, never the values in memory.
    let size = 0;
    try {
      const counter = rowsOf(rec, src, limits, maxRows);
      if (counter) {
        for (let done = false; !done; ) {
          const parts: string[] = [];
          done = counter(VALUES_PER_CHUNK, parts);
          for (const p of parts) size += p.length;
        }
      }
    } catch {
      size = -1; // unreadable now (changed on disk): answer with no values rather than fail
    }
    const pump = size >= 0 ? rowsOf(rec, src, limits, maxRows) : null;
    if (size < 0) size = 0;
    // A caller's answer.payload (Studio's payload model) replaces the record's own fields.
    const fields = (answer.payload ?? payloadHead(rec)) as Record<string, unknown>;
    const text = JSON.stringify({ ...answer, payload: { ...fields, values: VALUES_MARK } });
    const mark = text.indexOf(JSON.stringify(VALUES_MARK));
    const head = text.slice(0, mark) + '[';
    const tail = ']' + text.slice(mark + JSON.stringify(VALUES_MARK).length);
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/json; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(head) + size + Buffer.byteLength(tail));
    await write(res, head);
    if (pump) {
      for (let done = false; !done; ) {
        const parts: string[] = [];
        done = pump(VALUES_PER_CHUNK, parts);
        if (parts.length > 0 && !(await write(res, parts.join('')))) return;
      }
    }
    res.end(tail);
  } catch {
    // Headers are out: the only honest signal left is to cut the connection.
    res.destroy();
  } finally {
    src.close();
    void req;
  }
}

/** Writes `s`, waiting for the socket to drain; false when the connection went away. */
function write(res: ServerResponse, s: string): Promise<boolean> {
  if (res.destroyed) return Promise.resolve(false);
  if (res.write(s)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const done = (ok: boolean) => () => {
      res.off('drain', onDrain);
      res.off('close', onClose);
      resolve(ok);
    };
    const onDrain = done(true);
    const onClose = done(false);
    res.once('drain', onDrain);
    res.once('close', onClose);
  });
}
