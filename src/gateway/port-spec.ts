/** Parses `--port /dev/ttyACM0[:line|:framed][@baud]` (pure). */
import { GatewayConfigError } from './errors.ts';

export type PortProtocol = 'line' | 'framed';

export interface PortSpec {
  path: string;
  protocol: PortProtocol;
  baudRate: number;
}

export function parsePortSpec(text: string): PortSpec {
  const m = /^(.+?)(?::(line|framed))?(?:@(\d{3,7}))?$/.exec(text);
  if (!m || m[1].startsWith(':')) throw new GatewayConfigError('--port', `cannot parse '${text}' (want PATH[:line|:framed][@BAUD])`);
  // by-path names contain colons (pci-0000:00:14.0-usb-0:2:1.0); a trailing ':word' is a typo'd protocol.
  const typo = /:([a-z]+)$/i.exec(m[1]);
  if (typo) throw new GatewayConfigError('--port', `unknown protocol '${typo[1]}' in '${text}' (line or framed)`);
  return { path: m[1], protocol: (m[2] as PortProtocol | undefined) ?? 'line', baudRate: m[3] ? Number(m[3]) : 115200 };
}
