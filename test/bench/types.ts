/**
 * The benchmark's plug-in contract. A suite (test/bench/suites/<name>.ts, exporting `suite`) lists
 * variants; the runner executes every variant in its own fresh child process (cbor-x's speed depends
 * on what ran before it in the same process, FACTS §9), several times, and hands the medians back to
 * the suite to turn into rows of the one shared table. Suites must load heavy modules inside
 * `run()` (dynamic import) so one variant's code never warms or deoptimises another's.
 */

/** What one child process reports. Any numeric fields; conventional ones below. */
export interface Measurement {
  /** Median wall time of one operation, in nanoseconds. */
  nsPerOp?: number;
  /** Bytes produced (or hashed) by one operation. */
  bytesPerOp?: number;
  /** Heap + ArrayBuffer bytes allocated per operation (see harness.measureAllocation). */
  allocPerOp?: number;
  [key: string]: number | undefined;
}

export interface BenchVariant {
  /** Unique within its suite, e.g. 'cbor-ours-1000'. */
  id: string;
  /** Extra node flags for the child (e.g. '--expose-gc'). */
  nodeFlags?: string[];
  /** Fresh processes to run (default: the runner's --runs); 1 for self-averaging measurements. */
  runs?: number;
  /** Runs in the child process; the only place heavy imports happen. */
  run(): Promise<Measurement>;
}

/** One line of the shared table. Strings are printed as given. */
export interface TableRow {
  measure: string;
  n: string;
  ours: string;
  baseline: string;
  ratio: string;
  target: string;
  /** undefined = no target or not measurable. */
  met?: boolean;
}

export interface BenchSuite {
  name: string;
  variants: BenchVariant[];
  /**
   * Builds this suite's rows from the median measurement of each variant (keyed by variant id;
   * a missing key means the variant failed or was filtered out).
   */
  rows(results: ReadonlyMap<string, Measurement>): TableRow[];
  /** Lines added under the table (method notes). */
  notes?: string[];
}
