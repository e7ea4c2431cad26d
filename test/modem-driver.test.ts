import fc from 'fast-check';
import { SerialPortMock } from 'serialport';
import { afterEach, describe, expect, it } from 'vitest';
import { EiError } from '../src/errors.ts';
import { createModemConnector, linkFromStream, ModemError, type ModemConnector } from '../src/transport/modem/index.ts';
import { FakeModem, httpServer } from './modem-fake-modem.ts';

const enc = new TextEncoder();
const dec = new TextDecoder();

function request(body: Uint8Array): Uint8Array {
  const head = enc.encode(
    `POST /api/training/data HTTP/1.1\r\nHost: h\r\nContent-Length: ${body.length}\r\nx-file-name: a.cbor\r\n\r\n`,
  );
  const out = new Uint8Array(head.length + body.length);
  out.set(head);
  out.set(body, head.length);
  return out;
}

const open: ModemConnector[] = [];
afterEach(async () => {
  for (const c of open.splice(0)) await c.close();
});

function connector(modem: FakeModem, extra: Partial<Parameters<typeof createModemConnector>[0]> = {}) {
  const c = createModemConnector({
    path: '/dev/fake',
    host: '127.0.0.1',
    port: 8080,
    openLink: async () => modem,
    commandTimeoutMs: 1000,
    registrationTimeoutMs: 2000,
    ...extra,
  });
  open.push(c);
  return c;
}

/** Writes a request in pieces, reads until the peer closes; returns the response text. */
async function exchange(c: ModemConnector, req: Uint8Array, piece = 700): Promise<string> {
  const t = await c.connect();
  for (let i = 0; i < req.length; i += piece) await t.write(req.subarray(i, i + piece));
  let text = '';
  for (;;) {
    const chunk = await t.read();
    if (!chunk) break;
    text += dec.decode(chunk);
    if (/\r\n\r\n[\s\S]*stored\.cbor$/.test(text)) break;
  }
  await t.close();
  return text;
}

describe.each(['new', 'old'] as const)('modem driver, %s dialect (in-process fake modem)', (dialect) => {
  it('brings the modem up, reads the IMEI and detects the dialect', async () => {
    const modem = new FakeModem({ dialect, registerAfterMs: 30, server: httpServer() });
    const c = connector(modem);
    const id = await c.ready();
    expect(id).toEqual({ imei: '352656100123456', dialect });
    expect(c.imei).toBe('352656100123456');
    expect(modem.commands.slice(0, 4)).toEqual(['AT', 'AT+CMEE=1', 'AT+CEREG=5', 'AT+CGSN']);
    expect(modem.commands).toContain('AT+CFUN=1');
  });

  it('delivers the exact request bytes and returns the response', async () => {
    const modem = new FakeModem({ dialect, server: httpServer(), closeAfterResponse: true });
    const c = connector(modem, { sendChunk: 1024 });
    const body = Uint8Array.from({ length: 5000 }, (_, i) => (i * 131) & 0xff);
    const req = request(body);
    const res = await exchange(c, req);
    expect(res).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nstored\.cbor$/);
    const sock = [...modem.sessions];
    const sent = Buffer.concat(sock.map((s) => Buffer.from(s)));
    if (dialect === 'new') expect(Buffer.compare(sent, Buffer.from(req))).toBe(0);
    // 700-byte writes are gathered: fewer data-mode sessions than writes
    if (dialect === 'new') expect(sock.length).toBeLessThanOrEqual(Math.ceil(req.length / 700 / 2) + 1);
    for (const x of sock) expect(x.length).toBeLessThanOrEqual(2048);
  });

  it('TLS uses AT#XSSOCKET with sec tag and peer verify, and sets the hostname', async () => {
    const modem = new FakeModem({ dialect, server: httpServer(), closeAfterResponse: true });
    const c = connector(modem, { tls: true, secTag: 42, host: 'ingest.local', port: 443 });
    expect(c.authority).toBe('ingest.local');
    await exchange(c, request(enc.encode('{}')));
    expect(modem.commands).toContain('AT#XSSOCKET=1,1,0,42,2');
    expect(modem.commands).toContain(dialect === 'new' ? 'AT#XSSOCKETOPT=3,1,2,"ingest.local"' : 'AT#XSSOCKETOPT=1,2,"ingest.local"');
  });

  it('connect ERROR is a retryable EI_MODEM_CONNECT and the next connect works', async () => {
    const modem = new FakeModem({ dialect, connectErrors: 1, server: httpServer(), closeAfterResponse: true });
    const c = connector(modem);
    const err = await c.connect().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ModemError);
    expect(err).toBeInstanceOf(EiError);
    expect((err as ModemError).code).toBe('EI_MODEM_CONNECT');
    expect((err as ModemError).retryable).toBe(true);
    // the failed socket was closed, not leaked
    expect(modem.sockets.size).toBe(0);
    expect(await exchange(c, request(enc.encode('x')))).toContain('200 OK');
  });

  it('no registration within the timeout is a typed, retryable error, not a hang', async () => {
    const modem = new FakeModem({ dialect, registerAfterMs: Infinity });
    const c = connector(modem, { registrationTimeoutMs: 300 });
    const t0 = Date.now();
    const err = (await c.connect().catch((e: unknown) => e)) as ModemError;
    expect(err.code).toBe('EI_MODEM_REGISTRATION_TIMEOUT');
    expect(err.retryable).toBe(true);
    // The modem never registers: only the deadline can have ended the wait, not before it.
    expect(Date.now() - t0).toBeGreaterThanOrEqual(290);
  });

  it('a Ready banner mid-session fails the socket with EI_MODEM_REBOOTED; the next connect brings up again', async () => {
    const modem = new FakeModem({ dialect, server: httpServer(), closeAfterResponse: true });
    const c = connector(modem);
    const t = await c.connect();
    const cmdsBefore = modem.commands.length;
    modem.reboot();
    await new Promise((r) => setTimeout(r, 10));
    const err = (await t.write(new Uint8Array(20_000)).catch((e: unknown) => e)) as ModemError;
    expect(err.code).toBe('EI_MODEM_REBOOTED');
    expect(err.retryable).toBe(true);
    expect(t.isOpen).toBe(false);
    await t.close();
    expect(await exchange(c, request(enc.encode('again')))).toContain('200 OK');
    expect(modem.commands.slice(cmdsBefore)).toContain('AT+CGSN'); // bring-up ran again
  });

  it('deregistration (+CEREG: 4) fails an open socket with EI_MODEM_DEREGISTERED', async () => {
    const modem = new FakeModem({ dialect, server: httpServer() });
    const c = connector(modem);
    const t = await c.connect();
    const pending = t.read();
    modem.urc('+CEREG: 4');
    const err = (await pending.catch((e: unknown) => e)) as ModemError;
    expect(err.code).toBe('EI_MODEM_DEREGISTERED');
    await t.close();
  });

  it('a socket reset (XRECV ERROR at once) is a retryable EI_MODEM_RECV', async () => {
    const modem = new FakeModem({ dialect, server: httpServer() });
    const c = connector(modem);
    const t = await c.connect();
    await t.write(enc.encode('GET / HTTP/1.1\r\n\r\n'));
    modem.resetOnRecv = true;
    const err = (await t.read().catch((e: unknown) => e)) as ModemError;
    expect(err.code).toBe('EI_MODEM_RECV');
    expect(err.retryable).toBe(true);
    await t.close();
  });

  it('the modem escaping data mode (+++) mid-send is EI_MODEM_SEND and the channel stays usable', async () => {
    const modem = new FakeModem({ dialect, server: httpServer(), closeAfterResponse: true });
    const c = connector(modem, { sendChunk: 4096 });
    const t = await c.connect();
    modem.escapeAfter = 100;
    const err = (await t.write(new Uint8Array(5000).fill(0x41)).catch((e: unknown) => e)) as ModemError;
    expect(err.code).toBe('EI_MODEM_SEND');
    await t.close();
    expect(await exchange(c, request(enc.encode('after')))).toContain('200 OK');
  });

  it('close() cancels a pending read with null', async () => {
    const modem = new FakeModem({ dialect });
    const c = connector(modem);
    const t = await c.connect();
    const pending = t.read();
    await new Promise((r) => setTimeout(r, 20));
    await t.close();
    expect(await pending).toBeNull();
    expect(t.isOpen).toBe(false);
  });

  it('tolerates command echo (ATE1)', async () => {
    const modem = new FakeModem({ dialect, echo: true, server: httpServer(), closeAfterResponse: true });
    expect(await exchange(connector(modem), request(enc.encode('echo')))).toContain('200 OK');
  });
});

describe('new dialect send sizing', () => {
  it('large writes go out in AT#XSEND of at most maxSend bytes, small ones are gathered', async () => {
    const modem = new FakeModem({ dialect: 'new', server: httpServer(), closeAfterResponse: true });
    const c = connector(modem, { sendChunk: 1024, maxSend: 3000 });
    const body = Uint8Array.from({ length: 10_000 }, (_, i) => (i * 31) & 0xff);
    const req = request(body);
    const t = await c.connect();
    // head in small pieces (gathered), then the body in one write
    const head = req.subarray(0, req.length - body.length);
    for (let i = 0; i < head.length; i += 10) await t.write(head.subarray(i, i + 10));
    await t.write(body);
    expect(dec.decode((await t.read())!)).toContain('200 OK');
    await t.close();
    const lens = modem.commands.filter((x) => x.startsWith('AT#XSEND=')).map((x) => Number(x.split(',')[3]));
    expect(Math.max(...lens)).toBeLessThanOrEqual(3000);
    expect(lens.reduce((a, b) => a + b, 0)).toBe(req.length);
    expect(lens.length).toBe(Math.ceil(req.length / 3000)); // no tiny sends: the head rode with the body
    expect(Buffer.concat(modem.sessions.map((x) => Buffer.from(x))).equals(Buffer.from(req))).toBe(true);
  });
});

describe('old dialect +++ safety through the driver', () => {
  it('bodies full of + reach the socket unchanged, whatever the write pieces', async () => {
    let expected = new Uint8Array(0);
    let got: Uint8Array | null = null;
    const modem = new FakeModem({
      dialect: 'old',
      server: (r) => {
        if (r.length < expected.length) return null;
        got = r;
        return enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nstored.cbor');
      },
    });
    const c = connector(modem);
    await c.ready();
    await fc.assert(
      fc.asyncProperty(
        fc.uint8Array({ minLength: 1, maxLength: 400 }).map((a) => a.map((b) => (b < 170 ? 0x2b : b === 0x2b ? 0x2c : b))),
        fc.integer({ min: 1, max: 97 }),
        async (body, piece) => {
          expected = body;
          got = null;
          modem.sessions.length = 0;
          await exchange(c, body, piece);
          expect(got).not.toBeNull();
          expect(Buffer.from(got!).equals(Buffer.from(body))).toBe(true);
          // no data-mode session ever held +++ or ended with + (else the modem model would cut it)
          for (const s of modem.sessions) expect(/\+\+\+|\+$/.test(Buffer.from(s).toString('latin1'))).toBe(false);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('small send chunks carry + runs across flushes correctly', async () => {
    let got: Uint8Array | null = null;
    const body = enc.encode('a+++++b++c+d++++++e+');
    const modem = new FakeModem({ dialect: 'old', server: (r) => (r.length >= body.length ? ((got = r), enc.encode('HTTP/1.1 200 OK\r\nContent-Length: 11\r\n\r\nstored.cbor')) : null) });
    const c = connector(modem, { sendChunk: 3 });
    await exchange(c, body, 2);
    expect(dec.decode(got!)).toBe('a+++++b++c+d++++++e+');
    expect(modem.commands.some((x) => x.startsWith('AT#XSEND="+'))).toBe(true);
  });
});

describe('through serialport (SerialPortMock, FACTS §8)', () => {
  it('runs the AT probe over a mock port and times out cleanly when nobody answers', async () => {
    SerialPortMock.binding.createPort('/dev/modem-mock', { echo: false, record: true });
    const port = new SerialPortMock({ path: '/dev/modem-mock', baudRate: 115200, autoOpen: false });
    const c = createModemConnector({
      path: '/dev/modem-mock',
      host: '127.0.0.1',
      port: 80,
      commandTimeoutMs: 200,
      openLink: () => linkFromStream(port),
    });
    open.push(c);
    // Answer the first AT like a modem would, through the binding's emitData.
    const ready = c.ready().catch((e: unknown) => e);
    await new Promise((r) => setTimeout(r, 50));
    expect(port.port!.recording.toString('latin1')).toBe('AT\r\n'); // CR LF until the dialect is known
    port.port!.emitData(Buffer.from('\r\nOK\r\n'));
    await new Promise((r) => setTimeout(r, 50));
    expect(port.port!.recording.toString('latin1')).toBe('AT\r\nAT+CMEE=1\r\n');
    // then fall silent: a typed timeout, not a hang
    const err = (await ready) as ModemError;
    expect(err.code).toBe('EI_MODEM_TIMEOUT');
    expect(err.command).toBe('AT+CMEE=1');
    SerialPortMock.binding.reset();
  });

  it('rejects host names that cannot go inside AT quotes', () => {
    expect(() => createModemConnector({ path: '/x', host: 'a"b', port: 80 })).toThrow(TypeError);
    expect(() => createModemConnector({ path: '/x', host: 'h', port: 0 })).toThrow(TypeError);
  });
});
