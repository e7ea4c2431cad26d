/**
 * Splits an AT command line into its name, kind and parameters, as the firmware's at_parser does:
 * `AT#XCONNECT=3,"127.0.0.1",80` → name `#XCONNECT`, kind `set`, params `3`, `"127.0.0.1"`, `80`.
 * Pure: no I/O.
 */

export type CommandKind = 'action' | 'set' | 'read' | 'test';

export interface ParsedCommand {
  /** Upper-cased name without the `AT` prefix (`''` for a bare `AT`), e.g. `#XSOCKET`, `+CEREG`. */
  name: string;
  kind: CommandKind;
  params: Param[];
}

/** One parameter: quoted strings keep their text without quotes. */
export type Param = { quoted: true; text: string } | { quoted: false; text: string };

/** Thrown for malformed command lines; the modem answers ERROR. */
export class AtSyntaxError extends Error {}

export function parseCommand(line: string): ParsedCommand | null {
  if (!/^at/i.test(line)) return null;
  const rest = line.slice(2);
  const m = /^([+#%][A-Za-z0-9]+|)(.*)$/s.exec(rest);
  if (!m) return null;
  const name = m[1].toUpperCase();
  const tail = m[2];
  if (tail === '') return { name, kind: 'action', params: [] };
  if (tail === '?') return { name, kind: 'read', params: [] };
  if (tail === '=?') return { name, kind: 'test', params: [] };
  if (tail[0] !== '=') return null;
  return { name, kind: 'set', params: splitParams(tail.slice(1)) };
}

function splitParams(s: string): Param[] {
  const out: Param[] = [];
  let i = 0;
  for (;;) {
    while (s[i] === ' ') i++;
    if (s[i] === '"') {
      const end = s.indexOf('"', i + 1);
      if (end < 0) throw new AtSyntaxError('unterminated string');
      out.push({ quoted: true, text: s.slice(i + 1, end) });
      i = end + 1;
      while (s[i] === ' ') i++;
    } else {
      let end = s.indexOf(',', i);
      if (end < 0) end = s.length;
      out.push({ quoted: false, text: s.slice(i, end).trim() });
      i = end;
    }
    if (i >= s.length) return out;
    if (s[i] !== ',') throw new AtSyntaxError('garbage after parameter');
    i++;
  }
}

/** Integer parameter at `index` (0-based), or `fallback` when absent; throws when malformed. */
export function intParam(params: Param[], index: number, fallback?: number): number {
  const p = params[index];
  if (p === undefined || (!p.quoted && p.text === '')) {
    if (fallback !== undefined) return fallback;
    throw new AtSyntaxError(`missing parameter ${index}`);
  }
  if (p.quoted || !/^-?\d+$/.test(p.text)) throw new AtSyntaxError(`parameter ${index} is not an integer`);
  return Number(p.text);
}

/** Quoted string parameter at `index`; throws when absent or unquoted. */
export function strParam(params: Param[], index: number): string {
  const p = params[index];
  if (p === undefined || !p.quoted) throw new AtSyntaxError(`parameter ${index} is not a string`);
  return p.text;
}
