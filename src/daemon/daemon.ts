/**
 * `ei-ingest daemon`: bridges one board running Edge Impulse firmware on a serial port to remote
 * management and ingestion (issue 16). It brings the board up (handshake, config, device id),
 * says hello with the board's sensors and frequencies as a `daemon` connection, and carries out
 * each sample request on the board, uploading through the caller's uploader (the spool).
 *
 * The port: the first open must succeed (a busy or silent port is the user's to fix, said at
 * once); after that, a port that goes away (board reset over USB, unplugged) or a board that
 * misbehaved is brought back with capped backoff while remote management stays connected, and
 * requests meanwhile are answered `{sample:false}` with the reason.
 */
import { EventEmitter } from 'node:events';
import type { ClientOptions } from 'ws';
import { DeviceClient } from '../device/client.ts';
import type { BackoffOptions } from '../device/backoff.ts';
import type { SampleUploader } from '../device/uploader.ts';
import type { SampleOutcome } from '../device/sample-job.ts';
import type { DeviceStatus, SensorAnnouncement } from '../device/messages.ts';
import { AtPort } from './at-port.ts';
import type { AtPortOptions } from './at-port.ts';
import { BoardDriver } from './board.ts';
import type { BoardOptions } from './board.ts';
import { cameraSensorName } from './board-config.ts';
import type { BoardConfig } from './board-config.ts';
import { runBoardSampleJob } from './sample-job.ts';
import { rgbToJpeg } from './jpeg.ts';

export interface DaemonOptions {
  /** Serial port options (path, baud rate, command deadlines). */
  port: AtPortOptions;
  board?: BoardOptions;
  remoteMgmtUrl: string;
  apiKey: string;
  uploader: SampleUploader;
  /** Device type for the hello (default: the board's `Type`). */
  deviceType?: string;
  /** Reopen delays after the port went away (default 500 ms doubling to 5 s). */
  reopenMs?: number;
  maxReopenMs?: number;
  backoff?: BackoffOptions;
  wsOptions?: ClientOptions;
  /** One line per event. Never given secrets. */
  log?: (line: string) => void;
}

export interface DaemonEvents {
  /** The board is up (first bring-up and every reconnect). */
  boardUp: [config: BoardConfig];
  boardDown: [reason: string];
  status: [status: DeviceStatus];
  sampleDone: [outcome: SampleOutcome];
}

/** The board's sensors for the hello; a camera board adds `Camera (WxH)` per resolution. */
export function helloSensors(c: BoardConfig): SensorAnnouncement[] {
  const out: SensorAnnouncement[] = c.sensors.map((s) => ({ name: s.name, frequencies: [...s.frequencies], maxSampleLengthS: s.maxSampleLengthS }));
  if (c.hasCamera) for (const r of c.cameraResolutions) out.push({ name: cameraSensorName(r), frequencies: [], maxSampleLengthS: 0 });
  return out;
}

export class Daemon extends EventEmitter<DaemonEvents> {
  private driver: BoardDriver | undefined;
  private client: DeviceClient | undefined;
  private stopped = false;
  private reopening: Promise<void> | undefined;
  /** Board commands of jobs and snapshot frames go one after the other. */
  private boardQueue: Promise<unknown> = Promise.resolve();
  private streaming = false;
  private streamLoop: Promise<void> | undefined;
  /** Snapshot frames sent to remote management. */
  framesSent = 0;
  /** Board bring-ups so far (the first included). */
  bringUps = 0;

  constructor(private readonly o: DaemonOptions) {
    super();
  }

  get board(): BoardDriver | undefined {
    return this.driver;
  }

  get device(): DeviceClient | undefined {
    return this.client;
  }

  private log(line: string): void {
    this.o.log?.(line);
  }

  /**
   * Opens the port, brings the board up and connects to remote management.
   * @throws BoardPortError (busy, cannot open, no prompt), AtTimeoutError, BoardProtocolError
   */
  async start(): Promise<{ config: BoardConfig; deviceId: string }> {
    const config = await this.bringUp();
    const deviceId = config.deviceId;
    const client = new DeviceClient({
      url: this.o.remoteMgmtUrl,
      apiKey: this.o.apiKey,
      deviceId,
      deviceType: this.o.deviceType ?? config.deviceType,
      connection: 'daemon',
      sensors: () => helloSensors(this.driver?.config ?? config),
      uploader: this.o.uploader,
      backoff: this.o.backoff,
      wsOptions: this.o.wsOptions,
      log: this.o.log,
      runJob: (req, ctx) => this.withBoard(() => this.runJob(req, ctx.send, ctx.signal, deviceId)),
      snapshotStream:
        config.hasCamera && config.cameraResolutions.length > 0
          ? { start: (send) => this.startStream(send), stop: () => (this.streaming = false) }
          : undefined,
    });
    client.on('status', (s) => this.emit('status', s));
    client.on('sampleDone', (s) => this.emit('sampleDone', s));
    this.client = client;
    client.start();
    return { config, deviceId };
  }

  /** Settles when the remote-management client stopped (rejects on a refused hello). */
  get done(): Promise<void> {
    return this.client?.done ?? Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.streaming = false;
    await this.streamLoop;
    await this.client?.stop();
    await this.reopening?.catch(() => undefined);
    await this.driver?.port.close();
  }

  private withBoard<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.boardQueue.then(fn, fn);
    this.boardQueue = run.catch(() => undefined);
    return run;
  }

  /**
   * Streams the smallest resolution's frames (one AT+SNAPSHOT each, as JPEG) until stopped; a
   * sample request waits at most one frame. Three failures in a row end the stream.
   */
  private startStream(send: (frame: string) => boolean): void {
    if (this.streaming) return;
    this.streaming = true;
    this.log('snapshot stream started');
    this.streamLoop = (async () => {
      let failures = 0;
      while (this.streaming && !this.stopped) {
        try {
          const jpeg = await this.withBoard(async () => {
            const d = this.driver;
            if (!this.streaming) return undefined;
            if (!d?.config || this.reopening || !d.port.isOpen) throw new Error('the board is not connected');
            const r = d.config.cameraResolutions[0]!;
            return rgbToJpeg(await d.snapshot(r.width, r.height), r.width, r.height, 80);
          });
          if (jpeg && this.streaming && send(Buffer.from(jpeg).toString('base64'))) this.framesSent++;
          failures = 0;
        } catch (err) {
          this.log(`snapshot frame failed: ${(err as Error).message}`);
          if (++failures >= 3) break;
          await new Promise((r) => setTimeout(r, 500));
        }
      }
      this.streaming = false;
      this.log('snapshot stream stopped');
    })();
  }

  private async runJob(req: Parameters<typeof runBoardSampleJob>[0], send: (s: DeviceStatus) => void, signal: AbortSignal, deviceId: string): Promise<SampleOutcome> {
    let fault: Error | undefined;
    try {
      return await runBoardSampleJob(req, {
        board: this.reopening ? undefined : this.driver,
        uploader: this.o.uploader,
        deviceId,
        send,
        signal,
        onBoardFault: (e) => (fault = e),
      });
    } finally {
      if (fault && !this.stopped) this.recover(`board fault: ${fault.message}`);
    }
  }

  private async bringUp(): Promise<BoardConfig> {
    const port = new AtPort(this.o.port);
    await port.open();
    const driver = new BoardDriver(port, this.o.board);
    try {
      const config = await driver.bringUp();
      this.driver = driver;
      this.bringUps++;
      port.on('closed', (why) => {
        if (this.driver === driver && !this.stopped) this.recover(`serial port ${port.path}: ${why}`);
      });
      const s = config.sensors.map((x) => `${x.name} (${x.frequencies.join('/')} Hz)`).join(', ');
      this.log(`board ${config.deviceId} (${config.deviceType}, AT ${config.atVersion}${config.transferBaudRate ? `, fast transfer at ${config.transferBaudRate}` : ''}) on ${port.path}: ${s}`);
      this.emit('boardUp', config);
      return config;
    } catch (err) {
      await port.close();
      throw err;
    }
  }

  /** Closes the board's port and reopens it until the board is back (or the daemon stops). */
  private recover(reason: string): void {
    if (this.reopening || this.stopped) return;
    this.log(`${reason}; reconnecting to the board`);
    this.emit('boardDown', reason);
    const old = this.driver;
    this.reopening = (async () => {
      await old?.port.close();
      let delay = this.o.reopenMs ?? 500;
      while (!this.stopped) {
        try {
          await this.bringUp();
          return;
        } catch (err) {
          this.log(`board not back yet: ${(err as Error).message}`);
        }
        await new Promise((r) => setTimeout(r, delay));
        delay = Math.min(delay * 2, this.o.maxReopenMs ?? 5000);
      }
    })().finally(() => (this.reopening = undefined));
  }
}
