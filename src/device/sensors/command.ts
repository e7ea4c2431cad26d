/**
 * A command whose stdout gives readings (one per line, data forwarder format). It is started for
 * each sample with `EI_INTERVAL_MS`, `EI_LENGTH_MS` and `EI_SAMPLE_COUNT` in its environment and is
 * stopped (its whole process group) once enough readings arrived; it is expected to pace itself.
 * A command that ends early fails the sample with how many readings it gave.
 */
import { spawn } from 'node:child_process';
import { ReadingCollector } from './collect.ts';
import { LineSplitter } from './lines.ts';
import type { Axis, RecordRequest, Recording, SensorSource } from './source.ts';
import { readingCount } from './source.ts';

export interface CommandSourceOptions {
  /** Shell command line (run with /bin/sh -c). */
  command: string;
  name?: string;
  /** Axis names; default `axis1..axisN` from the first reading's width. */
  axes?: Axis[];
  frequencies?: number[];
  maxSampleLengthS?: number;
}

export class CommandSource implements SensorSource {
  readonly name: string;
  readonly frequencies: number[];
  readonly maxSampleLengthS: number;
  private axes: Axis[] | undefined;

  constructor(private readonly o: CommandSourceOptions) {
    this.name = o.name ?? 'Sensor';
    this.frequencies = o.frequencies ?? [100];
    this.maxSampleLengthS = o.maxSampleLengthS ?? 60;
    this.axes = o.axes;
  }

  async open(): Promise<void> {}

  /** The command is told the interval and trusted to keep it. */
  acceptInterval(intervalMs: number): number {
    return intervalMs;
  }

  async record(req: RecordRequest): Promise<Recording> {
    const n = readingCount(req.lengthMs, req.intervalMs);
    const child = spawn('/bin/sh', ['-c', this.o.command], {
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
      env: {
        ...process.env,
        EI_INTERVAL_MS: String(req.intervalMs),
        EI_LENGTH_MS: String(req.lengthMs),
        EI_SAMPLE_COUNT: String(n),
      },
    });
    const c = new ReadingCollector(n, this.axes?.length, req.onProgress);
    // Width from the first good line when axes were not given: fixed after that.
    const split = new LineSplitter((line) => c.line(line));
    child.stdout!.on('data', (d: Buffer) => split.push(d));
    child.on('error', (err) => c.abort('EI_SENSOR_COMMAND', `cannot run command (${err.message})`));
    child.on('close', (code, sig) =>
      c.abort('EI_SENSOR_COMMAND', `command ended (${sig ?? `exit ${code}`})`),
    );
    const timer = setTimeout(() => c.abort('EI_SENSOR_TIMEOUT', 'command stalled'), req.lengthMs * 2 + 5000);
    const onAbort = () => c.abort('EI_SENSOR_ABORTED', 'recording aborted');
    req.signal?.addEventListener('abort', onAbort);
    try {
      const values = await c.result;
      const width = values[0]!.length;
      this.axes ??= Array.from({ length: width }, (_, i) => ({ name: `axis${i + 1}`, units: 'N/A' }));
      return { intervalMs: req.intervalMs, axes: this.axes.map((a) => ({ ...a })), values };
    } finally {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
        try {
          process.kill(-child.pid, 'SIGTERM');
        } catch {
          /* already gone */
        }
      }
    }
  }

  async close(): Promise<void> {}
}
