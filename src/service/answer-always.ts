/**
 * Every request gets an answer (issue 12). node:http, left alone, drops a connection without a
 * status in three cases: a parse error while a response is pending (junk after a good request,
 * a bad chunk size, a body cut short by a half-close), a half-close while a response is pending
 * (it ends the socket before the answer is written), and an idle or request timeout. Here:
 * - the error belongs to the pending request (its body is incomplete): that request is answered
 *   400 (408 for a timeout) with `Connection: close`;
 * - the error belongs to bytes after a complete request: that request's answer goes out as usual,
 *   then the connection closes (the broken remainder is never parsed as a request);
 * - no request is pending: the status is written raw, then the connection closes.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { abortAfterLinger, sendText } from './http-util.ts';
import type { ServiceLimits } from './limits.ts';

const LINGER_MS = 1500;

/** The response node has bound to the socket (the one being answered), if any. */
function pendingResponse(socket: Socket): ServerResponse | undefined {
  return (socket as Socket & { _httpMessage?: ServerResponse | null })._httpMessage ?? undefined;
}

function statusFor(err: NodeJS.ErrnoException | undefined): { status: number; text: string } {
  const code = err?.code;
  if (code === 'HPE_HEADER_OVERFLOW') return { status: 431, text: 'Request header too large' };
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ETIMEDOUT') return { status: 408, text: 'Request timeout' };
  return { status: 400, text: code === 'HPE_INVALID_EOF_STATE' ? 'Request body ended before its declared length' : 'Bad request' };
}

function endRaw(socket: Socket, status: number, text: string): void {
  if (socket.writable) {
    socket.end(`HTTP/1.1 ${status} ${text}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`);
    // FIN first so the client reads the answer; the socket goes once it has drained, bounded.
    setTimeout(() => socket.destroy(), LINGER_MS).unref();
  } else {
    socket.destroy();
  }
}

/**
 * Answers `res` (whose request is still receiving its body) with `status` and closes after, or,
 * when its request is complete, lets its own answer out and closes after that.
 */
function answerPending(req: IncomingMessage, res: ServerResponse, socket: Socket, status: number, text: string, limits: ServiceLimits): void {
  if (!req.complete && !res.headersSent) {
    res.setHeader('Connection', 'close');
    sendText(req, res, status, text, limits);
    abortAfterLinger(req, LINGER_MS);
    return;
  }
  if (!res.headersSent) res.setHeader('Connection', 'close');
  if (res.writableFinished) endRaw(socket, status, text);
  else res.once('finish', () => setImmediate(() => socket.end()));
}

export function installAnswerGuards(server: Server, limits: ServiceLimits): void {
  // Keep the socket writable after the client's FIN until the pending answers are out
  // (node's own flag; without it a half-close ends the socket before the 200 is written).
  (server as Server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  const handled = new WeakSet<Socket>();

  server.on('clientError', (err: NodeJS.ErrnoException, socket: Socket) => {
    if (handled.has(socket)) return; // the broken parser reports again on later bytes
    handled.add(socket);
    const { status, text } = statusFor(err);
    const res = pendingResponse(socket);
    if (res?.req) answerPending(res.req, res, socket, status, text, limits);
    else endRaw(socket, status, text);
  });

  // Idle timeout (server.timeout): a request still receiving its body gets 408; an idle
  // keep-alive socket or a stalled response write is closed; a handler still working on a
  // complete request is left to finish (its answer is the one that matters).
  server.on('timeout', (socket: Socket) => {
    const res = pendingResponse(socket);
    if (!res?.req) return void socket.destroy();
    if (!res.req.complete && !res.headersSent) {
      if (handled.has(socket)) return;
      handled.add(socket);
      answerPending(res.req, res, socket, 408, 'Request timeout', limits);
      return;
    }
    if (res.headersSent) socket.destroy();
  });
}
