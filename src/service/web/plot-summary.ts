/**
 * The plot's data: for a sample of R rows × W axes drawn C pixel columns wide, each axis's minimum
 * and maximum within each column, in the order they occurred. Drawn as a polyline through those
 * points, it looks exactly like the full data at that width (every spike and dropped stretch
 * stays visible), and costs 2·C points per axis whatever R is: 1,000,000 rows become ~2,000.
 *
 * Pure and streaming: rows are pushed one at a time (from whatever decoder reads the stored file),
 * so it needs O(C·W) memory and can run over a streaming reader as well as over decoded rows.
 */

export interface PlotSummary {
  /** Rows in the sample. */
  rows: number;
  /** Axes per row. */
  axes: number;
  /** Milliseconds between rows (1 when unknown: the x axis is then the row index). */
  intervalMs: number;
  /** True when every row is present (rows ≤ 2·columns): the points are the data itself. */
  exact: boolean;
  /** x of each point (ms), increasing. */
  t: number[];
  /** One array per axis, same length as `t`; null where a column held no finite value. */
  series: (number | null)[][];
}

/**
 * Accumulates rows into a summary.
 * @example
 * const s = new PlotSummarizer(rows.length, 3, 800, 16);
 * for (const r of rows) s.push(r);
 * const summary = s.finish();
 */
export class PlotSummarizer {
  private readonly columns: number;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  /** Row index of each column's min and max, to keep their order in time. */
  private readonly minAt: Float64Array;
  private readonly maxAt: Float64Array;
  private readonly exactRows: (number | null)[][] | null;
  private next = 0;

  constructor(
    readonly rowCount: number,
    readonly axes: number,
    columns: number,
    readonly intervalMs: number,
  ) {
    if (!Number.isInteger(rowCount) || rowCount < 0) throw new RangeError('rowCount must be a non-negative integer');
    if (!Number.isInteger(axes) || axes < 1) throw new RangeError('axes must be a positive integer');
    if (!Number.isInteger(columns) || columns < 1) throw new RangeError('columns must be a positive integer');
    this.columns = Math.min(columns, Math.max(1, rowCount));
    const exact = rowCount <= 2 * columns;
    this.exactRows = exact ? Array.from({ length: axes }, () => new Array<number | null>(rowCount).fill(null)) : null;
    const n = exact ? 0 : this.columns * axes;
    this.min = new Float64Array(n).fill(Infinity);
    this.max = new Float64Array(n).fill(-Infinity);
    this.minAt = new Float64Array(n);
    this.maxAt = new Float64Array(n);
  }

  /** Adds the next row (its first `axes` entries). Rows past `rowCount` are ignored. */
  push(row: ArrayLike<number>): void {
    const i = this.next++;
    if (i >= this.rowCount) return;
    if (this.exactRows) {
      for (let a = 0; a < this.axes; a++) {
        const v = row[a];
        this.exactRows[a][i] = Number.isFinite(v) ? v : null;
      }
      return;
    }
    // Column of row i: the same integer split the x axis uses, so columns never overlap.
    const c = Math.floor((i * this.columns) / this.rowCount);
    const base = c * this.axes;
    for (let a = 0; a < this.axes; a++) {
      const v = row[a];
      if (!(v === v) || v === Infinity || v === -Infinity) continue;
      const k = base + a;
      if (v < this.min[k]) {
        this.min[k] = v;
        this.minAt[k] = i;
      }
      if (v > this.max[k]) {
        this.max[k] = v;
        this.maxAt[k] = i;
      }
    }
  }

  /** @param intervalMs the interval, when only known once every row was read (CSV). */
  finish(intervalMs = this.intervalMs): PlotSummary {
    const iv = intervalMs > 0 ? intervalMs : 1;
    if (this.exactRows) {
      const t = new Array<number>(this.rowCount);
      for (let i = 0; i < this.rowCount; i++) t[i] = i * iv;
      return { rows: this.rowCount, axes: this.axes, intervalMs: iv, exact: true, t, series: this.exactRows };
    }
    const C = this.columns;
    const t = new Array<number>(2 * C);
    const series = Array.from({ length: this.axes }, () => new Array<number | null>(2 * C).fill(null));
    for (let c = 0; c < C; c++) {
      const first = Math.ceil((c * this.rowCount) / C);
      const last = Math.ceil(((c + 1) * this.rowCount) / C) - 1;
      // Two x positions per column: its first row and its middle.
      t[2 * c] = first * iv;
      t[2 * c + 1] = ((first + last) / 2) * iv + (last === first ? iv / 4 : 0);
      for (let a = 0; a < this.axes; a++) {
        const k = c * this.axes + a;
        if (this.min[k] === Infinity) continue;
        const minFirst = this.minAt[k] <= this.maxAt[k];
        series[a][2 * c] = minFirst ? this.min[k] : this.max[k];
        series[a][2 * c + 1] = minFirst ? this.max[k] : this.min[k];
      }
    }
    return { rows: this.rowCount, axes: this.axes, intervalMs: iv, exact: false, t, series };
  }
}

/** Summary of rows already decoded (the service's current decoder). */
export function summarizeRows(rows: ArrayLike<ArrayLike<number> | number>, axes: number, columns: number, intervalMs: number): PlotSummary {
  const s = new PlotSummarizer(rows.length, axes, columns, intervalMs);
  const one = [0];
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i];
    // Single-axis payloads may be flattened to bare numbers (FACTS §1).
    if (typeof r === 'number') {
      one[0] = r;
      s.push(one);
    } else s.push(r);
  }
  return s.finish();
}
