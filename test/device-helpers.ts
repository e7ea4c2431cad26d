/** Shared helpers for the device tests (not a test file itself). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRemoteManagement, type RemoteManagement, type RemoteMgmtContext } from '../src/service/remote-mgmt.ts';
import type { DeviceEvent } from '../src/service/devices.ts';
import type { SampleToUpload, SampleUploader } from '../src/device/uploader.ts';
import { SampleUploadError } from '../src/device/errors.ts';

/**
 * The status messages of one sample, checked against FACTS §6's order:
 * sample:true, sampleStarted, [sampleProcessing], sampleReading* (rising), sampleUploading,
 * then sampleFinished — or sample:false+error at any point after the request.
 * Returns a compact trace like "S s r r r U F" for assertions.
 */
export function statusTrace(msgs: Record<string, unknown>[]): string {
  return msgs
    .map((m) => {
      if ('sample' in m) return m.sample === true ? 'S' : 'X';
      if ('sampleStarted' in m) return 's';
      if ('sampleProcessing' in m) return 'p';
      if ('sampleReading' in m) return 'r';
      if ('sampleUploading' in m) return 'U';
      if ('sampleFinished' in m) return 'F';
      return '?';
    })
    .join('');
}

export const SUCCESS_ORDER = /^Ssp?r*UF$/;

/** Device → service messages of the device's log after the event with seq `afterSeq`. */
export function deviceMessages(events: DeviceEvent[], afterSeq = 0): Record<string, unknown>[] {
  return events.filter((e) => e.seq > afterSeq && e.kind === 'from-device' && e.message && !('hello' in e.message)).map((e) => e.message!);
}

/** sampleReading progress values must rise. */
export function progressRises(msgs: Record<string, unknown>[]): boolean {
  const p = msgs.filter((m) => 'sampleReading' in m).map((m) => m.progressPercentage as number);
  return p.every((v, i) => i === 0 || v > p[i - 1]!) && p.every((v) => v >= 0 && v <= 100);
}

/** A bare HTTP server hosting only the remote-management part (for tests without the full service). */
export async function startBareRemoteMgmt(ctx: RemoteMgmtContext): Promise<{ rm: RemoteManagement; server: Server; url: string; upgrades: () => number; close(): Promise<void> }> {
  const rm = createRemoteManagement({ helloTimeoutMs: 2000 });
  let upgrades = 0;
  const server = createServer(async (req, res) => {
    if (await rm.routes(req, res, ctx)) return;
    res.writeHead(404).end();
  });
  server.on('upgrade', () => upgrades++);
  rm.attach(server, ctx);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    rm,
    server,
    url,
    upgrades: () => upgrades,
    async close() {
      await rm.close();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}

/** An uploader that records what it gets; `failures` uploads fail first. */
export function recordingUploader(failures = 0): SampleUploader & { got: SampleToUpload[]; calls: number } {
  const u = {
    got: [] as SampleToUpload[],
    calls: 0,
    async upload(s: SampleToUpload) {
      u.calls++;
      if (u.calls <= failures) throw new SampleUploadError('EI_DEVICE_UPLOAD_FAILED', 'upload failed: HTTP 503');
      u.got.push(s);
      return { status: 200, spooled: false };
    },
    async close() {},
  };
  return u;
}

export async function postJson(url: string, body: unknown, apiKey: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'x-api-key': apiKey }, body: JSON.stringify(body) });
  return { status: res.status, json: await res.json() };
}

export async function getJson(url: string, apiKey: string): Promise<{ status: number; json: any }> {
  const res = await fetch(url, { headers: { 'x-api-key': apiKey } });
  return { status: res.status, json: await res.json() };
}
