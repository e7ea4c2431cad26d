/**
 * Keeps one serial port open: opens it, hands bytes (with arrival time) to the caller, and when
 * the port fails or disappears (USB unplugged, pty gone) retries with capped backoff until it
 * is back. Each port has its own loop, so one bad port never stops the others.
 */
import { serialPortClass } from '../optional.ts';
import { performance } from 'node:perf_hooks';
import { stat } from 'node:fs/promises';

/**
 * How often an open port's device node is checked. A tty whose other side is gone is hung up, and
 * once the hang-up has completed its reads return 0 bytes, which serialport retries forever
 * without an error or a close: on a loaded host the link never saw the unplug. The node
 * vanishing (udev removes /dev/ttyUSB0; socat its pty links) is then what tells.
 */
const NODE_CHECK_MS = 500;

export interface SerialLinkHandlers {
  /** The port is open; `write` sends bytes to the device. */
  onOpen(write: (data: string | Uint8Array) => void): void;
  onData(chunk: Uint8Array, tMs: number): void;
  /** The port closed or could not be opened; the link will retry. */
  onDown(reason: string): void;
}

export interface SerialLinkOptions {
  path: string;
  baudRate?: number;
  /** First retry delay (default 200 ms), doubled up to `maxRetryMs` (default 2 s). */
  retryMs?: number;
  maxRetryMs?: number;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Runs until `signal` aborts. Never rejects. */
export async function runSerialLink(opts: SerialLinkOptions, h: SerialLinkHandlers, signal: AbortSignal): Promise<{ opens: number; failures: number }> {
  const stats = { opens: 0, failures: 0 };
  const first = opts.retryMs ?? 200;
  let delay = first;
  while (!signal.aborted) {
    const reason = await new Promise<string>((resolve) => {
      let settled = false;
      let watch: NodeJS.Timeout | undefined;
      const port = new (serialPortClass())({ path: opts.path, baudRate: opts.baudRate ?? 115200, autoOpen: false });
      const finish = (why: string) => {
        if (settled) return;
        settled = true;
        clearInterval(watch);
        signal.removeEventListener('abort', onAbort);
        if (port.isOpen) port.close(() => resolve(why));
        else resolve(why);
      };
      const onAbort = () => finish('stopped');
      signal.addEventListener('abort', onAbort, { once: true });
      port.on('error', (e: Error) => finish(e.message));
      port.on('close', () => finish('closed'));
      port.on('data', (d: Buffer) => h.onData(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), performance.now()));
      port.open((err) => {
        if (err) return finish(err.message);
        if (settled) return;
        stats.opens++;
        delay = first;
        void stat(opts.path).then(
          (at) => {
            if (settled) return;
            let checking = false;
            watch = setInterval(() => {
              if (checking) return;
              checking = true;
              stat(opts.path).then(
                (now) => {
                  checking = false;
                  if (now.rdev !== at.rdev || now.ino !== at.ino) finish('device node replaced');
                },
                () => finish('device node gone'),
              );
            }, NODE_CHECK_MS);
          },
          () => finish('device node gone'),
        );
        h.onOpen((data) => {
          if (port.isOpen) port.write(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
        });
      });
    });
    if (signal.aborted) break;
    stats.failures++;
    h.onDown(reason);
    await sleep(delay, signal);
    delay = Math.min(delay * 2, opts.maxRetryMs ?? 2000);
  }
  return stats;
}
