/**
 * Rebuilds the decoded payload of a stored sample for the Studio raw-data API: rows of numbers
 * for documents (binary tails expanded), CSV and PCM WAV; header facts only for images and video.
 */
import { parseDocument } from './document.ts';
import { decodeBinaryTail } from './binary-tail.ts';
import { parseCsv } from './csv.ts';
import { readWav } from './media.ts';
import type { SampleRecord } from './store.ts';
import type { ServiceLimits } from './limits.ts';

export interface DecodedPayload {
  device_name?: string;
  device_type: string | null;
  interval_ms: number | null;
  sensors: { name: string; units: string }[];
  values: number[][];
}

/** Decodes `bytes` (the stored original) as the record says it was checked at upload. */
export function decodePayload(rec: SampleRecord, bytes: Uint8Array, limits: ServiceLimits): DecodedPayload {
  const out: DecodedPayload = {
    device_type: rec.deviceType,
    interval_ms: rec.intervalMs,
    sensors: rec.sensors,
    values: [],
  };
  if (rec.deviceName !== null) out.device_name = rec.deviceName;
  switch (rec.kind) {
    case 'document': {
      const doc = parseDocument(bytes, { maxDepth: limits.maxDepth, maxValues: limits.maxValues });
      if (doc.values.kind === 'rows') out.values = doc.values.rows;
      else if (doc.values.kind === 'binary') {
        out.values = decodeBinaryTail(bytes, doc.values.tailOffset, doc.values.type, doc.sensors.length, doc.values.rowCount);
      }
      break;
    }
    case 'csv':
      out.values = parseCsv(bytes, limits.maxValues).rows;
      break;
    case 'wav': {
      const w = readWav(bytes);
      if (w.audioFormat === 1 && (w.bitsPerSample === 16 || w.bitsPerSample === 8)) {
        const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
        const step = w.bitsPerSample / 8;
        for (let f = 0, o = w.dataOffset; f < w.frames; f++) {
          const row: number[] = [];
          for (let c = 0; c < w.channels; c++, o += step) row.push(step === 2 ? dv.getInt16(o, true) : dv.getUint8(o) - 128);
          out.values.push(row);
        }
      }
      break;
    }
    default:
      break;
  }
  return out;
}
