// 1-D regression. A wide network trained by gradient descent, its linearization, and
// the closed-form gradient flow with its NTK (gradientDescentMse) agree at every training time.
import { empiricalNtk, gradientDescentMse, linearize, mlp } from 'ntk-wasm';
import { range, savePlot } from './output.js';

const xTrain = [-0.9, -0.6, -0.3, 0, 0.3, 0.6, 0.9].map((v) => [v]);
const yTrain = xTrain.map(([v]) => [Math.sin(3 * v)]);
const grid = range(-1.5, 1.5, 121).map((v) => [v]);
const learningRate = 1;
const times = [10, 100, 1000]; // gradient steps; continuous time t = steps (dt = 1 with η folded in)

const net = mlp({ inputDim: 1, widths: [4096], activation: 'erf', bStd: 0.2, seed: 3 });
const lin = linearize(net);
const flow = gradientDescentMse(empiricalNtk(net, xTrain), yTrain, { learningRate });
const fxTrain0 = net.apply(xTrain);
const fxTest0 = net.apply(grid);
const kTestTrain = empiricalNtk(net, grid, xTrain);
const series = [];
let done = 0;
for (const [index, steps] of times.entries()) {
  net.train(xTrain, yTrain, { learningRate, steps: steps - done });
  lin.train(xTrain, yTrain, { learningRate, steps: steps - done });
  done = steps;
  const fNet = net.apply(grid).data;
  const fLin = lin.apply(grid).data;
  const fNtk = flow.predict({ t: steps, fxTrain0, fxTest0, kTestTrain }).test!.data;
  const gap = (a: Float64Array) => Math.max(...fNet.map((v, i) => Math.abs(v - a[i])));
  console.log(`after ${String(steps).padStart(4)} steps: max |net − linearized| ${gap(fLin).toExponential(2)}, max |net − NTK flow| ${gap(fNtk).toExponential(2)}`);
  const color = ['#1f77b4', '#2ca02c', '#d62728'][index];
  series.push({ label: `network, ${steps} steps`, x: grid.map(([v]) => v), y: fNet, color },
    { label: `NTK flow, t = ${steps}`, x: grid.map(([v]) => v), y: fNtk, style: 'dashed' as const, color });
}
await savePlot('nn-vs-ntk', {
  title: 'Width-4096 erf network vs gradientDescentMse with its NTK',
  xLabel: 'x', yLabel: 'f(x)',
  series: [...series, { label: 'training data', x: xTrain.map(([v]) => v), y: yTrain.map(([v]) => v), style: 'points', color: '#000' }],
});
