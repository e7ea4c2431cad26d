/**
 * Issue 16 end to end, offline: start-sampling through the local service's Studio API → remote
 * management → `Daemon` → a simulated board running Edge Impulse firmware on a real pty (AT set
 * 1.8) → read back → signed on the host → spool → the service stores it. The stored bytes must be
 * the board's file with the signature filled in, the statuses in FACTS §6's order, and every fault
 * must end with a clear status and nothing lost. No timing assertions: events are counted and
 * waited for under generous deadlines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SerialPort } from 'serialport';
import { startIngestionService } from '../src/service/index.ts';
import { attachRemoteManagement, createRemoteManagement } from '../src/service/remote-mgmt.ts';
import { IngestionClient } from '../src/client/index.ts';
import { Spool } from '../src/spool/index.ts';
import { spoolUploader } from '../src/device/uploader.ts';
import { Daemon } from '../src/daemon/index.ts';
import type { DaemonOptions } from '../src/daemon/index.ts';
import { hs256Verify, locateSignature } from '../src/sign/index.ts';
import { startEiBoardSim } from '../firmware-sim/ei-board/index.ts';
import type { EiBoardOptions } from '../firmware-sim/ei-board/index.ts';
import { deviceMessages, getJson, postJson, progressRises, statusTrace, SUCCESS_ORDER } from './device-helpers.ts';

const API_KEY = 'ei_daemon_made_up_key_0123456789abcdef';
const HMAC_KEY = 'daemon-made-up-hmac-key';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(o: { board?: Omit<EiBoardOptions, 'path'>; endpoint?: string; waitMs?: number; daemon?: Partial<DaemonOptions>; start?: boolean } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'daemon-e2e-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  const sim = await startEiBoardSim({ startDelayMs: 50, ...o.board });
  cleanups.push(() => sim.close());
  const rm = createRemoteManagement();
  const service = await startIngestionService({ dataDir: join(dir, 'data'), apiKey: API_KEY, hmacKey: HMAC_KEY, extraRoutes: rm.routes, fsync: false });
  attachRemoteManagement(service, rm);
  cleanups.push(() => service.close());
  cleanups.push(() => rm.close());
  const client = new IngestionClient({ endpoint: o.endpoint ?? service.url, apiKey: API_KEY, retry: { attempts: 1 } });
  const spool = await Spool.open(join(dir, 'spool'));
  const uploader = spoolUploader({ spool, client, waitMs: o.waitMs ?? 20_000, initialBackoffMs: 50, maxBackoffMs: 200 });
  cleanups.push(async () => (await uploader.close(), await client.close(), await spool.close()));
  const daemon = new Daemon({
    // The 2 s default per command is the product's; a loaded test machine gets a generous one.
    port: { path: sim.devicePath, timeoutMs: 10_000 },
    remoteMgmtUrl: service.url.replace(/^http/, 'ws') + '/remote-mgmt',
    apiKey: API_KEY,
    uploader,
    backoff: { initialMs: 50, maxMs: 400 },
    reopenMs: 100,
    maxReopenMs: 400,
    ...o.daemon,
  });
  cleanups.push(() => daemon.stop());
  const pid = service.projectId;
  let deviceId = '';
  if (o.start !== false) {
    deviceId = (await daemon.start()).deviceId;
    await daemon.device!.waitConnected();
  }
  const startSampling = (body: object) => postJson(`${service.url}/v1/api/${pid}/device/${encodeURIComponent(deviceId)}/start-sampling`, body, API_KEY);
  const finalEvent = (afterSeq = 0, timeoutMs = 40_000) =>
    rm.registry.waitFor(pid, deviceId, (e) => e.kind === 'from-device' && !!e.message && ('sampleFinished' in e.message || e.message.sample === false), { afterSeq, timeoutMs });
  const samples = async (category = 'training') => (await getJson(`${service.url}/v1/api/${pid}/raw-data?category=${category}`, API_KEY)).json.samples as any[];
  const raw = async (id: number) => new Uint8Array(await (await fetch(`${service.url}/v1/api/${pid}/raw-data/${id}/raw`, { headers: { 'x-api-key': API_KEY } })).arrayBuffer());
  const messages = async (afterSeq = 0) => deviceMessages((await getJson(`${service.url}/v1/api/${pid}/devices/${encodeURIComponent(deviceId)}/events`, API_KEY)).json.events, afterSeq);
  return { sim, service, rm, daemon, spool, pid, deviceId, startSampling, finalEvent, samples, raw, messages };
}

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

/** The stored bytes are the board's file with only the 64 signature characters changed. */
function sameExceptSignature(stored: Uint8Array, boardFile: Uint8Array): boolean {
  const loc = locateSignature(boardFile);
  if (stored.length !== boardFile.length) return false;
  for (let i = 0; i < stored.length; i++) if ((i < loc.start || i >= loc.end) && stored[i] !== boardFile[i]) return false;
  return boardFile.subarray(loc.start, loc.end).every((b) => b === 0x30);
}

describe('daemon end to end (simulated board, local service)', () => {
  it('accelerometer at 100 Hz: hello with the board sensors, sampled, read back fast from a non-zero buffer start, host-signed, stored, unlinked; statuses in order', async () => {
    const t = await setup({ board: { bufferOffset: 4096 } });
    // A factory-fresh board (all-zero id) got a real one, kept on the board.
    expect(t.deviceId).toMatch(/^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/);
    expect(t.deviceId).not.toBe('00:00:00:00:00:00');
    expect(t.sim.board.state.deviceId).toBe(t.deviceId);
    const hello = t.rm.registry.get(t.pid, t.deviceId)!.events.find((e) => e.message && 'hello' in e.message)!.message!.hello as any;
    expect(hello).toMatchObject({
      connection: 'daemon',
      deviceType: 'EI_SIM_BOARD',
      sensors: [
        { name: 'Accelerometer', frequencies: [62.5, 100], maxSampleLengthS: 300 },
        { name: 'Microphone', frequencies: [16000], maxSampleLengthS: 60 },
      ],
    });

    expect((await t.startSampling({ label: 'wave', lengthMs: 1000, category: 'training', intervalMs: 10, sensor: 'Accelerometer' })).json).toEqual({ success: true });
    expect((await t.finalEvent()).message).toEqual({ sampleFinished: true });
    const msgs = await t.messages();
    expect(statusTrace(msgs)).toMatch(SUCCESS_ORDER);
    expect(statusTrace(msgs)).toMatch(/^Sspr+UF$/);
    expect(progressRises(msgs)).toBe(true);

    const stored = await t.samples();
    expect(stored.map((s) => [s.label, s.valuesCount, s.intervalMs, s.signatureValidate, s.signatureMethod, s.deviceType])).toEqual([['wave', 100, 10, true, 'HS256', 'EI_SIM_BOARD']]);
    const bytes = await t.raw(stored[0].id);
    expect(t.sim.board.recorded).toHaveLength(1);
    expect(sameExceptSignature(bytes, t.sim.board.recorded[0]!)).toBe(true);
    expect(hs256Verify(bytes, HMAC_KEY)).toBe(true);
    expect(t.sim.board.stats.fastTransfers).toBe(1);
    // READBUFFER with START,LENGTH: from the offset, exactly the file's length.
    expect(t.sim.board.stats.readBuffer).toEqual([[4096, t.sim.board.recorded[0]!.length]]);
    // Unlinked once stored (right after sampleFinished).
    await until(() => t.sim.board.files.size === 0);
    expect(t.sim.board.files.size).toBe(0);
    expect(t.sim.board.stats.commands).toContain('AT+UNLINKFILE');
    expect(t.spool.stats().count).toBe(0);
    // The HMAC key went to the board in SAMPLESETTINGS (as the firmware expects), the API key never did.
    expect(t.sim.board.state.upload.apiKey).toBe('');
    const ev = await getJson(`${t.service.url}/v1/api/${t.pid}/devices/${encodeURIComponent(t.deviceId)}/events`, API_KEY);
    expect(JSON.stringify(ev.json)).not.toContain(HMAC_KEY);
  });

  it('microphone at 16 kHz on an ESP32-style handler set at AT 1.5 (no READFILE, no fast transfer): Ref-BINARY-i16 stored as octet-stream, signature valid', async () => {
    const t = await setup({ board: { handlers: 'esp32', atVersion: '1.5.0', deviceId: 'aa:bb:cc:dd:ee:01' } });
    expect(t.deviceId).toBe('aa:bb:cc:dd:ee:01');
    await t.startSampling({ label: 'noise', lengthMs: 250, category: 'testing', intervalMs: 0.0625, sensor: 'Microphone' });
    expect((await t.finalEvent()).message).toEqual({ sampleFinished: true });
    expect(statusTrace(await t.messages())).toMatch(SUCCESS_ORDER);
    const stored = await t.samples('testing');
    expect(stored.map((s) => [s.label, s.valuesCount, s.signatureValidate])).toEqual([['noise', 4000, true]]);
    const res = await fetch(`${t.service.url}/v1/api/${t.pid}/raw-data/${stored[0].id}/raw`, { headers: { 'x-api-key': API_KEY } });
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    await res.arrayBuffer();
    expect(sameExceptSignature(await t.raw(stored[0].id), t.sim.board.recorded[0]!)).toBe(true);
    expect(t.sim.board.stats.fastTransfers).toBe(0);
    expect(t.sim.board.stats.commands).not.toContain('AT+READFILE');
  });

  it('a board with a file system that reports no buffer range: read back with AT+READFILE (fast), stored, then unlinked', async () => {
    const t = await setup({ board: { reportBuffer: false } });
    await t.startSampling({ label: 'file', lengthMs: 500, category: 'training', intervalMs: 10, sensor: 'Accelerometer' });
    expect((await t.finalEvent()).message).toEqual({ sampleFinished: true });
    expect(statusTrace(await t.messages())).toMatch(/^Sspr+UF$/);
    const stored = await t.samples();
    expect(stored.map((s) => [s.label, s.valuesCount, s.signatureValidate])).toEqual([['file', 50, true]]);
    expect(sameExceptSignature(await t.raw(stored[0].id), t.sim.board.recorded[0]!)).toBe(true);
    expect(t.sim.board.stats.commands).toContain('AT+READFILE');
    expect(t.sim.board.stats.commands).not.toContain('AT+READBUFFER');
    expect(t.sim.board.stats.fastTransfers).toBe(1);
    await until(() => t.sim.board.files.size === 0);
    expect(t.sim.board.files.size).toBe(0);
  });

  it('a camera board: Camera (WxH) sensors in the hello, AT+SNAPSHOT frame (fast) → JPEG stored through /files', async () => {
    const t = await setup({ board: { camera: { resolutions: [[160, 120], [96, 96]] } } });
    const hello = t.rm.registry.get(t.pid, t.deviceId)!.events.find((e) => e.message && 'hello' in e.message)!.message!.hello as any;
    expect(hello.sensors.map((s: any) => s.name)).toEqual(['Accelerometer', 'Microphone', 'Camera (96x96)', 'Camera (160x120)']);
    await t.startSampling({ label: 'cat', lengthMs: 1, category: 'training', intervalMs: 1, sensor: 'Camera (96x96)' });
    expect((await t.finalEvent()).message).toEqual({ sampleFinished: true });
    expect(statusTrace(await t.messages())).toMatch(/^Ssr+UF$/);
    const stored = await t.samples();
    expect(stored.map((s) => [s.label, s.kind, s.imageDimensions?.width, s.imageDimensions?.height])).toEqual([['cat', 'jpg', 96, 96]]);
    const jpeg = await t.raw(stored[0].id);
    const { decode } = await import('jpeg-js');
    const img = decode(jpeg, { useTArray: true });
    const frame = t.sim.board.snapshots[0]!;
    let err = 0;
    for (let p = 0; p < 96 * 96; p++) for (let c = 0; c < 3; c++) err += Math.abs(img.data[p * 4 + c]! - frame.rgb[p * 3 + c]!);
    // JPEG is lossy: the picture is the board's frame within a few levels per channel on average.
    expect(err / (96 * 96 * 3)).toBeLessThan(6);
    expect(t.sim.board.stats.fastTransfers).toBe(1);
  });

  it('AT 1.1 (files in hex): READFILE read back as hex, stored intact', async () => {
    const t = await setup({ board: { reportBuffer: false, atVersion: '1.1.0' } });
    await t.startSampling({ label: 'hex', lengthMs: 300, category: 'training', intervalMs: 10 });
    expect((await t.finalEvent()).message).toEqual({ sampleFinished: true });
    const stored = await t.samples();
    expect(stored.map((s) => [s.label, s.valuesCount, s.signatureValidate])).toEqual([['hex', 30, true]]);
    expect(sameExceptSignature(await t.raw(stored[0].id), t.sim.board.recorded[0]!)).toBe(true);
    expect(t.sim.board.stats.fastTransfers).toBe(0);
  });

  it('garbage between prompts and LF-only lines are skipped: the sample is stored intact', async () => {
    const t = await setup({ board: { faults: { garbageEveryMs: 15 }, lfOnly: true } });
    await t.startSampling({ label: 'noisy', lengthMs: 640, category: 'training', intervalMs: 16, sensor: 'Accelerometer' });
    expect((await t.finalEvent()).message).toEqual({ sampleFinished: true });
    const stored = await t.samples();
    expect(stored.map((s) => [s.label, s.valuesCount, s.signatureValidate])).toEqual([['noisy', 40, true]]);
    expect(t.sim.board.stats.garbage).toBeGreaterThan(0);
  });

  it('the board resets while idle, the next command lands in its boot: written again after the banner, the sample is stored', async () => {
    const t = await setup({ board: { bootMs: 400 } });
    t.sim.board.reset();
    await until(() => t.sim.board.stats.resets === 1);
    await t.startSampling({ label: 'after-reset', lengthMs: 300, category: 'training', intervalMs: 10 });
    expect((await t.finalEvent()).message).toEqual({ sampleFinished: true });
    expect((await t.samples()).map((s) => [s.label, s.valuesCount, s.signatureValidate])).toEqual([['after-reset', 30, true]]);
  });

  it('a request the board cannot do (unknown sensor, wrong rate) is refused before touching the board', async () => {
    const t = await setup();
    await t.startSampling({ label: 'x', lengthMs: 500, category: 'training', intervalMs: 5, sensor: 'Accelerometer' });
    const fin = await t.finalEvent();
    expect(fin.message).toEqual({ sample: false, error: 'sensor Accelerometer samples at 62.5, 100 Hz, not 200 Hz' });
    await t.startSampling({ label: 'x', lengthMs: 500, category: 'training', intervalMs: 10, sensor: 'Camera' });
    expect((await t.finalEvent(fin.seq)).message).toMatchObject({ sample: false, error: expect.stringContaining('unknown sensor "Camera"') });
    expect(t.sim.board.stats.commands.filter((c) => c === 'AT+SAMPLESTART')).toHaveLength(0);
  });
});

describe('daemon faults', () => {
  it('a command answered "Not a valid AT command": sample:false naming it, nothing stored, the next request still answered', async () => {
    const t = await setup({ board: { faults: { invalidCommands: ['AT+SAMPLESETTINGS'] } } });
    await t.startSampling({ label: 'bad', lengthMs: 300, category: 'training', intervalMs: 10 });
    const fin = await t.finalEvent();
    expect(fin.message).toEqual({ sample: false, error: 'recording failed: board does not know AT+SAMPLESETTINGS (answered: not a valid AT command)' });
    expect(statusTrace(await t.messages())).toBe('SX');
    expect(await t.samples()).toHaveLength(0);
    await t.startSampling({ label: 'bad', lengthMs: 300, category: 'training', intervalMs: 10 });
    expect((await t.finalEvent(fin.seq)).message).toMatchObject({ sample: false });
  });

  it('the board resets mid-sampling: sample:false says so, the daemon brings the board back, the next sample is stored', async () => {
    const t = await setup({ board: { faults: { resetDuringSampling: [1] } } });
    let ups = 0;
    t.daemon.on('boardUp', () => ups++);
    await t.startSampling({ label: 'reset', lengthMs: 600, category: 'training', intervalMs: 10 });
    const fin = await t.finalEvent();
    expect(fin.message).toEqual({ sample: false, error: 'recording failed: the board reset during sampling' });
    expect(statusTrace(await t.messages())).toBe('SsX');
    const deadline = Date.now() + 20_000;
    while (ups === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(ups).toBe(1);
    await t.startSampling({ label: 'reset', lengthMs: 600, category: 'training', intervalMs: 10 });
    expect((await t.finalEvent(fin.seq)).message).toEqual({ sampleFinished: true });
    expect((await t.samples()).map((s) => [s.label, s.valuesCount, s.signatureValidate])).toEqual([['reset', 60, true]]);
    expect(t.sim.board.stats.resets).toBe(1);
  });

  it('slow sampling past the deadline (length × 10): sample:false with the timeout, nothing stored, board brought back', async () => {
    const t = await setup({ board: { faults: { samplingSlowdown: 25 } }, daemon: { board: { sampleTimeoutFactor: 10 } } });
    let ups = 0;
    t.daemon.on('boardUp', () => ups++);
    await t.startSampling({ label: 'slow', lengthMs: 250, category: 'training', intervalMs: 10 });
    const fin = await t.finalEvent();
    expect(fin.message).toMatchObject({ sample: false, error: expect.stringMatching(/^recording failed: board did not answer AT\+SAMPLESTART within \d+ ms$/) });
    expect(await t.samples()).toHaveLength(0);
    const deadline = Date.now() + 30_000;
    while (ups === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(ups).toBe(1);
  });

  it('the upload cannot get through: sample:false "kept in the spool", the file stays on the board', async () => {
    const t = await setup({ endpoint: 'http://127.0.0.1:9', waitMs: 1500 });
    await t.startSampling({ label: 'offline', lengthMs: 300, category: 'training', intervalMs: 10 });
    const fin = await t.finalEvent();
    expect(fin.message).toMatchObject({ sample: false, error: expect.stringContaining('kept in the spool and will be sent later') });
    expect(statusTrace(await t.messages())).toMatch(/^Sspr+UX$/);
    expect(t.spool.stats().count).toBe(1);
    expect(t.sim.board.files.size).toBe(1);
  });

  it('the port goes away and comes back (unplug): requests meanwhile are refused with the reason, then sampling works again', async () => {
    const t = await setup();
    const downs: string[] = [];
    let ups = 0;
    t.daemon.on('boardDown', (r) => downs.push(r));
    t.daemon.on('boardUp', () => ups++);
    const replug = t.sim.replug(1500);
    const deadline = Date.now() + 10_000;
    while (downs.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(downs).toHaveLength(1);
    await t.startSampling({ label: 'gone', lengthMs: 300, category: 'training', intervalMs: 10 });
    const refused = await t.finalEvent();
    expect(refused.message).toEqual({ sample: false, error: 'the board is not connected (serial port down); try again once it is back' });
    await replug;
    const d2 = Date.now() + 20_000;
    while (ups === 0 && Date.now() < d2) await new Promise((r) => setTimeout(r, 50));
    expect(ups).toBe(1);
    await t.startSampling({ label: 'back', lengthMs: 300, category: 'training', intervalMs: 10 });
    expect((await t.finalEvent(refused.seq)).message).toEqual({ sampleFinished: true });
    expect((await t.samples()).map((s) => s.label)).toEqual(['back']);
  });

  it('a different board plugged into the port: its samples are refused, never sent under the first board\'s id', async () => {
    const t = await setup();
    let ups = 0;
    t.daemon.on('boardUp', () => ups++);
    await t.sim.replug(300, { deviceId: 'aa:bb:cc:dd:ee:99' });
    await until(() => ups === 1);
    expect(ups).toBe(1);
    await t.startSampling({ label: 'other', lengthMs: 300, category: 'training', intervalMs: 10 });
    expect((await t.finalEvent()).message).toEqual({ sample: false, error: 'a different board (id aa:bb:cc:dd:ee:99) is now on the port; restart the daemon to use it' });
    expect(t.sim.board.stats.commands).not.toContain('AT+SAMPLESTART');
  });

  it('a board that never prompts: start fails with EI_DAEMON_NO_PROMPT, no hello sent', async () => {
    const t = await setup({ board: { faults: { neverPrompt: true } }, start: false });
    await expect(t.daemon.start()).rejects.toMatchObject({ code: 'EI_DAEMON_NO_PROMPT', message: expect.stringContaining('no prompt from') });
    expect(t.rm.registry.list(t.pid)).toHaveLength(0);
  });

  it('a port another process holds is refused (EI_DAEMON_PORT_BUSY), never shared', async () => {
    const t = await setup({ start: false });
    const other = new SerialPort({ path: t.sim.devicePath, baudRate: 115200, autoOpen: false, lock: true });
    await new Promise<void>((res, rej) => other.open((e) => (e ? rej(e) : res())));
    cleanups.push(() => new Promise<void>((r) => other.close(() => r())));
    await expect(t.daemon.start()).rejects.toMatchObject({ code: 'EI_DAEMON_PORT_BUSY', message: expect.stringContaining('in use by another process') });
    expect(t.sim.board.stats.commands).toHaveLength(0);
  });
});
