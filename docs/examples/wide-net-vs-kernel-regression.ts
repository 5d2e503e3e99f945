// A wide network trained by gradient descent ends where kernel regression with its NTK ends.
// For growing widths, train a one-hidden-layer erf network to convergence and compare its test
// predictions with gradientDescentMse(t = ∞) started from the same initial outputs, using the
// network's own NTK at initialization and the infinite-width NTK.
import { empiricalNtk, gradientDescentMse, infiniteMlp, maxLearningRate, mlp, randomMatrix } from 'ntk-wasm';
import { savePlot } from './output.js';

const xTrain = randomMatrix(8, 3, { seed: 6 });
const yTrain = randomMatrix(8, 1, { seed: 7 });
const xTest = randomMatrix(5, 3, { seed: 8 });
const analytic = infiniteMlp({ depth: 1, activation: 'erf', bStd: 0.1 });
const analyticTrain = analytic.ntk(xTrain);
const analyticTestTrain = analytic.ntk(xTest, xTrain);

console.log('width   max |net − kernel regression| (own NTK)   (infinite-width NTK)');
const widths = [64, 256, 1024, 4096, 16384];
const gapsOwn: number[] = [];
const gapsLimit: number[] = [];
for (const width of widths) {
  const net = mlp({ inputDim: 3, widths: [width], activation: 'erf', bStd: 0.1, seed: 1 });
  const fxTrain0 = net.apply(xTrain);
  const fxTest0 = net.apply(xTest);
  const kTrain = empiricalNtk(net, xTrain);
  const own = gradientDescentMse(kTrain, yTrain).predict({ fxTrain0, fxTest0, kTestTrain: empiricalNtk(net, xTest, xTrain) }).test!;
  const limit = gradientDescentMse(analyticTrain, yTrain).predict({ fxTrain0, fxTest0, kTestTrain: analyticTestTrain }).test!;
  net.train(xTrain, yTrain, { learningRate: 0.5 * maxLearningRate(kTrain), steps: 3000 });
  const trained = net.apply(xTest).data;
  const gap = (reference: Float64Array) => Math.max(...trained.map((v, i) => Math.abs(v - reference[i])));
  gapsOwn.push(gap(own.data));
  gapsLimit.push(gap(limit.data));
  console.log(`${String(width).padStart(5)}   ${gap(own.data).toExponential(2).padStart(26)}   ${gap(limit.data).toExponential(2).padStart(22)}`);
}
await savePlot('wide-net-vs-kernel-regression', {
  title: 'Trained erf network vs kernel regression with its NTK (5 test points)',
  xLabel: 'width', yLabel: 'max gap on test points', logX: true, logY: true,
  series: [
    { label: "kernel regression with the network's own NTK at initialization", x: widths, y: gapsOwn, markers: true },
    { label: 'kernel regression with the infinite-width NTK', x: widths, y: gapsLimit, markers: true, style: 'dashed' },
  ],
});
