/**
 * One remote sample request, from Studio's `sample` message to the last status (FACTS §6):
 * check it, record, encode and sign, upload, and report each step in the documented order:
 *
 *   sample:true | sample:false+error   (request checked)
 *   sampleStarted                      (recording begins)
 *   sampleReading + progressPercentage (while recording, 0..100, rising)
 *   sampleUploading
 *   sampleFinished                     (only once the service stored it)
 *
 * A failure after `sample:true` is reported as `{sample:false, error}` (the message Studio shows
 * for a failed sample) instead of `sampleFinished`: unlike the official daemon we never claim a
 * sample that was not stored.
 */
import { encodeDocument } from '../encode/index.ts';
import type { DeviceStatus, SampleRequest } from './messages.ts';
import { categoryFromPath } from './messages.ts';
import { SampleRejectedError } from './errors.ts';
import type { SensorSource } from './sensors/source.ts';
import type { SampleUploader } from './uploader.ts';

export interface SampleJobContext {
  source: SensorSource;
  uploader: SampleUploader;
  deviceId: string;
  deviceType: string;
  /** Document encoding (default cbor). */
  format?: 'cbor' | 'json';
  /** Sends one status to Studio (over whatever connection is current). */
  send: (status: DeviceStatus) => void;
  signal?: AbortSignal;
  now?: () => number;
}

export type SampleOutcome =
  | { ok: true; fileName: string; readings: number; status: number }
  | { ok: false; stage: 'rejected' | 'recording' | 'encoding' | 'uploading'; error: string; code: string };

/** Checks a request against the source; returns the interval the source will use. */
export function checkSampleRequest(req: SampleRequest, source: SensorSource): { intervalMs: number; category: string } {
  const category = categoryFromPath(req.path);
  if (category === null) throw new SampleRejectedError(`unsupported upload path ${JSON.stringify(req.path)}`);
  if (req.sensor !== undefined && req.sensor !== source.name) {
    throw new SampleRejectedError(`unknown sensor ${JSON.stringify(req.sensor)} (this device has ${JSON.stringify(source.name)})`);
  }
  if (req.length > source.maxSampleLengthS * 1000) {
    throw new SampleRejectedError(`sample length ${req.length} ms exceeds the maximum of ${source.maxSampleLengthS * 1000} ms`);
  }
  if (req.length < req.interval) throw new SampleRejectedError('sample length is shorter than one interval');
  return { intervalMs: source.acceptInterval(req.interval), category };
}

/** File names carry the label, the device and the time, so concurrent devices never clash. */
function fileNameFor(label: string, deviceId: string, at: number, format: string): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'sample';
  return `${safe(label)}.${safe(deviceId)}.${at.toString(36)}.${format}`;
}

function concat(chunks: Iterable<Uint8Array>, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let off = 0;
  // Chunks are borrowed views: copy each before advancing.
  for (const c of chunks) {
    out.set(c, off);
    off += c.byteLength;
  }
  return out;
}

/** Runs one sample request to its end; never throws (failures become statuses + outcome). */
export async function runSampleJob(req: SampleRequest, ctx: SampleJobContext): Promise<SampleOutcome> {
  const now = ctx.now ?? Date.now;
  const format = ctx.format ?? 'cbor';
  let checked: { intervalMs: number; category: string };
  try {
    checked = checkSampleRequest(req, ctx.source);
  } catch (err) {
    const e = err as { code?: string; message: string };
    ctx.send({ sample: false, error: e.message });
    return { ok: false, stage: 'rejected', error: e.message, code: e.code ?? 'EI_DEVICE_SAMPLE_REJECTED' };
  }
  ctx.send({ sample: true });

  let stage: 'recording' | 'encoding' | 'uploading' = 'recording';
  try {
    ctx.send({ sampleStarted: true });
    let lastPct = -1;
    const rec = await ctx.source.record({
      intervalMs: checked.intervalMs,
      lengthMs: req.length,
      signal: ctx.signal,
      onProgress: (f) => {
        // Whole percent, rising, at most every 10 points (plus 100): a few messages per sample.
        const pct = Math.min(100, Math.floor(f * 100));
        if (pct >= 100 ? lastPct < 100 : pct - lastPct >= 10) {
          lastPct = pct;
          ctx.send({ sampleReading: true, progressPercentage: pct });
        }
      },
    });

    stage = 'encoding';
    const at = now();
    const signed = req.hmacKey.length > 0;
    const body = encodeDocument(
      {
        protected: { ver: 'v1', alg: signed ? 'HS256' : 'none', iat: Math.floor(at / 1000) },
        payload: {
          device_name: ctx.deviceId,
          device_type: ctx.deviceType,
          interval_ms: rec.intervalMs,
          sensors: rec.axes,
          values: rec.values,
        },
      },
      signed ? { format, alg: 'HS256', hmacKey: req.hmacKey, iat: Math.floor(at / 1000) } : { format, alg: 'none' },
    );
    const bytes = concat(body.chunks(), body.length);
    const fileName = fileNameFor(req.label, ctx.deviceId, at, format);

    stage = 'uploading';
    ctx.send({ sampleUploading: true });
    const receipt = await ctx.uploader.upload({
      body: bytes,
      contentType: body.contentType,
      signature: body.signature,
      spec: { kind: 'data', category: checked.category, fileName, label: req.label, uploadSource: 'ei-ingest device' },
    });
    ctx.send({ sampleFinished: true });
    return { ok: true, fileName, readings: rec.values.length, status: receipt.status };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const error = `${stage} failed: ${e.message ?? String(err)}`;
    ctx.send({ sample: false, error });
    return { ok: false, stage, error, code: e.code ?? 'EI_DEVICE_SAMPLE_FAILED' };
  }
}
