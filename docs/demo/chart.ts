// The demo's chart: a Vega-Lite spec whose data set 'points' the page fills with each result. It is
// compiled to Vega at build time (scripts/demo.mjs), so the page does not load the Vega-Lite compiler and
// no step of drawing is a long task.
import type { TopLevelSpec } from 'vega-lite';
import { type Series, chartSpec } from '../examples/plot.js';

/** What one result draws. */
export interface Curves {
  grid: number[];
  xTrain: number[];
  yTrain: number[];
  trained: ArrayLike<number>;
  flow: ArrayLike<number>;
  mean: ArrayLike<number>;
  sd: ArrayLike<number>;
}

/** The series of one result (labels and styles fixed, so the compiled chart fits every result). */
export function demoSeries(curves: Curves): Series[] {
  const { grid: xs, mean, sd } = curves;
  return [
    { label: 'NNGP mean ± 2σ', x: xs, y: mean, color: '#9467bd',
      band: { lower: Array.from(mean, (m, i) => m - 2 * sd[i]), upper: Array.from(mean, (m, i) => m + 2 * sd[i]) } },
    { label: 'trained network', x: xs, y: curves.trained, color: '#1f77b4' },
    { label: 'NTK flow (t = steps)', x: xs, y: curves.flow, style: 'dashed', color: '#d62728' },
    { label: 'training data', x: curves.xTrain, y: curves.yTrain, style: 'points', color: '#000' },
  ];
}

/** The chart, reading its rows from the data set 'points'. */
export function demoChart(): TopLevelSpec {
  const empty = { grid: [], xTrain: [], yTrain: [], trained: [], flow: [], mean: [], sd: [] };
  return chartSpec({ title: '', xLabel: 'x', yLabel: 'f(x)', width: 600, height: 320, series: demoSeries(empty) }, 'points');
}
