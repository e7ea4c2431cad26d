/**
 * Simulated nRF91 modem running Nordic's Serial (LTE) Modem application, attached to a real
 * pseudo-terminal pair so the client's real `serialport` code talks to it unchanged (FACTS §7, §8).
 *
 * @example
 * const sim = await startModemSim({ dialect: 'new' });
 * const port = new SerialPort({ path: sim.devicePath, baudRate: 115200 });
 * // ... AT commands, data mode, #XRECV ...
 * await sim.close();
 *
 * Terminators: the new dialect ends a command on CR (a LF after it is skipped as leading noise
 * of the next command, so CR+LF works too, except after a command that enters data mode: there
 * the LF is the first data byte, as on the real firmware); the old dialect needs CR+LF, and a bare
 * CR does not end a command. A driver that does not know the dialect yet should send CR+LF. The power-on banner `Ready\r\n` is written when the
 * simulator starts, usually before the host opens the port, so it is lost as on a real line:
 * probe with `AT`.
 */
import { randomInt } from 'node:crypto';
import { SerialPort } from 'serialport';
import type { Dialect } from './command-types.ts';
import type { ModemFaults } from './faults.ts';
import { Modem } from './modem.ts';
import { PacedUart } from './paced-uart.ts';
import { openPtyPair } from './pty-pair.ts';

export type { ModemFaults } from './faults.ts';
export type { Dialect } from './command-types.ts';

export interface ModemSimOptions {
  /** `new` = "Serial Modem" (`AT#XSMVER`, handle-based); `old` = SLM (`AT#XSLMVER`, selected socket). */
  dialect: Dialect;
  /** Line rate the simulator paces bytes at (8N1: 10 bits per byte). Default 115200. */
  baud?: number;
  /** 15-digit IMEI; default random with a valid Luhn check digit. */
  imei?: string;
  /** Time from `AT+CFUN=1` to `+CEREG: 1` (or 5 when roaming). Default 200 ms. */
  registrationDelayMs?: number;
  roaming?: boolean;
  /** PEM CA the modem verifies TLS peers with (stands in for the credential at any sec_tag). */
  tlsCa?: string | Buffer;
  /** Host names the simulated network resolves, each to a loopback address. `localhost` built in. */
  hosts?: Record<string, string>;
  /** First socket handle (handles are not always 0 on real firmware). Default random 1..4. */
  firstHandle?: number;
  faults?: ModemFaults;
  /**
   * One-way latency of the network behind the modem, ms (RTT = 2×): sends pipeline like on a
   * real path (see SimSocket), unlike the `networkLatencyMs` fault, which delays each send.
   */
  latencyMs?: number;
  /** Receives one line per command, response and event (never payload bytes). */
  log?: (line: string) => void;
}

export interface ModemSimStats {
  /** Bytes the modem put on the serial wire towards the host. */
  bytesToHost: number;
  /** Bytes the host put on the serial wire that reached the modem. */
  bytesFromHost: number;
  /** Host bytes lost to overrun (fault `dropBytesWithoutFlowControl`). */
  droppedFromHost: number;
  /** Payload bytes the modem sent to peers over sockets. */
  bytesToNetwork: number;
  commands: number;
  dataModeSessions: number;
  reboots: number;
  openSockets: number;
  /** Current `+CEREG` stat. */
  registration: number;
}

export interface ModemSim {
  /** Path of the pty end for the client (open it with `serialport`). */
  devicePath: string;
  imei: string;
  dialect: Dialect;
  baud: number;
  stats(): ModemSimStats;
  /** Merges fault settings at runtime (counters restart from the given values). */
  inject(faults: ModemFaults): void;
  /** Reboots the modem now: `\r\nReady\r\n`, sockets and registration lost. */
  reboot(): void;
  /** Stops the modem, closes the pty and kills socat. Idempotent. */
  close(): Promise<void>;
}

/** Random IMEI: TAC-like prefix, serial, Luhn check digit. */
export function randomImei(): string {
  let s = '35';
  while (s.length < 14) s += String(randomInt(10));
  return s + luhnDigit(s);
}

export function luhnDigit(digits14: string): string {
  let sum = 0;
  for (let i = 0; i < digits14.length; i++) {
    let d = Number(digits14[digits14.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return String((10 - (sum % 10)) % 10);
}

/**
 * Starts a simulated modem on a fresh socat pty pair.
 * @throws PtyPairError when socat is missing or fails; RangeError for bad options.
 */
export async function startModemSim(opts: ModemSimOptions): Promise<ModemSim> {
  if (opts.dialect !== 'new' && opts.dialect !== 'old') throw new RangeError(`dialect must be 'new' or 'old'`);
  const baud = opts.baud ?? 115200;
  if (!Number.isInteger(baud) || baud < 300 || baud > 4_000_000) throw new RangeError(`baud out of range: ${baud}`);
  const imei = opts.imei ?? randomImei();
  if (!/^\d{15}$/.test(imei)) throw new RangeError('imei must be 15 digits');
  if (opts.latencyMs !== undefined && !(opts.latencyMs >= 0 && opts.latencyMs < 60_000)) throw new RangeError(`latencyMs out of range: ${opts.latencyMs}`);
  const log = opts.log ?? (() => {});
  const faults: ModemFaults = { ...opts.faults };
  const hosts: Record<string, string> = {};
  for (const [k, v] of Object.entries(opts.hosts ?? {})) hosts[k.toLowerCase()] = v;

  const pty = await openPtyPair();
  const port = new SerialPort({ path: pty.simPath, baudRate: baud, autoOpen: false, highWaterMark: 4096 });
  try {
    await new Promise<void>((resolve, reject) => port.open((err) => (err ? reject(err) : resolve())));
  } catch (err) {
    await pty.close();
    throw err;
  }
  port.on('error', (e) => log(`serial error: ${e.message}`));
  const uart = new PacedUart(port, baud);
  const modem = new Modem(uart, {
    dialect: opts.dialect,
    imei,
    registrationDelayMs: opts.registrationDelayMs ?? 200,
    roaming: opts.roaming ?? false,
    firstHandle: opts.firstHandle ?? randomInt(1, 5),
    faults,
    net: {
      latencyMs: () => faults.networkLatencyMs ?? 0,
      oneWayMs: opts.latencyMs ?? 0,
      tlsCa: opts.tlsCa,
      hosts,
      connectTimeoutMs: 10_000,
    },
    log,
  });
  modem.boot();
  log(`modem (${opts.dialect} dialect, ${baud} baud) on ${pty.hostPath}`);

  let closing: Promise<void> | undefined;
  return {
    devicePath: pty.hostPath,
    imei,
    dialect: opts.dialect,
    baud,
    stats: () => ({
      bytesToHost: uart.counters.bytesToHost,
      bytesFromHost: uart.counters.bytesFromHost,
      droppedFromHost: modem.counters.droppedFromHost,
      bytesToNetwork: modem.counters.bytesToNetwork,
      commands: modem.counters.commands,
      dataModeSessions: modem.counters.dataModeSessions,
      reboots: modem.counters.reboots,
      openSockets: modem.openSockets,
      registration: modem.registration.stat,
    }),
    inject: (f) => Object.assign(faults, f),
    reboot: () => modem.reboot(),
    close: () =>
      (closing ??= (async () => {
        modem.close();
        uart.close();
        if (port.isOpen) await new Promise<void>((resolve) => port.close(() => resolve()));
        await pty.close();
      })()),
  };
}
