// Line plots as Vega-Lite specs: the examples render them to SVG in Node (output.ts), the browser demo
// in the page. One legend, outside the data, shows each series as it is drawn (solid, dashed, points).
import type { TopLevelSpec } from 'vega-lite';

/** One curve, point cloud or band. */
export interface Series {
  label: string;
  x: ArrayLike<number>;
  y: ArrayLike<number>;
  /** 'line' (default), 'dashed', or 'points'. */
  style?: 'line' | 'dashed' | 'points';
  /** Draw a marker on every point of a line (measured values rather than a curve). */
  markers?: boolean;
  color?: string;
  /** A shaded band between lower and upper (same x), drawn under the series. */
  band?: { lower: ArrayLike<number>; upper: ArrayLike<number> };
}

/** What to draw. */
export interface PlotSpec {
  title: string;
  xLabel: string;
  yLabel: string;
  series: Series[];
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

const PALETTE = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#17becf'];

/** The rows the chart draws: one per point of every series. */
export function chartValues(series: Series[]): Record<string, number | string>[] {
  return series.flatMap((s) => Array.from({ length: s.x.length }, (_, i) => ({
    series: s.label,
    x: s.x[i],
    y: s.y[i],
    ...(s.band ? { lower: s.band.lower[i], upper: s.band.upper[i] } : {}),
  })));
}

/**
 * The plot as a Vega-Lite spec, with its data inline, or (`dataName`) as a named data set that a live view
 * updates with {@link chartValues} without compiling the spec again.
 */
export function chartSpec(spec: PlotSpec, dataName?: string): TopLevelSpec {
  const labels = spec.series.map((s) => s.label);
  const field = { field: 'series', type: 'nominal', title: null } as const;
  // color, dash and symbol share one field and title, so Vega-Lite merges them into one legend.
  const legend = { orient: 'bottom', direction: 'vertical', labelLimit: 0, symbolStrokeWidth: 2, symbolOpacity: 1, symbolSize: 150 } as const;
  const encoding = {
    x: { field: 'x', type: 'quantitative', title: spec.xLabel, scale: spec.logX ? { type: 'log', nice: false, padding: 12 } : { zero: false, nice: false } },
    y: { field: 'y', type: 'quantitative', title: spec.yLabel, scale: spec.logY ? { type: 'log', nice: false, padding: 12 } : { zero: false } },
    color: { ...field, scale: { domain: labels, range: spec.series.map((s, i) => s.color ?? PALETTE[i % PALETTE.length]) }, legend },
    strokeDash: { ...field, scale: { domain: labels, range: spec.series.map((s) => (s.style === 'dashed' ? [6, 4] : [1, 0])) }, legend },
    shape: { ...field, scale: { domain: labels, range: spec.series.map((s) => (s.style === 'points' || s.markers ? 'circle' : 'stroke')) }, legend },
  } as const;
  const only = (keep: (s: Series) => boolean) => spec.series.filter(keep).map((s) => s.label);
  const layer = (labels: string[], body: object) => (labels.length === 0 ? [] : [{ transform: [{ filter: { field: 'series', oneOf: labels } }], ...body }]);
  const layers = [
    ...layer(only((s) => s.band !== undefined), {
      mark: { type: 'area', opacity: 0.18 },
      encoding: { x: encoding.x, y: { field: 'lower', type: 'quantitative' }, y2: { field: 'upper' }, color: encoding.color, shape: encoding.shape },
    }),
    ...layer(only((s) => s.style !== 'points'), {
      mark: { type: 'line', strokeWidth: 2, clip: true },
      encoding: { x: encoding.x, y: encoding.y, color: encoding.color, strokeDash: encoding.strokeDash, shape: encoding.shape },
    }),
    ...layer(only((s) => s.style === 'points' || s.markers === true), {
      mark: { type: 'point', filled: true, size: 45, opacity: 1 },
      encoding: { x: encoding.x, y: encoding.y, color: encoding.color, strokeDash: encoding.strokeDash, shape: encoding.shape },
    }),
  ];
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: spec.title,
    width: spec.width ?? 560,
    height: spec.height ?? 320,
    background: 'white',
    config: {
      font: 'sans-serif',
      axis: { grid: true, gridColor: '#eee', labelFontSize: 11, titleFontSize: 12 },
      legend: { labelFontSize: 12 },
      title: { fontSize: 14 },
    },
    data: dataName === undefined ? { values: chartValues(spec.series) } : { name: dataName },
    layer: layers,
  } as TopLevelSpec;
}
