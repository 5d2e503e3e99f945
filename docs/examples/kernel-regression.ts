// Kernel ridge regression with an RBF, a polynomial and an infinite-width NTK kernel on the Auto MPG data
// (the `cars` table shipped by the vega-datasets npm package): predict miles per gallon from engine size,
// horsepower, weight, acceleration and model year.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { KernelRidge, Matrix, Random, infiniteMlp, polynomialKernel, rbfKernel } from 'ntk-wasm';
import { savePlot } from './output.js';

interface Car { Miles_per_Gallon: number | null; Displacement: number; Horsepower: number | null; Weight_in_lbs: number; Acceleration: number; Year: string }
// The package exports only its loader; the data files sit beside it.
const path = join(dirname(createRequire(import.meta.url).resolve('vega-datasets')), '../data/cars.json');
const cars = (JSON.parse(readFileSync(path, 'utf8')) as Car[]).filter((c) => c.Miles_per_Gallon !== null && c.Horsepower !== null);
const features = cars.map((c) => [c.Displacement, c.Horsepower!, c.Weight_in_lbs, c.Acceleration, Number(c.Year.slice(0, 4))]);
const target = cars.map((c) => c.Miles_per_Gallon!);

// Standardize with training statistics; a seeded 80/20 split.
const random = new Random(2026);
const order = cars.map((_, i) => ({ i, key: random.uniform() })).sort((a, b) => a.key - b.key).map((o) => o.i);
const cut = Math.round(0.8 * order.length);
const [trainIdx, testIdx] = [order.slice(0, cut), order.slice(cut)];
const columns = features[0].length;
const mean = Array.from({ length: columns }, (_, j) => trainIdx.reduce((s, i) => s + features[i][j], 0) / trainIdx.length);
const sd = Array.from({ length: columns }, (_, j) => Math.sqrt(trainIdx.reduce((s, i) => s + (features[i][j] - mean[j]) ** 2, 0) / trainIdx.length));
const standardize = (idx: number[]) => Matrix.from(idx.map((i) => features[i].map((v, j) => (v - mean[j]) / sd[j])));
const yMean = trainIdx.reduce((s, i) => s + target[i], 0) / trainIdx.length;
const xTrain = standardize(trainIdx);
const xTest = standardize(testIdx);
const yTrain = trainIdx.map((i) => [target[i] - yMean]);
const yTest = testIdx.map((i) => target[i]);

const ntk = infiniteMlp({ depth: 2, activation: 'relu', wStd: Math.SQRT2, bStd: 0.1 });
const models = [
  { name: 'RBF (ℓ = 1.5)', kernel: rbfKernel({ lengthscale: 1.5 }), ridge: 0.5 },
  { name: 'polynomial (degree 3)', kernel: polynomialKernel({ degree: 3, scale: 0.2 }), ridge: 2 },
  { name: 'NTK (ReLU, depth 2)', kernel: ntk.ntk, ridge: 2 },
];
console.log(`${trainIdx.length} training cars, ${testIdx.length} test cars; predicting the mean gives ` +
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
