// The browser demo: controls → train a network, predict with the analytic NTK flow and the NNGP posterior.
import { backendInfo, gpInference, gradientDescentMse, infiniteMlp, mlp, ready } from '../../src/index.js';
import type { Activation } from '../../src/index.js';
import { linePlot } from '../examples/plot.js';

const xTrain = [-0.9, -0.6, -0.3, 0, 0.3, 0.6, 0.9].map((v) => [v]);
const yTrain = xTrain.map(([v]) => [Math.sin(3 * v)]);
const grid = Array.from({ length: 101 }, (_, i) => [-1.5 + (3 * i) / 100]);
const xs = grid.map(([v]) => v);
const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function update(): void {
  const activation = element<HTMLSelectElement>('activation').value as Activation;
  const depth = Math.max(1, Math.min(4, Math.round(Number(element<HTMLInputElement>('depth').value) || 1)));
  const width = Number(element<HTMLSelectElement>('width').value);
  const steps = Math.round(10 ** Number(element<HTMLInputElement>('time').value));
  const started = performance.now();

  const net = mlp({ inputDim: 1, widths: Array(depth).fill(width), activation, bStd: 0.2, seed: 1 });
  const kernel = infiniteMlp({ depth, activation, bStd: 0.2 });
  const train = kernel.kernels(xTrain);
  const testTrain = kernel.kernels(grid, xTrain);
  // The NTK flow starts from the network's own initial outputs, as the theory compares them.
  const ntkFlow = gradientDescentMse(train.ntk, yTrain)
    .predict({ t: steps, fxTrain0: net.apply(xTrain), fxTest0: net.apply(grid), kTestTrain: testTrain.ntk }).test!;
  const posterior = gpInference(train, yTrain, { diagReg: 1e-4 }).predict('nngp', testTrain, kernel.kernels(grid));
  const sd = xs.map((_, i) => Math.sqrt(Math.max(posterior.covariance!.get(i, i), 0)));

  const { loss } = net.train(xTrain, yTrain, { learningRate: 1, steps });
  const trained = net.apply(grid).data;
  const gap = Math.max(...trained.map((v, i) => Math.abs(v - ntkFlow.data[i])));

  element('plot').innerHTML = linePlot({
    title: `${activation}, depth ${depth}, width ${width}, ${steps} steps`,
    xLabel: 'x', yLabel: 'f(x)', width: 720, height: 420,
    series: [
      { label: 'NNGP mean ± 2σ', x: xs, y: posterior.mean.data, color: '#9467bd',
        band: { lower: posterior.mean.data.map((m, i) => m - 2 * sd[i]), upper: posterior.mean.data.map((m, i) => m + 2 * sd[i]) } },
      { label: 'trained network', x: xs, y: trained, color: '#1f77b4' },
      { label: 'NTK flow (t = steps)', x: xs, y: ntkFlow.data, style: 'dashed', color: '#d62728' },
      { label: 'training data', x: xTrain.map(([v]) => v), y: yTrain.map(([v]) => v), style: 'points', color: '#000' },
    ],
  });
  element('stats').textContent = [
    `training loss ${loss[0].toFixed(4)} → ${loss[steps].toExponential(3)}`,
    `max |network − NTK flow| ${gap.toFixed(4)}`,
    `NNGP σ at x = 1.5: ${sd[100].toFixed(4)}`,
    `computed in ${(performance.now() - started).toFixed(0)} ms`,
  ].join('\n');
  document.body.dataset.state = `ready:${activation}:${depth}:${width}:${steps}`;
}

await ready();
{
  const { backend, simd, threads } = backendInfo();
  element('backend').textContent = backend === 'wasm' ? `wasm (${simd} SIMD, ${threads} threads)` : backend;
}
for (const id of ['activation', 'depth', 'width', 'time']) element(id).addEventListener('input', update);
update();
