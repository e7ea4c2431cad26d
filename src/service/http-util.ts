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

function send(req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string | Buffer, limits: ServiceLimits): void {
  if (res.headersSent || res.writableEnded || res.destroyed) return;
  const buf = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
  res.statusCode = status;
  res.setHeader('Content-Type', type);
  res.setHeader('Content-Length', buf.length);
  if (bodyPending(req)) {
    const declared = Number(req.headers['content-length'] ?? NaN);
    if (!(declared <= limits.maxDrainBytes) || req.readableFlowing === false) {
      res.setHeader('Connection', 'close');
      res.end(buf, () => req.socket.destroySoon());
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
