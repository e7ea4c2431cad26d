/**
 * AT command texts and answer parsers of both Serial Modem dialects (FACTS §7). Pure: no I/O.
 * `new` = Serial Modem (handle-based commands), `old` = Serial LTE Modem (selected socket).
 */

export type ModemDialect = 'new' | 'old';

/** `AT#XRECV` never returns more than this many bytes per call in the new dialect. */
export const RECV_MAX = 2048;

export const cmd = {
  openSocket(_dialect: ModemDialect, tls: boolean, secTag: number, peerVerify: boolean): string {
    if (!tls) return 'AT#XSOCKET=1,1,0';
    // peer_verify: 2 = required, 0 = none (nrf_socket TLS_PEER_VERIFY values).
    return `AT#XSSOCKET=1,1,0,${secTag},${peerVerify ? 2 : 0}`;
  },
  hostname(dialect: ModemDialect, handle: number, host: string): string {
    return dialect === 'new'
      ? `AT#XSSOCKETOPT=${handle},1,2,"${host}"`
      : `AT#XSSOCKETOPT=1,2,"${host}"`;
  },
  connect(dialect: ModemDialect, handle: number, host: string, port: number): string {
    return dialect === 'new'
      ? `AT#XCONNECT=${handle},"${host}",${port}`
      : `AT#XCONNECT="${host}",${port}`;
  },
  /** New dialect: data mode with an explicit length, so no terminator is scanned. */
  sendLen(handle: number, length: number): string {
    return `AT#XSEND=${handle},2,0,${length}`;
  },
  /** Old dialect: enter data mode; `+++` ends it. */
  sendDataMode: 'AT#XSEND',
  /** Old dialect: AT-level send of printable text (used only for '+' runs). */
  sendLiteral(text: string): string {
    return `AT#XSEND="${text}"`;
  },
  recv(dialect: ModemDialect, handle: number, timeoutS: number): string {
    return dialect === 'new'
      ? `AT#XRECV=${handle},0,0,${timeoutS},${RECV_MAX}`
      : `AT#XRECV=${timeoutS}`;
  },
  close(dialect: ModemDialect, handle: number): string {
    return dialect === 'new' ? `AT#XCLOSE=${handle}` : 'AT#XSOCKET=0';
  },
};

/** Numbers after `<prefix>:` (`#XSOCKET: 3,1,6` → [3,1,6]); quoted fields become NaN. */
export function fields(line: string, prefix: string): number[] | null {
  if (!line.startsWith(prefix + ':')) return null;
  return line
    .slice(prefix.length + 1)
    .split(',')
    .map((f) => (/^\s*-?\d+\s*$/.test(f) ? Number(f) : Number.NaN));
}

/** Handle from `#XSOCKET: <h>,1,6` / `#XSSOCKET: <h>,1,258` (both dialects). */
export function parseSocketHandle(lines: string[], tls: boolean): number | null {
  const prefix = tls ? '#XSSOCKET' : '#XSOCKET';
  for (const l of lines) {
    const f = fields(l, prefix);
    if (f && Number.isInteger(f[0]) && f[0]! >= 0) return f[0]!;
  }
  return null;
}

/** True when `#XCONNECT: <h>,1` (new) or `#XCONNECT: 1` (old) says connected. */
export function parseConnected(lines: string[]): boolean | null {
  for (const l of lines) {
    const f = fields(l, '#XCONNECT');
    if (f) return f[f.length - 1] === 1;
  }
  return null;
}

/**
 * Registration stat from a `+CEREG` line: a URC `+CEREG: <stat>[,…]` or an answer to
 * `AT+CEREG?`, `+CEREG: <n>,<stat>[,…]`. Tells them apart by whether a query is pending.
 */
export function parseCeregStat(line: string, isQueryAnswer: boolean): number | null {
  if (!line.startsWith('+CEREG:')) return null;
  const parts = line.slice(7).split(',');
  const v = Number((isQueryAnswer ? parts[1] : parts[0])?.trim());
  return Number.isInteger(v) ? v : null;
}

/** Registered: 1 (home) or 5 (roaming). */
export function isRegistered(stat: number | null): boolean {
  return stat === 1 || stat === 5;
}

/** The 15-digit IMEI out of `AT+CGSN`'s answer (bare digits, or `+CGSN: "…"`). */
export function parseImei(lines: string[]): string | null {
  for (const l of lines) {
    const m = /(?:^|\D)(\d{15})(?:\D|$)/.exec(l);
    if (m) return m[1]!;
  }
  return null;
}

/** `n` of `#XDATAMODE: <n>`, or null. */
export function parseDataMode(line: string): number | null {
  const f = fields(line, '#XDATAMODE');
  return f && Number.isInteger(f[0]) ? f[0]! : null;
}

/** Final result codes. `+CME ERROR: <n>` appears for modem (not SLM) commands with CMEE=1. */
export function finalResult(line: string): 'ok' | 'error' | null {
  if (line === 'OK') return 'ok';
  if (line === 'ERROR' || line.startsWith('+CME ERROR') || line.startsWith('+CMS ERROR')) {
    return 'error';
  }
  return null;
}

/** Host names go inside AT string quotes: no quotes, control bytes or non-ASCII. */
export function isSafeHost(host: string): boolean {
  return /^[A-Za-z0-9.\-_:[\]]+$/.test(host) && host.length <= 253;
}
