/**
 * TLS transport. Certificates are verified against the system store (or `ca`) and the host
 * name by default; the only way to turn that off is an explicit `insecure: true`, which warns.
 */
import { isIP } from 'node:net';
import { connect } from 'node:tls';
import type { Connector, Transport } from './transport.ts';
import { SocketTransport, awaitSocket } from './socket-transport.ts';
import { hostAuthority } from './tcp.ts';

export interface TlsOptions {
  host: string;
  port: number;
  /** Trusted CA certificate(s), PEM. Replaces the default store when given. */
  ca?: string | Buffer | Array<string | Buffer>;
  /** Client certificate and key (PEM) for mutual TLS. */
  cert?: string | Buffer;
  key?: string | Buffer;
  /** SNI and the name the certificate must carry; defaults to `host` (not sent for IP literals). */
  servername?: string;
  /** Skips certificate verification. Never implied; a warning is logged on every connect. */
  insecure?: boolean;
  /** Where the insecure warning goes (default `process.emitWarning`). */
  warn?: (message: string) => void;
}

/**
 * Connector opening a new TLS connection per `connect()`.
 * @example tlsConnector({ host: 'localhost', port: 8443, ca: fs.readFileSync('ca.pem') })
 */
export function tlsConnector(opts: TlsOptions): Connector {
  const authority = hostAuthority(opts.host, opts.port, 443);
  const servername = opts.servername ?? (isIP(opts.host) ? undefined : opts.host);
  return {
    authority,
    async connect(signal?: AbortSignal): Promise<Transport> {
      if (opts.insecure === true) {
        (opts.warn ?? ((m) => process.emitWarning(m, 'InsecureTLSWarning')))(`TLS certificate verification is disabled for ${authority}`);
      }
      const socket = connect({
        host: opts.host,
        port: opts.port,
        ca: opts.ca,
        cert: opts.cert,
        key: opts.key,
        servername,
        rejectUnauthorized: opts.insecure !== true,
        ALPNProtocols: ['http/1.1'],
      });
      socket.setNoDelay(true);
      await awaitSocket(socket, 'secureConnect', signal);
      return new SocketTransport(socket);
    },
  };
}
