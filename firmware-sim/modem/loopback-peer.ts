/** A loopback TCP server for tests of the modem simulator: records what each connection sent. */
import net from 'node:net';

export interface Peer {
  port: number;
  /** Bytes received per connection, in accept order. */
  received: Buffer[][];
  /** Error codes seen on connections (e.g. ECONNRESET when the modem resets). */
  errors: string[];
  /** Waits until connection `index` has sent at least `count` bytes; returns all it sent. */
  waitForBytes(index: number, count: number, timeoutMs?: number): Promise<Buffer>;
  close(): Promise<void>;
}

/** Loopback TCP server; `onData` gets each connection's accumulated bytes. */
export async function startPeer(onData?: (sock: net.Socket, all: Buffer) => void, onConn?: (sock: net.Socket) => void): Promise<Peer> {
  const received: Buffer[][] = [];
  const errors: string[] = [];
  const socks = new Set<net.Socket>();
  const server = net.createServer((sock) => {
    socks.add(sock);
    sock.on('close', () => socks.delete(sock));
    sock.on('error', (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
    const parts: Buffer[] = [];
    received.push(parts);
    onConn?.(sock);
    sock.on('data', (d) => {
      parts.push(d);
      onData?.(sock, Buffer.concat(parts));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as net.AddressInfo).port,
    received,
    errors,
    waitForBytes: async (index, count, timeoutMs = 3000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const all = Buffer.concat(received[index] ?? []);
        if (all.length >= count || Date.now() > deadline) return all;
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    close: () =>
      new Promise<void>((r) => {
        for (const s of socks) s.destroy();
        server.close(() => r());
      }),
  };
}

