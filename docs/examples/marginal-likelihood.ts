// Choosing a deep NNGP's hyperparameters by the data: the Auto MPG cars of vega-datasets (engine size, horsepower,
// weight, acceleration, model year → miles per gallon), a depth-3 ReLU NNGP whose wStd, bStd and noise variance are fitted
// by maximizing the Gaussian-process log marginal likelihood of the training cars (fitHyperparameters: L-BFGS with the
// kernel's exact hyperparameter derivatives), against the same NNGP at hand-picked values and an RBF kernel fitted the
// same way (scikit-learn's recipe). Prints log p(y) and the test RMSE of each posterior mean; draws log p(y) against the
// shared wStd, at the fitted bStd and noise and at two other bStd, with the fitted point.
import { type Kernel, KernelRidge, Matrix, dense, fitHyperparameters, infinite, logMarginalLikelihood, rbfKernel, relu, serial } from 'ntk-wasm';
import { autoMpg } from './auto-mpg.js';
import { range, savePlot } from './output.js';

// The targets standardized with the training cars' mean and standard deviation.
const { xTrain, xTest, yTrain: trainMpg, yTest } = autoMpg();
const yMean = trainMpg.reduce((s, v) => s + v, 0) / trainMpg.length;
const ySd = Math.sqrt(trainMpg.reduce((s, v) => s + (v - yMean) ** 2, 0) / trainMpg.length);
const yTrain = Matrix.from(trainMpg.map((v) => [(v - yMean) / ySd]));

const layers = (wStd: number, bStd: number) =>
  serial(dense(512, { wStd, bStd }), relu(), dense(512, { wStd, bStd }), relu(), dense(512, { wStd, bStd }), relu(), dense(1, { wStd, bStd }));
const handPicked = infinite(layers(1.5, 0.1), { inputShape: [5] });
const names = Object.keys(handPicked.hyperparameters());
const shared = [names.filter((n) => n.endsWith('wStd')), names.filter((n) => n.endsWith('bStd'))];

/** Test RMSE in mpg of the posterior mean under a kernel with noise variance `noise`. */
const rmse = (kernel: Kernel, noise: number) => {
  const mean = new KernelRidge(kernel, { ridge: noise }).fit(xTrain, yTrain).predict(xTest).data;
  return Math.sqrt(yTest.reduce((s, v, t) => s + (mean[t] * ySd + yMean - v) ** 2, 0) / yTest.length);
};
const logLikelihood = (wStd: number, bStd: number, noise: number) =>
  logMarginalLikelihood(infinite(layers(wStd, bStd), { inputShape: [5] }), xTrain, yTrain, { noise }).value;

console.log(`${trainMpg.length} training cars, ${yTest.length} test cars`);
const rows: [string, number, number][] = [];
rows.push(['NNGP, wStd 1.5, bStd 0.1, noise 0.1 (hand-picked)', logLikelihood(1.5, 0.1, 0.1), rmse(handPicked.nngp, 0.1)]);
const start = performance.now();
const fit = fitHyperparameters(handPicked, xTrain, yTrain, { hyperparameters: shared, noise: 0.1 });
const seconds = (performance.now() - start) / 1000;
const [wStd, bStd] = [fit.hyperparameters[names[0]], fit.hyperparameters[names[1]]];
rows.push([`NNGP fitted: wStd ${wStd.toFixed(3)}, bStd ${bStd.toFixed(3)}, noise ${fit.noise.toFixed(4)}`, fit.logMarginalLikelihood, rmse(fit.model!.nngp, fit.noise)]);
const each = fitHyperparameters(handPicked, xTrain, yTrain, { noise: 0.1 });
rows.push([`NNGP fitted, each layer its own (8 + noise)`, each.logMarginalLikelihood, rmse(each.model!.nngp, each.noise)]);
const rbf = fitHyperparameters(rbfKernel(), xTrain, yTrain, { noise: 0.1 });
rows.push([`RBF fitted: ℓ ${rbf.hyperparameters.lengthscale.toFixed(3)}, noise ${rbf.noise.toFixed(4)}`, rbf.logMarginalLikelihood, rmse(rbf.kernel!, rbf.noise)]);
for (const [name, lml, error] of rows) console.log(`${name.padEnd(58)} log p(y) ${lml.toFixed(2).padStart(8)}   test RMSE ${error.toFixed(2)} mpg`);
console.log(`shared fit: ${fit.iterations} L-BFGS iterations, ${fit.evaluations} evaluations, ${seconds.toFixed(2)} s`);

const grid = range(0.9, 2.2, 27);
await savePlot('marginal-likelihood', {
  title: 'Auto MPG, depth-3 ReLU NNGP: log marginal likelihood of the training cars',
  xLabel: 'wStd (every layer)',
  yLabel: 'log p(y)',
  series: [
    ...[0.05, bStd, 1].map((b) => ({ label: `bStd ${b.toFixed(3)}`, x: grid, y: grid.map((w) => logLikelihood(w, b, fit.noise)) })),
    { label: `fitted: wStd ${wStd.toFixed(3)}, bStd ${bStd.toFixed(3)}`, x: [wStd], y: [fit.logMarginalLikelihood], style: 'points' as const, color: '#d62728' },
  ],
});
