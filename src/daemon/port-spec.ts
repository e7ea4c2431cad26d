/** `--port /dev/ttyACM0[@BAUD]` (pure). */
import { BoardPortError } from './errors.ts';

export function parseDaemonPort(text: string): { path: string; baudRate: number } {
  const m = /^(.+?)(?:@(\d{3,7}))?$/.exec(text.trim());
  if (!m || m[1]!.startsWith('@')) throw new BoardPortError('EI_DAEMON_PORT_SPEC', `--port: cannot parse '${text}' (want PATH[@BAUD])`);
  return { path: m[1]!, baudRate: m[2] ? Number(m[2]) : 115200 };
}
