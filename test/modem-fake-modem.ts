/**
 * An in-process scripted Serial Modem for driver tests (no pty, no pacing): speaks both dialects
 * of FACTS §7 closely enough to exercise every branch of the driver, records what reached the
 * "network", and injects faults. The real simulator lives in firmware-sim/modem.
 */
import type { ByteLink } from '../src/transport/modem/serial-link.ts';

export interface FakeModemOptions {
  dialect: 'new' | 'old';
  imei?: string;
  /** ms after AT+CFUN=1 until `+CEREG: 5`; Infinity = never. */
  registerAfterMs?: number;
  /** Answer this many AT#XCONNECT with ERROR first. */
  connectErrors?: number;
  /** Called with the bytes a socket received so far; returns bytes to queue for XRECV, or null. */
  server?: (received: Uint8Array) => Uint8Array | null;
  /** Close the peer (XRECV bare OK) once the queued response was read. */
  closeAfterResponse?: boolean;
  /** Echo commands (ATE1). */
  echo?: boolean;
  /** Old dialect only: if false, AT#XSEND="…" answers ERROR. */
  literalSend?: boolean;
}

interface Sock {
  handle: number;
  connected: boolean;
  received: number[];
  outbox: number[];
  answered: boolean;
  peerClosed: boolean;
}

const enc = new TextEncoder();

export class FakeModem implements ByteLink {
  isOpen = true;
  /** Every data-mode session's payload as the modem forwarded it (old dialect: before `+++`). */
  readonly sessions: Uint8Array[] = [];
  readonly commands: string[] = [];
  readonly sockets = new Map<number, Sock>();
  /** Set by tests: next XRECV fails at once (socket reset). */
  resetOnRecv = false;
  /** Set by tests: during the next data-mode session, after this many bytes, escape with `+++`. */
  escapeAfter = -1;
  txToHost = 0;
  private dataCb: (c: Uint8Array) => void = () => {};
  private closeCb: (err?: Error) => void = () => {};
  private cmdBuf = '';
  private cfun = 0;
  private stat = 0;
  private nextHandle = 3; // handles are not always 0 (FACTS §7)
  private selected = -1;
  private connectErrors: number;
  private mode: 'cmd' | 'data' = 'cmd';
  private dataLen = -1; // new dialect: bytes still expected
  private dataHandle = -1;
  private session: number[] = [];
  private plusRun = 0;
  private dropping = false;
  private timers = new Set<ReturnType<typeof setTimeout>>();

  constructor(readonly opts: FakeModemOptions) {
    this.connectErrors = opts.connectErrors ?? 0;
  }

  onData(cb: (c: Uint8Array) => void): void {
    this.dataCb = cb;
  }
  onClose(cb: (err?: Error) => void): void {
    this.closeCb = cb;
  }
  async close(): Promise<void> {
    for (const t of this.timers) clearTimeout(t);
    this.isOpen = false;
    this.closeCb();
  }

  /** Modem → host, asynchronously (like a UART). */
  send(text: string | Uint8Array): void {
    const bytes = typeof text === 'string' ? enc.encode(text) : text;
    this.txToHost += bytes.length;
    this.later(() => this.dataCb(bytes), 0);
  }

  /** Simulates a reboot: banner, all state lost. */
  reboot(): void {
    this.sockets.clear();
    this.mode = 'cmd';
    this.cmdBuf = '';
    this.cfun = 0;
    this.stat = 0;
    this.send('Ready\r\n');
  }

  urc(text: string): void {
    this.send(`\r\n${text}\r\n`);
  }

  async write(data: Uint8Array): Promise<void> {
    for (const b of data) this.byte(b);
  }

  private later(fn: () => void, ms: number): void {
    const t = setTimeout(() => {
      this.timers.delete(t);
      fn();
    }, ms);
    this.timers.add(t);
  }

  private byte(b: number): void {
    if (this.mode === 'data') return this.dataByte(b);
    this.cmdBuf += String.fromCharCode(b);
    const term = this.opts.dialect === 'new' ? '\r' : '\r\n';
    if (!this.cmdBuf.endsWith(term)) return;
    const line = this.cmdBuf.slice(0, -term.length).replace(/^[\r\n]+/, '');
    this.cmdBuf = '';
    if (line === '') return;
    if (this.opts.echo) this.send(line + '\r\n');
    this.commands.push(line);
    this.exec(line);
  }

  private ok(...info: string[]): void {
    this.send(info.map((l) => `\r\n${l}\r\n`).join('') + '\r\nOK\r\n');
  }
  private error(): void {
    this.send('\r\nERROR\r\n');
  }

  private exec(line: string): void {
    const d = this.opts.dialect;
    let m: RegExpExecArray | null;
    if (line === 'AT' || line === 'AT+CMEE=1' || line === 'AT+CEREG=5') return this.ok();
    if (line === 'AT+CGSN') return this.ok(this.opts.imei ?? '352656100123456');
    if (line === 'AT#XSMVER') return d === 'new' ? this.ok('#XSMVER: "1.0.0","v3.0.0"') : this.error();
    if (line === 'AT#XSLMVER') return d === 'old' ? this.ok('#XSLMVER: "2.5.0","v2.5.0"') : this.error();
    if (line === 'AT+CFUN=1') {
      this.cfun = 1;
      const after = this.opts.registerAfterMs ?? 0;
      if (Number.isFinite(after)) {
        this.later(() => {
          if (this.cfun !== 1) return;
          this.stat = 5;
          this.urc('+CEREG: 5,"002F","0012BEEF",7');
        }, after);
      }
      return this.ok();
    }
    if (line === 'AT+CEREG?') return this.ok(`+CEREG: 5,${this.stat}`);
    if ((m = /^AT#X(S?)SOCKET=1,1,0(?:,(\d+),(\d))?$/.exec(line))) {
      const h = this.nextHandle++;
      this.sockets.set(h, { handle: h, connected: false, received: [], outbox: [], answered: false, peerClosed: false });
      this.selected = h;
      return this.ok(m[1] ? `#XSSOCKET: ${h},1,258` : `#XSOCKET: ${h},1,6`);
    }
    if (/^AT#XSSOCKETOPT=/.test(line)) return this.ok();
    if ((m = d === 'new' ? /^AT#XCONNECT=(\d+),"([^"]+)",(\d+)$/.exec(line) : /^AT#XCONNECT="([^"]+)",(\d+)$/.exec(line))) {
      const h = d === 'new' ? Number(m[1]) : this.selected;
      const s = this.sockets.get(h);
      if (!s) return this.error();
      if (this.connectErrors > 0) {
        this.connectErrors--;
        return this.error();
      }
      s.connected = true;
      return this.ok(d === 'new' ? `#XCONNECT: ${h},1` : '#XCONNECT: 1');
    }
    if (d === 'new' && (m = /^AT#XSEND=(\d+),2,0,(\d+)$/.exec(line))) {
      const s = this.sockets.get(Number(m[1]));
      if (!s?.connected) return this.error();
      this.ok();
      this.mode = 'data';
      this.dataHandle = s.handle;
      this.dataLen = Number(m[2]);
      this.session = [];
      return;
    }
    if (d === 'old' && line === 'AT#XSEND') {
      const s = this.sockets.get(this.selected);
      if (!s?.connected) return this.error();
      this.ok();
      this.mode = 'data';
      this.dataHandle = s.handle;
      this.dataLen = -1;
      this.session = [];
      this.plusRun = 0;
      return;
    }
    if (d === 'old' && (m = /^AT#XSEND="([^"]*)"$/.exec(line))) {
      const s = this.sockets.get(this.selected);
      if (!s?.connected || this.opts.literalSend === false) return this.error();
      this.deliver(s, enc.encode(m[1]!));
      return this.ok(`#XSEND: ${m[1]!.length}`);
    }
    if ((m = d === 'new' ? /^AT#XRECV=(\d+),0,0,(\d+),(\d+)$/.exec(line) : /^AT#XRECV=(\d+)$/.exec(line))) {
      const s = this.sockets.get(d === 'new' ? Number(m[1]) : this.selected);
      if (!s) return this.error();
      if (this.resetOnRecv) {
        this.resetOnRecv = false;
        this.sockets.delete(s.handle);
        return this.error();
      }
      const max = d === 'new' ? Number(m[3]) : 4096;
      const timeoutMs = Number(d === 'new' ? m[2] : m[1]) * 1000;
      const answer = () => {
        if (s.outbox.length > 0) {
          const chunk = s.outbox.splice(0, max);
          if (s.outbox.length === 0 && this.opts.closeAfterResponse) s.peerClosed = true;
          const head = d === 'new' ? `#XRECV: ${s.handle},0,${chunk.length}` : `#XRECV: ${chunk.length}`;
          this.send(`\r\n${head}\r\n`);
          this.send(new Uint8Array(chunk));
          this.send('\r\nOK\r\n');
        } else if (s.peerClosed) {
          this.send('\r\nOK\r\n');
        } else {
          return false;
        }
        return true;
      };
      if (!answer()) this.later(() => void (answer() || this.error()), Math.min(timeoutMs, 50));
      return;
    }
    if ((m = /^AT#XCLOSE=(\d+)$/.exec(line)) && d === 'new') {
      this.sockets.delete(Number(m[1]));
      return this.ok(`#XCLOSE: ${m[1]},0`);
    }
    if (line === 'AT#XSOCKET=0' && d === 'old') {
      this.sockets.delete(this.selected);
      return this.ok('#XSOCKET: 0,"closed"');
    }
    this.error();
  }

  private deliver(s: Sock, bytes: Uint8Array | number[]): void {
    for (const b of bytes) s.received.push(b);
    if (!s.answered && this.opts.server) {
      const res = this.opts.server(new Uint8Array(s.received));
      if (res) {
        s.answered = true;
        s.outbox.push(...res);
      }
    }
  }

  private endSession(result: number): void {
    this.mode = 'cmd';
    const s = this.sockets.get(this.dataHandle);
    const payload = new Uint8Array(this.session);
    this.sessions.push(payload);
    if (s && result === 0) this.deliver(s, payload);
    this.urc(`#XDATAMODE: ${result}`);
  }

  private dataByte(b: number): void {
    if (this.escapeAfter === 0) {
      this.escapeAfter = -1;
      this.dropping = true;
      this.send('+++');
    } else if (this.escapeAfter > 0) {
      this.escapeAfter--;
    }
    if (this.opts.dialect === 'new') {
      if (!this.dropping) this.session.push(b);
      if (--this.dataLen === 0) {
        const failed = this.dropping;
        this.dropping = false;
        this.endSession(failed ? -104 : 0);
      }
      return;
    }
    // Old dialect: a matcher that keeps its partial `+++` match across idle windows (worst case).
    this.plusRun = b === 0x2b ? this.plusRun + 1 : 0;
    if (!this.dropping) this.session.push(b);
    if (this.plusRun === 3) {
      if (!this.dropping) this.session.splice(this.session.length - 3, 3);
      const failed = this.dropping;
      this.dropping = false;
      this.endSession(failed ? -104 : 0);
    }
  }
}

/** A canned HTTP server: answers once the request head and Content-Length body arrived. */
export function httpServer(status = 200, body = 'stored.cbor'): (received: Uint8Array) => Uint8Array | null {
  return (received) => {
    const text = Buffer.from(received).toString('latin1');
    const end = text.indexOf('\r\n\r\n');
    if (end < 0) return null;
    const len = Number(/content-length:\s*(\d+)/i.exec(text.slice(0, end))?.[1] ?? 0);
    if (received.length < end + 4 + len) return null;
    return enc.encode(`HTTP/1.1 ${status} OK\r\nContent-Type: text/plain\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
  };
}
