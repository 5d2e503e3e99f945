// Kernel ridge regression with an RBF, a polynomial and an infinite-width NTK kernel on the Auto MPG data
// (the `cars` table shipped by the vega-datasets npm package): predict miles per gallon from engine size,
// horsepower, weight, acceleration and model year.
import { KernelRidge, infiniteMlp, polynomialKernel, rbfKernel } from 'ntk-wasm';
import { autoMpg } from './auto-mpg.js';
import { savePlot } from './output.js';

const { xTrain, xTest, yTrain: trainMpg, yTest } = autoMpg();
const yMean = trainMpg.reduce((s, v) => s + v, 0) / trainMpg.length;
const yTrain = trainMpg.map((v) => [v - yMean]);

const ntk = infiniteMlp({ depth: 2, activation: 'relu', wStd: Math.SQRT2, bStd: 0.1 });
const models = [
  { name: 'RBF (ℓ = 1.5)', kernel: rbfKernel({ lengthscale: 1.5 }), ridge: 0.5 },
  { name: 'polynomial (degree 3)', kernel: polynomialKernel({ degree: 3, scale: 0.2 }), ridge: 2 },
  { name: 'NTK (ReLU, depth 2)', kernel: ntk.ntk, ridge: 2 },
];
console.log(`${trainMpg.length} training cars, ${yTest.length} test cars; predicting the mean gives ` +
  `RMSE ${Math.sqrt(yTest.reduce((s, y) => s + (y - yMean) ** 2, 0) / yTest.length).toFixed(2)} mpg`);
const series = models.map(({ name, kernel, ridge }) => {
  const predictions = new KernelRidge(kernel, { ridge }).fit(xTrain, yTrain).predict(xTest).data.map((v) => v + yMean);
  const rmse = Math.sqrt(predictions.reduce((s, p, i) => s + (p - yTest[i]) ** 2, 0) / yTest.length);
  console.log(`${name.padEnd(24)} test RMSE ${rmse.toFixed(2)} mpg`);
  return { label: `${name}: RMSE ${rmse.toFixed(2)}`, x: yTest, y: predictions, style: 'points' as const };
});
await savePlot('kernel-regression', {
  title: 'Auto MPG: kernel ridge predictions on held-out cars',
  xLabel: 'actual miles per gallon', yLabel: 'predicted miles per gallon',
  series: [...series, { label: 'perfect', x: [9, 47], y: [9, 47], style: 'dashed', color: '#888' }],
});
