/** Sensor sources and the `--sensor` spec parser. */
import { EiError } from '../../errors.ts';
import { CommandSource } from './command.ts';
import { SerialSource } from './serial.ts';
import type { SerialLike } from './serial.ts';
import { SimSource } from './sim.ts';
import type { Axis, SensorSource } from './source.ts';

export { CommandSource } from './command.ts';
export { SerialSource } from './serial.ts';
export type { SerialLike, SerialSourceOptions } from './serial.ts';
export { SimSource } from './sim.ts';
export type { SimSourceOptions } from './sim.ts';
export type { Axis, RecordRequest, Recording, SensorSource } from './source.ts';
export { LineSplitter, parseReadingLine } from './lines.ts';

export interface SourceSpecOptions {
  /** Sensor name announced to Studio. */
  name?: string;
  /** Axis names, comma-separated in the CLI. */
  axes?: string[];
  /** Units for every axis (default `N/A`, `m/s2` for sim). */
  units?: string;
  frequencyHz?: number;
  maxSampleLengthS?: number;
  baudRate?: number;
  /** Sim only: time speed-up (tests). */
  speed?: number;
  portFactory?: (path: string, baudRate: number) => SerialLike;
}

/**
 * `sim` | `serial:/dev/ttyX` | `cmd:<shell command>` → a source.
 * @throws EiError `EI_SENSOR_SPEC` naming what is wrong
 */
export function createSource(spec: string, o: SourceSpecOptions = {}): SensorSource {
  const axes: Axis[] | undefined = o.axes?.map((name) => ({ name, units: o.units ?? 'N/A' }));
  if (spec === 'sim') {
    return new SimSource({
      name: o.name,
      axes: o.axes?.map((name) => ({ name, units: o.units ?? 'm/s2' })),
      frequencies: o.frequencyHz !== undefined ? [o.frequencyHz] : undefined,
      maxSampleLengthS: o.maxSampleLengthS,
      speed: o.speed,
    });
  }
  if (spec.startsWith('serial:')) {
    const path = spec.slice('serial:'.length);
    if (path.length === 0) throw new EiError('EI_SENSOR_SPEC', '--sensor serial: needs a port path, e.g. serial:/dev/ttyACM0');
    return new SerialSource({
      path,
      baudRate: o.baudRate,
      name: o.name,
      axes,
      frequencyHz: o.frequencyHz,
      maxSampleLengthS: o.maxSampleLengthS,
      portFactory: o.portFactory,
    });
  }
  if (spec.startsWith('cmd:')) {
    const command = spec.slice('cmd:'.length).trim();
    if (command.length === 0) throw new EiError('EI_SENSOR_SPEC', '--sensor cmd: needs a command, e.g. cmd:"python3 read.py"');
    return new CommandSource({
      command,
      name: o.name,
      axes,
      frequencies: o.frequencyHz !== undefined ? [o.frequencyHz] : undefined,
      maxSampleLengthS: o.maxSampleLengthS,
    });
  }
  throw new EiError('EI_SENSOR_SPEC', `--sensor must be sim, serial:<path> or cmd:<command>, got ${JSON.stringify(spec)}`);
}
