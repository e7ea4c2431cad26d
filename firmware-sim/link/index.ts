/**
 * Link emulator: a loopback TCP proxy that makes a connection look like a real network path,
 * with a one-way latency, a bandwidth per direction (serialisation delay) and faults (resets,
 * stalls), all in user space (no root, no tc/netem). Point a client at `link.port`; each
 * connection it opens gets its own connection to `target`.
 *
 * @example
 * const link = await startLink({ target: { port: svc.port }, latencyMs: 50, bitsPerSecond: 10e6 });
 * const client = new IngestionClient({ endpoint: `http://127.0.0.1:${link.port}` });
 * link.inject({ resetAfterBytes: 10_000, resets: 1 }); // next connection is reset mid-request
 * await link.close();
 *
 * What it does not model: packet loss and TCP's own congestion control (slow start), since the
 * loopback TCP under it never loses anything; a bench result through it is an upper bound of what
 * a real path with that RTT and rate gives.
 */
import net from 'node:net';
import { LinkPipe, Wire } from './pipe.ts';

export interface LinkFaults {
  /** How many of the next connections get `resetAfterBytes` (default: every one while it is set). */
  resets?: number;
  /** Client→server bytes after which the connection is reset (RST both ways). */
  resetAfterBytes?: number;
  /** How many of the next connections stall after `stallAfterBytes` (default: every one while set). */
  stalls?: number;
  /** Client→server bytes after which both directions stop delivering for `stallMs`. */
  stallAfterBytes?: number;
  /** Length of a stall, ms (default 10 s; Infinity = until the connection is closed). */
  stallMs?: number;
  /** Refuse (RST at once) the next N connections. */
  refuse?: number;
}

export interface LinkOptions {
  /** Where connections are forwarded (host defaults to 127.0.0.1; loopback only). */
  target: { host?: string; port: number };
  /** One-way latency, ms, each direction (RTT = 2×). Default 0. */
  latencyMs?: number;
  /** Bandwidth per direction, bit/s, shared by all connections (default unlimited). */
  bitsPerSecond?: number;
  /** Upstream bandwidth if different (client→server). */
  upBitsPerSecond?: number;
  /**
   * Hold the first client bytes for one round trip, as TCP's handshake would (the proxy accepts at
   * once on loopback, so without it a new connection would look free). Default true.
   */
  handshake?: boolean;
  /** Bytes in flight per direction before the sender is paused (default max(64 KiB, 2×BDP)). */
  maxInFlight?: number;
  faults?: LinkFaults;
}

export interface LinkStats {
  connections: number;
  open: number;
  /** Client→server bytes delivered. */
  bytesUp: number;
  /** Server→client bytes delivered. */
  bytesDown: number;
  resets: number;
  stalls: number;
  refused: number;
}

export interface Link {
  port: number;
  /** `http://127.0.0.1:<port>` */
  url: string;
  stats(): LinkStats;
  /** Merges fault settings in at runtime. */
  inject(f: LinkFaults): void;
  /** Changes latency/bandwidth for connections opened from now on. */
  configure(o: Pick<LinkOptions, 'latencyMs' | 'bitsPerSecond' | 'upBitsPerSecond'>): void;
  close(): Promise<void>;
}

function isLoopback(host: string): boolean {
  return (net.isIPv4(host) && host.startsWith('127.')) || host === '::1' || host === 'localhost';
}

/** @throws RangeError for a non-loopback target or negative settings */
export async function startLink(opts: LinkOptions): Promise<Link> {
  const host = opts.target.host ?? '127.0.0.1';
  if (!isLoopback(host)) throw new RangeError(`link target must be loopback, not ${host}`);
  const cfg = { latencyMs: opts.latencyMs ?? 0, bitsPerSecond: opts.bitsPerSecond ?? 0, upBitsPerSecond: opts.upBitsPerSecond };
  const check = () => {
    if (!(cfg.latencyMs >= 0) || !(cfg.bitsPerSecond >= 0) || (cfg.upBitsPerSecond !== undefined && !(cfg.upBitsPerSecond >= 0))) {
      throw new RangeError('latencyMs and bitsPerSecond must be ≥ 0');
    }
  };
  check();
  const faults: LinkFaults = { ...opts.faults };
  const st: LinkStats = { connections: 0, open: 0, bytesUp: 0, bytesDown: 0, resets: 0, stalls: 0, refused: 0 };
  const sockets = new Set<net.Socket>();
  // One line per direction, shared by every connection: the bandwidth is the link's, not each one's.
  const upWire = new Wire();
  const downWire = new Wire();

  const take = (key: 'resets' | 'stalls'): boolean => {
    const n = faults[key];
    if (n === undefined) return true;
    if (n <= 0) return false;
    faults[key] = n - 1;
    return true;
  };

  const server = net.createServer({ pauseOnConnect: true, allowHalfOpen: true }, (client) => {
    st.connections++;
    if ((faults.refuse ?? 0) > 0) {
      faults.refuse!--;
      st.refused++;
      client.on('error', () => {});
      client.resetAndDestroy();
      return;
    }
    st.open++;
    const resetAt = faults.resetAfterBytes !== undefined && take('resets') ? faults.resetAfterBytes : Infinity;
    const stallAt = faults.stallAfterBytes !== undefined && take('stalls') ? faults.stallAfterBytes : Infinity;
    const stallMs = faults.stallMs ?? 10_000;
    const server = net.connect({ host, port: opts.target.port, allowHalfOpen: true });
    sockets.add(client);
    sockets.add(server);
    client.setNoDelay(true);
    server.setNoDelay(true);
    let up = 0;
    let done = false;
    let resetting = false;
    const bdp = (bps: number) => (bps > 0 ? (bps / 8) * ((2 * cfg.latencyMs) / 1000) : 0);
    const upBps = cfg.upBitsPerSecond ?? cfg.bitsPerSecond;
    const window = (bps: number) => opts.maxInFlight ?? Math.max(64 * 1024, Math.ceil(2 * bdp(bps)));

    const kill = (reset: boolean) => {
      if (done) return;
      done = true;
      st.open--;
      upPipe.stop();
      downPipe.stop();
      for (const s of [client, server]) {
        sockets.delete(s);
        if (s.destroyed) continue;
        if (!reset) s.destroy();
        // In the tick of a write Node closes gracefully (FIN) instead of sending RST (measured).
        else setTimeout(() => s.destroyed || s.resetAndDestroy(), 0);
      }
    };
    const upPipe = new LinkPipe({
      latencyMs: cfg.latencyMs,
      bitsPerSecond: upBps,
      maxInFlight: window(upBps),
      wire: upWire,
      deliver: (c) => {
        st.bytesUp += c.length;
        return server.write(c);
      },
      backpressure: (p) => (p ? client.pause() : client.resume()),
    });
    const downPipe = new LinkPipe({
      latencyMs: cfg.latencyMs,
      bitsPerSecond: cfg.bitsPerSecond,
      maxInFlight: window(cfg.bitsPerSecond),
      wire: downWire,
      deliver: (c) => {
        st.bytesDown += c.length;
        return client.write(c);
      },
      backpressure: (p) => (p ? server.pause() : server.resume()),
    });
    // SYN and SYN-ACK: the client's first byte can leave one round trip after it connected.
    if (opts.handshake ?? true) upPipe.holdWire(2 * cfg.latencyMs);
    server.on('drain', () => upPipe.drained());
    client.on('drain', () => downPipe.drained());

    client.on('data', (chunk: Buffer) => {
      if (done || resetting) return;
      const before = up;
      up += chunk.length;
      if (up >= resetAt) {
        const keep = Math.max(0, resetAt - before);
        if (keep > 0) upPipe.push(chunk.subarray(0, keep));
        st.resets++;
        resetting = true;
        // The reset travels like the bytes before it: the server sees them, then the RST.
        upPipe.end(() => kill(true));
        return;
      }
      upPipe.push(chunk);
      if (before < stallAt && up >= stallAt) {
        st.stalls++;
        upPipe.stall(stallMs);
        downPipe.stall(stallMs);
      }
    });
    server.on('data', (chunk: Buffer) => {
      if (!done) downPipe.push(chunk);
    });
    // A FIN travels behind the data it follows.
    client.on('end', () => resetting || upPipe.end(() => server.end()));
    server.on('end', () => resetting || downPipe.end(() => client.end()));
    server.once('connect', () => client.resume());
    for (const s of [client, server]) {
      s.on('error', () => kill(true));
      s.on('close', () => {
        if (resetting) return;
        // One side gone: let what is in flight towards the other side arrive, then close it.
        if (s === server) downPipe.end(() => kill(false));
        else upPipe.end(() => kill(false));
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    stats: () => ({ ...st }),
    inject: (f) => Object.assign(faults, f),
    configure: (o) => {
      Object.assign(cfg, Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)));
      check();
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
