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
  if (!m || m[1].length === 0) throw new GatewayConfigError('--port', `cannot parse '${text}' (want PATH[:line|:framed][@BAUD])`);
  return { path: m[1], protocol: (m[2] as PortProtocol | undefined) ?? 'line', baudRate: m[3] ? Number(m[3]) : 115200 };
}
