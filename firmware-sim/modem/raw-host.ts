/**
 * A bare host end for tests and experiments: opens the pty with `serialport`, keeps every byte
 * received, and waits for patterns in it. No AT parsing: tests assert exact bytes.
 */
import { SerialPort } from 'serialport';

export class RawHost {
  private buf = Buffer.alloc(0);
  /** Bytes before this offset were consumed by `expect`. */
  private pos = 0;
  private waiters: (() => void)[] = [];

  private constructor(readonly port: SerialPort) {
    port.on('data', (chunk: Buffer) => {
      this.buf = Buffer.concat([this.buf, chunk]);
      for (const w of this.waiters.splice(0)) w();
    });
  }

  static async open(path: string, baudRate = 115200): Promise<RawHost> {
    const port = new SerialPort({ path, baudRate, autoOpen: false });
    await new Promise<void>((resolve, reject) => port.open((e) => (e ? reject(e) : resolve())));
    return new RawHost(port);
  }

  /** Everything received and not yet consumed. */
  get unread(): Buffer {
    return this.buf.subarray(this.pos);
  }

  write(data: string | Uint8Array): Promise<void> {
    return new Promise((resolve, reject) =>
      this.port.write(typeof data === 'string' ? Buffer.from(data, 'latin1') : data, (e) => (e ? reject(e) : resolve())),
    );
  }

  /** Waits until the unread bytes contain `needle`; consumes through it and returns what came before and including it. */
  async until(needle: string | Buffer, timeoutMs = 5000): Promise<Buffer> {
    const n = typeof needle === 'string' ? Buffer.from(needle, 'latin1') : needle;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const at = this.buf.indexOf(n, this.pos);
      if (at >= 0) {
        const out = this.buf.subarray(this.pos, at + n.length);
        this.pos = at + n.length;
        return Buffer.from(out);
      }
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${JSON.stringify(n.toString('latin1'))}; unread: ${JSON.stringify(this.unread.toString('latin1').slice(-300))}`);
      await this.wait(left);
    }
  }

  /** Waits until at least `count` unread bytes exist and consumes exactly them. */
  async take(count: number, timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    while (this.buf.length - this.pos < count) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${count} bytes (have ${this.buf.length - this.pos})`);
      await this.wait(left);
    }
    const out = Buffer.from(this.buf.subarray(this.pos, this.pos + count));
    this.pos += count;
    return out;
  }

  /** Sends a command and returns the response through the final OK/ERROR. */
  async command(line: string, terminator = '\r\n', timeoutMs = 5000): Promise<string> {
    await this.write(line + terminator);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const text = this.unread.toString('latin1');
      const m = /\r\n(OK|ERROR)\r\n/.exec(text);
      if (m) return (await this.take(m.index + m[0].length)).toString('latin1');
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no final result for ${line}; unread: ${JSON.stringify(text.slice(-300))}`);
      await this.wait(left);
    }
  }

  /** Resolves after `ms` with nothing new, or throws if bytes arrive (for "no response" checks). */
  async quiet(ms: number): Promise<void> {
    const before = this.buf.length;
    await new Promise((r) => setTimeout(r, ms));
    if (this.buf.length !== before) throw new Error(`unexpected bytes: ${JSON.stringify(this.buf.subarray(before).toString('latin1'))}`);
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.port.isOpen ? this.port.close(() => resolve()) : resolve()));
  }

  private wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done() {
        clearTimeout(t);
        resolve();
      }
      this.waiters.push(done);
    });
  }
}
