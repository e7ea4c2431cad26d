/**
 * The serial gateway: one supervised link per port; line-protocol ports go through a
 * LineSession and are encoded and HMAC-signed here, framed ports deliver pre-encoded documents
 * checked (CRC, optional ES256) before forwarding. Every sample goes into the spool first; a
 * sender (owned by the caller) drains it. Samples of one port are spooled in arrival order.
 */
import { createHash } from 'node:crypto';
import { encodeDocument } from '../encode/index.ts';
import { type Spool, SpoolFullError } from '../spool/index.ts';
import type { EnqueueResult, SampleSpec } from '../spool/index.ts';
import { FrameDecoder } from './frame-decoder.ts';
import type { ParsedFrame } from './frame.ts';
import { FrameVerifier } from './frame-verify.ts';
import { LineSession } from './line-session.ts';
import type { LineEvent } from './line-session.ts';
import { SENSOR_QUERY } from './line-parser.ts';
import type { SensorName } from './line-parser.ts';
import type { PortSpec } from './port-spec.ts';
import { runSerialLink } from './serial-link.ts';
import { serialPortClass } from '../optional.ts';

export interface GatewayOptions {
  ports: PortSpec[];
  spool: Spool;
  label: string;
  category: string;
  /** Sample length for line-protocol ports (ms). */
  sampleMs: number;
  frequencyHz?: number;
  sensors?: SensorName[];
  /** Project HMAC key: line-protocol samples are HS256-signed with it (else alg none). */
  hmacKey?: string;
  format?: 'cbor' | 'json';
  deviceType?: string;
  /** Public keys per device id for framed ports (see FrameVerifier for the policy). */
  deviceKeys?: Record<string, Uint8Array>;
  detectMs?: number;
  detectMin?: number;
  /** Largest framed document body (default 1 MiB). */
  maxFrameBody?: number;
  /**
   * Samples of one port waiting for the spool (in memory) beyond which new ones are refused
   * and counted (default 256): a disk slower than the device must not grow memory unbounded.
   */
  maxPending?: number;
  /** Called after a sample is durably spooled (the gateway's acknowledgement). */
  onAck?: (a: AckInfo) => void | Promise<void>;
  onEvent?: (e: GatewayEvent) => void;
}

export interface AckInfo {
  port: string;
  id: string;
  sha256: string;
  fileName: string;
}

export type GatewayEvent =
  | { type: 'port-up' | 'port-down'; port: string; reason?: string }
  | { type: 'frequency'; port: string; hz: number; measuredHz?: number; uncertainty?: number; source: 'given' | 'detected' }
  | { type: 'sensors'; port: string; sensors: SensorName[]; source: string }
  | { type: 'refused'; port: string; reason: string }
  /** The spool was full under 'drop-oldest': `count` older samples were deleted for this one. */
  | { type: 'dropped-oldest'; port: string; count: number }
  | { type: 'frame-rejected'; port: string; deviceId: string; reason: string }
  | { type: 'error'; port: string; message: string };

export interface PortStats {
  path: string;
  protocol: 'line' | 'framed';
  up: boolean;
  opens: number;
  bytes: number;
  samples: number;
  garbage: number;
  droppedRows: number;
  frameErrors: number;
  rejectedFrames: number;
  refused: number;
  frequencyHz: number;
}

export class Gateway {
  private readonly opts: GatewayOptions;
  private readonly ac = new AbortController();
  private readonly links: Promise<unknown>[] = [];
  private readonly ports: { spec: PortSpec; stats: PortStats; chain: Promise<void>; pending: number; downReported: boolean; errBase: number }[] = [];
  private readonly verifier: FrameVerifier;

  constructor(opts: GatewayOptions) {
    this.opts = opts;
    this.verifier = new FrameVerifier(opts.deviceKeys ?? {});
  }

  start(): void {
    // The serial links retry failures forever; a missing serialport is not one: fail now, naming it.
    if (this.opts.ports.length > 0) serialPortClass();
    for (const spec of this.opts.ports) {
      const stats: PortStats = {
        path: spec.path, protocol: spec.protocol, up: false, opens: 0, bytes: 0, samples: 0, garbage: 0,
        droppedRows: 0, frameErrors: 0, rejectedFrames: 0, refused: 0, frequencyHz: 0,
      };
      const port = { spec, stats, chain: Promise.resolve(), pending: 0, downReported: false, errBase: 0 };
      this.ports.push(port);
      this.links.push(spec.protocol === 'line' ? this.runLine(port) : this.runFramed(port));
    }
  }

  stats(): PortStats[] {
    return this.ports.map((p) => ({ ...p.stats }));
  }

  /** Stops reading, then waits until every sample already cut is spooled. */
  async stop(): Promise<void> {
    this.ac.abort();
    await Promise.all(this.links);
    await Promise.all(this.ports.map((p) => p.chain));
  }

  /** Reports an outage once (not every retry) and marks the port down. */
  private down(port: (typeof this.ports)[number], reason: string): void {
    if (!port.downReported) this.emit({ type: 'port-down', port: port.spec.path, reason });
    port.downReported = true;
    port.stats.up = false;
  }

  private emit(e: GatewayEvent): void {
    this.opts.onEvent?.(e);
  }

  /**
   * Hands a sample to the spool at once (the spool numbers samples in call order, so arrival order
   * is kept while several are in flight and group commit can write them together); counts and
   * acknowledgements are then taken in arrival order on the port's chain.
   */
  private spoolSample(port: (typeof this.ports)[number], body: Uint8Array, contentType: string, label: string, fileBase: string, ext: string, signature: string): void {
    if (port.pending >= (this.opts.maxPending ?? 256)) {
      port.stats.refused++;
      this.emit({ type: 'refused', port: port.spec.path, reason: `spool cannot keep up (${port.pending} samples waiting in memory)` });
      return;
    }
    port.pending++;
    const sha256 = createHash('sha256').update(body).digest('hex');
    const fileName = `${fileBase}.${sha256.slice(0, 12)}.${ext}`;
    const spec: SampleSpec = { kind: 'data', category: this.opts.category, fileName, label, uploadSource: 'ei-ingest-gateway' };
    let stored: Promise<EnqueueResult>;
    try {
      stored = this.opts.spool.enqueue(body, { spec, contentType, signature });
    } catch (e) {
      stored = Promise.reject(e);
    }
    // Settled here too, so a refusal waiting behind a slow acknowledgement is never "unhandled".
    stored.catch(() => undefined);
    port.chain = port.chain.then(async () => {
      try {
        const r = await stored;
        port.stats.samples++;
        if (r.dropped > 0) this.emit({ type: 'dropped-oldest', port: port.spec.path, count: r.dropped });
        try {
          await this.opts.onAck?.({ port: port.spec.path, id: r.id, sha256, fileName });
        } catch (e) {
          this.emit({ type: 'error', port: port.spec.path, message: `ack hook failed (sample is spooled): ${(e as Error).message}` });
        }
      } catch (e) {
        port.stats.refused++;
        const err = e as Error;
        this.emit({ type: 'refused', port: port.spec.path, reason: e instanceof SpoolFullError ? err.message : `${(e as { code?: string }).code ?? 'error'}: ${err.message}` });
      } finally {
        port.pending--;
      }
    });
  }

  private async runLine(port: (typeof this.ports)[number]): Promise<void> {
    const path = port.spec.path;
    const deviceName = path.replace(/^.*\//, '');
    let session!: LineSession;
    const base = { garbage: 0, droppedRows: 0 }; // counts stay cumulative across reconnects
    const handle = (events: LineEvent[]) => {
      for (const e of events) {
        if (e.type === 'frequency') {
          port.stats.frequencyHz = e.hz;
          this.emit({ type: 'frequency', port: path, hz: e.hz, measuredHz: e.estimate?.hz, uncertainty: e.estimate?.uncertainty, source: e.source });
        } else if (e.type === 'sensors') {
          this.emit({ type: 'sensors', port: path, sensors: e.sensors, source: e.source });
        } else if (e.type === 'sample') {
          this.encodeSample(port, deviceName, e);
        }
      }
      port.stats.garbage = base.garbage + session.counts.garbage;
      port.stats.droppedRows = base.droppedRows + session.counts.droppedRows;
    };
    const stats = await runSerialLink(
      port.spec,
      {
        onOpen: (write) => {
          // A fresh session per connection: a reopened port may carry a restarted device.
          base.garbage = port.stats.garbage;
          base.droppedRows = port.stats.droppedRows;
          session = new LineSession({
            sampleMs: this.opts.sampleMs, frequencyHz: this.opts.frequencyHz, sensors: this.opts.sensors,
            detectMs: this.opts.detectMs, detectMin: this.opts.detectMin,
          });
          port.stats.up = true;
          port.stats.opens++;
          port.downReported = false;
          this.emit({ type: 'port-up', port: path });
          handle(session.start());
          if (!this.opts.sensors) write(SENSOR_QUERY);
        },
        onData: (chunk, t) => {
          port.stats.bytes += chunk.length;
          if (session) handle(session.feed(chunk, t));
        },
        onDown: (reason) => this.down(port, reason),
      },
      this.ac.signal,
    );
    return void stats;
  }

  private encodeSample(port: (typeof this.ports)[number], deviceName: string, e: Extract<LineEvent, { type: 'sample' }>): void {
    const format = this.opts.format ?? 'cbor';
    try {
      const encoded = encodeDocument(
        {
          protected: { ver: 'v1', alg: this.opts.hmacKey ? 'HS256' : 'none' },
          payload: {
            device_name: deviceName,
            device_type: this.opts.deviceType ?? 'EI_SERIAL_GATEWAY',
            interval_ms: e.intervalMs,
            sensors: e.sensors,
            values: { data: e.data, width: e.width },
          },
        },
        { format, hmacKey: this.opts.hmacKey, alg: this.opts.hmacKey ? 'HS256' : 'none', iat: Math.floor(Date.now() / 1000) },
      );
      const body = new Uint8Array(encoded.length);
      let o = 0;
      for (const c of encoded.chunks()) {
        body.set(c, o);
        o += c.length;
      }
      this.spoolSample(port, body, encoded.contentType, this.opts.label, `${this.opts.label}.${deviceName}`, format, encoded.signature);
    } catch (err) {
      this.emit({ type: 'error', port: port.spec.path, message: `encoding failed: ${(err as Error).message}` });
    }
  }

  private async runFramed(port: (typeof this.ports)[number]): Promise<void> {
    const path = port.spec.path;
    let decoder = new FrameDecoder(this.opts.maxFrameBody);
    const onFrame = (f: ParsedFrame) => {
      const v = this.verifier.check(f);
      if (!v.ok) {
        port.stats.rejectedFrames++;
        this.emit({ type: 'frame-rejected', port: path, deviceId: f.deviceId, reason: v.reason });
        return;
      }
      const label = f.label || this.opts.label;
      const body = f.body.slice();
      this.spoolSample(port, body, f.json ? 'application/json' : 'application/cbor', label, `${label}.${safe(f.deviceId)}`, f.json ? 'json' : 'cbor', '');
    };
    await runSerialLink(
      port.spec,
      {
        onOpen: () => {
          port.errBase = port.stats.frameErrors; // counts stay cumulative across reconnects
          decoder = new FrameDecoder(this.opts.maxFrameBody);
          port.stats.up = true;
          port.stats.opens++;
          port.downReported = false;
          this.emit({ type: 'port-up', port: path });
        },
        onData: (chunk) => {
          port.stats.bytes += chunk.length;
          for (const f of decoder.push(chunk)) onFrame(f);
          const c = decoder.counts;
          port.stats.frameErrors = port.errBase + c.cobsErrors + c.crcErrors + c.layoutErrors + c.oversize;
        },
        onDown: (reason) => this.down(port, reason),
      },
      this.ac.signal,
    );
  }
}

function safe(id: string): string {
  return id.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
}
