// Convergence as the width grows: slow (wide networks, thousands of training steps), so these run in the
// 'slow' project (`npm run test:slow`) with timeouts sized for a busy 2-core machine.
import { expect, it } from 'vitest';
import { empiricalNtk, gradientDescentMse, infiniteMlp, maxLearningRate, mlp, monteCarloNtk } from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { describeEachBackend } from '../helpers/backends.js';

describeEachBackend('width → ∞', () => {
  const x = uniformMatrix(10, 3, 5, -1, 1);
  const spec = { inputDim: 3, activation: 'relu' as const, bStd: 0.1 };
  const analytic = infiniteMlp({ depth: 1, activation: 'relu', bStd: 0.1 }).ntk(x);
  const relativeError = (m: { data: Float64Array }) =>
    Math.sqrt(m.data.reduce((s, v, i) => s + (v - analytic.data[i]) ** 2, 0) / analytic.data.reduce((s, v) => s + v * v, 0));

  it('monteCarloNtk at width 2048 is within a few percent of the analytic NTK', () => {
    expect(relativeError(monteCarloNtk({ ...spec, widths: [2048] }, x, undefined, { samples: 8 }))).toBeLessThan(0.03);
  });

  it('the empirical NTK error falls like width^(−1/2) from 64 to 4096', () => {
    const widths = [64, 256, 1024, 4096];
    const errors = widths.map((w) => {
      const seeds = [1, 2, 3, 4, 5, 6];
      return Math.sqrt(seeds.reduce((s, seed) => s + relativeError(empiricalNtk(mlp({ ...spec, widths: [w], seed }), x)) ** 2, 0) / seeds.length);
    });
    const logW = widths.map(Math.log);
    const logE = errors.map(Math.log);
    const meanW = logW.reduce((s, v) => s + v, 0) / 4;
    const meanE = logE.reduce((s, v) => s + v, 0) / 4;
    const slope = logW.reduce((s, v, i) => s + (v - meanW) * (logE[i] - meanE), 0) / logW.reduce((s, v) => s + (v - meanW) ** 2, 0);
    expect(slope).toBeGreaterThan(-0.65);
    expect(slope).toBeLessThan(-0.35);
  });

  it('a wide net trained by gradient descent predicts like kernel regression with its NTK, closer as width grows', () => {
    const xTrain = uniformMatrix(8, 3, 6, -1, 1);
    const yTrain = uniformMatrix(8, 1, 7, -1, 1);
    const xTest = uniformMatrix(5, 3, 8, -1, 1);
    // Mean over three seeds of the largest test-point gap; erf keeps the network smooth.
    const gap = (width: number) =>
      [1, 2, 3].reduce((sum, seed) => {
        const net = mlp({ inputDim: 3, activation: 'erf', bStd: 0.1, widths: [width], seed });
        // Kernel regression with the network's own tangent kernel and outputs at initialization.
        const kTrain = empiricalNtk(net, xTrain);
        const kTestTrain = empiricalNtk(net, xTest, xTrain);
        const kernelRegression = gradientDescentMse(kTrain, yTrain).predict({ fxTrain0: net.apply(xTrain), fxTest0: net.apply(xTest), kTestTrain }).test!;
        net.train(xTrain, yTrain, { learningRate: 0.5 * maxLearningRate(kTrain), steps: 3000 });
        const trained = net.apply(xTest);
        return sum + Math.max(...trained.data.map((v, i) => Math.abs(v - kernelRegression.data[i]))) / 3;
      }, 0);
    const narrow = gap(256);
    const wide = gap(4096);
    expect(wide).toBeLessThan(0.6 * narrow);
    expect(wide).toBeLessThan(0.05);
  });
});
