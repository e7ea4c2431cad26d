// Run counts for the property tests (not a test file): small in `npm test`, as many as
// EI_FUZZ_RUNS says under `npm run fuzz`. Timeouts grow with the count so a long run is not cut.
const env = Number(process.env.EI_FUZZ_RUNS);

/** Runs for one property: `base` by default, EI_FUZZ_RUNS when set (a positive integer). */
export function runs(base: number): number {
  return Number.isInteger(env) && env > 0 ? env : base;
}

/** Per-test timeout in ms for a property of `base` runs costing about `msPerRun` each. */
export function timeoutFor(base: number, msPerRun = 2): number {
  return Math.max(30_000, runs(base) * msPerRun * 4);
}
