/**
 * Feeds a stored sample's values into the plot summary. Binary tails and PCM WAV are read straight
 * from the file's bytes (no array per row); CSV rows are pushed as the streaming reader yields
 * them; inline document rows come from the service's decoder. When the service's streaming
 * document reader lands, `fastCborSummary` (and the JSON case) switch to it: the summariser only
 * needs rows pushed in order.
 */
import { decodePayload } from '../sample-read.ts';
import { parseDocument } from '../document.ts';
import { BINARY_TYPES, type BinaryType } from '../binary-tail.ts';
import { CsvRows } from '../csv.ts';
import { readWav } from '../media.ts';
import type { ServiceLimits } from '../limits.ts';
import type { SampleRecord } from '../store.ts';
import { PlotSummarizer, summarizeRows, type PlotSummary } from './plot-summary.ts';
import { walkCborRows } from './cbor-values.ts';

/** What the sample page draws: a summary for time series, nothing for images and video. */
export type SamplePlot = { kind: 'series'; summary: PlotSummary } | { kind: 'none'; reason: string };

function reader(dv: DataView, type: BinaryType): (o: number) => number {
  switch (type) {
    case 'i8':
      return (o) => dv.getInt8(o);
    case 'u8':
      return (o) => dv.getUint8(o);
    case 'i16':
      return (o) => dv.getInt16(o, true);
    case 'u16':
      return (o) => dv.getUint16(o, true);
    case 'i32':
      return (o) => dv.getInt32(o, true);
    case 'u32':
      return (o) => dv.getUint32(o, true);
    case 'f32':
      return (o) => dv.getFloat32(o, true);
  }
}

/** Summarises little-endian rows of `width` elements of `type` starting at `offset`. */
export function summarizeBinary(bytes: Uint8Array, offset: number, type: BinaryType, width: number, rowCount: number, columns: number, intervalMs: number): PlotSummary {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const size = BINARY_TYPES[type];
  const rows = Math.min(rowCount, Math.floor((bytes.length - offset) / (size * width)));
  const read = reader(dv, type);
  const s = new PlotSummarizer(rows, width, columns, intervalMs);
  const row = new Float64Array(width);
  for (let i = 0, o = offset; i < rows; i++) {
    for (let a = 0; a < width; a++, o += size) row[a] = read(o);
    s.push(row);
  }
  return s.finish();
}

/** CBOR rows read straight from the bytes; null when the walker gives up (then decode fully). */
function fastCborSummary(rec: SampleRecord, bytes: Uint8Array, columns: number): PlotSummary | null {
  const width = rec.sensors.length;
  if (width < 1 || rec.rowCount === null || rec.info.binaryType !== undefined) return null;
  const s = new PlotSummarizer(rec.rowCount, width, columns, rec.intervalMs ?? 0);
  const rows = walkCborRows(bytes, width, (row) => s.push(row));
  return rows === rec.rowCount ? s.finish() : null;
}

/**
 * The plot of `rec` (whose stored bytes are `bytes`), `columns` pixel columns wide.
 * @throws SampleFormatError when the stored file no longer decodes
 */
export function samplePlot(rec: SampleRecord, bytes: Uint8Array, columns: number, limits: ServiceLimits): SamplePlot {
  const iv = rec.intervalMs ?? 0;
  switch (rec.kind) {
    case 'document': {
      const fast = rec.format === 'cbor' ? fastCborSummary(rec, bytes, columns) : null;
      if (fast) return { kind: 'series', summary: fast };
      const doc = parseDocument(bytes, { maxDepth: limits.maxDepth, maxValues: limits.maxValues });
      const width = Math.max(1, doc.sensors.length);
      if (doc.values.kind === 'rows') return { kind: 'series', summary: summarizeRows(decodePayload(rec, bytes, limits).values, width, columns, doc.intervalMs) };
      if (doc.values.kind === 'binary') {
        return { kind: 'series', summary: summarizeBinary(bytes, doc.values.tailOffset, doc.values.type, width, doc.values.rowCount, columns, doc.intervalMs) };
      }
      return { kind: 'none', reason: 'image' };
    }
    case 'csv': {
      // Rows pushed as they are read: no array of rows (issue 12). The interval is known at the end.
      const csv = new CsvRows(bytes, limits.maxValues);
      const s = new PlotSummarizer(csv.rowCount, Math.max(1, csv.sensors.length), columns, 0);
      for (let row = csv.next(); row; row = csv.next()) s.push(row);
      return { kind: 'series', summary: s.finish(csv.finish().intervalMs) };
    }
    case 'wav': {
      const w = readWav(bytes);
      if (w.audioFormat !== 1 || (w.bitsPerSample !== 16 && w.bitsPerSample !== 8)) return { kind: 'none', reason: `WAV format ${w.audioFormat}/${w.bitsPerSample}-bit is not drawn` };
      if (w.bitsPerSample === 16) return { kind: 'series', summary: summarizeBinary(bytes.subarray(0, w.dataOffset + w.dataBytes), w.dataOffset, 'i16', w.channels, w.frames, columns, iv) };
      // 8-bit WAV is unsigned around 128.
      const s = new PlotSummarizer(w.frames, w.channels, columns, iv);
      const row = new Float64Array(w.channels);
      for (let f = 0, o = w.dataOffset; f < w.frames; f++) {
        for (let c = 0; c < w.channels; c++, o++) row[c] = bytes[o] - 128;
        s.push(row);
      }
      return { kind: 'series', summary: s.finish() };
    }
    default:
      return { kind: 'none', reason: rec.kind === 'jpg' || rec.kind === 'png' ? 'image' : rec.kind };
  }
}
