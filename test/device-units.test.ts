import { describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Backoff } from '../src/device/backoff.ts';
import { resolveDeviceId } from '../src/device/device-id.ts';
import { buildHello, categoryFromPath, parseServerMessage } from '../src/device/messages.ts';
import { LineSplitter, parseReadingLine } from '../src/device/sensors/lines.ts';
import { ReadingCollector } from '../src/device/sensors/collect.ts';
import { CommandSource } from '../src/device/sensors/command.ts';
import { SimSource } from '../src/device/sensors/sim.ts';
import { createSource } from '../src/device/sensors/index.ts';

describe('remote-management messages (FACTS §6)', () => {
  it('builds the version 3 hello with every field', () => {
    const h = buildHello({
      apiKey: 'ei_test',
      deviceId: 'aa:bb:cc:dd:ee:ff',
      deviceType: 'ei-ingest',
      sensors: [{ name: 'Accelerometer', frequencies: [62.5, 100], maxSampleLengthS: 60 }],
    });
    expect(h).toEqual({
      hello: {
        version: 3,
        apiKey: 'ei_test',
        deviceId: 'aa:bb:cc:dd:ee:ff',
        deviceType: 'ei-ingest',
        connection: 'ip',
        sensors: [{ name: 'Accelerometer', frequencies: [62.5, 100], maxSampleLengthS: 60 }],
        supportsSnapshotStreaming: false,
      },
    });
  });

  it('parses hello answers and sample requests', () => {
    expect(parseServerMessage('{"hello":true}')).toEqual({ type: 'hello', ok: true });
    expect(parseServerMessage('{"hello":false,"err":"Invalid API key"}')).toEqual({ type: 'hello', ok: false, err: 'Invalid API key' });
    expect(parseServerMessage('{"hello":false}')).toEqual({ type: 'hello', ok: false, err: 'no reason given' });
    const s = parseServerMessage(
      new TextEncoder().encode('{"sample":{"label":"wave","length":1000,"path":"/api/training/data","hmacKey":"k","interval":10,"sensor":"Accelerometer"}}'),
    );
    expect(s).toEqual({
      type: 'sample',
      request: { label: 'wave', length: 1000, path: '/api/training/data', hmacKey: 'k', interval: 10, sensor: 'Accelerometer' },
    });
    // Projects without an HMAC key: hmacKey absent or null means unsigned.
    const n = parseServerMessage('{"sample":{"label":"a","length":1,"path":"/api/testing/data","interval":1,"hmacKey":null}}');
    expect(n.type === 'sample' && n.request.hmacKey).toBe('');
    expect(parseServerMessage('{"somethingNew":1}')).toEqual({ type: 'unknown', keys: ['somethingNew'] });
  });

  it.each([
    ['not json', '$'],
    ['[1]', '$'],
    ['{"hello":"yes"}', 'hello'],
    ['{"sample":5}', 'sample'],
    ['{"sample":{"length":1,"path":"/api/training/data","interval":1}}', 'sample.label'],
    ['{"sample":{"label":"","length":1,"path":"/api/training/data","interval":1}}', 'sample.label'],
    ['{"sample":{"label":"a","length":-1,"path":"/api/training/data","interval":1}}', 'sample.length'],
    ['{"sample":{"label":"a","length":1,"path":"/api/training/data","interval":0}}', 'sample.interval'],
    ['{"sample":{"label":"a","length":1,"interval":1}}', 'sample.path'],
    ['{"sample":{"label":"a","length":1,"path":"/x","interval":1,"hmacKey":3}}', 'sample.hmacKey'],
    ['{"sample":{"label":"a","length":1,"path":"/x","interval":1,"sensor":""}}', 'sample.sensor'],
  ])('rejects %s naming %s', (text, path) => {
    expect(() => parseServerMessage(text)).toThrow(expect.objectContaining({ code: 'EI_DEVICE_PROTOCOL', path }));
  });

  it('maps upload paths to categories', () => {
    expect(categoryFromPath('/api/training/data')).toBe('training');
    expect(categoryFromPath('/api/testing/data')).toBe('testing');
    expect(categoryFromPath('/api/anomaly/data')).toBe('anomaly');
    expect(categoryFromPath('/api/training/files')).toBeNull();
    expect(categoryFromPath('/api/../data')).toBeNull();
    expect(categoryFromPath('/api/evil/data')).toBeNull();
  });
});

describe('Backoff', () => {
  it('grows exponentially within [cap/2, cap], caps, and resets', () => {
    const lo = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0 });
    const hi = new Backoff({ initialMs: 100, maxMs: 1000, random: () => 0.999999 });
    expect([1, 2, 3, 4, 5, 6].map(() => lo.next())).toEqual([50, 100, 200, 400, 500, 500]);
    expect([1, 2, 3, 4, 5, 6].map(() => hi.next())).toEqual([100, 200, 400, 800, 1000, 1000]);
    lo.reset();
    expect(lo.next()).toBe(50);
    const real = new Backoff({ initialMs: 1000, maxMs: 60_000 });
    const d = Array.from({ length: 200 }, () => (real.reset(), real.next()));
    // Jitter: not all the same, all in range.
    expect(new Set(d).size).toBeGreaterThan(50);
    expect(Math.min(...d)).toBeGreaterThanOrEqual(500);
    expect(Math.max(...d)).toBeLessThanOrEqual(1000);
  });

  it('rejects nonsense', () => {
    expect(() => new Backoff({ initialMs: 0 })).toThrow(RangeError);
    expect(() => new Backoff({ initialMs: 10, maxMs: 5 })).toThrow(RangeError);
  });
});

describe('device id', () => {
  const ifaces = (mac: string) => () =>
    ({
      lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: null }],
      eth0: [{ address: '10.0.0.2', netmask: '255.0.0.0', family: 'IPv4', mac, internal: false, cidr: null }],
    }) as never;

  it('prefers explicit, then IMEI, then a real MAC', () => {
    const dir = mkdtempSync(join(tmpdir(), 'devid-'));
    expect(resolveDeviceId({ explicit: 'bench-1', imei: '351234567890123', configDir: dir })).toEqual({ id: 'bench-1', source: 'explicit' });
    expect(resolveDeviceId({ imei: '351234567890123', configDir: dir })).toEqual({ id: '351234567890123', source: 'imei' });
    expect(resolveDeviceId({ configDir: dir, interfaces: ifaces('02:42:AC:11:00:02') })).toEqual({ id: '02:42:ac:11:00:02', source: 'mac' });
    expect(() => resolveDeviceId({ imei: '12', configDir: dir })).toThrow(expect.objectContaining({ code: 'EI_DEVICE_ID' }));
    expect(() => resolveDeviceId({ explicit: 'a b', configDir: dir })).toThrow(expect.objectContaining({ code: 'EI_DEVICE_ID' }));
  });

  it('generates a stable, unique id when there is no MAC', () => {
    const a = mkdtempSync(join(tmpdir(), 'devid-'));
    const b = mkdtempSync(join(tmpdir(), 'devid-'));
    const noMac = ifaces('00:00:00:00:00:00');
    const first = resolveDeviceId({ configDir: a, interfaces: noMac });
    expect(first.source).toBe('generated');
    expect(first.id).toMatch(/^ei-[0-9a-f]{12}$/);
    expect(resolveDeviceId({ configDir: a, interfaces: noMac }).id).toBe(first.id);
    expect(readFileSync(join(a, 'device-id'), 'utf8').trim()).toBe(first.id);
    expect(resolveDeviceId({ configDir: b, useMac: false }).id).not.toBe(first.id);
  });
});

describe('line protocol', () => {
  it('parses readings with comma, tab or space separators and refuses garbage', () => {
    expect(parseReadingLine('1.5,-2,3e2')).toEqual([1.5, -2, 300]);
    expect(parseReadingLine('1\t2  3')).toEqual([1, 2, 3]);
    expect(parseReadingLine(' .5 , 7 ')).toEqual([0.5, 7]);
    for (const bad of ['', 'Ready', '1,,2', '0x10', '1,2,NaN', '1,Infinity', '1;2', '12abc', '1e999']) {
      expect(parseReadingLine(bad), bad).toBeNull();
    }
  });

  it('splits lines identically at every chunk boundary (CRLF, multi-byte UTF-8)', () => {
    const text = 'Ready\r\n1,2,3\r\n4,5,6\nµ-garbage\r\n7,8,9\r\n';
    const bytes = new TextEncoder().encode(text);
    const want: string[] = [];
    new LineSplitter((l) => want.push(l)).push(bytes);
    expect(want).toEqual(['Ready', '1,2,3', '4,5,6', 'µ-garbage', '7,8,9']);
    for (let i = 0; i <= bytes.length; i++) {
      for (let j = i; j <= bytes.length; j++) {
        const got: string[] = [];
        const s = new LineSplitter((l) => got.push(l));
        s.push(bytes.subarray(0, i));
        s.push(bytes.subarray(i, j));
        s.push(bytes.subarray(j));
        expect(got).toEqual(want);
      }
    }
  });

  it('drops over-long lines without growing', () => {
    const got: string[] = [];
    const s = new LineSplitter((l) => got.push(l), 16);
    s.push('x'.repeat(10));
    s.push('y'.repeat(10) + '\n1,2\n');
    expect(got).toEqual(['1,2']);
    expect(s.dropped).toBe(1);
  });

  it('collects a fixed number of same-width readings, skipping the rest', async () => {
    const progress: number[] = [];
    const c = new ReadingCollector(3, undefined, (f) => progress.push(f));
    for (const l of ['boot', '1,2', '3', '4,5', 'x,y', '6,7', '8,9']) c.line(l);
    await expect(c.result).resolves.toEqual([[1, 2], [4, 5], [6, 7]]);
    expect(c.skipped).toBe(3);
    expect(progress.at(-1)).toBe(1);
    const short = new ReadingCollector(5, 2);
    short.line('1,2');
    short.abort('EI_SENSOR_CLOSED', 'port closed');
    await expect(short.result).rejects.toMatchObject({ code: 'EI_SENSOR_CLOSED', message: 'port closed after 1 of 5 readings' });
  });
});

describe('sensor sources', () => {
  it('sim produces the requested number of rows in about real time / speed', async () => {
    const src = new SimSource({ speed: 5, seed: 7 });
    const fr: number[] = [];
    const t0 = Date.now();
    const rec = await src.record({ intervalMs: 10, lengthMs: 1000, onProgress: (f) => fr.push(f) });
    const took = Date.now() - t0;
    expect(rec.values).toHaveLength(100);
    expect(rec.values.every((r) => r.length === 3 && r.every(Number.isFinite))).toBe(true);
    expect(rec.axes.map((a) => a.name)).toEqual(['accX', 'accY', 'accZ']);
    // Paced: 1 s of readings at speed 5 cannot come sooner than 200 ms (a loaded machine only
    // makes it later, so there is no upper bound).
    expect(took).toBeGreaterThanOrEqual(150);
    expect(fr.at(-1)).toBe(1);
    // Not constant: it is a signal.
    expect(new Set(rec.values.map((r) => r[0])).size).toBeGreaterThan(50);
  });

  it('cmd source reads stdout, sets the environment, and stops the command', async () => {
    const src = new CommandSource({
      command: 'i=0; while true; do echo "$i,$EI_INTERVAL_MS,$EI_SAMPLE_COUNT"; i=$((i+1)); sleep 0.001; done',
    });
    const rec = await src.record({ intervalMs: 20, lengthMs: 200 });
    expect(rec.values).toHaveLength(10);
    expect(rec.values[0]).toEqual([0, 20, 10]);
    expect(rec.values[9]).toEqual([9, 20, 10]);
    expect(rec.axes.map((a) => a.name)).toEqual(['axis1', 'axis2', 'axis3']);
  });

  it('cmd source fails plainly when the command ends early', async () => {
    const src = new CommandSource({ command: 'echo 1,2; echo 3,4' });
    await expect(src.record({ intervalMs: 10, lengthMs: 100 })).rejects.toMatchObject({
      code: 'EI_SENSOR_COMMAND',
      message: expect.stringMatching(/command ended \(exit 0\) after 2 of 10 readings/),
    });
  });

  it('parses --sensor specs', () => {
    expect(createSource('sim')).toBeInstanceOf(SimSource);
    expect(createSource('cmd:echo 1').name).toBe('Sensor');
    expect(createSource('serial:/dev/ttyS9', { frequencyHz: 50 }).frequencies).toEqual([50]);
    for (const bad of ['', 'serial:', 'cmd:  ', 'usb:1']) {
      expect(() => createSource(bad)).toThrow(expect.objectContaining({ code: 'EI_SENSOR_SPEC' }));
    }
  });
});
