import { describe, expect, it } from 'vitest';
import { AtParser, recvHeaderSize, type AtEvent } from '../src/transport/modem/at-parser.ts';

const hex = (s: string) => Uint8Array.from(Buffer.from(s.replace(/\s+/g, ''), 'hex'));
const ascii = (s: string) => Uint8Array.from(Buffer.from(s, 'latin1'));

function parseSplits(input: Uint8Array, cuts: number[]): AtEvent[] {
  const p = new AtParser();
  const out: AtEvent[] = [];
  let prev = 0;
  for (const c of [...cuts, input.length]) {
    p.feed(input.subarray(prev, c), (e) => out.push(e.kind === 'payload' ? { kind: 'payload', data: e.data.slice() } : e));
    prev = c;
  }
  return out;
}

describe('AtParser', () => {
  it('frames info lines, final results and URCs (FACTS §7 framing)', () => {
    // "\r\n#XSOCKET: 3,1,6\r\n\r\nOK\r\n\r\n+CEREG: 5\r\nReady\r\n"
    const input = hex(
      '0d0a 2358534f434b45543a20332c312c36 0d0a 0d0a 4f4b 0d0a 0d0a 2b43455245473a2035 0d0a 5265616479 0d0a',
    );
    expect(parseSplits(input, [])).toEqual([
      { kind: 'line', text: '#XSOCKET: 3,1,6' },
      { kind: 'line', text: 'OK' },
      { kind: 'line', text: '+CEREG: 5' },
      { kind: 'line', text: 'Ready' },
    ]);
  });

  it('counts #XRECV payload bytes even when they hold CR LF, NUL and "OK" (new dialect header)', () => {
    // header "#XRECV: 2,0,8", payload 0d 0a 4f 4b 0d 0a 00 ff, then "\r\nOK\r\n"
    const input = hex('0d0a 235852454356 3a20322c302c38 0d0a 0d0a4f4b0d0a00ff 0d0a4f4b0d0a');
    const events = parseSplits(input, []);
    expect(events).toEqual([
      { kind: 'line', text: '#XRECV: 2,0,8' },
      { kind: 'payload', data: hex('0d0a4f4b0d0a00ff') },
      { kind: 'line', text: 'OK' },
    ]);
  });

  it('gives identical events for every split of a response into two and three chunks', () => {
    const payload = Uint8Array.from({ length: 40 }, (_, i) => (i * 37 + 13) & 0xff);
    payload[0] = 0x0a; // a payload starting with LF must not be eaten as the header's line end
    payload[1] = 0x0d;
    const input = new Uint8Array([
      ...ascii('\r\n#XRECV: 40\r\n'),
      ...payload,
      ...ascii('\r\nOK\r\n\r\n+CEREG: 1\r\n'),
    ]);
    const whole = parseSplits(input, []);
    expect(whole).toEqual([
      { kind: 'line', text: '#XRECV: 40' },
      { kind: 'payload', data: payload },
      { kind: 'line', text: 'OK' },
      { kind: 'line', text: '+CEREG: 1' },
    ]);
    for (let a = 0; a <= input.length; a++) {
      expect(parseSplits(input, [a])).toEqual(whole);
      for (let b = a; b <= input.length; b += 7) expect(parseSplits(input, [a, b])).toEqual(whole);
    }
  });

  it('byte-at-a-time feeding loses nothing', () => {
    const payload = ascii('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
    const input = new Uint8Array([...ascii(`\r\n#XRECV: 0,0,${payload.length}\r\n`), ...payload, ...ascii('\r\nOK\r\n')]);
    const cuts = Array.from({ length: input.length - 1 }, (_, i) => i + 1);
    const ev = parseSplits(input, cuts);
    expect(ev[1]).toEqual({ kind: 'payload', data: payload });
    expect(ev[2]).toEqual({ kind: 'line', text: 'OK' });
  });

  it('reports a bare +++ from the modem as an escape, also split across chunks', () => {
    const input = ascii('+++\r\n#XDATAMODE: -104\r\n');
    for (let a = 0; a <= input.length; a++) {
      expect(parseSplits(input, [a])).toEqual([
        { kind: 'escape' },
        { kind: 'line', text: '#XDATAMODE: -104' },
      ]);
    }
  });

  it('a zero-size #XRECV header has no payload; lone LF and CR LF endings both work', () => {
    expect(parseSplits(ascii('#XRECV: 0,0,0\nOK\n'), [])).toEqual([
      { kind: 'line', text: '#XRECV: 0,0,0' },
      { kind: 'line', text: 'OK' },
    ]);
  });

  it('drops an overlong line with an overflow event instead of growing without bound', () => {
    const long = 'x'.repeat(5000);
    const ev = parseSplits(ascii(`${long}\r\nOK\r\n`), [1000, 4500]);
    expect(ev[0]!.kind).toBe('overflow');
    expect(ev[1]).toEqual({ kind: 'line', text: 'OK' });
  });

  it('recvHeaderSize reads the last field of both dialects and rejects other lines', () => {
    expect(recvHeaderSize('#XRECV: 3,0,2048')).toBe(2048);
    expect(recvHeaderSize('#XRECV: 17')).toBe(17);
    expect(recvHeaderSize('#XSEND: 17')).toBe(-1);
    expect(recvHeaderSize('#XRECV: "x"')).toBe(-1);
  });
});
