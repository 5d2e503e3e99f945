// An infinitely wide network at initialization is a Gaussian process (the NNGP); conditioning
// on data gives the posterior mean and a ±2σ band. The 'ntk' posterior is the distribution of an
// infinite ensemble of wide networks trained by gradient descent to convergence.
import { gpInference, infiniteMlp } from 'ntk-wasm';
import { range, savePlot } from './output.js';

const xTrain = [-1.2, -0.7, -0.2, 0.4, 0.8, 1.3].map((v) => [v]);
const yTrain = xTrain.map(([v]) => [Math.sin(2 * v) + 0.3 * v]);
const grid = range(-2, 2, 121).map((v) => [v]);
const kernel = infiniteMlp({ depth: 2, activation: 'erf', wStd: 1.5, bStd: 0.5 });
const gp = gpInference(kernel.kernels(xTrain), yTrain, { diagReg: 1e-4 });
const testTrain = kernel.kernels(grid, xTrain);
const testTest = kernel.kernels(grid);
const band = (mode: 'nngp' | 'ntk') => {
  const { mean, covariance } = gp.predict(mode, testTrain, testTest);
  const sd = grid.map((_, i) => Math.sqrt(Math.max(covariance!.get(i, i), 0)));
  return { mean: mean.data, lower: mean.data.map((m, i) => m - 2 * sd[i]), upper: mean.data.map((m, i) => m + 2 * sd[i]), sd };
};
const nngp = band('nngp');
const ntk = band('ntk');
const at = (v: number) => grid.findIndex(([g]) => Math.abs(g - v) < 1e-9);
console.log(`NNGP posterior σ: at a training point (x = 0.4) ${nngp.sd[at(0.4)].toExponential(2)}, ` +
  `between points (x = 0.1) ${nngp.sd[at(0.1)].toFixed(3)}, far away (x = 2) ${nngp.sd[at(2)].toFixed(3)}`);
console.log(`NTK-ensemble posterior σ: at x = 0.4 ${ntk.sd[at(0.4)].toExponential(2)}, at x = 0.1 ${ntk.sd[at(0.1)].toFixed(4)}, at x = 2 ${ntk.sd[at(2)].toFixed(4)}`);
const xs = grid.map(([v]) => v);
await savePlot('gp-posterior', {
  title: 'NNGP posterior of an infinitely wide erf network (mean ± 2σ)',
  xLabel: 'x', yLabel: 'f(x)',
  series: [
    { label: 'NNGP mean ± 2σ', x: xs, y: nngp.mean, band: { lower: nngp.lower, upper: nngp.upper } },
    { label: 'NTK ensemble mean', x: xs, y: ntk.mean, style: 'dashed' },
    { label: 'training data', x: xTrain.map(([v]) => v), y: yTrain.map(([v]) => v), style: 'points', color: '#000' },
  ],
});
