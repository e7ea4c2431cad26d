/**
 * What the device client records from. Three implementations: a simulated generator (sim.ts), a
 * microcontroller on a serial port speaking the data forwarder's line protocol (serial.ts), and a
 * command whose stdout gives readings (command.ts).
 */

/** One axis of a sensor, as written into `payload.sensors`. */
export interface Axis {
  name: string;
  units: string;
}

export interface RecordRequest {
  /** Interval the source agreed to via `acceptInterval`. */
  intervalMs: number;
  lengthMs: number;
  signal?: AbortSignal;
  /** Called with the fraction recorded so far (0..1), at most a few times a second. */
  onProgress?: (fraction: number) => void;
}

export interface Recording {
  intervalMs: number;
  axes: Axis[];
  /** One row per interval, one number per axis. */
  values: number[][];
}

export interface SensorSource {
  /** Sensor name announced in the hello (e.g. `Accelerometer`). */
  readonly name: string;
  /** Frequencies in Hz offered to Studio. */
  readonly frequencies: number[];
  readonly maxSampleLengthS: number;
  /** Prepares the source (opens a port, detects the rate). Idempotent. */
  open(): Promise<void>;
  /**
   * Returns the interval the source will really record at for a requested one, or throws
   * SampleRejectedError when it cannot come close (a fixed-rate MCU cannot resample).
   */
  acceptInterval(intervalMs: number): number;
  /** Records `lengthMs` of readings. @throws SensorError */
  record(req: RecordRequest): Promise<Recording>;
  close(): Promise<void>;
}

/** Number of readings a sample of `lengthMs` at `intervalMs` holds (at least one). */
export function readingCount(lengthMs: number, intervalMs: number): number {
  return Math.max(1, Math.round(lengthMs / intervalMs));
}

/** True when two intervals differ by at most 2 % (rates announced as rounded Hz). */
export function intervalsMatch(a: number, b: number): boolean {
  return Math.abs(a - b) <= 0.02 * Math.max(a, b);
}
