/**
 * Slow-body defences (issue 12): caps on uploads in flight, per client address and in total, so
 * trickling clients cannot hold every slot (beyond a cap: 503 with Retry-After, body not read),
 * and a minimum body rate, so the uploads that do hold a slot cannot hold it for ever (below the
 * rate over a whole window: 408). The rate is read from the socket's byte counter, so no listener
 * is added to the request stream (the route reads it as it likes).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { abortAfterLinger, sendText } from './http-util.ts';
import type { ServiceLimits } from './limits.ts';

export class UploadGate {
  private total = 0;
  private readonly perClient = new Map<string, number>();

  constructor(private readonly limits: ServiceLimits) {}

  /** Takes a slot for `client`; returns its release function, or null when a cap is reached. */
  admit(client: string): (() => void) | null {
    const n = this.perClient.get(client) ?? 0;
    if (this.total >= this.limits.maxUploads || n >= this.limits.maxUploadsPerClient) return null;
    this.total++;
    this.perClient.set(client, n + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const m = (this.perClient.get(client) ?? 1) - 1;
      if (m <= 0) this.perClient.delete(client);
      else this.perClient.set(client, m);
    };
  }

  /** Uploads in flight (for tests and status). */
  get inFlight(): number {
    return this.total;
  }
}

/** 503 for an upload beyond a cap: the body is not read, the connection closes after the answer. */
export function refuseBusy(req: IncomingMessage, res: ServerResponse, limits: ServiceLimits): void {
  res.setHeader('Retry-After', String(limits.retryAfterS));
  res.setHeader('Connection', 'close');
  sendText(req, res, 503, 'Too many uploads in progress; retry later', limits);
}

/**
 * Watches the body of `req`: once per window, fewer than minBodyBytesPerSec × window bytes
 * arrived while the body is incomplete → 408 and the connection closes. One timer per request,
 * unref'd, cleared when the body is complete or the response is done.
 */
export function watchBodyRate(req: IncomingMessage, res: ServerResponse, limits: ServiceLimits): void {
  const windowMs = limits.bodyRateWindowMs;
  const minBytes = Math.ceil((limits.minBodyBytesPerSec * windowMs) / 1000);
  if (!(windowMs > 0) || minBytes <= 0) return;
  const sock = req.socket as Socket;
  let last = sock.bytesRead;
  const timer = setInterval(() => {
    if (req.complete || res.headersSent || res.destroyed) return stop();
    const now = sock.bytesRead;
    if (now - last < minBytes) {
      stop();
      res.setHeader('Connection', 'close');
      sendText(req, res, 408, `Request body slower than ${limits.minBodyBytesPerSec} bytes/s`, limits);
      abortAfterLinger(req);
      return;
    }
    last = now;
  }, windowMs);
  timer.unref();
  const stop = (): void => clearInterval(timer);
  req.once('end', stop);
  res.once('close', stop);
}
