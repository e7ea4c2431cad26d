/**
 * The simulated board's `AT+CONFIG?` dump (FACTS §11): sections headed by `=`s (their count varies,
 * as on real boards), `Key: value` lines, sensors as `Name: …, Max sample length: …s, Frequencies: […]`.
 */
import type { BoardSensor } from './sample-file.ts';
import type { EiBoardState } from './board.ts';

export interface DumpInput {
  state: EiBoardState;
  deviceType: string;
  atVersion: string;
  transferBaud: number;
  sensors: BoardSensor[];
  camera?: { resolutions: [number, number][] };
}

export function configDumpLines(c: DumpInput): string[] {
  const { state, sensors } = c;
  const out: string[] = [];
  out.push('===== Device info =====');
  out.push(`ID:         ${state.deviceId}`);
  out.push(`Type:       ${c.deviceType}`);
  out.push(`AT Version: ${c.atVersion}`);
  out.push(`Data Transfer Baudrate: ${c.transferBaud}`);
  out.push('');
  out.push('===== Sensors ======');
  for (const s of sensors) {
    out.push(`Name: ${s.name}, Max sample length: ${s.maxSampleLengthS}s, Frequencies: [${s.frequencies.map((f) => f.toFixed(6) + 'Hz').join(', ')}]`);
  }
  out.push('');
  out.push('===== Snapshot ======');
  out.push(`Has snapshot:    ${c.camera ? 1 : 0}`);
  out.push(`Support stream:  ${c.camera ? 1 : 0}`);
  if (c.camera) {
    out.push('Color depth:     RGB');
    out.push(`Resolutions:     [${c.camera.resolutions.map(([w, h]) => `${w}x${h}`).join(', ')}]`);
  }
  out.push('');
  out.push('===== Inference ======');
  out.push('Sensor:           -1');
  out.push('');
  out.push('===== WIFI =====');
  out.push('SSID:      ');
  out.push('Password:  ');
  out.push('Security:  0');
  out.push('MAC:       00:00:00:00:00:00');
  out.push('Connected: 0');
  out.push('Present:   0');
  out.push('');
  out.push('===== Sampling parameters =====');
  out.push(`Label:     ${state.sampling.label}`);
  out.push(`Interval:  ${state.sampling.intervalMs.toFixed(2)} ms.`);
  out.push(`Length:    ${state.sampling.lengthMs} ms.`);
  out.push(`HMAC key:  ${state.sampling.hmacKey}`);
  out.push('');
  out.push('===== Upload settings =====');
  out.push(`Api Key:   ${state.upload.apiKey}`);
  out.push(`Host:      ${state.upload.host}`);
  out.push(`Path:      ${state.upload.path}`);
  out.push('');
  out.push('===== Remote management =====');
  out.push(`URL:        ${state.mgmtUrl}`);
  out.push('Connected:  0');
  out.push('Last error: ');
  return out;
}
