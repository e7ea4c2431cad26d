/**
 * Response helpers. A refused request whose body has not been read is either drained (small
 * declared body: the connection stays usable) or answered with `Connection: close` so a large or
 * endless body is never read just to be thrown away.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServiceLimits } from './limits.ts';

function bodyPending(req: IncomingMessage): boolean {
  return !req.complete && (req.headers['content-length'] !== undefined ? req.headers['content-length'] !== '0' : req.headers['transfer-encoding'] !== undefined);
}

const LINGER_MS = 1500;

/**
 * Closing right after the answer while the client is still sending makes the kernel reset the
 * connection, and the client may lose the answer. Instead: send FIN, keep discarding input for a
 * short while (node's parser dumps the unread body), then destroy. Bounded, so no slowloris.
 */
function lingerOnClose(req: IncomingMessage): void {
  const sock = req.socket as (typeof req.socket & { destroySoon?: () => void }) | null;
  if (!sock) return;
  sock.destroySoon = function lingering(this: typeof sock) {
    if (!this) return;
    this.end();
    setTimeout(() => this.destroy(), LINGER_MS).unref();
  };
}

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer, limits: ServiceLimits): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', buf.length);
  if (bodyPending(req)) {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (!(declared <= limits.maxDrainBytes) || res.getHeader('Connection') === 'close') {
      res.setHeader('Connection', 'close');
      lingerOnClose(req);
      res.end(buf);
      return;
    }
  }
  res.end(buf);
}

export function sendText(req: IncomingMessage, res: ServerResponse, status: number, text: string, limits: ServiceLimits): void {
  send(req, res, status, 'text/plain; charset=utf-8', text, limits);
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, value: unknown, limits: ServiceLimits): void {
  send(req, res, status, 'application/json; charset=utf-8', JSON.stringify(value), limits);
}

export function sendBytes(req: IncomingMessage, res: ServerResponse, type: string, bytes: Buffer, limits: ServiceLimits): void {
  send(req, res, 200, type, bytes, limits);
}

/** Forces the connection closed after this response (used after a body read failed midway). */
export function closeAfter(res: ServerResponse): void {
  if (!res.headersSent) res.setHeader('Connection', 'close');
}

/**
 * After an answer sent while the request body is still incomplete (400/408 from the connection
 * guards): close the connection once it has lingered, then abort the request so whichever route
 * is reading its body sees the end ('aborted'/'close') and lets its slot go. node alone never
 * ends such a request: it was detached from the socket when its response finished.
 */
export function abortAfterLinger(req: IncomingMessage, lingerMs = LINGER_MS): void {
  const sock = req.socket;
  if (!sock) return;
  const abort = (): void => {
    if (!req.destroyed) req.destroy();
  };
  if (sock.destroyed) return abort();
  sock.once('close', abort);
  setTimeout(() => sock.destroy(), lingerMs).unref();
}
