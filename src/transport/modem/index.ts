import type { Connector, Transport } from '../transport.ts';
import { AtChannel, type ModemEvent } from './at-channel.ts';
import { bringUp, waitRegistered, type BringUpOptions } from './bring-up.ts';
import { isRegistered, isSafeHost, type ModemDialect } from './commands.ts';
import { ModemError, needsBringUp } from './errors.ts';
import { openSerialLink, type ByteLink } from './serial-link.ts';
import { ModemSocket, type SocketContext } from './socket-transport.ts';

export { ModemError, type ModemErrorCode } from './errors.ts';
export type { ModemDialect } from './commands.ts';
export type { ByteLink } from './serial-link.ts';
export { linkFromStream } from './serial-link.ts';

export interface ModemConnectorOptions {
  /** Serial device of the modem (`/dev/ttyACM0`, a pty path). */
  path: string;
  /** UART rate; default 115200 (the Serial Modem's default, 8N1). */
  baud?: number;
  /** Ingestion host the modem connects to (goes into AT string quotes: plain host names only). */
  host: string;
  port: number;
  /** TLS by the modem (`AT#XSSOCKET`); the CA must be provisioned under `secTag`. */
  tls?: boolean;
  /** Security tag holding the CA; default 16842753 (nRF Cloud's), as the Nordic samples. */
  secTag?: number;
  /** Verify the server's certificate (TLS_PEER_VERIFY required); default true. */
  peerVerify?: boolean;
  /** Wait for `+CEREG` stat 1/5; default 60 s. */
  registrationTimeoutMs?: number;
  /** Per-command timeout; default 5 s. */
  commandTimeoutMs?: number;
  /** `AT#XCONNECT` timeout (TLS handshake over LTE is slow); default 30 s. */
  connectTimeoutMs?: number;
  /** read() gives up after this long without bytes; default 60 s. */
  readTimeoutMs?: number;
  /**
   * Send buffer: small writes are gathered up to this many bytes per data-mode send. Default
   * 16384 in the new dialect (larger writes bypass it); maxSend in the old one, where every
   * buffer costs an `AT#XSEND`…`+++` round trip and the +++ planner needs the bytes contiguous.
   */
  sendChunk?: number;
  /**
   * New dialect: most bytes per `AT#XSEND` for writes larger than the buffer. Default: 2 s of
   * line time (23 KB at 115200, 184 KB at 921600), so the client's send-idle timer keeps seeing
   * progress and a send the modem fails part-way (it then drops the rest of <len>) wastes little.
   */
  maxSend?: number;
  /**
   * True (default) when the UART has RTS/CTS, so the modem can hold the host back. False caps
   * each data-mode send at the modem's 4096-byte buffer and waits for its `#XDATAMODE` before
   * the next, so a slow network cannot overrun the buffer (FACTS §7: without RTS/CTS an overrun
   * drops bytes, and the modem reports nothing).
   */
  flowControl?: boolean;
  /** `AT#XRECV` poll timeout in seconds; default 1. */
  recvPollS?: number;
  /** Gets one line per AT command and answer (never payload bytes). */
  log?: (line: string) => void;
  /** Tests: supply the byte link (SerialPortMock, in-process fake) instead of opening `path`. */
  openLink?: () => Promise<ByteLink>;
}

/** A Connector over a Serial (LTE) Modem; one serial port, reused across connects. */
export interface ModemConnector extends Connector {
  /** The modem's IMEI (15 digits, usable as device_name) once a connect ran bring-up. */
  readonly imei: string | undefined;
  /** `new` (Serial Modem) or `old` (SLM), once detected. */
  readonly dialect: ModemDialect | undefined;
  /** Bytes written to / read from the serial line so far (both include AT framing). */
  readonly wire: { readonly tx: number; readonly rx: number };
  /** Runs bring-up now (connect() does it on demand). */
  ready(signal?: AbortSignal): Promise<{ imei: string; dialect: ModemDialect }>;
  /** Closes every socket and the serial port. */
  close(): Promise<void>;
}

/**
 * Creates a connector that reaches `host:port` through the modem on `path`.
 * connect() opens the port once, runs bring-up when needed (first use, after a reboot or a
 * desync), waits for registration, then opens and connects a socket.
 *
 * connect() and the Transport's calls reject with ModemError: a stable `code` and `retryable`
 * (errors.ts has the table; e.g. `ERROR` on `AT#XCONNECT` → EI_MODEM_CONNECT, retryable).
 * Call close() when done: the open serial port keeps the process alive.
 *
 * @throws TypeError for a host that cannot go inside AT quotes or a bad port/baud.
 * @example
 * const modem = createModemConnector({ path: '/dev/ttyACM0', host: 'ingestion.edgeimpulse.com', port: 80 });
 * const client = new IngestionClient({ connector: modem, apiKey });
 */
export function createModemConnector(options: ModemConnectorOptions): ModemConnector {
  if (!isSafeHost(options.host)) throw new TypeError('modem host must be a plain host name or address');
  if (!Number.isInteger(options.port) || options.port < 1 || options.port > 65535) {
    throw new TypeError('modem port must be an integer 1..65535');
  }
  const baud = options.baud ?? 115200;
  if (!Number.isInteger(baud) || baud <= 0) throw new TypeError('modem baud must be a positive integer');
  return new ModemConnectorImpl(options, baud);
}

/** The modem's data-mode buffer (FACTS §7). */
const MODEM_BUFFER = 4096;

class ModemConnectorImpl implements ModemConnector {
  readonly authority: string;
  imei: string | undefined;
  dialect: ModemDialect | undefined;
  private channel: Promise<AtChannel> | null = null;
  private ch: AtChannel | null = null;
  private needsBringUp = true;
  private registered = false;
  private bringing: Promise<{ imei: string; dialect: ModemDialect }> | null = null;
  private readonly sockets = new Set<ModemSocket>();
  private closed = false;
  private readonly log: (line: string) => void;
  private readonly maxSend: number;

  constructor(
    private readonly opts: ModemConnectorOptions,
    private readonly baud: number,
  ) {
    this.authority = opts.port === (opts.tls ? 443 : 80) ? opts.host : `${opts.host}:${opts.port}`;
    this.log = opts.log ?? (() => {});
    this.maxSend =
      opts.flowControl === false
        ? Math.min(opts.maxSend ?? MODEM_BUFFER, MODEM_BUFFER)
        : (opts.maxSend ?? Math.min(262_144, Math.max(4096, Math.round((baud / 10) * 2))));
  }

  get wire(): { tx: number; rx: number } {
    return this.ch ? { ...this.ch.counters } : { tx: 0, rx: 0 };
  }

  async ready(signal?: AbortSignal): Promise<{ imei: string; dialect: ModemDialect }> {
    const ch = await this.openChannel();
    if (!this.needsBringUp && this.imei && this.dialect) {
      if (!this.registered) await ch.exclusive(() => waitRegistered(ch, this.bringUpOptions(signal)));
      this.registered = true;
      return { imei: this.imei, dialect: this.dialect };
    }
    this.bringing ??= ch
      .exclusive(() => bringUp(ch, this.bringUpOptions(signal)))
      .then((id) => {
        this.imei = id.imei;
        this.dialect = id.dialect;
        this.needsBringUp = false;
        this.registered = true;
        return id;
      })
      .finally(() => {
        this.bringing = null;
      });
    return this.bringing;
  }

  async connect(signal?: AbortSignal): Promise<Transport> {
    if (this.closed) throw new ModemError('EI_MODEM_CLOSED', 'modem connector closed');
    try {
      const { dialect } = await this.ready(signal);
      const ch = this.ch!;
      // The old dialect acts on one selected socket: a stale one would take our commands.
      if (dialect === 'old') for (const s of [...this.sockets]) await s.close();
      const ctx: SocketContext = {
        ch,
        dialect,
        baud: this.baud,
        commandTimeoutMs: this.opts.commandTimeoutMs ?? 5000,
        connectTimeoutMs: this.opts.connectTimeoutMs ?? 30_000,
        recvPollS: this.opts.recvPollS ?? 1,
        readTimeoutMs: this.opts.readTimeoutMs ?? 60_000,
        // ≥ 3: the old dialect may carry two '+' bytes into the next buffer and must still progress.
        sendChunk: Math.max(3, Math.min(this.opts.sendChunk ?? (dialect === 'old' ? this.maxSend : 16384), this.maxSend)),
        maxSend: this.maxSend,
      };
      const socket = await ModemSocket.open(
        ctx,
        {
          host: this.opts.host,
          port: this.opts.port,
          tls: this.opts.tls ?? false,
          secTag: this.opts.secTag ?? 16842753,
          peerVerify: this.opts.peerVerify ?? true,
        },
        (s) => this.sockets.delete(s),
        signal,
      );
      this.sockets.add(socket);
      return socket;
    } catch (err) {
      if (needsBringUp(err)) this.needsBringUp = true;
      throw err;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const s of [...this.sockets]) await s.close();
    const ch = this.ch ?? (this.channel ? await this.channel.catch(() => null) : null);
    await ch?.close();
  }

  private bringUpOptions(signal: AbortSignal | undefined): BringUpOptions {
    return {
      commandTimeoutMs: this.opts.commandTimeoutMs ?? 5000,
      registrationTimeoutMs: this.opts.registrationTimeoutMs ?? 60_000,
      probeTimeoutMs: 10_000,
      signal,
    };
  }

  private openChannel(): Promise<AtChannel> {
    if (this.closed) return Promise.reject(new ModemError('EI_MODEM_CLOSED', 'modem connector closed'));
    if (this.ch?.dead) {
      // The port went away (unplugged, pty closed): open it again on the next connect.
      this.channel = null;
      this.ch = null;
      this.needsBringUp = true;
    }
    this.channel ??= (this.opts.openLink ?? (() => openSerialLink(this.opts.path, this.baud, this.opts.flowControl !== false)))().then(
      (link) => {
        const ch = new AtChannel(link, this.log);
        ch.on((e) => this.onModemEvent(e));
        this.ch = ch;
        return ch;
      },
      (err: unknown) => {
        this.channel = null;
        throw err;
      },
    );
    return this.channel;
  }

  private onModemEvent(e: ModemEvent): void {
    switch (e.kind) {
      case 'ready':
        this.needsBringUp = true;
        this.registered = false;
        this.failAll(new ModemError('EI_MODEM_REBOOTED', 'modem rebooted (Ready banner); its sockets are gone'));
        return;
      case 'cereg':
        if (isRegistered(e.stat)) {
          this.registered = true;
        } else if (this.registered) {
          this.registered = false;
          this.failAll(new ModemError('EI_MODEM_DEREGISTERED', `modem left the network (+CEREG stat ${e.stat})`));
        }
        return;
      case 'datamode':
        // Awaited ones are taken by the sender; an unawaited failure means a socket broke.
        if (e.result < 0) this.failAll(new ModemError('EI_MODEM_SEND', `#XDATAMODE: ${e.result}`));
        return;
      case 'closed':
        this.failAll(e.error);
        return;
      default:
        return;
    }
  }

  private failAll(err: ModemError): void {
    for (const s of this.sockets) s.fail(err);
  }
}
