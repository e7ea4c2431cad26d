// Pure parts of the modem simulator: command-line assembly (FACTS §7 terminators, quotes,
// 4096-byte buffer) and AT parameter parsing.
import { describe, expect, it } from 'vitest';
import { CommandLineAssembler, COMMAND_BUFFER_SIZE } from '../firmware-sim/modem/command-line.ts';
import { AtSyntaxError, intParam, parseCommand, strParam } from '../firmware-sim/modem/at-args.ts';
import { luhnDigit, randomImei } from '../firmware-sim/modem/index.ts';

function feed(a: CommandLineAssembler, s: string) {
  const out: string[] = [];
  for (const b of Buffer.from(s, 'latin1')) {
    const ev = a.push(b);
    if (ev) out.push(ev.kind === 'command' ? ev.line : '<overflow>');
  }
  return out;
}

describe('CommandLineAssembler', () => {
  it('new dialect: CR ends a command, a following LF is ignored', () => {
    const a = new CommandLineAssembler('cr');
    expect(feed(a, 'AT\rAT+CMEE=1\r\nAT+CGSN\r')).toEqual(['AT', 'AT+CMEE=1', 'AT+CGSN']);
  });

  it('old dialect: only CR+LF ends a command; a bare CR stays in the line', () => {
    const a = new CommandLineAssembler('crlf');
    expect(feed(a, 'AT\r')).toEqual([]);
    expect(a.pending).toBe(true);
    expect(feed(a, '\n')).toEqual(['AT']);
    expect(feed(a, 'AT#XSMVER\rAT\r\n')).toEqual(['AT#XSMVER\rAT']);
  });

  it('ignores bytes before the leading A and terminators inside quotes', () => {
    const a = new CommandLineAssembler('cr');
    expect(feed(a, '\n\x00xyAT#XCONNECT=1,"a\rb",80\r')).toEqual(['AT#XCONNECT=1,"a\rb",80']);
  });

  it('every split of the input gives the same commands', () => {
    const input = 'AT+CEREG=5\r\nAT#XSOCKET=1,1,0\r\n';
    for (let cut = 0; cut <= input.length; cut++) {
      const a = new CommandLineAssembler('crlf');
      expect([...feed(a, input.slice(0, cut)), ...feed(a, input.slice(cut))]).toEqual(['AT+CEREG=5', 'AT#XSOCKET=1,1,0']);
    }
  });

  it('reports an overflow once past 4096 bytes and discards up to the terminator', () => {
    const a = new CommandLineAssembler('cr');
    const out = feed(a, 'AT' + 'X'.repeat(COMMAND_BUFFER_SIZE) + '\rAT\r');
    expect(out).toEqual(['<overflow>', 'AT']);
    const b = new CommandLineAssembler('cr');
    expect(feed(b, 'A' + 'T'.repeat(COMMAND_BUFFER_SIZE - 1) + '\r')[0]).toHaveLength(COMMAND_BUFFER_SIZE);
  });
});

describe('parseCommand', () => {
  it('splits name, kind and parameters', () => {
    expect(parseCommand('AT')).toEqual({ name: '', kind: 'action', params: [] });
    expect(parseCommand('at+cereg?')).toEqual({ name: '+CEREG', kind: 'read', params: [] });
    expect(parseCommand('AT#XSOCKET=?')).toEqual({ name: '#XSOCKET', kind: 'test', params: [] });
    const c = parseCommand('AT#XCONNECT=3,"127.0.0.1",8080')!;
    expect(c.name).toBe('#XCONNECT');
    expect(intParam(c.params, 0)).toBe(3);
    expect(strParam(c.params, 1)).toBe('127.0.0.1');
    expect(intParam(c.params, 2)).toBe(8080);
    expect(intParam(c.params, 3, 7)).toBe(7);
  });

  it('rejects malformed input', () => {
    expect(parseCommand('XT')).toBeNull();
    expect(() => parseCommand('AT#XCONNECT=1,"abc')).toThrow(AtSyntaxError);
    const c = parseCommand('AT#XSEND=a,2')!;
    expect(() => intParam(c.params, 0)).toThrow(AtSyntaxError);
    expect(() => strParam(c.params, 1)).toThrow(AtSyntaxError);
    expect(() => intParam(c.params, 5)).toThrow(AtSyntaxError);
  });
});

describe('IMEI', () => {
  it('random IMEIs are 15 digits with a valid Luhn digit', () => {
    // 49015420323751 8 is the usual textbook IMEI example.
    expect(luhnDigit('49015420323751')).toBe('8');
    for (let i = 0; i < 20; i++) {
      const imei = randomImei();
      expect(imei).toMatch(/^\d{15}$/);
      expect(luhnDigit(imei.slice(0, 14))).toBe(imei[14]);
    }
  });
});
