import { createServer as createTcpServer, type Server } from 'node:net';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IngestionClient } from '../src/client/client.ts';
import { NetworkError } from '../src/client/errors.ts';
import { bodyFromBytes } from '../src/encode/body.ts';
import { memoryPair } from '../src/transport/memory.ts';
import { tcpConnector } from '../src/transport/tcp.ts';
import { tlsConnector } from '../src/transport/tls.ts';
import type { Transport } from '../src/transport/transport.ts';
import { makeCerts, reply, type TestCerts } from './http-support.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const dec = (u: Uint8Array) => new TextDecoder().decode(u);

async function readAll(t: Transport): Promise<string> {
  let s = '';
  for (let c = await t.read(); c; c = await t.read()) s += dec(c);
  return s;
}

function listen(server: Server): Promise<number> {
  return new Promise((r) => server.listen(0, '127.0.0.1', () => r((server.address() as { port: number }).port)));
}

describe('TCP transport', () => {
  it('writes, reads, sees the peer close, and closes twice safely', async () => {
    const server = createTcpServer((s) => s.on('data', (d) => s.end(Buffer.concat([Buffer.from('echo:'), d]))));
    const port = await listen(server);
    try {
      const c = tcpConnector({ host: '127.0.0.1', port });
      expect(c.authority).toBe(`127.0.0.1:${port}`);
      const t = await c.connect();
      expect(t.isOpen).toBe(true);
      await t.write(enc('hello'));
      expect(await readAll(t)).toBe('echo:hello');
      expect(t.isOpen).toBe(false);
      await t.close();
      await t.close();
      expect(await t.read()).toBeNull();
    } finally {
      server.close();
    }
  });

  it('close() resolves a pending read with null', async () => {
    const server = createTcpServer(() => {});
    const port = await listen(server);
    try {
      const t = await tcpConnector({ host: '127.0.0.1', port }).connect();
      const pending = t.read();
      await t.close();
      expect(await pending).toBeNull();
      await expect(t.write(enc('x'))).rejects.toThrow();
    } finally {
      server.close();
    }
  });

  it('an aborted signal cancels connect', async () => {
    const ac = new AbortController();
    ac.abort(new Error('stop'));
    await expect(tcpConnector({ host: '127.0.0.1', port: 9 }).connect(ac.signal)).rejects.toThrow('stop');
  });

  it('brackets IPv6 hosts and leaves out the default port', () => {
    expect(tcpConnector({ host: '::1', port: 8080 }).authority).toBe('[::1]:8080');
    expect(tcpConnector({ host: 'example.com', port: 80 }).authority).toBe('example.com');
    expect(tlsConnector({ host: 'example.com', port: 443 }).authority).toBe('example.com');
  });
});

describe('memory transport', () => {
  it('delivers in order, copies borrowed chunks, and ends on close', async () => {
    const [a, b] = memoryPair({ highWaterMark: 4 });
    const buf = enc('abcd');
    const w = (async () => {
      await a.write(buf);
      buf.fill(0x7a); // the peer must still see abcd
      await a.write(enc('ef'));
      await a.close();
    })();
    expect(await readAll(b)).toBe('abcdef');
    await w;
    expect(a.isOpen).toBe(false);
    expect(b.isOpen).toBe(false);
  });

  it('destroy() rejects pending reads on both ends like a reset', async () => {
    const [a, b] = memoryPair();
    const pending = b.read();
    a.destroy();
    await expect(pending).rejects.toMatchObject({ code: 'ECONNRESET' });
    await expect(a.write(enc('x'))).rejects.toMatchObject({ code: 'ECONNRESET' });
  });
});

describe('TLS transport', () => {
  let certs: TestCerts;
  let port = 0;
  let mtlsPort = 0;
  let clientNames: string[] = [];
  const servers: Server[] = [];

  beforeAll(async () => {
    certs = makeCerts();
    const answer = (s: TLSSocket) => s.on('data', () => s.write(reply(200, `sni=${s.servername || ''}`)));
    const plain = createTlsServer({ key: certs.key, cert: certs.cert }, answer);
    const mtls = createTlsServer({ key: certs.key, cert: certs.cert, ca: certs.ca, requestCert: true, rejectUnauthorized: true }, (s) => {
      clientNames.push(String(s.getPeerCertificate().subject?.CN ?? ''));
      answer(s);
    });
    servers.push(plain, mtls);
    port = await listen(plain);
    mtlsPort = await listen(mtls);
  });
  afterAll(() => {
    for (const s of servers) s.close();
    certs?.cleanup();
  });

  const body = bodyFromBytes(enc('x'), 'application/cbor');
  const spec = { kind: 'data' as const, category: 'training', fileName: 'a.cbor', apiKey: 'ei_made_up' };
  const once = { attempts: 1 };

  it('uploads when the CA is given and sends SNI for a host name', async () => {
    const client = new IngestionClient({ connector: tlsConnector({ host: 'localhost', port, ca: certs.ca }), retry: once });
    try {
      expect((await client.upload(body, spec)).body).toBe('sni=localhost');
    } finally {
      await client.close();
    }
  });

  it('verifies by default: an unknown CA is refused', async () => {
    const client = new IngestionClient({ connector: tlsConnector({ host: 'localhost', port }), retry: once });
    const err = await client.upload(body, spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toMatch(/SELF_SIGNED|UNABLE_TO_GET_ISSUER|unable to (get|verify)/i);
    await client.close();
  });

  it('checks the host name: a certificate for another name is refused', async () => {
    const client = new IngestionClient({ connector: tlsConnector({ host: '127.0.0.1', port, ca: certs.ca, servername: 'other.example' }), retry: once });
    const err = await client.upload(body, spec).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(NetworkError);
    expect((err as Error).message).toMatch(/ERR_TLS_CERT_ALTNAME_INVALID|altname/i);
    await client.close();
  });

  it('accepts an IP literal covered by the certificate, without SNI', async () => {
    const client = new IngestionClient({ connector: tlsConnector({ host: '127.0.0.1', port, ca: certs.ca }), retry: once });
    expect((await client.upload(body, spec)).body).toBe('sni=');
    await client.close();
  });

  it('insecure: true is explicit and warns on every connect', async () => {
    const warnings: string[] = [];
    const client = new IngestionClient({ connector: tlsConnector({ host: 'localhost', port, insecure: true, warn: (m) => warnings.push(m) }), retry: once });
    expect((await client.upload(body, spec)).status).toBe(200);
    expect(warnings).toEqual([`TLS certificate verification is disabled for localhost:${port}`]);
    await client.close();
  });

  it('presents a client certificate for mutual TLS, and fails without one', async () => {
    clientNames = [];
    const ok = new IngestionClient({ connector: tlsConnector({ host: 'localhost', port: mtlsPort, ca: certs.ca, cert: certs.clientCert, key: certs.clientKey }), retry: once });
    expect((await ok.upload(body, spec)).status).toBe(200);
    expect(clientNames).toEqual(['ei-test-client']);
    await ok.close();
    const no = new IngestionClient({ connector: tlsConnector({ host: 'localhost', port: mtlsPort, ca: certs.ca }), retry: once });
    expect(await no.upload(body, spec).catch((e: unknown) => e)).toBeInstanceOf(NetworkError);
    await no.close();
  });

  it('https endpoints go over TLS with the client tls options', async () => {
    const client = new IngestionClient({ endpoint: `https://localhost:${port}`, tls: { ca: certs.ca }, retry: once });
    expect(client.connector.authority).toBe(`localhost:${port}`);
    expect((await client.upload(body, spec)).body).toBe('sni=localhost');
    await client.close();
    expect(() => new IngestionClient({ endpoint: 'ftp://x' })).toThrow(TypeError);
  });
});
