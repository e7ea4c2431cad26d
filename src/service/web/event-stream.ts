/**
 * Server-sent events for the pages (text/event-stream): `sample` (a new sample, in the Sample
 * model), `sample-deleted`, `sample-relabeled` and `device` (a remote-management event: connect,
 * disconnect, or a status message, secrets already redacted by the register). The page reads it
 * with fetch (so the API key travels in a header, never in a URL).
 * Bounded: at most `max` streams; a client that stops reading is dropped once 1 MiB is queued.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SampleStore, StoreChange } from '../store.ts';
import type { DeviceEvent, DeviceRecord, DeviceRegistry } from '../devices.ts';
import { sampleModel } from '../studio-model.ts';

export type EventStreams = Set<ServerResponse>;

export interface EventStreamContext {
  streams: EventStreams;
  max: number;
  store: SampleStore;
  devices: DeviceRegistry | undefined;
  projectId: number;
  idleTimeoutMs: number;
}

const MAX_QUEUED = 1024 * 1024;

export function startEventStream(req: IncomingMessage, res: ServerResponse, ctx: EventStreamContext): void {
  if (ctx.streams.size >= ctx.max) {
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '5' });
    res.end(JSON.stringify({ success: false, error: 'too many open event streams' }));
    return;
  }
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
  ctx.streams.add(res);
  const send = (event: string, data: unknown): void => {
    if (res.writableLength > MAX_QUEUED) {
      res.destroy();
      return;
    }
    res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  const onStore = (c: StoreChange): void => {
    if (c.kind === 'added') {
      if (c.record.projectId === ctx.projectId) send('sample', sampleModel(c.record));
    } else if (c.projectId === ctx.projectId) send(`sample-${c.kind}`, { id: c.id });
  };
  const onDevice = (d: DeviceRecord, ev: DeviceEvent): void => {
    if (d.projectId !== ctx.projectId) return;
    send('device', { deviceId: d.deviceId, connected: d.connected, seq: ev.seq, at: ev.at, kind: ev.kind, message: ev.message ?? null });
  };
  const unwatch = ctx.store.watch(onStore);
  ctx.devices?.on('event', onDevice);
  // A comment line now and then keeps the socket inside the server's idle timeout.
  const beat = setInterval(() => res.write(': keep-alive\n\n'), Math.max(1000, Math.min(15_000, Math.floor(ctx.idleTimeoutMs / 3))));
  beat.unref();
  res.write(': connected\n\n');
  send('hello', { projectId: ctx.projectId });
  // The service keeps half-closed sockets open for pending answers; a stream's client sends
  // nothing after its request, so its FIN means it has gone: end the stream now, not at the next failed write.
  const socket = req.socket;
  const onClientEnd = (): void => void res.destroy();
  socket.once('end', onClientEnd);
  const stop = (): void => {
    socket.off('end', onClientEnd);
    clearInterval(beat);
    unwatch();
    ctx.devices?.off('event', onDevice);
    ctx.streams.delete(res);
  };
  res.on('close', stop);
  req.on('close', stop);
}
