/**
 * Test helpers for the HTTP client tests: a raw `net` server on port 0 that parses requests by
 * hand and answers with hand-made bytes (or misbehaves on purpose), and a throw-away CA with
 * server and client certificates made by the `openssl` CLI in a temp dir.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface RawRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body: Buffer;
  /** 1-based connection number and request number on that connection. */
  connection: number;
  index: number;
}

/** What to do with a request: bytes to write, or take the socket over ('handled'). */
export type Reply = string | Buffer | 'handled';

export interface RawServer {
  port: number;
  requests: RawRequest[];
  connections: number;
  sockets: Set<Socket>;
  close(): Promise<void>;
}

/** `HTTP/1.1 <status>` with Content-Length and the given extra header lines. */
export function reply(status: number, body = '', headers: string[] = []): string {
  return `HTTP/1.1 ${status} X\r\n${headers.map((h) => h + '\r\n').join('')}Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/**
 * Starts a server that parses each request (head + Content-Length body) and calls `handler`.
 * `onHead` may take over before the body is read (early answers, stalls, resets).
 */
export async function rawServer(
  handler: (req: RawRequest, socket: Socket) => Reply | Promise<Reply>,
  onHead?: (req: Omit<RawRequest, 'body'>, socket: Socket) => boolean,
): Promise<RawServer> {
  const state: RawServer = { port: 0, requests: [], connections: 0, sockets: new Set(), close: async () => {} };
  const server: Server = createServer((socket) => {
    const connection = ++state.connections;
    state.sockets.add(socket);
    socket.on('close', () => state.sockets.delete(socket));
    socket.on('error', () => {});
    let buf = Buffer.alloc(0);
    let index = 0;
    let head: Omit<RawRequest, 'body'> | null = null;
    let need = 0;
    let busy = false;
    let takenOver = false;
    const pump = async () => {
      if (busy || takenOver) return;
      busy = true;
      try {
        for (;;) {
          if (!head) {
            const end = buf.indexOf('\r\n\r\n');
            if (end < 0) break;
            const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
            buf = buf.subarray(end + 4);
            const [method, path] = lines[0]!.split(' ');
            const headers: Record<string, string> = {};
            for (const l of lines.slice(1)) {
              const c = l.indexOf(':');
              headers[l.slice(0, c).toLowerCase()] = l.slice(c + 1).trim();
            }
            head = { method: method!, path: path!, headers, connection, index: ++index };
            need = Number(headers['content-length'] ?? 0);
            if (onHead?.(head, socket)) {
              takenOver = true;
              return;
            }
          }
          if (buf.byteLength < need) break;
          const req: RawRequest = { ...head, body: Buffer.from(buf.subarray(0, need)) };
          buf = buf.subarray(need);
          head = null;
          state.requests.push(req);
          const r = await handler(req, socket);
          if (r === 'handled') {
            takenOver = true;
            return;
          }
          if (!socket.destroyed) socket.write(r);
        }
      } finally {
        busy = false;
      }
      if (!takenOver && buf.byteLength > 0 && (head ? buf.byteLength >= need : buf.includes('\r\n\r\n'))) void pump();
    };
    socket.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      void pump();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  state.port = (server.address() as { port: number }).port;
  state.close = () =>
    new Promise<void>((resolve) => {
      for (const s of state.sockets) s.destroy();
      server.close(() => resolve());
    });
  return state;
}

export interface TestCerts {
  dir: string;
  ca: string;
  key: string;
  cert: string;
  clientKey: string;
  clientCert: string;
  cleanup(): void;
}

/** A CA, a server certificate for `localhost` / 127.0.0.1, and a client certificate. */
export function makeCerts(): TestCerts {
  const dir = mkdtempSync(join(tmpdir(), 'ei-certs-'));
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  ssl('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=ei-test-ca');
  writeFileSync(join(dir, 'server.ext'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n');
  writeFileSync(join(dir, 'client.ext'), 'basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n');
  for (const who of ['server', 'client']) {
    ssl('req', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', `${who}.key`, '-out', `${who}.csr`, '-subj', `/CN=${who === 'server' ? 'localhost' : 'ei-test-client'}`);
    ssl('x509', '-req', '-in', `${who}.csr`, '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', `${who}.pem`, '-days', '2', '-extfile', `${who}.ext`);
  }
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  return {
    dir,
    ca: read('ca.pem'),
    key: read('server.key'),
    cert: read('server.pem'),
    clientKey: read('client.key'),
    clientCert: read('client.pem'),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
