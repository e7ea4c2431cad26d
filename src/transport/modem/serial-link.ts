import { serialPortClass } from '../../optional.ts';
import { ModemError } from './errors.ts';

/**
 * The byte pipe under the AT channel: a serial port, or an in-process fake modem in tests.
 * Writes never overlap (the channel awaits each one); `write` resolves once the bytes are handed
 * to the OS and the stream has room again (backpressure, as ws pauses on `drain`).
 */
export interface ByteLink {
  write(data: Uint8Array): Promise<void>;
  close(): Promise<void>;
  /** Registers the single data sink. */
  onData(cb: (chunk: Uint8Array) => void): void;
  /** Called once when the link goes away (port closed or unplugged). */
  onClose(cb: (err?: Error) => void): void;
  readonly isOpen: boolean;
}

/** The part of a serialport stream (SerialPort, SerialPortMock) the link uses; structural, so the
 * package's types do not need serialport installed. */
export interface SerialPortLike {
  readonly path: string;
  readonly isOpen: boolean;
  open(cb: (err: Error | null) => void): void;
  close(cb: (err: Error | null) => void): void;
  write(data: Buffer, cb: (err: Error | null | undefined) => void): unknown;
  on(ev: 'data', cb: (chunk: Buffer) => void): unknown;
  on(ev: 'close', cb: (err: Error | null) => void): unknown;
  on(ev: 'error', cb: (err: Error) => void): unknown;
}

/** Wraps an opened-or-not serialport stream (SerialPort, SerialPortMock) as a ByteLink. */
export async function linkFromStream(port: SerialPortLike): Promise<ByteLink> {
  if (!port.isOpen) {
    await new Promise<void>((resolve, reject) => {
      port.open((err) => (err ? reject(err) : resolve()));
    }).catch((err: unknown) => {
      throw new ModemError('EI_MODEM_PORT', `cannot open serial port ${port.path}`, { cause: err });
    });
  }
  let closeCb: ((err?: Error) => void) | undefined;
  let closed = false;
  const fireClose = (err?: Error) => {
    if (closed) return;
    closed = true;
    closeCb?.(err);
  };
  port.on('close', (err: Error | null) => fireClose(err ?? undefined));
  port.on('error', (err: Error) => fireClose(err));
  return {
    get isOpen() {
      return !closed && port.isOpen;
    },
    onData(cb) {
      port.on('data', (chunk: Buffer) => cb(chunk));
    },
    onClose(cb) {
      closeCb = cb;
    },
    write(data) {
      if (closed) {
        return Promise.reject(new ModemError('EI_MODEM_PORT', `serial port ${port.path} is closed`));
      }
      // Copy: the caller may reuse `data` once we resolve. Resolve when the binding has handed the
      // bytes to the OS, not when the stream buffered them: the pty then pushes back like CTS.
      return new Promise<void>((resolve, reject) => {
        port.write(Buffer.from(data), (err) => {
          if (err) reject(new ModemError('EI_MODEM_PORT', `write to ${port.path} failed`, { cause: err }));
          else resolve();
        });
      });
    },
    close() {
      if (closed || !port.isOpen) {
        fireClose();
        return Promise.resolve();
      }
      return new Promise<void>((resolve) => {
        port.close(() => {
          fireClose();
          resolve();
        });
      });
    },
  };
}

/** Opens `path` with the native binding, 8N1; `rtscts`: hardware flow control (a pty ignores it). */
export function openSerialLink(path: string, baudRate: number, rtscts = false): Promise<ByteLink> {
  const port = new (serialPortClass())({ path, baudRate, rtscts, autoOpen: false });
  return linkFromStream(port);
}
