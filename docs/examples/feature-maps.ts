// Linear regression on explicit polynomial features (normal equations, gradient descent on θ),
// gradient descent on the dual coefficients α, and kernel ridge with the polynomial kernel all reach the
// same predictions: the kernel trick.
import { KernelRidge, dualGradientDescent, linearRegression, matmul, maxLearningRate, polynomialFeatures, polynomialKernel, randomMatrix } from 'ntk-wasm';
import { savePlot } from './output.js';

const degree = 3;
const ridge = 1e-3;
const steps = 5000;
const x = randomMatrix(40, 2, { seed: 1 });
const xTest = randomMatrix(10, 2, { seed: 2 });
const y = x.toArray().map(([a, b]) => [a * a * b - 0.5 * a + 0.2]);
const kernel = polynomialKernel({ degree });
const phi = polynomialFeatures(x, degree);
const phiTest = polynomialFeatures(xTest, degree);
const learningRate = 0.9 * maxLearningRate(kernel(x));

const closed = new KernelRidge(kernel, { ridge }).fit(x, y).predict(xTest);
const normal = linearRegression(phi, y, { ridge }).predict(phiTest);
const primal = linearRegression(phi, y, { ridge, solver: 'gradientDescent', learningRate, steps });
const dual = dualGradientDescent(kernel(x), y, { ridge, learningRate, steps });
const dualPredictions = matmul(kernel(xTest, x), dual.alpha);
const gap = (a: { data: Float64Array }) => Math.max(...a.data.map((v, i) => Math.abs(v - closed.data[i])));

console.log(`${phi.cols} features for d = 2, degree ${degree} (C(5, 3) = 10); φ(x)·φ(z) = (x·z + 1)^${degree}`);
console.log(`max |prediction − kernel ridge| on 10 test points: normal equations ${gap(normal).toExponential(1)}, ` +
  `GD on θ ${gap(primal.predict(phiTest)).toExponential(1)}, GD on α ${gap(dualPredictions).toExponential(1)}`);
console.log(`training loss after ${steps} steps: primal ${primal.loss![steps].toExponential(3)}, dual ${dual.loss[steps].toExponential(3)}`);

const stepsAxis = Array.from({ length: steps + 1 }, (_, i) => i + 1).filter((_, i) => i % 10 === 0);
await savePlot('feature-maps', {
  title: 'Gradient descent on θ (features) and on α (kernel): the same loss curve',
  xLabel: 'step', yLabel: 'training loss ‖f − y‖²/(2N)', logX: true, logY: true,
  series: [
    { label: 'GD on θ = Σ αᵢφ(xᵢ)', x: stepsAxis, y: stepsAxis.map((s) => primal.loss![s - 1]) },
    { label: 'GD on α', x: stepsAxis, y: stepsAxis.map((s) => dual.loss[s - 1]), style: 'dashed' },
  ],
});
