/**
 * The daemon's pure parts: answer cutting (every split of the received bytes), the AT+CONFIG?
 * parser on the lines FACTS §11 quotes, host signing of the board's 64-'0' placeholder, the port
 * spec, and port listing when serialport cannot list (no udev).
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { answerLines, isInvalidAnswer, takeAnswer, TerminatorScanner } from '../src/daemon/at-answer.ts';
import { isBlankDeviceId, parseBoardConfig } from '../src/daemon/board-config.ts';
import { prepareBoardSample } from '../src/daemon/sample-file.ts';
import { parseDaemonPort } from '../src/daemon/port-spec.ts';
import { formatPorts, listPorts, sysfsPorts } from '../src/daemon/ports.ts';
import { commandName } from '../src/daemon/at-port.ts';
import { checkBoardRequest } from '../src/daemon/sample-job.ts';
import { randomDeviceId } from '../src/daemon/board.ts';
import { hs256Verify, locateSignature } from '../src/sign/index.ts';
import { ACCELEROMETER, MICROPHONE, boardSampleFile } from '../firmware-sim/ei-board/sample-file.ts';

describe('answer cutting', () => {
  const wire = 'garbage\r\n> \x00junk\r\nAT+CONFIG?\r\n===== Device info =====\nID: 1\r\nAT Version: 1.8.0\r\n> trailing';
  it('skips bytes before the echo, drops echo and prompt, normalises LF and CRLF', () => {
    expect(takeAnswer(wire, 'AT+CONFIG?')).toEqual({ lines: ['===== Device info =====', 'ID: 1', 'AT Version: 1.8.0'], consumed: wire.indexOf('> trailing') + 2 });
  });
  it('is null until the prompt arrived, whatever the split', () => {
    for (let i = 0; i < wire.length; i++) {
      const part = wire.slice(0, i);
      const a = takeAnswer(part, 'AT+CONFIG?');
      if (i < wire.indexOf('> trailing') + 2) expect(a).toBeNull();
      else expect(a?.lines).toHaveLength(3);
    }
  });
  it('a prompt-like "> " inside a line is not the prompt', () => {
    expect(takeAnswer('AT+X\r\nvalue > 5\r\n> ', 'AT+X')?.lines).toEqual(['value > 5']);
  });
  it('an empty answer', () => {
    expect(takeAnswer('AT+X\r\n> ', 'AT+X')?.lines).toEqual([]);
  });
  it('recognises both handler sets\' refusals', () => {
    expect(isInvalidAnswer(['Not a valid AT command'])).toBe(true);
    expect(isInvalidAnswer(['Command not found!'])).toBe(true);
    expect(isInvalidAnswer(['OK'])).toBe(false);
    expect(answerLines('a\r\r\nb\nc\r')).toEqual(['a', 'b', 'c']);
  });
  it('errors carry the command name only, never its arguments (HMAC keys)', () => {
    expect(commandName('AT+SAMPLESETTINGS=lbl,10,1000,secret-key')).toBe('AT+SAMPLESETTINGS');
    expect(commandName('AT+CONFIG?')).toBe('AT+CONFIG?');
  });
});

describe('terminator scanner (incremental, no re-scan)', () => {
  const cases: Array<[string, string[], string, string]> = [
    ['line one\r\nline two\r\n> junk', ['\n> '], 'line one\r\nline two\r', 'junk'],
    ['> right away', ['\n> '], '', 'right away'],
    ['QUJD\r\nOK\r\n> ', ['\nOK\r', '\nOK\n'], 'QUJD\r', '\n> '],
    ['\nOK\n', ['\nOK\r', '\nOK\n'], '', ''],
    ['a>b\n>x\n> ', ['\n> '], 'a>b\n>x', ''],
  ];
  it.each(cases)('%j: every split into two and three chunks', (wire, needles, text, rest) => {
    const check = (chunks: string[]) => {
      const s = new TerminatorScanner(needles);
      let done = false;
      for (const c of chunks) done = s.push(c) || done;
      expect(done).toBe(true);
      expect(s.text()).toBe(text);
      expect(s.length).toBe(text.length);
      // What follows the terminator in the chunk that ended it.
      expect(rest.startsWith(s.rest) || s.rest.startsWith(rest)).toBe(true);
    };
    for (let i = 0; i <= wire.length; i++) {
      check([wire.slice(0, i), wire.slice(i)]);
      for (let j = i; j <= wire.length; j++) check([wire.slice(0, i), wire.slice(i, j), wire.slice(j)]);
    }
    // Byte by byte.
    check([...wire]);
  });
  it('not done without its terminator', () => {
    const s = new TerminatorScanner(['\n> ']);
    expect(s.push('abc\n>')).toBe(false);
    expect(s.push('x')).toBe(false);
    expect(s.text()).toBe('abc\n>x');
  });
});

describe('AT+CONFIG? parser', () => {
  // Headings and lines as FACTS §11 quotes them (the '=' count varies; LF or CRLF).
  const dump = [
    '===== Device info =====',
    'ID:         00:00:00:00:00:00',
    'Type:       ARDUINO_NANO33BLE',
    'AT Version: 1.8.0',
    'Data Transfer Baudrate: 921600',
    '',
    '===== Sensors ======',
    'Name: Inertial, Max sample length: 215s, Frequencies: [20.000000Hz, 62.500000Hz, 100.000000Hz]',
    'Name: Built-in microphone, Max sample length: 60s, Frequencies: [16000.000000Hz]',
    '===== Snapshot ======',
    'Has snapshot:    1',
    'Support stream:  1',
    '=== WIFI ===',
    'SSID:      ',
    '===== Sampling parameters =====',
    'Label:     test',
    'HMAC key:  made-up',
    '===== Upload settings =====',
    'Host:      ingestion.edgeimpulse.com',
  ];
  it('reads every section, sensors with frequencies, version, transfer rate, camera', () => {
    const c = parseBoardConfig(dump);
    expect(c).toMatchObject({
      deviceId: '00:00:00:00:00:00',
      deviceType: 'ARDUINO_NANO33BLE',
      atVersion: '1.8.0',
      transferBaudRate: 921600,
      hasCamera: true,
      snapshotStreaming: true,
      sensors: [
        { name: 'Inertial', maxSampleLengthS: 215, frequencies: [20, 62.5, 100] },
        { name: 'Built-in microphone', maxSampleLengthS: 60, frequencies: [16000] },
      ],
    });
    expect(Object.keys(c.sections)).toEqual(['device info', 'sensors', 'snapshot', 'wifi', 'sampling parameters', 'upload settings']);
    expect(c.sections['upload settings']).toEqual({ host: 'ingestion.edgeimpulse.com' });
    expect(c.sections['wifi']).toEqual({ ssid: '' });
  });
  it('no fast transfer below AT 1.6, nor without a rate', () => {
    expect(parseBoardConfig(dump.map((l) => l.replace('1.8.0', '1.5.2'))).transferBaudRate).toBeUndefined();
    expect(parseBoardConfig(dump.filter((l) => !l.startsWith('Data Transfer'))).transferBaudRate).toBeUndefined();
  });
  it('refuses a dump without device info (not EI firmware)', () => {
    expect(() => parseBoardConfig(['hello', 'ERR'])).toThrow(expect.objectContaining({ code: 'EI_DAEMON_BOARD_PROTOCOL' }));
  });
  it('blank ids', () => {
    expect(isBlankDeviceId('00:00:00:00:00:00')).toBe(true);
    expect(isBlankDeviceId('000000000000')).toBe(true);
    expect(isBlankDeviceId('')).toBe(true);
    expect(isBlankDeviceId('00:00:00:00:00:01')).toBe(false);
    expect(randomDeviceId()).toMatch(/^[0-9a-f][26ae](:[0-9a-f]{2}){5}$/);
  });
  it('request checks against the board sensors', () => {
    const c = parseBoardConfig(dump);
    const req = { label: 'l', length: 1000, path: '/api/training/data', hmacKey: '', interval: 16 };
    expect(checkBoardRequest(req, c).sensor?.name).toBe('Inertial');
    expect(checkBoardRequest({ ...req, sensor: 'Camera (320x240)' }, { ...c, cameraResolutions: [{ width: 96, height: 96 }, { width: 320, height: 240 }] }).camera).toEqual({ width: 320, height: 240 });
    expect(() => checkBoardRequest({ ...req, interval: 7 }, c)).toThrow(/not 142.857 Hz/);
    expect(() => checkBoardRequest({ ...req, length: 300_000 }, c)).toThrow(/maximum of 215000 ms/);
    expect(() => checkBoardRequest({ ...req, label: 'a,b' }, c)).toThrow(/commas/);
    expect(() => checkBoardRequest({ ...req, path: '/api/x' }, c)).toThrow(/unsupported upload path/);
  });
});

describe('host signing of board files (FACTS §11)', () => {
  const file = boardSampleFile({ sensor: ACCELEROMETER, intervalMs: 10, count: 20, deviceId: 'aa:bb:cc:dd:ee:ff', deviceType: 'T', seed: 3 });
  it('the simulated board leaves 64 ASCII 0 in the signature', () => {
    const loc = locateSignature(file);
    expect(new TextDecoder().decode(file.subarray(loc.start, loc.end))).toBe('0'.repeat(64));
  });
  it('signs over the bytes as read and changes nothing but the 64 characters', () => {
    const p = prepareBoardSample(file, 'made-up-key');
    expect(p.signing).toBe('host');
    expect(hs256Verify(p.body, 'made-up-key')).toBe(true);
    const loc = locateSignature(file);
    expect(Buffer.from(p.body.subarray(0, loc.start))).toEqual(Buffer.from(file.subarray(0, loc.start)));
    expect(Buffer.from(p.body.subarray(loc.end))).toEqual(Buffer.from(file.subarray(loc.end)));
    expect(p.contentType).toBe('application/cbor');
    expect(p.signature).toMatch(/^[0-9a-f]{64}$/);
  });
  it('without a key the placeholder stays (and says so); a signed file is left alone', () => {
    expect(prepareBoardSample(file, '').signing).toBe('unsigned-placeholder');
    const signed = prepareBoardSample(file, 'k').body;
    const again = prepareBoardSample(signed, 'other');
    expect(again.signing).toBe('board');
    expect(Buffer.from(again.body)).toEqual(Buffer.from(signed));
  });
  it('a Ref-BINARY-i16 file goes as application/octet-stream, its tail covered by the HMAC', () => {
    const mic = boardSampleFile({ sensor: MICROPHONE, intervalMs: 0.0625, count: 100, deviceId: 'x', deviceType: 'T', seed: 1 });
    const p = prepareBoardSample(mic, 'k');
    expect(p.contentType).toBe('application/octet-stream');
    expect(hs256Verify(p.body, 'k')).toBe(true);
    const tampered = p.body.slice();
    tampered[tampered.length - 1]! ^= 1;
    expect(hs256Verify(tampered, 'k')).toBe(false);
  });
  it('refuses bytes that are not a document', () => {
    expect(() => prepareBoardSample(new Uint8Array([1, 2, 3]), 'k')).toThrow(expect.objectContaining({ code: 'EI_DAEMON_BOARD_PROTOCOL' }));
  });
});

describe('ports', () => {
  it('--port PATH[@BAUD]', () => {
    expect(parseDaemonPort('/dev/ttyACM0')).toEqual({ path: '/dev/ttyACM0', baudRate: 115200 });
    expect(parseDaemonPort('/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0@921600')).toEqual({ path: '/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0', baudRate: 921600 });
    expect(() => parseDaemonPort('@115200')).toThrow(expect.objectContaining({ code: 'EI_DAEMON_PORT_SPEC' }));
  });
  it('serialport list failing (no udev): falls back to sysfs, with USB ids, and says why', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sysfs-'));
    try {
      const usb = join(root, 'devices', 'usb1', '1-2');
      mkdirSync(join(usb, '1-2:1.0', 'tty', 'ttyACM0'), { recursive: true });
      writeFileSync(join(usb, 'idVendor'), '2341\n');
      writeFileSync(join(usb, 'idProduct'), '805a\n');
      writeFileSync(join(usb, 'manufacturer'), 'Arduino\n');
      mkdirSync(join(root, 'class', 'tty', 'ttyACM0'), { recursive: true });
      symlinkSync(join(usb, '1-2:1.0'), join(root, 'class', 'tty', 'ttyACM0', 'device'));
      mkdirSync(join(root, 'class', 'tty', 'tty1'), { recursive: true }); // a console: no device
      expect(sysfsPorts(join(root, 'class', 'tty'))).toEqual([{ path: '/dev/ttyACM0', vendorId: '2341', productId: '805a', manufacturer: 'Arduino', serialNumber: undefined }]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
    const l = await listPorts(async () => {
      throw new Error('Command failed: udevadm info -e\n/bin/sh: udevadm: not found');
    });
    expect(l.note).toMatch(/^serialport could not list ports \(Command failed: udevadm info -e; udev is probably missing\)/);
    expect(formatPorts(l)).toContain('note: serialport could not list ports');
    const ok = await listPorts(async () => [{ path: '/dev/ttyACM1', vendorId: '2fe3', productId: '0100' }]);
    expect(formatPorts(ok)).toMatch(/^\/dev\/ttyACM1\s+2fe3:0100\n$/);
  });
});
