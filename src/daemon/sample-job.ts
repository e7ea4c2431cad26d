/**
 * One remote sample request carried out on a board (issue 16, FACTS §6, §11). The statuses go in
 * the documented order, each only once its step really happened:
 *
 *   sample:true          request checked against the board's sensors
 *   sampleStarted        the board printed `Sampling...`
 *   sampleProcessing     `Done sampling` / `Processing...`
 *   sampleReading        reading the file back (progressPercentage rising)
 *   sampleUploading      signed on the host when needed, handed to the uploader (spool)
 *   sampleFinished       the service stored it; only then is the file unlinked on the board
 *
 * Any failure is `{sample:false, error}` with the step and the reason, never `sampleFinished`.
 */
import type { DeviceStatus, SampleRequest } from '../device/messages.ts';
import { categoryFromPath } from '../device/messages.ts';
import type { SampleOutcome } from '../device/sample-job.ts';
import type { SampleUploader } from '../device/uploader.ts';
import { cameraSensorName } from './board-config.ts';
import type { BoardConfig, BoardSensorInfo } from './board-config.ts';
import { rgbToJpeg } from './jpeg.ts';
import type { BoardDriver } from './board.ts';
import { SampleRejectedError } from '../device/errors.ts';
import { prepareBoardSample } from './sample-file.ts';

export interface DaemonJobContext {
  /** The board, or undefined while it is not connected. */
  board: BoardDriver | undefined;
  uploader: SampleUploader;
  deviceId: string;
  send: (s: DeviceStatus) => void;
  signal?: AbortSignal;
  now?: () => number;
  /** Called when the board misbehaved (timeout, reset): the daemon brings it up again. */
  onBoardFault?: (err: Error) => void;
}

export interface CheckedRequest {
  category: string;
  /** A time-series sensor, or a camera resolution (a snapshot). */
  sensor?: BoardSensorInfo;
  camera?: { width: number; height: number };
}

/** Picks the board sensor and checks interval and length. @throws SampleRejectedError */
export function checkBoardRequest(req: SampleRequest, config: BoardConfig): CheckedRequest {
  const category = categoryFromPath(req.path);
  if (category === null) throw new SampleRejectedError(`unsupported upload path ${JSON.stringify(req.path)}`);
  const camera = config.hasCamera ? config.cameraResolutions.find((r) => cameraSensorName(r) === req.sensor) : undefined;
  if (camera) {
    if (/[,\r\n]/.test(req.label)) throw new SampleRejectedError('label must not contain commas or line breaks');
    return { category, camera };
  }
  const sensor = req.sensor === undefined ? config.sensors[0] : config.sensors.find((s) => s.name === req.sensor);
  if (!sensor) {
    const names = [...config.sensors.map((s) => s.name), ...(config.hasCamera ? config.cameraResolutions.map(cameraSensorName) : [])];
    throw new SampleRejectedError(`unknown sensor ${JSON.stringify(req.sensor ?? '')} (the board has ${names.map((n) => JSON.stringify(n)).join(', ') || 'none'})`);
  }
  const hz = 1000 / req.interval;
  if (!sensor.frequencies.some((f) => Math.abs(f - hz) <= 0.01 * f)) {
    throw new SampleRejectedError(`sensor ${sensor.name} samples at ${sensor.frequencies.join(', ')} Hz, not ${Number(hz.toFixed(3))} Hz`);
  }
  if (req.length > sensor.maxSampleLengthS * 1000) {
    throw new SampleRejectedError(`sample length ${req.length} ms exceeds the board's maximum of ${sensor.maxSampleLengthS * 1000} ms for ${sensor.name}`);
  }
  // Labels travel as AT arguments: a comma or line break would cut the command.
  if (/[,\r\n]/.test(req.label) || /[,\r\n]/.test(req.hmacKey)) throw new SampleRejectedError('label and HMAC key must not contain commas or line breaks (AT arguments)');
  return { sensor, category };
}

function fileNameFor(label: string, deviceId: string, at: number, ext = 'cbor'): string {
  const safe = (s: string) => s.replace(/[^A-Za-z0-9_-]+/g, '_').slice(0, 40) || 'sample';
  return `${safe(label)}.${safe(deviceId)}.${at.toString(36)}.${ext}`;
}

/** A camera request: one AT+SNAPSHOT frame, as JPEG to `/files` (images are not signed, FACTS §2). */
async function snapshotJob(
  req: SampleRequest,
  ctx: DaemonJobContext,
  board: BoardDriver,
  checked: CheckedRequest,
  onReading: (f: number) => void,
  setStage: (s: 'recording' | 'encoding' | 'uploading') => void,
): Promise<SampleOutcome> {
  const { width, height } = checked.camera!;
  ctx.send({ sampleStarted: true });
  const rgb = await board.snapshot(width, height, { onReading });
  setStage('encoding');
  const jpeg = await rgbToJpeg(rgb, width, height);
  const fileName = fileNameFor(req.label, ctx.deviceId, (ctx.now ?? Date.now)(), 'jpg');
  setStage('uploading');
  ctx.send({ sampleUploading: true });
  const receipt = await ctx.uploader.upload({
    body: jpeg,
    contentType: 'image/jpeg',
    signature: '',
    spec: { kind: 'files', category: checked.category, fileName, label: req.label, uploadSource: 'ei-ingest daemon' },
  });
  ctx.send({ sampleFinished: true });
  return { ok: true, fileName, readings: 1, status: receipt.status };
}

/** Runs one request to its end; never throws. */
export async function runBoardSampleJob(req: SampleRequest, ctx: DaemonJobContext): Promise<SampleOutcome> {
  const board = ctx.board;
  let checked: CheckedRequest;
  try {
    if (!board?.config || !board.port.isOpen) throw new SampleRejectedError('the board is not connected (serial port down); try again once it is back');
    // Another board plugged into the port: its samples must not go out under this device's id.
    if (board.config.deviceId !== ctx.deviceId) {
      throw new SampleRejectedError(`a different board (id ${board.config.deviceId}) is now on the port; restart the daemon to use it`);
    }
    checked = checkBoardRequest(req, board.config);
  } catch (err) {
    const e = err as { code?: string; message: string };
    ctx.send({ sample: false, error: e.message });
    return { ok: false, stage: 'rejected', error: e.message, code: e.code ?? 'EI_DEVICE_SAMPLE_REJECTED' };
  }
  ctx.send({ sample: true });
  let stage: 'recording' | 'encoding' | 'uploading' = 'recording';
  let lastPct = -1;
  const onReading = (f: number) => {
    const pct = Math.min(100, Math.floor(f * 100));
    if (pct >= 100 ? lastPct < 100 : pct - lastPct >= 10) {
      lastPct = pct;
      ctx.send({ sampleReading: true, progressPercentage: pct });
    }
  };
  try {
    if (checked.camera) return await snapshotJob(req, ctx, board, checked, onReading, (s) => (stage = s));
    const sample = await board.sample(
      { label: req.label, intervalMs: req.interval, lengthMs: req.length, hmacKey: req.hmacKey, path: req.path, sensor: checked.sensor!.name },
      {
        onStarted: () => ctx.send({ sampleStarted: true }),
        onProcessing: () => ctx.send({ sampleProcessing: true }),
        onReading,
      },
    );
    stage = 'encoding';
    const prepared = prepareBoardSample(sample.bytes, req.hmacKey);
    const fileName = fileNameFor(req.label, ctx.deviceId, (ctx.now ?? Date.now)());
    stage = 'uploading';
    ctx.send({ sampleUploading: true });
    const receipt = await ctx.uploader.upload({
      body: prepared.body,
      contentType: prepared.contentType,
      signature: prepared.signature,
      spec: { kind: 'data', category: checked.category, fileName, label: req.label, uploadSource: 'ei-ingest daemon' },
    });
    ctx.send({ sampleFinished: true });
    // Stored: only now may the board forget it. A failure here loses nothing.
    if (sample.fileName) await board.unlink(sample.fileName).catch(() => undefined);
    return { ok: true, fileName, readings: 0, status: receipt.status };
  } catch (err) {
    const e = err as { code?: string; message?: string };
    const error = `${stage} failed: ${e.message ?? String(err)}`;
    ctx.send({ sample: false, error });
    if (stage === 'recording') ctx.onBoardFault?.(err as Error);
    return { ok: false, stage, error, code: e.code ?? 'EI_DEVICE_SAMPLE_FAILED' };
  }
}
