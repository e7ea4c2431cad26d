/**
 * The simulated framed MCU running the reference C firmware encoder (firmware-sim/mcu/c via
 * ei_mcu_encode): its documents cross a real pty as frames, with line noise and an ES256 device
 * signature, through the gateway and spool to the local ingestion service, which stores them
 * byte for byte and finds their HS256 signatures valid. Skipped, saying why, without a C compiler.
 */
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'cbor-x';
import { startIngestionService } from '../src/service/index.ts';
import { openMcuPty, startFramedMcu } from '../firmware-sim/mcu/index.ts';
import { buildMcuEncoder, findCc } from '../firmware-sim/mcu/c-build.ts';
import { Gateway } from '../src/gateway/gateway.ts';
import { Spool, SpoolSender, clientSend } from '../src/spool/index.ts';
import { IngestionClient } from '../src/client/client.ts';
import { es256KeyPair } from '../src/sign/index.ts';

const API_KEY = 'ei_cport_e2e_made_up_key';
const HMAC_KEY = 'made-up-cport-e2e-hmac';
const cc = findCc();
if (!cc) console.warn('gateway-e2e-cport: skipped: no C compiler (cc or $CC) on this machine');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
async function waitFor(cond: () => boolean, ms: number): Promise<void> {
  const end = Date.now() + ms;
  while (!cond() && Date.now() < end) await sleep(25);
}

describe.skipIf(!cc)('framed MCU with the C firmware encoder, end to end', () => {
  it('C-encoded documents reach the service through the gateway: stored byte for byte, signatures valid', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'gw-cport-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    const encoder = join(dir, 'ei_mcu_encode');
    buildMcuEncoder(cc!, encoder);
    const svc = await startIngestionService({ dataDir: join(dir, 'svc'), apiKey: API_KEY, hmacKey: HMAC_KEY, fsync: false });
    cleanups.push(() => svc.close());
    const pty = await openMcuPty(join(dir, 'mcu'), join(dir, 'host'));
    cleanups.push(() => pty.close());
    const device = es256KeyPair(new TextEncoder().encode('made-up cport device key'));
    const mcu = await startFramedMcu({ path: pty.simPath, deviceId: 'c-mcu', sampleMs: 100, framesPerSecond: 20, hmacKey: HMAC_KEY, privateKey: device.privateKey, noiseRate: 0.3, cEncoder: encoder });
    cleanups.push(() => mcu.close());
    const spool = await Spool.open(join(dir, 'spool'));
    cleanups.push(() => spool.close());
    const gw = new Gateway({
      ports: [{ path: pty.hostPath, protocol: 'framed', baudRate: 115200 }],
      spool, label: 'cport', category: 'training', sampleMs: 1000, hmacKey: HMAC_KEY,
      deviceKeys: { 'c-mcu': device.publicKey },
    });
    const client = new IngestionClient({ endpoint: svc.url, apiKey: API_KEY });
    const ac = new AbortController();
    const sending = new SpoolSender(spool, clientSend(client)).run({ signal: ac.signal });
    gw.start();
    await waitFor(() => gw.stats()[0].samples >= 8, 20_000);
    await gw.stop();
    await mcu.close();
    await waitFor(() => spool.stats().count === 0, 10_000);
    ac.abort();
    await sending;
    await client.close();

    const [st] = gw.stats();
    expect(st.samples).toBeGreaterThanOrEqual(8);
    expect(mcu.stats.encoderErrors).toBe(0);
    expect(mcu.stats.noiseBursts).toBeGreaterThan(0);
    const res = await fetch(`${svc.url}/v1/api/${svc.projectId}/raw-data`, { headers: { 'x-api-key': API_KEY } });
    const { samples } = (await res.json()) as { samples: { id: number; sha256Hash: string; label: string; signatureValidate: boolean; valuesCount: number }[] };
    expect(samples.length).toBe(st.samples);
    expect(samples.every((s) => s.signatureValidate === true && s.label === 'cport' && mcu.produced.includes(s.sha256Hash))).toBe(true);
    // The stored bytes are the C encoder's: the C SDK layout (no iat, float32 widths, indefinite values).
    const raw = await fetch(`${svc.url}/v1/api/${svc.projectId}/raw-data/${samples[0].id}/raw`, { headers: { 'x-api-key': API_KEY } });
    const bytes = new Uint8Array(await raw.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(samples[0].sha256Hash);
    const doc = decode(bytes) as { protected: Record<string, unknown>; payload: { device_type: string; values: number[][] } };
    expect(doc.protected).toEqual({ ver: 'v1', alg: 'HS256' });
    expect(doc.payload.device_type).toBe('SIM_C_PORT');
    expect(doc.payload.values.length).toBe(samples[0].valuesCount);
    expect(Buffer.from(bytes).indexOf(Buffer.from([0x66, ...Buffer.from('values'), 0x9f]))).toBeGreaterThan(0);
  });
});
