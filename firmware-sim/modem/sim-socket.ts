/**
 * One modem socket bridged to a real TCP (or TLS) connection on loopback. Received bytes wait in
 * a buffer until `AT#XRECV` asks for them, as they would in the modem.
 */
import net from 'node:net';
import tls from 'node:tls';

export interface SocketNetOptions {
  /** Fault latency: added to connect, each send (before the next may start) and each received chunk. */
  latencyMs: () => number;
  /**
   * One-way latency of the network path, ms: a send reaches the peer this long after the modem
   * took it and a peer's bytes reach the modem this long after they left, with any number of
   * sends in flight (a delay line, as a real path is); connect takes one round trip.
   */
  oneWayMs?: number;
  /** PEM CA used when the socket verifies its peer. */
  tlsCa?: string | Buffer;
  /** Host names the simulated network resolves (to loopback addresses). */
  hosts: Record<string, string>;
  connectTimeoutMs: number;
}

/** A socket-level failure with the errno the firmware would report. */
export class SimSocketError extends Error {
  constructor(
    message: string,
    readonly errno: number,
  ) {
    super(message);
  }
}

const ERRNO: Record<string, number> = { ECONNRESET: 104, EPIPE: 32, ECONNREFUSED: 111, ETIMEDOUT: 110 };
const EIO = 5;

export function errnoOf(err: unknown): number {
  if (err instanceof SimSocketError) return err.errno;
  const code = (err as { code?: string } | null)?.code;
  return (code && ERRNO[code]) || EIO;
}

const sleep = (ms: number) => (ms > 0 ? new Promise<void>((r) => setTimeout(r, ms)) : Promise.resolve());

/** Loopback address for `host`, or undefined when the simulated network must refuse it. */
export function resolveLoopback(host: string, hosts: Record<string, string>): string | undefined {
  const mapped = hosts[host.toLowerCase()] ?? (host.toLowerCase() === 'localhost' ? '127.0.0.1' : host);
  if (net.isIPv4(mapped) && mapped.startsWith('127.')) return mapped;
  if (mapped === '::1') return mapped;
  return undefined;
}

export class SimSocket {
  /** TLS_HOSTNAME option (`AT#XSSOCKETOPT ... 2,"host"`). */
  hostname: string | undefined;
  private conn: net.Socket | undefined;
  private rx: Buffer[] = [];
  private rxLen = 0;
  private eof = false;
  private failure: Error | undefined;
  private wake: (() => void) | undefined;
  private writeChain: Promise<void> = Promise.resolve();
  /** Sends on their way to the peer (one-way latency), oldest first. */
  private inFlight: { due: number; bytes: Uint8Array }[] = [];
  private flightTimer: NodeJS.Timeout | undefined;
  bytesSent = 0;
  bytesReceived = 0;

  constructor(
    readonly handle: number,
    readonly secure: boolean,
    readonly secTag: number,
    public peerVerify: number,
    private readonly net: SocketNetOptions,
  ) {}

  get connected(): boolean {
    return this.conn !== undefined && this.failure === undefined && !this.conn.destroyed;
  }

  /** Connects to a loopback host; rejects with SimSocketError on refusal, timeout or TLS failure. */
  async connect(host: string, port: number): Promise<void> {
    if (this.conn) throw new SimSocketError('already connected', 106 /* EISCONN */);
    const addr = resolveLoopback(host, this.net.hosts);
    if (!addr) throw new SimSocketError(`simulated network reaches loopback only, not ${host}`, 113 /* EHOSTUNREACH */);
    await sleep(this.net.latencyMs() + 2 * (this.net.oneWayMs ?? 0));
    const conn = await new Promise<net.Socket>((resolve, reject) => {
      let s: net.Socket;
      const onError = (e: Error) => {
        clearTimeout(t);
        s.destroy();
        reject(e);
      };
      const t = setTimeout(() => onError(new SimSocketError('connect timed out', 110)), this.net.connectTimeoutMs);
      if (this.secure) {
        const hostname = this.hostname;
        s = tls.connect({
          host: addr,
          port,
          ca: this.net.tlsCa,
          servername: hostname && !net.isIP(hostname) ? hostname : undefined,
          rejectUnauthorized: this.peerVerify === 2,
          // Without TLS_HOSTNAME the modem checks the chain only, not the name.
          checkServerIdentity: (_h, cert) => (hostname ? tls.checkServerIdentity(hostname, cert) : undefined),
        });
        s.once('secureConnect', () => {
          clearTimeout(t);
          s.off('error', onError);
          resolve(s);
        });
      } else {
        s = net.connect({ host: addr, port });
        s.once('connect', () => {
          clearTimeout(t);
          s.off('error', onError);
          resolve(s);
        });
      }
      s.once('error', onError);
    });
    conn.setNoDelay(true);
    this.conn = conn;
    // Every network event waits the same latency, so order is kept.
    const later = (fn: () => void) => {
      const lat = this.net.latencyMs() + (this.net.oneWayMs ?? 0);
      if (lat > 0) setTimeout(fn, lat);
      else fn();
    };
    conn.on('data', (chunk: Buffer) =>
      later(() => {
        this.rx.push(chunk);
        this.rxLen += chunk.length;
        this.bytesReceived += chunk.length;
        this.notify();
      }),
    );
    conn.on('error', (e) =>
      later(() => {
        this.failure ??= e;
        this.notify();
      }),
    );
    conn.on('close', () =>
      later(() => {
        this.eof = true;
        this.notify();
      }),
    );
  }

  /**
   * Sends bytes to the peer; resolves once the kernel took them. `resetAfter` (fault) makes the
   * connection reset after that many bytes of this call.
   */
  write(bytes: Uint8Array, resetAfter?: number): Promise<void> {
    const oneWay = this.net.oneWayMs ?? 0;
    const due = Date.now() + oneWay;
    const run = async () => {
      const conn = this.conn;
      if (!conn || conn.destroyed || this.failure) throw new SimSocketError('socket not connected', this.failure ? errnoOf(this.failure) : 57 /* ENOTCONN */);
      await sleep(this.net.latencyMs());
      if (oneWay > 0 && resetAfter === undefined) {
        // Taken by the modem's stack now; reaches the peer `oneWay` later, behind earlier sends.
        this.inFlight.push({ due, bytes: Uint8Array.from(bytes) });
        this.armFlight();
        return;
      }
      if (oneWay > 0) await sleep(due - Date.now());
      const part = resetAfter === undefined ? bytes : bytes.subarray(0, Math.max(0, resetAfter));
      if (part.length > 0) {
        await new Promise<void>((resolve, reject) => {
          conn.write(part, (err) => (err ? reject(err) : resolve()));
        });
        this.bytesSent += part.length;
      }
      if (resetAfter !== undefined) {
        this.reset();
        throw new SimSocketError('connection reset by peer', 104);
      }
    };
    const p = this.writeChain.then(run);
    this.writeChain = p.catch(() => undefined);
    return p;
  }

  private armFlight(): void {
    if (this.flightTimer || this.inFlight.length === 0) return;
    this.flightTimer = setTimeout(() => {
      this.flightTimer = undefined;
      const now = Date.now();
      while (this.inFlight.length > 0 && this.inFlight[0]!.due <= now) {
        const { bytes } = this.inFlight.shift()!;
        const conn = this.conn;
        // A send the path lost with the connection: the peer never sees it (as on a real link).
        if (!conn || conn.destroyed || this.failure) continue;
        conn.write(bytes);
        this.bytesSent += bytes.length;
      }
      this.armFlight();
    }, Math.max(0, this.inFlight[0]!.due - Date.now()));
  }

  /**
   * Waits up to `timeoutMs` (0 = forever) for data: returns at most `max` bytes, or null when the
   * peer closed and everything was read. Throws SimSocketError on timeout (ETIMEDOUT) or failure.
   */
  async recv(max: number, timeoutMs: number): Promise<Buffer | null> {
    const deadline = timeoutMs > 0 ? Date.now() + timeoutMs : Infinity;
    for (;;) {
      if (this.rxLen > 0) return this.take(max);
      if (this.failure) throw new SimSocketError(this.failure.message, errnoOf(this.failure));
      if (!this.conn) throw new SimSocketError('socket not connected', 57 /* ENOTCONN */);
      if (this.eof) return null;
      const left = deadline - Date.now();
      if (left <= 0) throw new SimSocketError('receive timed out', 11 /* EAGAIN */);
      await new Promise<void>((resolve) => {
        const t = left === Infinity ? undefined : setTimeout(resolve, left);
        this.wake = () => {
          if (t) clearTimeout(t);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }

  /** Hard reset (RST) towards the peer, as a dropped radio link looks to the server. */
  reset(): void {
    this.failure ??= new SimSocketError('connection reset', 104);
    const c = this.conn;
    if (c && !c.destroyed) {
      // Deferred: inside a write callback Node closes gracefully instead of sending RST.
      if (c instanceof tls.TLSSocket) c.destroy();
      else setImmediate(() => (c.destroyed ? undefined : c.resetAndDestroy()));
    }
    this.notify();
  }

  close(): void {
    if (this.flightTimer) clearTimeout(this.flightTimer);
    this.flightTimer = undefined;
    this.inFlight.length = 0;
    this.conn?.destroy();
    this.eof = true;
    this.notify();
  }

  private take(max: number): Buffer {
    const parts: Buffer[] = [];
    let need = max;
    while (need > 0 && this.rx.length > 0) {
      const head = this.rx[0];
      if (head.length <= need) {
        parts.push(head);
        this.rx.shift();
        need -= head.length;
      } else {
        parts.push(head.subarray(0, need));
        this.rx[0] = head.subarray(need);
        need = 0;
      }
    }
    const out = parts.length === 1 ? parts[0] : Buffer.concat(parts);
    this.rxLen -= out.length;
    return out;
  }

  private notify(): void {
    this.wake?.();
  }
}
