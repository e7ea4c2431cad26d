// DataModeSession in isolation (FACTS §7 data mode): the +++ rule across every split of the input,
// the explicit-length form, the 4096-byte buffer with and without flow control, and the
// socket-error sequence (+++ to the host, drop until the host's +++, negative #XDATAMODE).
import { describe, expect, it } from 'vitest';
import { DATA_BUFFER_SIZE, DataModeSession, type DataModeOptions } from '../firmware-sim/modem/data-mode.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function session(over: Partial<DataModeOptions> = {}) {
  const sent: Buffer[] = [];
  const toHost: string[] = [];
  let exit: number | undefined;
  let ready = 0;
  let dropped = 0;
  const s = new DataModeSession({
    dropWithoutFlowControl: false,
    flush: async (b) => {
      sent.push(Buffer.from(b));
    },
    errnoOf: () => 104,
    toHost: (x) => toHost.push(x),
    onExit: (r) => (exit = r),
    onReady: () => ready++,
    onDrop: (n) => (dropped += n),
    ...over,
  });
  return {
    s,
    sent,
    toHost,
    get exit() {
      return exit;
    },
    get ready() {
      return ready;
    },
    get dropped() {
      return dropped;
    },
  };
}

async function settle(t: { exit: number | undefined }) {
  for (let i = 0; i < 50 && t.exit === undefined; i++) await sleep(5);
}

describe('DataModeSession', () => {
  it('+++ ends data mode at every split of the input; bytes after it are left for command mode', async () => {
    const input = Buffer.from('ab+c++d+++AT\r');
    for (let cut = 0; cut <= input.length; cut++) {
      const t = session();
      const n1 = t.s.feed(input.subarray(0, cut));
      const n2 = n1 === cut ? t.s.feed(input.subarray(cut)) : 0;
      expect(n1 + n2).toBe(10); // through the third '+'
      await settle(t);
      expect(t.exit).toBe(0);
      expect(Buffer.concat(t.sent).toString()).toBe('ab+c++d');
    }
  });

  it('explicit length: +++ is data and the session ends after exactly <len> bytes', async () => {
    const t = session({ length: 8 });
    expect(t.s.feed(Buffer.from('x+++y+++AT'))).toBe(8);
    await settle(t);
    expect(t.exit).toBe(0);
    expect(Buffer.concat(t.sent).toString()).toBe('x+++y+++');
  });

  it('sends after 32 ms of silence while staying in data mode', async () => {
    const t = session();
    t.s.feed(Buffer.from('hello'));
    await sleep(10);
    expect(t.sent).toHaveLength(0);
    await sleep(60);
    expect(Buffer.concat(t.sent).toString()).toBe('hello');
    expect(t.exit).toBeUndefined();
    t.s.abort();
  });

  it('a full buffer goes out as one 4096-byte send; with a send in flight, input is held back', async () => {
    let release!: () => void;
    const sizes: number[] = [];
    const t = session({
      length: 3 * DATA_BUFFER_SIZE,
      flush: (b) => {
        sizes.push(b.length);
        return new Promise<void>((r) => (release = r));
      },
    });
    const big = Buffer.alloc(3 * DATA_BUFFER_SIZE, 0x41);
    const took = t.s.feed(big);
    expect(took).toBe(2 * DATA_BUFFER_SIZE); // one buffer in flight, one full: the rest waits
    expect(sizes).toEqual([DATA_BUFFER_SIZE]);
    release();
    await sleep(1);
    expect(t.ready).toBe(1);
    expect(t.s.feed(big.subarray(took))).toBe(DATA_BUFFER_SIZE);
    for (let i = 0; i < 5; i++) {
      release();
      await sleep(1);
    }
    await settle(t);
    expect(t.exit).toBe(0);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(3 * DATA_BUFFER_SIZE);
  });

  it('without flow control, bytes that find the buffer full are dropped', async () => {
    let release!: () => void;
    let total = 0;
    const t = session({
      length: 3 * DATA_BUFFER_SIZE,
      dropWithoutFlowControl: true,
      flush: (b) => {
        total += b.length;
        return new Promise<void>((r) => (release = r));
      },
    });
    expect(t.s.feed(Buffer.alloc(3 * DATA_BUFFER_SIZE))).toBe(3 * DATA_BUFFER_SIZE);
    expect(t.dropped).toBe(DATA_BUFFER_SIZE);
    for (let i = 0; i < 3; i++) {
      release();
      await sleep(1);
    }
    await settle(t);
    expect(t.exit).toBe(0);
    expect(total).toBe(2 * DATA_BUFFER_SIZE);
  });

  it('socket error: +++ to the host, input dropped until the host sends +++, then -errno', async () => {
    const t = session({ flush: async () => Promise.reject(Object.assign(new Error('reset'), { code: 'ECONNRESET' })) });
    t.s.feed(Buffer.alloc(DATA_BUFFER_SIZE + 10, 0x61)); // full buffer → send → fails
    await sleep(5);
    expect(t.toHost).toEqual(['+++']);
    expect(t.s.feed(Buffer.from('more data ++ still dropped'))).toBe(26);
    expect(t.exit).toBeUndefined();
    expect(t.s.feed(Buffer.from('+++AT'))).toBe(3);
    await settle(t);
    expect(t.exit).toBe(-104);
  });
});
