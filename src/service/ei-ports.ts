/**
 * Edge Impulse's own tools, given `EI_HOST=<IP>`, talk to `http://IP:4800` (Studio API),
 * `ws://IP:4802` (remote management) and `http://IP:4810` (ingestion) (FACTS §10). This adds
 * listeners on the first two ports that hand every request and WebSocket upgrade to the running
 * service's own server, so one service answers on all three with no forwarding.
 */
import http, { type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { IngestionService } from './index.ts';

/** The ports edge-impulse-cli / edge-impulse-linux use when EI_HOST is an IP address. */
export const EI_PORTS = { studio: 4800, remoteMgmt: 4802, ingestion: 4810 } as const;

export interface EiPortListeners {
  /** e.g. `http://127.0.0.1:4800` */
  studioUrl: string;
  /** e.g. `ws://127.0.0.1:4802` */
  remoteMgmtUrl: string;
  close(): Promise<void>;
}

async function listenTwin(svc: IngestionService, port: number, host: string): Promise<{ server: Server; sockets: Set<Socket> }> {
  const l = svc.limits;
  const server = http.createServer(
    { maxHeaderSize: l.maxHeaderBytes, headersTimeout: l.headersTimeoutMs, requestTimeout: l.requestTimeoutMs, keepAliveTimeout: l.keepAliveTimeoutMs },
    (req: IncomingMessage, res: ServerResponse) => void svc.server.emit('request', req, res),
  );
  server.timeout = l.idleTimeoutMs;
  server.maxConnections = l.maxConnections;
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    if (svc.server.listenerCount('upgrade') === 0) socket.destroy();
    else svc.server.emit('upgrade', req, socket, head);
  });
  server.on('checkContinue', (req: IncomingMessage, res: ServerResponse) => void svc.server.emit('checkContinue', req, res));
  server.on('clientError', (_e, socket) => socket.destroy());
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  return { server, sockets };
}

function urlOf(scheme: string, server: Server): string {
  const a = server.address() as AddressInfo;
  return `${scheme}://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
}

/**
 * Listens on the Studio and remote-management ports next to `svc` (which serves ingestion).
 * Port 0 picks a free port (tests). The HTTP listeners are plain HTTP, as the CLIs use with an IP.
 * @throws the listen error (EADDRINUSE…); nothing is left listening then
 */
export async function listenEiPorts(svc: IngestionService, ports: { studio?: number; remoteMgmt?: number } = {}): Promise<EiPortListeners> {
  const host = svc.host;
  const studio = await listenTwin(svc, ports.studio ?? EI_PORTS.studio, host);
  let rm: Awaited<ReturnType<typeof listenTwin>>;
  try {
    rm = await listenTwin(svc, ports.remoteMgmt ?? EI_PORTS.remoteMgmt, host);
  } catch (e) {
    await new Promise((r) => studio.server.close(r));
    throw e;
  }
  let closing: Promise<void> | undefined;
  return {
    studioUrl: urlOf('http', studio.server),
    remoteMgmtUrl: urlOf('ws', rm.server),
    close() {
      closing ??= Promise.all(
        [studio, rm].map(
          (t) =>
            new Promise<void>((resolve) => {
              t.server.close(() => resolve());
              for (const s of t.sockets) s.destroy();
            }),
        ),
      ).then(() => undefined);
      return closing;
    },
  };
}
