// TLS sockets of the modem simulator (#XSSOCKET): bridged with node:tls, peer verification with
// the CA given to the simulator, hostname from the TLS_HOSTNAME socket option. Certificates are
// made per run with the openssl CLI into a temp dir.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startModemSim, type ModemSimOptions } from '../firmware-sim/modem/index.ts';
import { RawHost } from '../firmware-sim/modem/raw-host.ts';

let dir: string;
let ca: string;
let server: tls.Server;
let port: number;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'modem-sim-tls-'));
  const run = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
  run('req', '-x509', ...ec, '-keyout', 'ca.key', '-out', 'ca.pem', '-days', '2', '-subj', '/CN=Modem Sim Test CA');
  run('req', ...ec, '-keyout', 'srv.key', '-out', 'srv.csr', '-subj', '/CN=modem.test');
  writeFileSync(join(dir, 'ext.cnf'), 'subjectAltName=DNS:modem.test,IP:127.0.0.1\n');
  run('x509', '-req', '-in', 'srv.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial', '-out', 'srv.pem', '-days', '2', '-extfile', 'ext.cnf');
  ca = readFileSync(join(dir, 'ca.pem'), 'utf8');
  server = tls.createServer({ key: readFileSync(join(dir, 'srv.key')), cert: readFileSync(join(dir, 'srv.pem')) }, (s) => {
    s.on('error', () => {});
    s.on('data', (d) => s.write(Buffer.concat([Buffer.from('echo:'), d])));
  });
  server.on('tlsClientError', () => {});
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as { port: number }).port;
});

afterAll(async () => {
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setup(opts: Partial<ModemSimOptions> & { dialect: 'new' | 'old' }) {
  const sim = await startModemSim({ registrationDelayMs: 10, firstHandle: 2, baud: 921600, ...opts });
  cleanups.push(() => sim.close());
  const host = await RawHost.open(sim.devicePath, sim.baud);
  cleanups.push(() => host.close());
  const eol = opts.dialect === 'new' ? '\r' : '\r\n';
  expect(await host.command('AT', eol)).toMatch(/\r\nOK\r\n$/);
  await host.command('AT+CEREG=1', eol);
  await host.command('AT+CFUN=1', eol);
  await host.until('\r\n+CEREG: 1\r\n', 3000);
  return { sim, host, eol };
}

describe('TLS sockets', () => {
  it('new dialect: verified handshake with the hostname option, data both ways', async () => {
    const { host, eol } = await setup({ dialect: 'new', tlsCa: ca });
    expect(await host.command('AT#XSSOCKET=1,1,0,1000,2', eol)).toBe('\r\n#XSSOCKET: 2,1,258\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSSOCKETOPT=2,1,2,"modem.test"', eol)).toBe('\r\nOK\r\n');
    expect(await host.command(`AT#XCONNECT=2,"127.0.0.1",${port}`, eol)).toBe('\r\n#XCONNECT: 2,1\r\n\r\nOK\r\n');
    await host.command('AT#XSEND=2,2,0,5', eol);
    await host.write('hello');
    await host.until('\r\n#XDATAMODE: 0\r\n');
    await new Promise((r) => setTimeout(r, 100));
    expect(await host.command('AT#XRECV=2,0,0,5', eol)).toBe('\r\n#XRECV: 2,0,10\r\necho:hello\r\nOK\r\n');
  });

  it('new dialect: a wrong hostname or an unknown CA fails the connect with ERROR', async () => {
    const { host, eol } = await setup({ dialect: 'new', tlsCa: ca });
    await host.command('AT#XSSOCKET=1,1,0,1000,2', eol);
    await host.command('AT#XSSOCKETOPT=2,1,2,"other.test"', eol);
    expect(await host.command(`AT#XCONNECT=2,"127.0.0.1",${port}`, eol)).toBe('\r\nERROR\r\n');

    const noCa = await setup({ dialect: 'new' });
    await noCa.host.command('AT#XSSOCKET=1,1,0,1000,2', noCa.eol);
    expect(await noCa.host.command(`AT#XCONNECT=2,"127.0.0.1",${port}`, noCa.eol)).toBe('\r\nERROR\r\n');
    // peer_verify 0: no chain check, the handshake goes through.
    expect(await noCa.host.command('AT#XSSOCKET=1,1,0,1000,0', noCa.eol)).toBe('\r\n#XSSOCKET: 3,1,258\r\n\r\nOK\r\n');
    expect(await noCa.host.command(`AT#XCONNECT=3,"127.0.0.1",${port}`, noCa.eol)).toBe('\r\n#XCONNECT: 3,1\r\n\r\nOK\r\n');
  });

  it('old dialect: #XSSOCKET with sec_tag, hostname on the selected socket, mapped host name', async () => {
    const { host, eol } = await setup({ dialect: 'old', tlsCa: ca, hosts: { 'modem.test': '127.0.0.1' } });
    expect(await host.command('AT#XSSOCKET=1,1,0,16842753', eol)).toBe('\r\n#XSSOCKET: 2,1,258\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSSOCKETOPT=1,2,"modem.test"', eol)).toBe('\r\nOK\r\n');
    expect(await host.command(`AT#XCONNECT="modem.test",${port}`, eol)).toBe('\r\n#XCONNECT: 1\r\n\r\nOK\r\n');
    await host.command('AT#XSEND', eol);
    await host.write('ping+++');
    await host.until('\r\n#XDATAMODE: 0\r\n');
    await new Promise((r) => setTimeout(r, 100));
    expect(await host.command('AT#XRECV=2', eol)).toBe('\r\n#XRECV: 9\r\necho:ping\r\nOK\r\n');
  });
});
