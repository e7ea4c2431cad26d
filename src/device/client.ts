/**
 * The remote-management connection (FACTS §6): one WebSocket at a time, hello first, keepalive
 * pings, reconnects with exponential backoff and jitter, and one sample job at a time.
 *
 * Reconnect policy: a dropped connection or a failed connect is retried forever with backoff
 * (reset after each accepted hello); a refused hello (`{hello:false}`, or a 401/403 on the
 * upgrade) is final: the client stops and `done` rejects with HelloRefusedError. Retrying a bad
 * key would only hammer the server.
 *
 * Connection loss during a sample: the job keeps going (the recording is real data). Statuses
 * produced while disconnected are dropped, except the final one (`sampleFinished` or
 * `sample:false`), which is sent right after the next accepted hello.
 */
import { EventEmitter } from 'node:events';
import WebSocket from 'ws';
import type { ClientOptions } from 'ws';
import { Backoff } from './backoff.ts';
import type { BackoffOptions } from './backoff.ts';
import { HelloRefusedError } from './errors.ts';
import { buildHello, encodeMessage, parseServerMessage } from './messages.ts';
import type { DeviceStatus, SampleRequest, SensorAnnouncement } from './messages.ts';
import { runSampleJob } from './sample-job.ts';
import type { SampleOutcome } from './sample-job.ts';
import type { SensorSource } from './sensors/source.ts';
import type { SampleUploader } from './uploader.ts';

export interface DeviceClientOptions {
  /** `wss://remote-mgmt.edgeimpulse.com` or a local service's `ws://127.0.0.1:port/remote-mgmt`. */
  url: string;
  apiKey: string;
  deviceId: string;
  deviceType: string;
  /** Opened before `start()`: the hello announces its frequencies (a serial source detects them on open). */
  source?: SensorSource;
  /** Sensors for the hello instead of `source`'s (read at each connect; the daemon's board may change). */
  sensors?: () => SensorAnnouncement[];
  /** `connection` in the hello (default 'ip'; the serial daemon says 'daemon'). */
  connection?: 'ip' | 'daemon';
  /**
   * Snapshot streaming (FACTS §6): announced in the hello when given; `start` on `startSnapshot`
   * with a function sending one base64 JPEG frame, `stop` on `stopSnapshot` or a lost connection.
   */
  snapshotStream?: { start(sendFrame: (base64Jpeg: string) => boolean): void; stop(): void };
  /** Runs a sample request instead of `runSampleJob` over `source` (the daemon drives a board). */
  runJob?: (req: SampleRequest, ctx: { send: (s: DeviceStatus) => void; signal: AbortSignal }) => Promise<SampleOutcome>;
  uploader: SampleUploader;
  format?: 'cbor' | 'json';
  /** WebSocket ping period (default 30 s, as the Node CLI). */
  pingIntervalMs?: number;
  /** Drop the connection when a pong does not come within this (default 6 s). */
  pongTimeoutMs?: number;
  /** Drop the connection when the hello is not answered within this (default 15 s). */
  helloTimeoutMs?: number;
  backoff?: BackoffOptions;
  /** Extra `ws` options (CA for a test wss server, headers). */
  wsOptions?: ClientOptions;
  /** One line per event, for the CLI. Never given secrets. */
  log?: (line: string) => void;
}

export interface DeviceClientEvents {
  /** Hello accepted. */
  connected: [];
  /** Connection ended (any reason); `willRetryInMs` is null when the client stopped. */
  disconnected: [info: { code: number; reason: string; willRetryInMs: number | null }];
  refused: [error: HelloRefusedError];
  /** A status was produced: sent when connected; while offline only the final one is kept, for the next connection. */
  status: [status: DeviceStatus];
  request: [request: SampleRequest];
  sampleDone: [outcome: SampleOutcome];
}

const FINAL = (s: DeviceStatus) => 'sampleFinished' in s || ('sample' in s && s.sample === false);

/**
 * @example
 *   const dev = new DeviceClient({ url, apiKey, deviceId, deviceType: 'EI_INGEST', source, uploader });
 *   dev.start();
 *   await dev.done; // rejects with HelloRefusedError on a bad key
 */
export class DeviceClient extends EventEmitter<DeviceClientEvents> {
  /** WebSocket connections opened so far (for tests and diagnostics). */
  connectionAttempts = 0;
  private ws: WebSocket | undefined;
  private accepted = false;
  private stopped = false;
  private readonly backoff: Backoff;
  private retryTimer: NodeJS.Timeout | undefined;
  private job: Promise<SampleOutcome> | undefined;
  private pendingFinal: DeviceStatus | undefined;
  private readonly jobAbort = new AbortController();
  private resolveDone!: () => void;
  private rejectDone!: (e: Error) => void;
  /** Settles when the client stopped: resolves after `stop()`, rejects when the hello was refused. */
  readonly done: Promise<void>;

  constructor(private readonly o: DeviceClientOptions) {
    super();
    if (!o.runJob && !o.source) throw new TypeError('DeviceClient: needs a source or runJob');
    this.backoff = new Backoff(o.backoff);
    this.done = new Promise<void>((res, rej) => {
      this.resolveDone = res;
      this.rejectDone = rej;
    });
    this.done.catch(() => {});
  }

  get isConnected(): boolean {
    return this.accepted;
  }

  /** Starts connecting (returns at once). */
  start(): void {
    if (this.stopped) throw new Error('DeviceClient: cannot restart a stopped client');
    if (!this.ws && !this.retryTimer) this.connect();
  }

  /** Resolves on the next accepted hello (or at once when connected). */
  waitConnected(): Promise<void> {
    if (this.accepted) return Promise.resolve();
    return new Promise((res, rej) => {
      const ok = () => (this.off('refused', no), res());
      const no = (e: Error) => (this.off('connected', ok), rej(e));
      this.once('connected', ok);
      this.once('refused', no);
    });
  }

  /** Closes the connection, aborts a running sample, stops reconnecting. */
  async stop(): Promise<void> {
    if (this.stopped) return this.done.catch(() => {});
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.jobAbort.abort();
    this.ws?.close(1000, 'device stopping');
    const ws = this.ws;
    if (ws && ws.readyState !== WebSocket.CLOSED) {
      await new Promise<void>((r) => {
        const t = setTimeout(() => (ws.terminate(), r()), 1000);
        ws.once('close', () => (clearTimeout(t), r()));
      });
    }
    // A job waiting on its upload is not worth a slow shutdown: a spooled sample is durable.
    if (this.job) await Promise.race([this.job.catch(() => {}), new Promise((r) => setTimeout(r, 2000).unref())]);
    this.resolveDone();
  }

  private log(line: string): void {
    this.o.log?.(line);
  }

  private connect(): void {
    this.retryTimer = undefined;
    if (this.stopped) return;
    this.connectionAttempts++;
    const ws = new WebSocket(this.o.url, { handshakeTimeout: 10_000, ...this.o.wsOptions });
    this.ws = ws;
    let pingTimer: NodeJS.Timeout | undefined;
    let pongTimer: NodeJS.Timeout | undefined;
    let helloTimer: NodeJS.Timeout | undefined;
    let refused = false;

    const clearTimers = () => {
      clearInterval(pingTimer);
      clearTimeout(pongTimer);
      clearTimeout(helloTimer);
    };

    ws.on('open', () => {
      ws.send(
        encodeMessage(
          buildHello({
            apiKey: this.o.apiKey,
            deviceId: this.o.deviceId,
            deviceType: this.o.deviceType,
            connection: this.o.connection,
            supportsSnapshotStreaming: this.o.snapshotStream !== undefined,
            sensors: this.o.sensors?.() ?? (this.o.source ? [{ name: this.o.source.name, frequencies: this.o.source.frequencies, maxSampleLengthS: this.o.source.maxSampleLengthS }] : []),
          }),
        ),
      );
      helloTimer = setTimeout(() => {
        this.log('remote management: no answer to hello, reconnecting');
        ws.terminate();
      }, this.o.helloTimeoutMs ?? 15_000);
      // Keepalive: one timer per connection; a missing pong means a dead path (NAT, Wi-Fi).
      pingTimer = setInterval(() => {
        if (pongTimer) return;
        ws.ping();
        pongTimer = setTimeout(() => {
          this.log('remote management: pong timeout, reconnecting');
          ws.terminate();
        }, this.o.pongTimeoutMs ?? 6000);
      }, this.o.pingIntervalMs ?? 30_000);
    });
    ws.on('pong', () => {
      clearTimeout(pongTimer);
      pongTimer = undefined;
    });
    ws.on('unexpected-response', (_req, res) => {
      const status = res.statusCode ?? 0;
      res.resume();
      if (status === 401 || status === 403) {
        refused = true;
        this.refuse(`remote management refused the connection (HTTP ${status}): check the API key`);
      }
      ws.terminate();
    });
    ws.on('message', (data, isBinary) => {
      let msg;
      try {
        msg = parseServerMessage(isBinary ? (data as Buffer) : data.toString());
      } catch (err) {
        this.log(`remote management: ignoring bad message (${(err as Error).message})`);
        return;
      }
      if (msg.type === 'hello') {
        clearTimeout(helloTimer);
        if (msg.ok) {
          this.accepted = true;
          this.backoff.reset();
          this.log(`remote management: connected as ${this.o.deviceId}`);
          this.emit('connected');
          const final = this.pendingFinal;
          this.pendingFinal = undefined;
          if (final) this.sendStatus(final);
        } else {
          refused = true;
          this.refuse(`remote management refused the hello: ${msg.err}`);
          ws.close(1000, 'hello refused');
        }
        return;
      }
      if (!this.accepted) return;
      if (msg.type === 'sample') this.onSampleRequest(msg.request);
      else if (msg.type === 'snapshot' && this.o.snapshotStream) {
        if (msg.start) this.o.snapshotStream.start((frame) => this.sendRaw({ snapshotFrame: frame }));
        else this.o.snapshotStream.stop();
      }
      // Without snapshotStream the hello said supportsSnapshotStreaming: false.
      else if (msg.type === 'snapshot') this.log('remote management: ignoring a snapshot request (not supported)');
      else this.log(`remote management: ignoring message ${msg.keys.join(',')}`);
    });
    ws.on('error', (err) => {
      this.log(`remote management: ${err.message}`);
    });
    ws.on('close', (code, reasonBuf) => {
      clearTimers();
      this.o.snapshotStream?.stop();
      if (this.ws === ws) this.ws = undefined;
      this.accepted = false;
      const reason = reasonBuf.toString();
      if (this.stopped || refused) {
        this.emit('disconnected', { code, reason, willRetryInMs: null });
        return;
      }
      const delay = this.backoff.next();
      this.log(`remote management: disconnected (${code}${reason ? ' ' + reason : ''}), retrying in ${delay} ms`);
      this.emit('disconnected', { code, reason, willRetryInMs: delay });
      this.retryTimer = setTimeout(() => this.connect(), delay);
    });
  }

  private refuse(message: string): void {
    if (this.stopped) return;
    this.stopped = true;
    clearTimeout(this.retryTimer);
    this.jobAbort.abort();
    // The server's reason is echoed to logs: make sure it cannot carry the key back.
    const err = new HelloRefusedError(message.split(this.o.apiKey).join('***'));
    this.log(err.message);
    this.emit('refused', err);
    this.rejectDone(err);
  }

  private sendRaw(msg: object): boolean {
    const ws = this.ws;
    if (!ws || !this.accepted || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(msg));
    return true;
  }

  private sendStatus(status: DeviceStatus): void {
    if (!this.sendRaw(status) && FINAL(status)) this.pendingFinal = status;
    this.emit('status', status);
  }

  private onSampleRequest(req: SampleRequest): void {
    this.emit('request', req);
    if (this.job) {
      this.sendStatus({ sample: false, error: 'device is busy with another sample' });
      return;
    }
    this.log(`sample requested: ${req.label}, ${req.length} ms at ${req.interval} ms`);
    const send = (s: DeviceStatus) => this.sendStatus(s);
    const job = this.o.runJob
      ? this.o.runJob(req, { send, signal: this.jobAbort.signal })
      : runSampleJob(req, {
      source: this.o.source!,
      uploader: this.o.uploader,
      deviceId: this.o.deviceId,
      deviceType: this.o.deviceType,
      format: this.o.format,
      signal: this.jobAbort.signal,
      send,
    });
    this.job = job.then((outcome) => {
      this.job = undefined;
      this.log(outcome.ok ? `sample stored as ${outcome.fileName}` : `sample failed: ${outcome.error}`);
      this.emit('sampleDone', outcome);
      return outcome;
    });
  }
}
