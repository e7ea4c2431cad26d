// One plot of every axis against time (ms) from the server's min/max-per-column summary, with
// sensor names and units, and structured labels as shaded ranges.
import { h } from './dom.js';

const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#17becf', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22'];
const SHADES = ['rgba(31,119,180,0.12)', 'rgba(214,39,40,0.12)', 'rgba(44,160,44,0.12)', 'rgba(148,103,189,0.12)', 'rgba(255,127,14,0.12)'];

/** y-axis title: the distinct units of the sensors. */
export function unitsTitle(sensors) {
  const units = [...new Set(sensors.map((s) => s.units))];
  return units.join(', ');
}

/**
 * Draws `summary` into `host`. `sensors`: [{name, units}]; `ranges`: [{startIndex, endIndex, label}].
 * Returns the uPlot instance.
 */
export function drawPlot(host, summary, sensors, ranges, width) {
  const xTitle = summary.intervalMs === 1 && !sensors.length ? 'row' : 'time (ms)';
  const yTitle = unitsTitle(sensors);
  const labelColor = new Map();
  for (const r of ranges) if (!labelColor.has(r.label)) labelColor.set(r.label, SHADES[labelColor.size % SHADES.length]);
  const iv = summary.intervalMs;
  const opts = {
    width,
    height: 320,
    scales: { x: { time: false } },
    series: [
      { label: 'time (ms)', value: (_u, v) => (v === null ? '—' : `${v.toFixed(1)} ms`) },
      ...summary.series.map((_, i) => ({
        label: sensors[i] ? `${sensors[i].name} (${sensors[i].units})` : `axis ${i}`,
        stroke: COLORS[i % COLORS.length],
        width: 1,
        spanGaps: false,
      })),
    ],
    axes: [
      { label: xTitle, stroke: '#333', space: 90 },
      { label: yTitle, stroke: '#333', size: 60 },
    ],
    hooks: {
      // Structured labels: a shaded band per range, under the lines.
      drawClear: [
        (u) => {
          const { ctx, bbox } = u;
          ctx.save();
          for (const r of ranges) {
            const x0 = u.valToPos(r.startIndex * iv, 'x', true);
            const x1 = u.valToPos((r.endIndex + 1) * iv, 'x', true);
            ctx.fillStyle = labelColor.get(r.label);
            ctx.fillRect(Math.max(bbox.left, x0), bbox.top, Math.min(bbox.left + bbox.width, x1) - Math.max(bbox.left, x0), bbox.height);
          }
          ctx.restore();
        },
      ],
    },
  };
  const plot = new window.uPlot(opts, [summary.t, ...summary.series], host);
  // When the frame holding the plot is painted (read by the web bench and tests).
  requestAnimationFrame(() => {
    window.eiPlotDrawnAt = performance.now();
  });
  host.append(
    h(
      'p',
      { class: 'plot-caption', id: 'plot-caption' },
      `x: ${xTitle} · y: ${yTitle} · ${summary.rows.toLocaleString()} rows`,
      summary.exact ? '' : ` (min/max per pixel column, ${summary.t.length / 2} columns)`,
    ),
  );
  if (ranges.length) {
    host.append(
      h(
        'ul',
        { class: 'ranges', id: 'ranges' },
        ranges.map((r) =>
          h(
            'li',
            {},
            h('span', { class: 'swatch', style: { background: labelColor.get(r.label) } }),
            h('span', { class: 'range-label' }, r.label),
            ` rows ${r.startIndex}–${r.endIndex} (${(r.startIndex * iv).toFixed(0)}–${((r.endIndex + 1) * iv).toFixed(0)} ms)`,
          ),
        ),
      ),
    );
  }
  return plot;
}
