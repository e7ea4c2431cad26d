// End to end: IngestionClient → modem transport → real pty (socat) → simulated nRF91 →
// TCP/TLS on loopback → local ingestion service. Stored bytes must equal the encoder's output;
// every injected fault ends in one stored sample (after retries) or a typed error, never a hang.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startModemSim, type ModemSim, type ModemSimOptions } from '../firmware-sim/modem/index.ts';
import { IngestionClient } from '../src/client/index.ts';
import { bodyFromBytes, encodeToBytes } from '../src/encode/index.ts';
import { startIngestionService, type IngestionService } from '../src/service/index.ts';
import { createModemConnector, ModemError, type ModemConnector, type ModemConnectorOptions } from '../src/transport/modem/index.ts';

const API_KEY = 'ei_modem_e2e_test_key_0123456789';
const HMAC_KEY = 'modem-e2e-hmac';

let dir: string;
let certs: { key: string; cert: string; ca: string };
let plain: IngestionService;
let secure: IngestionService;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modem-e2e-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Modem E2E CA');
  run('req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=localhost');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:localhost,IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext.cnf');
  const read = (f: string) => readFileSync(join(dir, f), 'utf8');
  certs = { key: read('srv.key'), cert: read('srv.pem'), ca: read('ca.pem') };
  plain = await startIngestionService({ port: 0, dataDir: join(dir, 'plain'), apiKey: API_KEY, hmacKey: HMAC_KEY });
  secure = await startIngestionService({
    port: 0,
    dataDir: join(dir, 'tls'),
    apiKey: API_KEY,
    hmacKey: HMAC_KEY,
    tls: { key: certs.key, cert: certs.cert },
  });
});

afterAll(async () => {
  await plain?.close();
  await secure?.close();
  rmSync(dir, { recursive: true, force: true });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

let seq = 0;
/** A small signed CBOR sample, unique per call so x-disallow-duplicates never hides a test. */
function sample(deviceName: string, rows = 20): Uint8Array {
  seq++;
  const values: number[][] = [];
  for (let i = 0; i < rows; i++) values.push([seq + i * 0.5, -i, (i * 7) % 3]);
  return encodeToBytes(
    {
      payload: {
        device_name: deviceName,
        device_type: 'NRF91_SIM',
        interval_ms: 10,
        sensors: [
          { name: 'accX', units: 'm/s2' },
          { name: 'accY', units: 'm/s2' },
          { name: 'accZ', units: 'm/s2' },
        ],
        values,
      },
    },
    { format: 'cbor', alg: 'HS256', hmacKey: HMAC_KEY, iat: 1_700_000_000 + seq },
  );
}

interface Rig {
  sim: ModemSim;
  modem: ModemConnector;
  client: IngestionClient;
  service: IngestionService;
}

async function rig(
  simOpts: Partial<ModemSimOptions> & { dialect: 'new' | 'old' },
  tls: boolean,
  modemOpts: Partial<ModemConnectorOptions> = {},
  retryAttempts = 4,
): Promise<Rig> {
  const service = tls ? secure : plain;
  const sim = await startModemSim({ registrationDelayMs: 50, tlsCa: certs.ca, ...simOpts });
  cleanups.push(() => sim.close());
  const modem = createModemConnector({
    path: sim.devicePath,
    baud: sim.baud,
    host: tls ? 'localhost' : '127.0.0.1',
    port: service.port,
    tls,
    secTag: 42,
    commandTimeoutMs: 3000,
    registrationTimeoutMs: 5000,
    readTimeoutMs: 15_000,
    log: process.env.MODEM_DEBUG ? (l) => process.stderr.write(`[${Date.now() % 100000}] ${l}\n`) : undefined,
    ...modemOpts,
  });
  cleanups.push(() => modem.close());
  const client = new IngestionClient({
    connector: modem,
    apiKey: API_KEY,
    retry: { attempts: retryAttempts, baseMs: 50, maxMs: 200 },
    timeouts: { connectMs: 15_000, firstByteMs: 15_000, idleMs: 15_000 },
  });
  cleanups.push(() => client.close());
  return { sim, modem, client, service };
}

/** Samples the service stored under `fileName` (read from its store: the TLS one speaks https only). */
async function stored(service: IngestionService, fileName: string): Promise<Uint8Array[]> {
  return service.store
    .list(service.projectId, 'training')
    .filter((s) => s.filename === fileName || s.filename.startsWith(fileName.replace(/\.cbor$/, '.')))
    .map((s) => new Uint8Array(readFileSync(service.store.absolute(s.path))));
}

async function upload(r: Rig, bytes: Uint8Array, fileName: string) {
  return r.client.upload(bodyFromBytes(bytes, 'application/cbor'), {
    kind: 'data',
    category: 'training',
    fileName,
    disallowDuplicates: true,
  });
}

describe.each(['new', 'old'] as const)('modem end to end, %s dialect', (dialect) => {
  it.each([false, true])('tls=%s: the stored sample is byte-identical to the encoder output', async (tls) => {
    const r = await rig({ dialect }, tls);
    const { imei } = await r.modem.ready();
    expect(imei).toBe(r.sim.imei);
    expect(r.modem.dialect).toBe(dialect);
    const bytes = sample(imei);
    const name = `e2e-${dialect}-${tls ? 'tls' : 'tcp'}-${seq}.cbor`;
    const res = await upload(r, bytes, name);
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(1);
    const got = await stored(r.service, name);
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]!).equals(Buffer.from(bytes))).toBe(true);
    // a second upload reuses the serial port and the modem state
    const bytes2 = sample(imei);
    const name2 = `e2e-${dialect}-${tls ? 'tls' : 'tcp'}-${seq}.cbor`;
    expect((await upload(r, bytes2, name2)).status).toBe(200);
    expect(Buffer.from((await stored(r.service, name2))[0]!).equals(Buffer.from(bytes2))).toBe(true);
  });

  it('connect ERROR: retried, delivered once', async () => {
    const r = await rig({ dialect, faults: { connectError: 2 } }, false);
    const bytes = sample('dev');
    const name = `e2e-connerr-${dialect}-${seq}.cbor`;
    const res = await upload(r, bytes, name).catch((e: unknown) => {
      throw new Error(`${String(e)} / ${String((e as { cause?: { cause?: unknown } }).cause?.cause)}`);
    });
    expect(res.attempts).toBe(3);
    expect(await stored(r.service, name)).toHaveLength(1);
  });

  it('peer reset mid-send: retried, delivered once', async () => {
    const r = await rig({ dialect, faults: { resetMidSend: 1, resetAfterBytes: 100 } }, false);
    const bytes = sample('dev');
    const name = `e2e-reset-${dialect}-${seq}.cbor`;
    const res = await upload(r, bytes, name);
    expect(res.attempts).toBeGreaterThanOrEqual(2);
    const got = await stored(r.service, name);
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]!).equals(Buffer.from(bytes))).toBe(true);
  });

  it('modem reboot mid-send: bring-up again, delivered once', async () => {
    const r = await rig({ dialect }, false);
    await r.modem.ready();
    r.sim.inject({ rebootAfterBytes: 300 });
    const bytes = sample('dev');
    const name = `e2e-reboot-${dialect}-${seq}.cbor`;
    const res = await upload(r, bytes, name);
    expect(res.attempts).toBeGreaterThanOrEqual(2);
    expect(r.sim.stats().reboots).toBe(1);
    const got = await stored(r.service, name);
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]!).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('modem end to end, faults that end in errors or slow success', () => {
  it('no registration for longer than the timeout: typed retryable error; later delivered', async () => {
    const r = await rig({ dialect: 'new', faults: { noRegistrationMs: 1500 } }, false, { registrationTimeoutMs: 400 }, 1);
    const err = (await upload(r, sample('dev'), 'e2e-noreg-a.cbor').catch((e: unknown) => e)) as Error & { cause?: unknown };
    const cause = err.cause as ModemError;
    expect(cause).toBeInstanceOf(ModemError);
    expect(cause.code).toBe('EI_MODEM_REGISTRATION_TIMEOUT');
    expect(cause.retryable).toBe(true);
    // with a long enough wait the same connector gets through
    const c2 = new IngestionClient({ connector: r.modem, apiKey: API_KEY, retry: { attempts: 6, baseMs: 300, maxMs: 600 } });
    cleanups.push(() => c2.close());
    const name = `e2e-noreg-b-${seq}.cbor`;
    const res = await c2.upload(bodyFromBytes(sample('dev'), 'application/cbor'), { kind: 'data', category: 'training', fileName: name, disallowDuplicates: true });
    expect(res.status).toBe(200);
    expect(await stored(r.service, name)).toHaveLength(1);
  });

  it('slow network: delivered, XRECV polling rides out modem-side timeouts', async () => {
    const r = await rig({ dialect: 'old', faults: { networkLatencyMs: 1200 } }, false);
    const name = `e2e-slow-${seq}.cbor`;
    const res = await upload(r, sample('dev'), name);
    expect(res.status).toBe(200);
    expect(res.attempts).toBe(1);
    expect(await stored(r.service, name)).toHaveLength(1);
  });

  it('old dialect: a JSON sample full of + runs is stored byte-identical', async () => {
    const r = await rig({ dialect: 'old', baud: 921600 }, false);
    const bytes = encodeToBytes(
      {
        payload: {
          device_name: 'dev+++name++',
          device_type: '+++++NRF91+++',
          interval_ms: 10,
          sensors: [{ name: 'acc+++', units: 'm/s2+' }],
          values: [[1e21], [2.5e22], [-3e25]],
        },
      },
      { format: 'json', alg: 'HS256', hmacKey: HMAC_KEY, iat: 1_700_000_000 },
    );
    expect(Buffer.from(bytes).toString('latin1')).toMatch(/\+\+\+\+\+/);
    const name = `e2e-plus-${seq++}.json`;
    const res = await r.client.upload(bodyFromBytes(bytes, 'application/json'), { kind: 'data', category: 'training', fileName: name });
    expect(res.status).toBe(200);
    const got = r.service.store.list(r.service.projectId, 'training').filter((s) => s.filename.startsWith(name.replace(/\.json$/, '')));
    expect(got).toHaveLength(1);
    expect(readFileSync(r.service.store.absolute(got[0]!.path)).equals(Buffer.from(bytes))).toBe(true);
  });
});

describe('modem end to end, no RTS/CTS and a slow network (the modem drops overrun bytes)', () => {
  const faults = { dropBytesWithoutFlowControl: true, networkLatencyMs: 300 };

  it.each(['new', 'old'] as const)('%s dialect, flowControl: false: sends fit the modem buffer, sample stored intact', async (dialect) => {
    const r = await rig({ dialect, baud: 921600, faults }, false, { flowControl: false });
    const bytes = sample('dev', 3000);
    expect(bytes.length).toBeGreaterThan(3 * 4096);
    const name = `e2e-noflow-${dialect}-${seq}.cbor`;
    const res = await upload(r, bytes, name);
    expect(res.attempts).toBe(1);
    expect(r.sim.stats().droppedFromHost).toBe(0);
    const got = await stored(r.service, name);
    expect(got).toHaveLength(1);
    expect(Buffer.from(got[0]!).equals(Buffer.from(bytes))).toBe(true);
  });

  it('assuming flow control that is not there: bytes are lost and the upload ends in a timeout error, not a hang', async () => {
    const r = await rig({ dialect: 'new', baud: 921600, faults }, false, {}, 1);
    const c = new IngestionClient({ connector: r.modem, apiKey: API_KEY, retry: { attempts: 1 }, timeouts: { firstByteMs: 2000 } });
    cleanups.push(() => c.close());
    const t0 = Date.now();
    const err = (await c
      .upload(bodyFromBytes(sample('dev', 3000), 'application/cbor'), { kind: 'data', category: 'training', fileName: 'lost.cbor' })
      .catch((e: unknown) => e)) as { code?: string };
    expect(err.code).toBe('EI_TIMEOUT');
    expect(r.sim.stats().droppedFromHost).toBeGreaterThan(0);
    // The typed timeout shows the first-byte deadline ended it (a hang would hit the test's own
    // timeout); not before that deadline, however loaded the machine.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1990);
  });
});
