/**
 * Fault injection knobs of the modem simulator. Counters are consumed as faults fire; `inject`
 * merges new values in at runtime.
 */

export interface ModemFaults {
  /** The next N `AT#XCONNECT` answer ERROR without connecting. */
  connectError?: number;
  /** The next N data-mode sends: the peer socket is reset after `resetAfterBytes` bytes. */
  resetMidSend?: number;
  /** Bytes of a faulted send that reach the peer before the reset (default 1024). */
  resetAfterBytes?: number;
  /** After this many more bytes from the host, the modem reboots: `\r\nReady\r\n`, state lost. */
  rebootAfterBytes?: number;
  /** Stay unregistered (+CEREG stat 2) this much longer after `AT+CFUN=1` (next bring-ups). */
  noRegistrationMs?: number;
  /** Without flow control, bytes arriving while the data-mode buffer is full are dropped. */
  dropBytesWithoutFlowControl?: boolean;
  /** Added to connect, each send and each received chunk (slow network). */
  networkLatencyMs?: number;
}

export const DEFAULT_RESET_AFTER_BYTES = 1024;

/** Takes one shot of a counted fault; true when it fires. */
export function takeFault(faults: ModemFaults, key: 'connectError' | 'resetMidSend'): boolean {
  const n = faults[key] ?? 0;
  if (n <= 0) return false;
  faults[key] = n - 1;
  return true;
}
