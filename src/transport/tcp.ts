/** Plain TCP transport (`http://` endpoints, port 80 on the nRF91 reference firmware). */
import { connect } from 'node:net';
import type { Connector, Transport } from './transport.ts';
import { SocketTransport, awaitSocket } from './socket-transport.ts';

export interface TcpOptions {
  host: string;
  port: number;
  /** Disable Nagle (default true: the head and small bodies go out at once). */
  noDelay?: boolean;
}

/**
 * Connector opening a new TCP connection per `connect()`.
 * @example const c = tcpConnector({ host: '127.0.0.1', port: 4810 }); const t = await c.connect();
 */
export function tcpConnector(opts: TcpOptions): Connector {
  const authority = hostAuthority(opts.host, opts.port, 80);
  return {
    authority,
    async connect(signal?: AbortSignal): Promise<Transport> {
      const socket = connect({ host: opts.host, port: opts.port, noDelay: opts.noDelay ?? true });
      await awaitSocket(socket, 'connect', signal);
      return new SocketTransport(socket);
    },
  };
}

/** `host[:port]` for a Host header; IPv6 literals bracketed, default ports left out. */
export function hostAuthority(host: string, port: number, defaultPort: number): string {
  const h = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return port === defaultPort ? h : `${h}:${port}`;
}
