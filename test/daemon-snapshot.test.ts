/**
 * Snapshot streaming (FACTS §6) from a camera board: the hello says supportsSnapshotStreaming,
 * `startSnapshot` brings `snapshotFrame` messages (base64 JPEG of the board's AT+SNAPSHOT frames)
 * until `stopSnapshot`; a sample request during the stream is still carried out. The remote-
 * management peer is a bare `ws` server here, since it must send startSnapshot/stopSnapshot.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { Daemon } from '../src/daemon/index.ts';
import { startEiBoardSim } from '../firmware-sim/ei-board/index.ts';
import { recordingUploader } from './device-helpers.ts';

const cleanups: Array<() => Promise<unknown> | unknown> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function until(cond: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!cond() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
}

describe('snapshot streaming', () => {
  it('startSnapshot → JPEG frames of the board camera; a sample request in between is served; stopSnapshot ends the stream', async () => {
    const sim = await startEiBoardSim({ startDelayMs: 50, camera: { resolutions: [[96, 96]] }, deviceId: 'aa:bb:cc:00:00:02' });
    cleanups.push(() => sim.close());
    const wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((r) => wss.once('listening', () => r()));
    cleanups.push(() => new Promise<void>((r) => (wss.clients.forEach((c) => c.terminate()), wss.close(() => r()))));
    const got: Record<string, any>[] = [];
    let peer: WebSocket | undefined;
    wss.on('connection', (ws) => {
      peer = ws;
      ws.on('message', (d) => {
        const m = JSON.parse(d.toString());
        got.push(m);
        if (m.hello) ws.send(JSON.stringify({ hello: true }));
      });
    });
    const uploader = recordingUploader();
    const daemon = new Daemon({ port: { path: sim.devicePath, timeoutMs: 10_000 }, remoteMgmtUrl: `ws://127.0.0.1:${(wss.address() as AddressInfo).port}`, apiKey: 'ei_made_up', uploader });
    cleanups.push(() => daemon.stop());
    await daemon.start();
    await daemon.device!.waitConnected();
    expect(got[0]!.hello).toMatchObject({ supportsSnapshotStreaming: true, connection: 'daemon' });
    const frames = () => got.filter((m) => 'snapshotFrame' in m);

    peer!.send(JSON.stringify({ startSnapshot: true }));
    await until(() => frames().length >= 2);
    expect(frames().length).toBeGreaterThanOrEqual(2);
    for (const f of frames()) {
      const jpeg = Buffer.from(f.snapshotFrame, 'base64');
      expect([jpeg[0], jpeg[1]]).toEqual([0xff, 0xd8]);
    }
    // A sample request while streaming: queued behind at most one frame, then done.
    peer!.send(JSON.stringify({ sample: { label: 'mid', length: 300, path: '/api/training/data', hmacKey: 'made-up-hmac', interval: 10, sensor: 'Accelerometer' } }));
    await until(() => got.some((m) => 'sampleFinished' in m || m.sample === false));
    expect(got.find((m) => 'sampleFinished' in m || m.sample === false), JSON.stringify(got.filter((m) => !('snapshotFrame' in m)))).toEqual({ sampleFinished: true });
    expect(uploader.got.map((u) => u.spec.label)).toEqual(['mid']);

    peer!.send(JSON.stringify({ stopSnapshot: true }));
    // The stream ends: at most the frame in flight follows the stop.
    await until(() => !(daemon as unknown as { streaming: boolean }).streaming);
    const atStop = sim.board.snapshots.length;
    await new Promise((r) => setTimeout(r, 1000));
    expect(sim.board.snapshots.length).toBeLessThanOrEqual(atStop + 1);
    // Every frame the daemon sent arrived (a frame sent just before the stop may still be on its way).
    await until(() => daemon.framesSent === frames().length);
    expect(daemon.framesSent).toBe(frames().length);
  });
});
