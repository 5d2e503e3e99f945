// Wide networks train lazily. The relative change of the empirical NTK during training
// shrinks with width, and the linearized model f(θ0) + J(θ − θ0) tracks the network.
import { linearize, mlp, randomMatrix, trainWithNtkChange } from 'ntk-wasm';
import { range, savePlot } from './output.js';

const x = randomMatrix(12, 1, { seed: 1 });
const y = x.toArray().map(([v]) => [Math.sin(3 * v)]);
const widths = [32, 128, 512, 2048, 8192];
const changes = widths.map((width) => {
  const { relativeChange, loss } = trainWithNtkChange(mlp({ inputDim: 1, widths: [width], bStd: 0.1, seed: 1 }), x, y, { learningRate: 1, steps: 500 });
  console.log(`width ${String(width).padStart(4)}: ‖Θ(t) − Θ(0)‖/‖Θ(0)‖ = ${relativeChange.toFixed(4)}, loss ${loss[0].toFixed(3)} → ${loss[500].toExponential(2)}`);
  return relativeChange;
});

const grid = range(-1.5, 1.5, 121).map((v) => [v]);
const net = mlp({ inputDim: 1, widths: [2048], bStd: 0.1, seed: 2 });
const lin = linearize(net);
net.train(x, y, { learningRate: 1, steps: 500 });
lin.train(x, y, { learningRate: 1, steps: 500 });
const fNet = net.apply(grid).data;
const fLin = lin.apply(grid).data;
console.log(`width 2048 after 500 steps: max |f_net − f_lin| on [−1.5, 1.5] = ${Math.max(...fNet.map((v, i) => Math.abs(v - fLin[i]))).toExponential(2)}`);

await savePlot('lazy-training', {
  title: 'Relative NTK change during 500 GD steps',
  xLabel: 'width', yLabel: '‖Θ(t) − Θ(0)‖ / ‖Θ(0)‖ (Frobenius)', logX: true, logY: true,
  series: [
    { label: 'measured', x: widths, y: changes, markers: true },
    { label: 'width^(−1/2)', x: widths, y: widths.map((w) => changes[0] * Math.sqrt(widths[0] / w)), style: 'dashed' },
  ],
});
await savePlot('lazy-training-linearized', {
  title: 'Width 2048 after training: network vs its linearization',
  xLabel: 'x', yLabel: 'f(x)',
  series: [
    { label: 'network', x: grid.map(([v]) => v), y: fNet },
    { label: 'linearized', x: grid.map(([v]) => v), y: fLin, style: 'dashed' },
    { label: 'training data', x: x.data, y: y.map(([v]) => v), style: 'points', color: '#000' },
  ],
});
