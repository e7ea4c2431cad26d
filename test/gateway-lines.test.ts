import { describe, it, expect } from 'vitest';
import { LineSplitter, parseReading, parseNote, parseSensorList, MAX_LINE } from '../src/gateway/line-parser.ts';
import { LineSession } from '../src/gateway/line-session.ts';
import { parsePortSpec } from '../src/gateway/port-spec.ts';
import type { LineEvent } from '../src/gateway/line-session.ts';

const bytes = (s: string) => new TextEncoder().encode(s);

describe('line parsing', () => {
  it('accepts comma, tab and space separators and signed/exponent numbers', () => {
    expect(parseReading('1,2,3')).toEqual([1, 2, 3]);
    expect(parseReading('1\t-2.5\t+3e2')).toEqual([1, -2.5, 300]);
    expect(parseReading('  .5  , 6. ,7 ')).toEqual([0.5, 6, 7]);
    expect(parseReading('1 2  3')).toEqual([1, 2, 3]);
  });
  it.each(['', 'hello', '1,2,x', 'NaN', 'Infinity', '1e999', '0x10', '1,,', '--1', '1;2'])('rejects %j', (l) => {
    expect(parseReading(l)).toBeNull();
  });
  it('splits CR, LF and CRLF across any chunking and bounds line length', () => {
    const text = 'a\r\nb\nc\rd\r\n';
    for (let cut = 0; cut <= text.length; cut++) {
      const s = new LineSplitter();
      expect([...s.push(bytes(text.slice(0, cut))), ...s.push(bytes(text.slice(cut)))]).toEqual(['a', 'b', 'c', 'd']);
    }
    const s = new LineSplitter();
    expect(s.push(bytes('x'.repeat(MAX_LINE + 10) + '\n1,2\n'))).toEqual(['1,2']);
    expect(s.overlongLines).toBe(1);
  });
  it('reads sensor notes and reset banners', () => {
    expect(parseSensorList('accX[m/s2], accY[m/s2],temp')).toEqual([
      { name: 'accX', units: 'm/s2' },
      { name: 'accY', units: 'm/s2' },
      { name: 'temp', units: 'N/A' },
    ]);
    expect(parseNote('# sensors: a,b')).toEqual({ kind: 'sensors', sensors: [{ name: 'a', units: 'N/A' }, { name: 'b', units: 'N/A' }] });
    expect(parseNote('# boot v1.2')).toEqual({ kind: 'reset' });
    expect(parseNote('1,2')).toBeNull();
  });
});

/** Feeds `lines` as if they arrived at `hz` (one chunk per line), returns all events. */
function run(session: LineSession, lines: string[], hz: number): LineEvent[] {
  const ev = session.start();
  lines.forEach((l, i) => ev.push(...session.feed(bytes(l + '\r\n'), (i * 1000) / hz)));
  return ev;
}

describe('LineSession', () => {
  it('counts and skips garbage lines; the readings around them form the samples', () => {
    const lines: string[] = [];
    const garbage = ['Hello from MCU', '1,2', '3,4,5,6', 'nan,1,2', '\u00ff\u00fe', '12,x,3', '9,9,9,9,9'];
    let g = 0;
    for (let i = 0; i < 400; i++) {
      lines.push(`${i},${i * 2},${-i}`);
      if (i % 50 === 25) lines.push(garbage[g++ % garbage.length]);
    }
    const s = new LineSession({ sampleMs: 1000, frequencyHz: 100, sensors: [{ name: 'a', units: 'N/A' }, { name: 'b', units: 'N/A' }, { name: 'c', units: 'N/A' }] });
    const ev = run(s, lines, 100);
    expect(s.counts.garbage).toBe(8);
    expect(ev.filter((e) => e.type === 'garbage')).toHaveLength(8);
    const samples = ev.filter((e) => e.type === 'sample');
    expect(samples).toHaveLength(4);
    const first = samples[0] as Extract<LineEvent, { type: 'sample' }>;
    expect(first.width).toBe(3);
    expect(first.data.length).toBe(300);
    expect(Array.from(first.data.subarray(0, 6))).toEqual([0, 0, 0, 1, 2, -1]);
    const last = samples[3] as Extract<LineEvent, { type: 'sample' }>;
    expect(last.data[299]).toBe(-399);
    expect(s.counts.readings).toBe(400);
  });

  it('settles the width by majority, so a torn first line is garbage, not the width', () => {
    const s = new LineSession({ sampleMs: 100, frequencyHz: 100 });
    const ev = run(s, ['5,6', '1,2,3', '1,2,3', '1,2,3', '1,2,3', '1,2,3', '1,2,3', '1,2,3', '1,2,3', '1,2,3', '1,2,3'], 100);
    expect(s.counts.garbage).toBe(1);
    const sample = ev.find((e) => e.type === 'sample') as Extract<LineEvent, { type: 'sample' }>;
    expect(sample.width).toBe(3);
    expect(ev.find((e) => e.type === 'sensors')).toMatchObject({ source: 'default', sensors: [{ name: 'value0' }, { name: 'value1' }, { name: 'value2' }] });
  });

  it('detects the frequency from arrival times, states it, and keeps the detection readings', () => {
    const lines = Array.from({ length: 600 }, (_, i) => `${i}`);
    const s = new LineSession({ sampleMs: 2000, detectMs: 1000, detectMin: 40 });
    const ev = [...s.start(), ...lines.flatMap((l, i) => s.feed(bytes(l + '\n'), i * 4.0 + Math.sin(i) * 0.5))];
    const f = ev.find((e) => e.type === 'frequency') as Extract<LineEvent, { type: 'frequency' }>;
    expect(f.source).toBe('detected');
    expect(f.hz).toBe(250);
    expect(Math.abs(f.estimate!.hz - 250) / 250).toBeLessThan(0.01);
    const samples = ev.filter((e) => e.type === 'sample') as Extract<LineEvent, { type: 'sample' }>[];
    expect(samples).toHaveLength(1);
    expect(samples[0].data[0]).toBe(0); // first reading is in the first sample
    expect(samples[0].data.length).toBe(500);
    expect(samples[0].intervalMs).toBe(4);
  });

  it('uses sensor names the device announces; a reset drops the partial sample and counts it', () => {
    const s = new LineSession({ sampleMs: 100, frequencyHz: 100 });
    const lines = ['# sensors: x[m/s2], y[m/s2]', ...Array.from({ length: 15 }, (_, i) => `${i} ${i}`), '# boot', ...Array.from({ length: 10 }, (_, i) => `${i}\t${i}`)];
    const ev = run(s, lines, 100);
    expect(ev.find((e) => e.type === 'sensors')).toMatchObject({ source: 'device', sensors: [{ name: 'x', units: 'm/s2' }, { name: 'y', units: 'm/s2' }] });
    expect(ev.find((e) => e.type === 'partial-dropped')).toMatchObject({ rows: 5, why: 'reset' });
    expect(ev.filter((e) => e.type === 'sample')).toHaveLength(2);
    expect(s.counts.droppedRows).toBe(5);
  });

  it('a long pause drops the partial sample', () => {
    const s = new LineSession({ sampleMs: 100, frequencyHz: 100, sensors: [{ name: 'v', units: 'N/A' }] });
    s.start();
    const ev: LineEvent[] = [];
    for (let i = 0; i < 5; i++) ev.push(...s.feed(bytes(`${i}\n`), i * 10));
    for (let i = 0; i < 10; i++) ev.push(...s.feed(bytes(`${i}\n`), 5000 + i * 10));
    expect(ev.find((e) => e.type === 'partial-dropped')).toMatchObject({ rows: 5, why: 'pause' });
    expect(ev.filter((e) => e.type === 'sample')).toHaveLength(1);
  });
});

describe('--port specs', () => {
  it.each([
    ['/dev/ttyACM0', { path: '/dev/ttyACM0', protocol: 'line', baudRate: 115200 }],
    ['/dev/ttyACM0:framed', { path: '/dev/ttyACM0', protocol: 'framed', baudRate: 115200 }],
    ['/dev/ttyUSB1:line@921600', { path: '/dev/ttyUSB1', protocol: 'line', baudRate: 921600 }],
    ['COM3@9600', { path: 'COM3', protocol: 'line', baudRate: 9600 }],
    ['/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0:framed', { path: '/dev/serial/by-path/pci-0000:00:14.0-usb-0:2:1.0', protocol: 'framed', baudRate: 115200 }],
  ])('%s', (text, want) => expect(parsePortSpec(text)).toEqual(want));
  it('names the option when it cannot parse', () => {
    expect(() => parsePortSpec(':framed')).toThrow(expect.objectContaining({ code: 'EI_GATEWAY_CONFIG', field: '--port' }));
    expect(() => parsePortSpec('/dev/ttyACM0:frmaed')).toThrow(/unknown protocol 'frmaed'/);
  });
});
