// The spool's promise (issue 12): only a 2xx counts as stored, every refusal is dead-lettered with
// the answer, a sample failing on its own is dead-lettered past a bounded policy so the samples
// behind it move on, and an outage never dead-letters anything. Clocks are fake: a "week" costs
// no real time.
import { describe, it, expect, afterEach } from 'vitest';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Spool, SpoolSender, SpoolInputError, classifyStatus, encodeRecord, sha256Hex, clientSend, DEFAULT_DEAD_LETTER_POLICY } from '../src/spool/index.ts';
import type { SendFn, SendOutcome, SampleSpec, SpoolRecord } from '../src/spool/index.ts';
import { NetworkError, HttpStatusError, IngestionClient } from '../src/client/index.ts';
import { makeSender } from '../src/cli/spool-endpoint.ts';
import { spoolUploader } from '../src/device/uploader.ts';
import { startIngestionService } from '../src/service/index.ts';
import { run as spoolCli } from '../src/cli/spool.ts';
import { runCaptured } from './cli-capture.ts';

const spec: SampleSpec = { kind: 'data', category: 'training', fileName: 'a.cbor', label: 'idle' };
const API_KEY = 'ei_policy_made_up_key';
const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c().catch(() => undefined);
});
async function tmp(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'spool-p-'));
  cleanups.push(() => rm(d, { recursive: true, force: true }));
  return d;
}
const enc = (s: string) => new TextEncoder().encode(s);
const text = (r: SpoolRecord) => new TextDecoder().decode(r.body);

async function filled(names: string[], dir?: string): Promise<Spool> {
  const s = await Spool.open(dir ?? (await tmp()));
  cleanups.push(() => s.close());
  for (const n of names) await s.enqueue(enc(n), { spec, contentType: 'application/json' });
  return s;
}

/** A clock that only moves when the sender sleeps. */
function fakeClock(start = 1_800_000_000_000) {
  const c = {
    t: start,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

const WEEK = 7 * 24 * 3600 * 1000;

describe('only an explicit signal counts as stored', () => {
  it.each([
    // The old table matched "duplicate" in the text: these two were counted stored and deleted.
    [400, 'Invalid CBOR: duplicate map key "interval_ms"', 'rejected'],
    [409, 'An item with this hash already exists', 'rejected'],
    [200, 'a.cbor', 'delivered'],
    [500, 'duplicate key value violates unique constraint', 'retry'],
  ])('%i %s → %s', (status, body, kind) => {
    expect(classifyStatus(status, body).kind).toBe(kind);
  });

  it("a 2xx with the service's duplicate flag is a duplicate; the text alone is not", () => {
    expect(classifyStatus(200, 'a.cbor', undefined, true).kind).toBe('duplicate');
    expect(classifyStatus(200, 'duplicate', undefined, false).kind).toBe('delivered');
  });

  it('the local service\'s "400 duplicate map key" dead-letters the sample with the answer (old: "duplicates 1", sample gone)', async () => {
    const dir = await tmp();
    const svc = await startIngestionService({ dataDir: join(dir, 'svc'), apiKey: API_KEY, fsync: false });
    cleanups.push(() => svc.close());
    const s = await Spool.open(join(dir, 'spool'));
    // CBOR {protected:{ver,alg:none}, signature:"00", payload:{…, interval_ms twice}}
    const doc = Buffer.from(
      'a3' + '69' + Buffer.from('protected').toString('hex') + 'a2' + '63766572' + '627631' + '63616c67' + '646e6f6e65' +
        '69' + Buffer.from('signature').toString('hex') + '623030' +
        '67' + Buffer.from('payload').toString('hex') + 'a5' +
        '6b' + Buffer.from('device_type').toString('hex') + '6454455354' +
        '6b' + Buffer.from('interval_ms').toString('hex') + '0a' +
        '6b' + Buffer.from('interval_ms').toString('hex') + '0a' +
        '67' + Buffer.from('sensors').toString('hex') + '81a2' + '646e616d65' + '6178' + '65756e697473' + '634e2f41' +
        '66' + Buffer.from('values').toString('hex') + '83010203',
      'hex',
    );
    await s.enqueue(doc, { spec: { kind: 'data', category: 'training', fileName: 'dup-key.cbor', label: 'x' }, contentType: 'application/cbor' });
    await s.close();
    const r = await runCaptured(spoolCli, ['drain', '--dir', join(dir, 'spool'), '--endpoint', svc.url, '--api-key', API_KEY, '--json']);
    expect(JSON.parse(r.out)).toMatchObject({ delivered: 0, duplicates: 0, dead: 1, waiting: 0 });
    const again = await Spool.open(join(dir, 'spool'), { readOnly: true });
    const dead = await again.deadLetters();
    await again.close();
    expect(dead).toHaveLength(1);
    expect(dead[0].note).toMatchObject({ status: 400 });
    expect(dead[0].note.response).toMatch(/duplicate/i);
  });
});

describe('enqueue validates everything the request will carry', () => {
  // Each of these was accepted by the old enqueue; the client then refused to send it and the
  // sender retried it for ever, blocking the queue.
  const bad: [string, Partial<SampleSpec>, string, string][] = [
    ['metadata key with CR/LF', { metadata: { 'a\r\nx-api-key': 'v' } }, 'application/json', 'spec.metadata'],
    ['metadata value with LF', { metadata: { a: 'v\nw' } }, 'application/json', 'spec.metadata'],
    ['upload source with CR/LF', { uploadSource: 'gw\r\nx: y' }, 'application/json', 'spec.uploadSource'],
    ['non-ASCII upload source', { uploadSource: 'passerelle-é' }, 'application/json', 'spec.uploadSource'],
    ['upload source with trailing space', { uploadSource: 'gw ' }, 'application/json', 'spec.uploadSource'],
    ['category the client does not send to', { category: 'validation' }, 'application/json', 'spec.category'],
    ['content type with LF', {}, 'application/json\nx: y', 'contentType'],
    ['non-ASCII content type', {}, 'application/jsön', 'contentType'],
    ['multipart content type with LF', { kind: 'files' }, 'application/json\nx', 'contentType'],
    ['file name with a lone surrogate', { fileName: 'a\ud800.cbor' }, 'application/json', 'spec.fileName'],
  ];
  it.each(bad)('%s → SpoolInputError naming the field, nothing written', async (_n, over, contentType, field) => {
    const s = await filled([]);
    const err = await s.enqueue(enc('x'), { spec: { ...spec, ...over }, contentType }).catch((e) => e);
    expect(err).toBeInstanceOf(SpoolInputError);
    expect(err.field).toBe(field);
    expect(s.stats().count).toBe(0);
    expect((await readdir(join(s.dir, 'queue'))).filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('accepts what the client sends as encoded (non-ASCII label and metadata are escaped by the client)', async () => {
    const s = await filled([]);
    await s.enqueue(enc('x'), { spec: { ...spec, label: 'café', metadata: { lieu: 'Zürich' }, uploadSource: 'gw-1' }, contentType: 'application/json' });
    expect(s.stats().count).toBe(1);
  });
});

// Old behaviour: no policy at all — a 500 every time was retried for ever (the first test never
// ends its untilEmpty run; here it must end with the sample dead-lettered and the rest delivered).
describe('dead-letter policy (fake clock)', () => {
  const poison = (poisoned: string, store: string[], out: SendOutcome = { kind: 'retry', scope: 'sample', status: 500, reason: 'HTTP 500', response: 'internal error' }): SendFn =>
    async (r) => {
      if (text(r) === poisoned) return out;
      store.push(text(r));
      return { kind: 'delivered', status: 200 };
    };

  it('a sample answered 500 every time is dead-lettered past attempts AND age, with every reason; the rest go through in order', async () => {
    const s = await filled(['p', 'a', 'b', 'c']);
    const clock = fakeClock();
    const stored: string[] = [];
    const events: string[] = [];
    const sender = new SpoolSender(s, poison('p', stored), {
      initialBackoffMs: 1000,
      maxBackoffMs: 60_000,
      deadLetter: { attempts: 4, ageMs: 30 * 60_000 },
      now: clock.now,
      sleep: clock.sleep,
      onEvent: (e) => events.push(e.type),
    });
    const start = clock.t;
    const c = await sender.run({ untilEmpty: true });
    expect(c).toMatchObject({ delivered: 3, dead: 1 });
    // 'a' was the probe that proved the service healthy; then b, c in order.
    expect(stored).toEqual(['a', 'b', 'c']);
    // Not before the age bound, even though the attempt bound was reached long before.
    expect(clock.t - start).toBeGreaterThanOrEqual(30 * 60_000);
    const [d] = await s.deadLetters();
    expect(d.note.reason).toMatch(/HTTP 500/);
    expect(d.note.status).toBe(500);
    expect(d.note.history).toHaveLength(1);
    expect(d.note.history![0]).toMatchObject({ reason: 'HTTP 500', scope: 'sample', status: 500, response: 'internal error' });
    expect(d.note.history![0].count).toBe(d.note.attempts);
    expect(d.note.attempts).toBeGreaterThanOrEqual(4);
    expect(events).toContain('probe');
    // The attempt note went with the sample: nothing left in the queue folder.
    expect((await readdir(join(s.dir, 'queue'))).filter((n) => !n.startsWith('.'))).toEqual([]);
  });

  it('a lone failing sample is kept (health unproven) until another sample arrives, then dead-lettered', async () => {
    const s = await filled(['p']);
    const clock = fakeClock();
    const stored: string[] = [];
    const sender = new SpoolSender(s, poison('p', stored), { deadLetter: { attempts: 2, ageMs: 0 }, now: clock.now, sleep: clock.sleep });
    const c1 = await sender.run({ untilEmpty: true, maxAttempts: 50 });
    expect(c1.dead).toBe(0);
    expect(s.stats().count).toBe(1);
    await s.enqueue(enc('late'), { spec, contentType: 'application/json' });
    const c2 = await sender.run({ untilEmpty: true, maxAttempts: 50 });
    expect(c2.dead).toBe(1);
    expect(stored).toEqual(['late']);
  });

  it('a service answering 500 to every sample for a week is an outage: nothing dead-lettered, all delivered in order', async () => {
    const names = Array.from({ length: 6 }, (_, i) => `s${i}`);
    const s = await filled(names);
    const clock = fakeClock();
    const start = clock.t;
    const stored: string[] = [];
    const sender = new SpoolSender(
      s,
      async (r) => {
        if (clock.t - start < WEEK) return { kind: 'retry', scope: 'sample', status: 500, reason: 'HTTP 500' };
        stored.push(text(r));
        return { kind: 'delivered', status: 200 };
      },
      { maxBackoffMs: 3_600_000, now: clock.now, sleep: clock.sleep },
    );
    const c = await sender.run({ untilEmpty: true });
    expect(c).toMatchObject({ delivered: 6, dead: 0 });
    expect(stored).toEqual(names);
    expect(clock.t - start).toBeGreaterThanOrEqual(WEEK);
  });

  it.each([
    ['connection refused', () => Promise.reject(new NetworkError('connect ECONNREFUSED 127.0.0.1:4810', { code: 'EI_NETWORK' }))],
    ['503 with Retry-After', () => Promise.resolve<SendOutcome>(classifyStatus(503, 'busy', 3_600_000))],
    ['502 from a gateway', () => Promise.resolve<SendOutcome>(classifyStatus(502, 'bad gateway'))],
  ])('a week of %s dead-letters nothing and delivers everything in order', async (_n, failure) => {
    const names = Array.from({ length: 5 }, (_, i) => `s${i}`);
    const s = await filled(names);
    const clock = fakeClock();
    const start = clock.t;
    const stored: string[] = [];
    const sender = new SpoolSender(
      s,
      async (r) => {
        if (clock.t - start < WEEK) return failure();
        stored.push(text(r));
        return { kind: 'delivered', status: 200 };
      },
      { maxBackoffMs: 3_600_000, deadLetter: { attempts: 1, ageMs: 0 }, now: clock.now, sleep: clock.sleep },
    );
    const c = await sender.run({ untilEmpty: true });
    expect(c).toMatchObject({ delivered: 5, dead: 0 });
    expect(stored).toEqual(names);
    expect(s.stats().deadCount).toBe(0);
  });

  it('an outage between per-sample failures neither counts nor resets them; a new reason restarts the streak', async () => {
    const s = await filled(['p', 'a']);
    const clock = fakeClock();
    const script: SendOutcome[] = [
      { kind: 'retry', scope: 'sample', status: 500, reason: 'HTTP 500' },
      { kind: 'retry', scope: 'outage', reason: 'EI_NETWORK' },
      { kind: 'retry', scope: 'outage', reason: 'EI_NETWORK' },
      { kind: 'retry', scope: 'sample', status: 501, reason: 'HTTP 501' },
      { kind: 'retry', scope: 'sample', status: 501, reason: 'HTTP 501' },
    ];
    let i = 0;
    const sender = new SpoolSender(
      s,
      async (r) => (text(r) === 'p' ? (script[i++] ?? { kind: 'retry', scope: 'sample', status: 501, reason: 'HTTP 501' }) : { kind: 'delivered', status: 200 }),
      { deadLetter: { attempts: 3, ageMs: 0 }, now: clock.now, sleep: clock.sleep },
    );
    await sender.run({ untilEmpty: true });
    const [d] = await s.deadLetters();
    // Dead on the third 501 (the 500 streak was replaced, the outages did not count).
    expect(i).toBe(6);
    expect(d.note.attempts).toBe(6);
    expect(d.note.history!.map((h) => [h.reason, h.count])).toEqual([
      ['HTTP 500', 1],
      ['EI_NETWORK', 2],
      ['HTTP 501', 3],
    ]);
  });

  it('attempts survive a restart (persisted next to the record) and `spool status` shows attempts, age and last reason', async () => {
    const dir = await tmp();
    const s = await filled(['p', 'a'], dir);
    const clock = fakeClock(Date.now());
    const send = poison('p', []);
    await new SpoolSender(s, send, { now: clock.now, sleep: clock.sleep }).run({ untilEmpty: true, maxAttempts: 3 });
    const info = await s.headInfo();
    expect(info).toMatchObject({ attempts: 3, lastReason: 'HTTP 500' });
    expect(info!.ageMs).toBeGreaterThanOrEqual(0);
    await s.close();
    const r = await runCaptured(spoolCli, ['status', '--dir', dir]);
    expect(r.out).toMatch(/oldest: \S+\.rec, age \d+ s, 3 failed attempt\(s\), last: HTTP 500/);
    const j = await runCaptured(spoolCli, ['status', '--dir', dir, '--json']);
    expect(JSON.parse(j.out).head).toMatchObject({ attempts: 3, lastReason: 'HTTP 500' });
    const s2 = await Spool.open(dir);
    cleanups.push(() => s2.close());
    await new SpoolSender(s2, send, { now: clock.now, sleep: clock.sleep }).run({ untilEmpty: true, maxAttempts: 2 });
    expect((await s2.headInfo())!.attempts).toBe(5);
  });

  it('the default policy is bounded', () => {
    expect(DEFAULT_DEAD_LETTER_POLICY).toEqual({ attempts: 5, ageMs: 600_000, probes: 3 });
  });
});

/** An ingestion stand-in: 500 for bodies containing POISON, 200 otherwise; records what it stored. */
async function poisonServer(): Promise<{ url: string; stored: string[]; server: Server }> {
  const stored: string[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (d: Buffer) => parts.push(d));
    req.on('end', () => {
      const body = Buffer.concat(parts).toString();
      if (body.includes('POISON')) {
        res.writeHead(500, { 'content-type': 'text/plain' }).end('internal error');
        return;
      }
      stored.push(body);
      res.writeHead(200, { 'content-type': 'text/plain' }).end('stored.json');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(r)));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, stored, server };
}

// Old behaviour these catch: the client's refusal (HeaderValueError, no status) and a 500 were
// both 'retry' for ever, head-of-line, so the samples behind never left the queue (the gateway
// loop below would end at its bound with count 3; the device's second upload never resolved).
describe('gateway and device modes no longer get stuck', () => {
  it('gateway mode (makeSender): a legacy record the client refuses and a 500-every-time sample are dead-lettered; the rest are delivered in order', async () => {
    const { url, stored } = await poisonServer();
    const dir = await tmp();
    const s = await Spool.open(dir);
    cleanups.push(() => s.close());
    // A record an older enqueue accepted: metadata key with CR/LF (written as that version did).
    const legacyBody = enc('legacy');
    const legacy = encodeRecord(
      { v: 1, createdAt: Date.now(), sha256: sha256Hex(legacyBody), bodyLength: legacyBody.byteLength, contentType: 'application/json', signature: '', spec: { ...spec, metadata: { 'k\r\nx': 'v' } } },
      legacyBody,
    );
    await writeFile(join(dir, 'queue', `${'1'.padStart(16, '0')}-${sha256Hex(legacyBody).slice(0, 16)}.rec`), legacy);
    await s.close();
    const s2 = await Spool.open(dir);
    cleanups.push(() => s2.close());
    for (const n of ['POISON', 'one', 'two']) await s2.enqueue(enc(n), { spec, contentType: 'application/json' });
    const { sender, client } = makeSender(s2, url, API_KEY, undefined, { attempts: 2, ageMs: 0 });
    cleanups.push(() => client.close());
    const ac = new AbortController();
    const running = sender.run({ signal: ac.signal });
    const deadline = Date.now() + 60_000;
    while (s2.stats().count > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    ac.abort();
    await running;
    expect(s2.stats()).toMatchObject({ count: 0, deadCount: 2 });
    expect(stored).toEqual(['one', 'two']);
    const dead = await s2.deadLetters();
    expect(dead[0].note.reason).toMatch(/client refused to send the sample: header x-metadata: contains CR or LF/);
    expect(dead[1].note).toMatchObject({ status: 500 });
    expect(JSON.stringify(dead)).not.toContain(API_KEY);
  });

  it('device mode (spoolUploader): the failing sample is reported refused, the next one uploads', async () => {
    const { url, stored } = await poisonServer();
    const s = await Spool.open(await tmp());
    cleanups.push(() => s.close());
    const client = new IngestionClient({ endpoint: url, apiKey: API_KEY, retry: { attempts: 1 } });
    cleanups.push(() => client.close());
    const up = spoolUploader({ spool: s, client, initialBackoffMs: 10, maxBackoffMs: 50, waitMs: 60_000, deadLetter: { attempts: 2, ageMs: 0 } });
    cleanups.push(() => up.close());
    const first = up.upload({ body: enc('POISON'), contentType: 'application/json', signature: '', spec });
    first.catch(() => undefined);
    // The next sample is queued behind it (two concurrent enqueues may land in either order, and a
    // sample stored before the failures began proves nothing about them).
    while (s.stats().count === 0) await new Promise((r) => setTimeout(r, 5));
    const second = up.upload({ body: enc('fine'), contentType: 'application/json', signature: '', spec: { ...spec, fileName: 'b.cbor' } });
    await expect(second).resolves.toMatchObject({ status: 200, spooled: true });
    await expect(first).rejects.toMatchObject({ code: 'EI_DEVICE_UPLOAD_REFUSED' });
    expect(stored).toEqual(['fine']);
  });

  it("the client refusing the sender's own key or host is an outage (every sample alike), a stored header value a refusal", async () => {
    const { HeaderValueError, RequestSpecError } = await import('../src/http/errors.ts');
    const { classifyError } = await import('../src/spool/index.ts');
    expect(classifyError(new HeaderValueError('x-api-key', 'contains non-ASCII characters'))).toMatchObject({ kind: 'retry', scope: 'outage' });
    expect(classifyError(new RequestSpecError('apiKey', 'is required'))).toMatchObject({ kind: 'retry', scope: 'outage' });
    expect(classifyError(new HeaderValueError('Host', 'contains CR or LF'))).toMatchObject({ kind: 'retry', scope: 'outage' });
    expect(classifyError(new HeaderValueError('x-upload-source', 'contains CR or LF'))).toMatchObject({ kind: 'rejected' });
    // End to end: a client with a non-ASCII key never dead-letters the queue.
    const s = await filled(['a', 'b']);
    const client = new IngestionClient({ endpoint: 'http://127.0.0.1:9', apiKey: 'clé' });
    cleanups.push(() => client.close());
    const c = await new SpoolSender(s, clientSend(client), { initialBackoffMs: 1, deadLetter: { attempts: 1, ageMs: 0 } }).run({ untilEmpty: true, maxAttempts: 3 });
    expect(c.dead).toBe(0);
    expect(s.stats().count).toBe(2);
  });

  it('a 500 inside RetriesExhaustedError is a per-sample failure, a refused connection an outage', async () => {
    const s = await filled(['x']);
    const send = clientSend({
      async upload() {
        throw new (await import('../src/client/errors.ts')).RetriesExhaustedError(3, new HttpStatusError(500, 'boom'));
      },
    });
    expect(await send(await s.read(s.head()!.id), 'id')).toMatchObject({ kind: 'retry', scope: 'sample', status: 500 });
    const down = clientSend({ upload: async () => Promise.reject(new NetworkError('refused')) });
    expect(await down(await s.read(s.head()!.id), 'id')).toMatchObject({ kind: 'retry', scope: 'outage' });
  });
});

describe('policy flags', () => {
  it('gateway, device and spool drain take --dead-attempts/--dead-age and refuse bad values (exit 2)', async () => {
    const { run: gatewayCli } = await import('../src/cli/gateway.ts');
    const { run: deviceCli } = await import('../src/cli/device.ts');
    const dir = await tmp();
    const g = await runCaptured(gatewayCli, ['--port', '/dev/x', '--label', 'l', '--spool', join(dir, 's'), '--api-key', 'k', '--dead-attempts', '0']);
    expect(g).toMatchObject({ code: 2, err: expect.stringMatching(/--dead-attempts must be a whole number/) });
    const d = await runCaptured(deviceCli, ['--sensor', 'sim', '--api-key', 'k', '--config', join(dir, 'none.json'), '--dead-age', 'soon']);
    expect(d).toMatchObject({ code: 2, err: expect.stringMatching(/--dead-age must be a number of seconds/) });
    const sp = await runCaptured(spoolCli, ['drain', '--dir', join(dir, 's2'), '--api-key', 'k', '--dead-attempts', 'x']);
    expect(sp.code).toBe(2);
    for (const cli of [gatewayCli, deviceCli]) expect((await runCaptured(cli, ['--help'])).out).toMatch(/--dead-attempts N .*\n.*--dead-age S/);
  });
});
