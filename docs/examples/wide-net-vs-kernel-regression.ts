// Seed 002: a wide network trained by gradient descent ends where kernel regression with its NTK ends.
// For growing widths, train a one-hidden-layer erf network to convergence and compare its test
// predictions with gradientDescentMse(t = ∞) started from the same initial outputs, using the
// network's own NTK at initialization and the infinite-width NTK.
// Run: npx tsx docs/examples/wide-net-vs-kernel-regression.ts
import { empiricalNtk, gradientDescentMse, infiniteMlp, maxLearningRate, mlp, ready } from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';

await ready();
const xTrain = uniformMatrix(8, 3, 6, -1, 1);
const yTrain = uniformMatrix(8, 1, 7, -1, 1);
const xTest = uniformMatrix(5, 3, 8, -1, 1);
const analytic = infiniteMlp({ depth: 1, activation: 'erf', bStd: 0.1 });
const analyticTrain = analytic.ntk(xTrain);
const analyticTestTrain = analytic.ntk(xTest, xTrain);

console.log('width   max |net − kernel regression| (own NTK)   (infinite-width NTK)');
for (const width of [64, 256, 1024, 4096, 16384]) {
  const net = mlp({ inputDim: 3, widths: [width], activation: 'erf', bStd: 0.1, seed: 1 });
  const fxTrain0 = net.apply(xTrain);
  const fxTest0 = net.apply(xTest);
  const kTrain = empiricalNtk(net, xTrain);
  const own = gradientDescentMse(kTrain, yTrain).predict({ fxTrain0, fxTest0, kTestTrain: empiricalNtk(net, xTest, xTrain) }).test!;
  const limit = gradientDescentMse(analyticTrain, yTrain).predict({ fxTrain0, fxTest0, kTestTrain: analyticTestTrain }).test!;
  net.train(xTrain, yTrain, { learningRate: 0.5 * maxLearningRate(kTrain), steps: 3000 });
  const trained = net.apply(xTest).data;
  const gap = (reference: Float64Array) => Math.max(...trained.map((v, i) => Math.abs(v - reference[i])));
  console.log(`${String(width).padStart(5)}   ${gap(own.data).toExponential(2).padStart(26)}   ${gap(limit.data).toExponential(2).padStart(22)}`);
}
