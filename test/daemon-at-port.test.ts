/**
 * AtPort against a scripted fake port (no pty): the command goes out in chunks of at most 5 bytes,
 * answers end at the prompt, refusals and timeouts are typed errors without the command's
 * arguments, fast transfer switches the port's rate and back, a port that closes mid-command is
 * reported as such.
 */
import { describe, expect, it } from 'vitest';
import { EventEmitter } from 'node:events';
import { AtPort } from '../src/daemon/at-port.ts';
import type { AtSerial } from '../src/daemon/at-port.ts';

/** A board that answers each complete command line through `answer` (echo included by the fake). */
class FakeSerial extends EventEmitter implements AtSerial {
  isOpen = false;
  writes: Buffer[] = [];
  bauds: number[] = [];
  private line = '';
  constructor(private readonly answer: (cmd: string, port: FakeSerial) => void) {
    super();
  }
  open(cb: (err: Error | null) => void): void {
    this.isOpen = true;
    cb(null);
  }
  close(cb?: (err: Error | null) => void): void {
    this.isOpen = false;
    this.emit('close');
    cb?.(null);
  }
  write(data: Buffer): boolean {
    this.writes.push(Buffer.from(data));
    for (const ch of data.toString('latin1')) {
      if (ch === '\r') {
        const cmd = this.line;
        this.line = '';
        setImmediate(() => this.answer(cmd, this));
      } else this.line += ch;
    }
    return true;
  }
  drain(cb: (err: Error | null) => void): void {
    setImmediate(() => cb(null));
  }
  update(o: { baudRate: number }, cb: (err: Error | null) => void): void {
    this.bauds.push(o.baudRate);
    setImmediate(() => cb(null));
  }
  /** Sends text to the host, in pieces of `n` characters. */
  send(text: string, n = 3): void {
    for (let i = 0; i < text.length; i += n) this.emit('data', Buffer.from(text.slice(i, i + n), 'latin1'));
  }
}

async function portWith(answer: (cmd: string, p: FakeSerial) => void, timeoutMs = 500): Promise<{ port: AtPort; fake: FakeSerial }> {
  const fake = new FakeSerial(answer);
  const port = new AtPort({ path: '/dev/fake', timeoutMs, chunkPauseMs: 1, portFactory: () => fake });
  await port.open();
  return { port, fake };
}

describe('AtPort', () => {
  it('writes the command in chunks of at most 5 bytes; returns the answer without echo and prompt', async () => {
    const { port, fake } = await portWith((cmd, p) => p.send(`junk\r\n${cmd}\r\nline 1\nline 2\r\n> `));
    expect(await port.exec('AT+SAMPLESETTINGS=label,10,1000,')).toEqual(['line 1', 'line 2']);
    expect(fake.writes.every((w) => w.length <= 5)).toBe(true);
    expect(Buffer.concat(fake.writes).toString()).toBe('AT+SAMPLESETTINGS=label,10,1000,\r');
    expect(fake.writes.length).toBe(Math.ceil('AT+SAMPLESETTINGS=label,10,1000,\r'.length / 5));
  });

  it('"Not a valid AT command" → AtCommandError naming the command, not its arguments', async () => {
    const { port } = await portWith((cmd, p) => p.send(`${cmd}\r\nNot a valid AT command\r\n> `));
    const err = await port.exec('AT+SAMPLESETTINGS=l,10,1000,made-up-secret').catch((e) => e);
    expect(err).toMatchObject({ code: 'EI_DAEMON_AT_INVALID', command: 'AT+SAMPLESETTINGS' });
    expect(err.message).not.toContain('made-up-secret');
  });

  it('no prompt in time → AtTimeoutError with the deadline; the port stays usable', async () => {
    let answer = false;
    const { port } = await portWith((cmd, p) => (answer ? p.send(`${cmd}\r\nOK\r\n> `) : p.send(`${cmd}\r\nworking...`)), 300);
    const err = await port.exec('AT+SAMPLESTART=Accelerometer').catch((e) => e);
    expect(err).toMatchObject({ code: 'EI_DAEMON_AT_TIMEOUT', command: 'AT+SAMPLESTART', timeoutMs: 300, message: 'board did not answer AT+SAMPLESTART within 300 ms' });
    answer = true;
    expect(await port.exec('AT+CONFIG?')).toEqual(['OK']);
  });

  it('fast transfer: OK, the rate switched for the data, switched back before the prompt', async () => {
    const { port, fake } = await portWith((cmd, p) => p.send(`${cmd}\r\nOK\r\nQUJD\r\nREVG\r\nOK\r\n> `, 2));
    expect(await port.execFast('AT+READBUFFER=0,6,y', 921600)).toMatch(/^QUJD\r\nREVG\r?$/);
    expect(fake.bauds).toEqual([921600, 115200]);
  });

  it('fast transfer refused: a typed error, no rate switch', async () => {
    const { port, fake } = await portWith((cmd, p) => p.send(`${cmd}\r\nNot a valid AT command\r\n> `));
    await expect(port.execFast('AT+READFILE=x,y', 921600)).rejects.toMatchObject({ code: 'EI_DAEMON_AT_INVALID' });
    expect(fake.bauds).toEqual([]);
  });

  it('the port closing mid-command ends the wait at once with EI_DAEMON_PORT_CLOSED', async () => {
    const { port } = await portWith((cmd, p) => {
      p.send(`${cmd}\r\nSampling...\r\n`);
      p.close();
    }, 60_000);
    const closed: string[] = [];
    port.on('closed', (why) => closed.push(why));
    await expect(port.exec('AT+SAMPLESTART=x')).rejects.toMatchObject({ code: 'EI_DAEMON_PORT_CLOSED' });
    expect(closed).toEqual(['port closed']);
  });

  it('a board that booted while the command went out (banner, prompt, no echo): the command is written once more', async () => {
    let n = 0;
    const { port, fake } = await portWith((cmd, p) => {
      if (++n === 1) p.send('\r\nHello from Edge Impulse Device SDK.\r\nType AT+HELP to see a list of commands.\r\n> ');
      else p.send(`${cmd}\r\nOK\r\n> `);
    });
    expect(await port.exec('AT+SAMPLESETTINGS=a,10,100,')).toEqual(['OK']);
    expect(Buffer.concat(fake.writes).toString()).toBe('AT+SAMPLESETTINGS=a,10,100,\r'.repeat(2));
  });

  it('progress lines are handed out as they complete, each once', async () => {
    const { port } = await portWith((cmd, p) => p.send(`${cmd}\r\nSampling...\r\nDone sampling, total samples collected: 3\nOK\r\n> `, 4));
    const seen: string[] = [];
    const lines = await port.exec('AT+SAMPLESTART=x', { onLine: (l) => seen.push(l) });
    expect(seen).toEqual(lines);
    expect(lines).toEqual(['Sampling...', 'Done sampling, total samples collected: 3', 'OK']);
  });
});
