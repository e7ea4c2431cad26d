// Modem simulator protocol (FACTS §7) driven over a real pty pair by a raw serialport host:
// exact response bytes in both dialects, sockets bridged to loopback TCP, data mode, #XRECV forms.
import { afterEach, describe, expect, it } from 'vitest';
import type { ModemSimOptions } from '../firmware-sim/modem/index.ts';
import { RawHost } from '../firmware-sim/modem/raw-host.ts';
import { openSimHost } from './modem-sim-host.ts';
import { startPeer } from '../firmware-sim/modem/loopback-peer.ts';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const setup = (opts: Partial<ModemSimOptions> & { dialect: 'new' | 'old' }) => openSimHost(cleanups, { firstHandle: 3, ...opts });

/** Reads one binary #XRECV response by its size header (a line parser would be fooled by data). */
async function recvRaw(host: RawHost, cmd: string, header: RegExp): Promise<Buffer> {
  await host.write(cmd);
  const head = (await host.until('\r\n', 5000)).toString('latin1') + (await host.until('\r\n')).toString('latin1');
  const m = header.exec(head);
  if (!m) throw new Error(`unexpected header ${JSON.stringify(head)}`);
  const data = await host.take(Number(m[1]));
  expect((await host.take(6)).toString('latin1')).toBe('\r\nOK\r\n');
  return data;
}

/** Brings the modem up and waits for registration. */
async function bringUp(host: RawHost, eol: string): Promise<void> {
  expect((await host.command('AT', eol)).replace(/^Ready\r\n/, '')).toBe('\r\nOK\r\n');
  expect(await host.command('AT+CEREG=1', eol)).toBe('\r\nOK\r\n');
  expect(await host.command('AT+CFUN=1', eol)).toBe('\r\nOK\r\n');
  await host.until('\r\n+CEREG: 1\r\n', 3000);
}

describe('bring-up transcripts', () => {
  it('new dialect: exact bytes of the bring-up and version probes', async () => {
    const { sim, host, eol } = await setup({ dialect: 'new', imei: '490154203237518' });
    expect((await host.command('AT', eol)).replace(/^Ready\r\n/, '')).toBe('\r\nOK\r\n');
    expect(await host.command('AT+CMEE=1', eol)).toBe('\r\nOK\r\n');
    expect(await host.command('AT+CEREG=5', eol)).toBe('\r\nOK\r\n');
    expect(await host.command('AT+CEREG?', eol)).toBe('\r\n+CEREG: 5,0\r\n\r\nOK\r\n');
    expect(await host.command('AT+CGSN', eol)).toBe('\r\n490154203237518\r\n\r\nOK\r\n');
    expect(await host.command('AT+CGSN=1', eol)).toBe('\r\n+CGSN: "490154203237518"\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSMVER', eol)).toMatch(/^\r\n#XSMVER: "[^"]+".*\r\n\r\nOK\r\n$/);
    expect(await host.command('AT#XSLMVER', eol)).toBe('\r\nERROR\r\n');
    expect(await host.command('AT+CFUN?', eol)).toBe('\r\n+CFUN: 0\r\n\r\nOK\r\n');
    expect(await host.command('AT+CFUN=1', eol)).toBe('\r\nOK\r\n');
    expect((await host.until('\r\n+CEREG: 2\r\n')).toString('latin1')).toBe('\r\n+CEREG: 2\r\n');
    expect((await host.until('7\r\n', 3000)).toString('latin1')).toBe('\r\n+CEREG: 1,"0A1B","01A2B3C4",7\r\n');
    expect(await host.command('AT+CEREG?', eol)).toBe('\r\n+CEREG: 5,1,"0A1B","01A2B3C4",7\r\n\r\nOK\r\n');
    expect(await host.command('AT+NOPE', eol)).toBe('\r\nERROR\r\n');
    // CR+LF also works in the new dialect (the LF is skipped before the next command).
    expect(await host.command('AT', '\r\n')).toBe('\r\nOK\r\n');
    expect(await host.command('AT', '\r')).toBe('\r\nOK\r\n');
    expect(sim.stats().registration).toBe(1);
  });

  it('old dialect: CR+LF terminator, #XSLMVER, roaming registration', async () => {
    const { sim, host, eol } = await setup({ dialect: 'old', roaming: true });
    expect((await host.command('AT', eol)).replace(/^Ready\r\n/, '')).toBe('\r\nOK\r\n');
    expect(await host.command('AT#XSMVER', eol)).toBe('\r\nERROR\r\n');
    expect(await host.command('AT#XSLMVER', eol)).toMatch(/^\r\n#XSLMVER: "[^"]+"\r\n\r\nOK\r\n$/);
    expect(await host.command('AT+CGSN', eol)).toBe(`\r\n${sim.imei}\r\n\r\nOK\r\n`);
    // A bare CR does not end a command in the old dialect; the LF that follows does.
    await host.write('AT\r');
    await host.quiet(150);
    expect(await host.command('', '\n')).toBe('\r\nOK\r\n');
    expect(await host.command('AT+CEREG=1', eol)).toBe('\r\nOK\r\n');
    expect(await host.command('AT+CFUN=1', eol)).toBe('\r\nOK\r\n');
    await host.until('\r\n+CEREG: 5\r\n', 3000);
    expect(await host.command('AT+CEREG?', eol)).toBe('\r\n+CEREG: 1,5\r\n\r\nOK\r\n');
  });

  it('a command longer than the 4096-byte buffer answers ERROR', async () => {
    const { host, eol } = await setup({ dialect: 'new', baud: 921600 });
    expect(await host.command('AT#XSMVER' + 'X'.repeat(4200), eol)).toBe('\r\nERROR\r\n');
    expect(await host.command('AT', eol)).toMatch(/\r\nOK\r\n$/);
  });
});

describe('new dialect sockets', () => {
  it('HTTP exchange: explicit-length send containing +++, #XRECV with size header, bare OK after close', async () => {
    const body = Buffer.from('{"a":"+++","b":[1,2,3]}');
    const request = Buffer.concat([Buffer.from(`POST /api/training/data HTTP/1.1\r\nHost: x\r\nContent-Length: ${body.length}\r\n\r\n`), body]);
    const response = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nOK';
    const peer = await startPeer((sock, all) => {
      if (all.length === request.length) sock.end(response);
    });
    cleanups.push(() => peer.close());
    const { sim, host, eol } = await setup({ dialect: 'new' });
    await bringUp(host, eol);
    expect(await host.command('AT#XSOCKET=1,1,0', eol)).toBe('\r\n#XSOCKET: 3,1,6\r\n\r\nOK\r\n');
    expect(await host.command(`AT#XCONNECT=3,"127.0.0.1",${peer.port}`, eol)).toBe('\r\n#XCONNECT: 3,1\r\n\r\nOK\r\n');
    expect(await host.command(`AT#XSEND=3,2,0,${request.length}`, eol)).toBe('\r\nOK\r\n');
    await host.write(request);
    expect((await host.until('\r\n#XDATAMODE: 0\r\n')).toString('latin1')).toBe('\r\n#XDATAMODE: 0\r\n');
    expect(await peer.waitForBytes(0, request.length)).toEqual(request);
    const rsp = await recvRaw(host, 'AT#XRECV=3,0,0,5' + eol, /^\r\n#XRECV: 3,0,(\d+)\r\n$/);
    expect(rsp.toString('latin1')).toBe(response);
    expect(await host.command('AT#XRECV=3,0,0,5', eol)).toBe('\r\nOK\r\n'); // peer closed
    expect(await host.command('AT#XCLOSE=3', eol)).toBe('\r\n#XCLOSE: 3,0\r\n\r\nOK\r\n');
    expect(await host.command('AT#XCLOSE=3', eol)).toBe('\r\nERROR\r\n');
    const st = sim.stats();
    expect(st.bytesToNetwork).toBe(request.length);
    expect(st.openSockets).toBe(0);
  });

  it('without a length, +++ ends data mode; the modem sends after 32 ms of silence', async () => {
    const peer = await startPeer();
    cleanups.push(() => peer.close());
    const { host, eol } = await setup({ dialect: 'new' });
    await bringUp(host, eol);
    await host.command('AT#XSOCKET=1,1,0', eol);
    await host.command(`AT#XCONNECT=3,"127.0.0.1",${peer.port}`, eol);
    expect(await host.command('AT#XSEND=3,2,0', eol)).toBe('\r\nOK\r\n');
    await host.write('hello ');
    // The idle timer sends while still in data mode.
    expect((await peer.waitForBytes(0, 6)).toString()).toBe('hello ');
    await host.write('a+b++c+++ignored');
    await host.until('\r\n#XDATAMODE: 0\r\n');
    expect((await peer.waitForBytes(0, 12)).toString()).toBe('hello a+b++c');
    // 'ignored' went to command mode: no 'A', so no response; the modem still answers.
    expect(await host.command('AT', eol)).toBe('\r\nOK\r\n');
  });

  it('#XRECV: 2048-byte cap, <len> form, len > 2048 ERROR, timeout ERROR', async () => {
    const blob = Buffer.alloc(5000);
    for (let i = 0; i < blob.length; i++) blob[i] = (i * 7) & 0xff;
    const peer = await startPeer(undefined, (sock) => sock.write(blob));
    cleanups.push(() => peer.close());
    const { host, eol } = await setup({ dialect: 'new', baud: 921600 });
    await bringUp(host, eol);
    await host.command('AT#XSOCKET=1,1,0', eol);
    await host.command(`AT#XCONNECT=3,"127.0.0.1",${peer.port}`, eol);
    await new Promise((r) => setTimeout(r, 100));
    const got: Buffer[] = [];
    const recvOne = async (cmd: string, expected: number) => {
      await host.write(cmd + eol);
      const head = (await host.until(/* header line */ `#XRECV: 3,0,${expected}\r\n`)).toString('latin1');
      expect(head).toBe(`\r\n#XRECV: 3,0,${expected}\r\n`);
      got.push(await host.take(expected));
      expect((await host.take(6)).toString('latin1')).toBe('\r\nOK\r\n');
    };
    await recvOne('AT#XRECV=3,0,0,5', 2048);
    await recvOne('AT#XRECV=3,0,0,5,100', 100);
    expect(await host.command('AT#XRECV=3,0,0,5,2049', eol)).toBe('\r\nERROR\r\n');
    await recvOne('AT#XRECV=3,0,0,5,2048', 2048);
    await recvOne('AT#XRECV=3,0,0,5', 5000 - 4196);
    expect(Buffer.concat(got)).toEqual(blob);
    const t0 = Date.now();
    expect(await host.command('AT#XRECV=3,0,0,1', eol)).toBe('\r\nERROR\r\n');
    expect(Date.now() - t0).toBeGreaterThanOrEqual(900);
  });

  it('8 sockets at most; handles start at firstHandle and are reused', async () => {
    const { host, eol } = await setup({ dialect: 'new', firstHandle: 2 });
    for (let i = 0; i < 8; i++) expect(await host.command('AT#XSOCKET=1,1,0', eol)).toBe(`\r\n#XSOCKET: ${2 + i},1,6\r\n\r\nOK\r\n`);
    expect(await host.command('AT#XSOCKET=1,1,0', eol)).toBe('\r\nERROR\r\n');
    expect(await host.command('AT#XCLOSE=5', eol)).toBe('\r\n#XCLOSE: 5,0\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSSOCKET=1,1,0,42,2', eol)).toBe('\r\n#XSSOCKET: 5,1,258\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSSOCKETOPT=5,1,2,"modem.test"', eol)).toBe('\r\nOK\r\n');
    expect(await host.command('AT#XSSOCKETOPT=2,1,2,"modem.test"', eol)).toBe('\r\nERROR\r\n'); // not a TLS socket
  });

  it('refuses non-loopback hosts, unknown handles and sends on unconnected sockets', async () => {
    const { host, eol } = await setup({ dialect: 'new' });
    await bringUp(host, eol);
    await host.command('AT#XSOCKET=1,1,0', eol);
    expect(await host.command('AT#XCONNECT=3,"192.0.2.1",80', eol)).toBe('\r\nERROR\r\n');
    expect(await host.command('AT#XCONNECT=9,"127.0.0.1",80', eol)).toBe('\r\nERROR\r\n');
    expect(await host.command('AT#XSEND=3,2,0,10', eol)).toBe('\r\nERROR\r\n');
  });
});

describe('old dialect sockets', () => {
  it('selected socket: connect, +++ in the body ends data mode early, #XRECV=<timeout>, close', async () => {
    const peer = await startPeer((sock, all) => {
      if (all.toString().endsWith('abc')) sock.write('pong');
    });
    cleanups.push(() => peer.close());
    const { host, eol } = await setup({ dialect: 'old', firstHandle: 1 });
    await bringUp(host, eol);
    expect(await host.command('AT#XSOCKET=1,1,0', eol)).toBe('\r\n#XSOCKET: 1,1,6\r\n\r\nOK\r\n');
    expect(await host.command(`AT#XCONNECT="localhost",${peer.port}`, eol)).toBe('\r\n#XCONNECT: 1\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSEND', eol)).toBe('\r\nOK\r\n');
    await host.write('abc+++def');
    expect((await host.until('\r\n#XDATAMODE: 0\r\n')).toString('latin1')).toBe('\r\n#XDATAMODE: 0\r\n');
    expect((await peer.waitForBytes(0, 3)).toString()).toBe('abc'); // 'def' never reached the peer
    expect(await host.command('AT#XRECV=2', eol)).toBe('\r\n#XRECV: 4\r\npong\r\nOK\r\n');
    expect(await host.command('AT#XSEND="xyz"', eol)).toBe('\r\n#XSEND: 3\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSOCKET?', eol)).toBe('\r\n#XSOCKET: 1,1,0,1,0\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSOCKET=0', eol)).toBe('\r\n#XSOCKET: 0,"closed"\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSOCKET=0', eol)).toBe('\r\nERROR\r\n');
    expect((await peer.waitForBytes(0, 6)).toString()).toBe('abcxyz');
  });

  it('logs commands but never the payload of AT#XSEND="…"', async () => {
    const peer = await startPeer();
    cleanups.push(() => peer.close());
    const lines: string[] = [];
    const { host, eol } = await setup({ dialect: 'old', log: (l) => lines.push(l) });
    await bringUp(host, eol);
    await host.command('AT#XSOCKET=1,1,0', eol);
    await host.command(`AT#XCONNECT="127.0.0.1",${peer.port}`, eol);
    expect(await host.command('AT#XSEND="x-api-key: ei_secret_0123"', eol)).toBe('\r\n#XSEND: 25\r\n\r\nOK\r\n');
    expect(lines.some((l) => l.includes('AT#XSEND='))).toBe(true);
    expect(lines.join('\n')).not.toContain('ei_secret');
  });

  it('#XSOCKETSELECT picks which socket the commands act on', async () => {
    const { host, eol } = await setup({ dialect: 'old', firstHandle: 0 });
    expect(await host.command('AT#XSOCKET=1,1,0', eol)).toBe('\r\n#XSOCKET: 0,1,6\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSSOCKET=1,1,0,16842753', eol)).toBe('\r\n#XSSOCKET: 1,1,258\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSSOCKETOPT=1,2,"modem.test"', eol)).toBe('\r\nOK\r\n');
    expect(await host.command('AT#XSOCKETSELECT=0', eol)).toBe('\r\n#XSOCKETSELECT: 0\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSSOCKETOPT=1,2,"modem.test"', eol)).toBe('\r\nERROR\r\n');
    expect(await host.command('AT#XSOCKET=0', eol)).toBe('\r\n#XSOCKET: 0,"closed"\r\n\r\nOK\r\n');
    expect(await host.command('AT#XSOCKETSELECT?', eol)).toBe('\r\n#XSOCKETSELECT: 1\r\n\r\nOK\r\n');
  });
});

describe('cli', () => {
  it('prints the device path, serves commands, and removes its pty on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const { existsSync } = await import('node:fs');
    const child = spawn(process.execPath, ['node_modules/tsx/dist/cli.mjs', 'firmware-sim/modem/cli.ts', '--dialect', 'old', '--baud', '230400'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    cleanups.push(async () => {
      if (child.exitCode === null) child.kill('SIGKILL');
      await exited;
    });
    const path = await new Promise<string>((resolve, reject) => {
      let out = '';
      child.stdout!.on('data', (d) => {
        out += d;
        if (out.includes('\n')) resolve(out.split('\n')[0]);
      });
      child.once('exit', () => reject(new Error('cli exited early')));
    });
    const host = await RawHost.open(path, 230400);
    expect((await host.command('AT#XSLMVER', '\r\n')).replace(/^Ready\r\n/, '')).toMatch(/^\r\n#XSLMVER: "[^"]+"\r\n\r\nOK\r\n$/);
    await host.close();
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(path)).toBe(false);
  });
});
