// fitHyperparameters (src/infinite/fit.ts) against optima found outside the library (test/fixtures/make_fit.py):
// scikit-learn's GaussianProcessRegressor(RBF + WhiteKernel) from the same start, and a ReLU NNGP written in PyTorch
// whose marginal likelihood scipy's L-BFGS-B maximized with autograd gradients; both backends.
import { expect, it } from 'vitest';
import {
  Matrix,
  conv,
  dense,
  fitHyperparameters,
  elementwise,
  flatten,
  infinite,
  linearKernel,
  logMarginalLikelihood,
  rbfKernel,
  relu,
  serial,
} from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectRelative } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';

interface RbfCase {
  x: Rows;
  y: Rows;
  start: { lengthscale: number; noise: number };
  startLogMarginalLikelihood: number;
  /** With respect to log ℓ and log σ² (scikit-learn's kernel.theta). */
  startGradient: number[];
  lengthscale: number;
  noise: number;
  logMarginalLikelihood: number;
}
interface NngpCase {
  x: Rows;
  y: Rows;
  start: number[];
  fitted: number[];
  startLogMarginalLikelihood: number;
  /** With respect to the logarithms of w1, w2, w3, b1, b2, b3 and the noise. */
  startGradient: number[];
  optimum: number[];
  logMarginalLikelihood: number;
}
const fixture = await loadFixture<{ rbf: RbfCase; rbfTwoTargets: RbfCase; reluNngp: NngpCase }>('fit');

/** The fixture's network: dense → relu → dense → relu → dense, wStd and bStd of each from `values` (w1, w2, w3, b1, b2, b3). */
const reluModel = (values: number[]) =>
  infinite(
    serial(
      dense(512, { wStd: values[0], bStd: values[3] }),
      relu(),
      dense(512, { wStd: values[1], bStd: values[4] }),
      relu(),
      dense(1, { wStd: values[2], bStd: values[5] }),
    ),
    { inputShape: [3] },
  );
// The fixtures' optima are known to about 1e-9: run to the rounding of the likelihood.
const TIGHT = { tolerance: 1e-9, relativeTolerance: 0 };
const NAMES = ['model.serial[0].wStd', 'model.serial[2].wStd', 'model.serial[4].wStd', 'model.serial[0].bStd', 'model.serial[2].bStd', 'model.serial[4].bStd'];

describeEachBackend('fitHyperparameters', () => {
  for (const name of ['rbf', 'rbfTwoTargets'] as const) {
    it(`an RBF kernel with white noise (${name}): scikit-learn's optimum from the same start`, () => {
      const c = fixture[name];
      const fit = fitHyperparameters(rbfKernel({ lengthscale: c.start.lengthscale }), c.x, c.y, { noise: c.start.noise, ...TIGHT });
      expect(fit.converged).toBe(true);
      expectRelative(fit.hyperparameters.lengthscale, c.lengthscale, 1e-6, `${name}: length scale`);
      expectRelative(fit.noise, c.noise, 1e-6, `${name}: noise`);
      expectRelative(fit.logMarginalLikelihood, c.logMarginalLikelihood, 1e-9, `${name}: log marginal likelihood`);
      expect(fit.kernel!(c.x).get(0, 1)).toBeCloseTo(rbfKernel({ lengthscale: fit.hyperparameters.lengthscale })(c.x).get(0, 1), 15);
    });
  }

  it("a ReLU NNGP's first-layer wStd and bStd with the noise: the optimum of the PyTorch model", () => {
    const c = fixture.reluNngp;
    const model = reluModel(c.start);
    const names = c.fitted.filter((i) => i < 6).map((i) => NAMES[i]);
    const fit = fitHyperparameters(model, c.x, c.y, { hyperparameters: names, noise: c.start[6], ...TIGHT });
    expect(fit.converged).toBe(true);
    expect(Object.keys(fit.hyperparameters)).toEqual(names);
    c.fitted.forEach((i) =>
      i < 6 ? expectRelative(fit.hyperparameters[NAMES[i]], c.optimum[i], 1e-6, NAMES[i]) : expectRelative(fit.noise, c.optimum[6], 1e-6, 'noise'),
    );
    expectRelative(fit.logMarginalLikelihood, c.logMarginalLikelihood, 1e-9, 'log marginal likelihood');
    expect(fit.model!.hyperparameters()[NAMES[0]]).toBe(fit.hyperparameters[NAMES[0]]);
    expect(fit.model!.hyperparameters()[NAMES[1]]).toBe(c.start[1]);
  });

  it('logMarginalLikelihood: the value and gradient scikit-learn and PyTorch autograd give at the start', () => {
    for (const name of ['rbf', 'rbfTwoTargets'] as const) {
      const c = fixture[name];
      const { value, gradient, noise } = logMarginalLikelihood(rbfKernel({ lengthscale: c.start.lengthscale }), c.x, c.y, { noise: c.start.noise });
      expectRelative(value, c.startLogMarginalLikelihood, 1e-12, `${name}: log p(y)`);
      expectRelative(c.start.lengthscale * gradient.lengthscale, c.startGradient[0], 1e-11, `${name}: ∂/∂log ℓ`);
      expectRelative(c.start.noise * noise, c.startGradient[1], 1e-11, `${name}: ∂/∂log σ²`);
    }
    const c = fixture.reluNngp;
    const { value, gradient, noise } = logMarginalLikelihood(reluModel(c.start), c.x, c.y, { noise: c.start[6] });
    expectRelative(value, c.startLogMarginalLikelihood, 1e-12, 'ReLU NNGP: log p(y)');
    NAMES.forEach((name, i) => expectRelative(c.start[i] * gradient[name], c.startGradient[i], 1e-10, `ReLU NNGP: ∂/∂log ${name}`));
    expectRelative(c.start[6] * noise, c.startGradient[6], 1e-10, 'ReLU NNGP: ∂/∂log σ²');
  });

  it("names in a group share one value: every layer's wStd and every bStd as two hyperparameters", () => {
    const c = fixture.reluNngp;
    const model = reluModel([1.2, 1.2, 1.2, 0.3, 0.3, 0.3]);
    const groups = [NAMES.slice(0, 3), NAMES.slice(3)];
    const fit = fitHyperparameters(model, c.x, c.y, { hyperparameters: groups, noise: 0.1, ...TIGHT });
    expect(fit.converged).toBe(true);
    expect(Object.keys(fit.hyperparameters)).toEqual(NAMES);
    expect(new Set(NAMES.slice(0, 3).map((name) => fit.hyperparameters[name])).size).toBe(1);
    // At the optimum the likelihood is stationary along each group: a step either way lowers it.
    const [w, b] = [fit.hyperparameters[NAMES[0]], fit.hyperparameters[NAMES[3]]];
    for (const [dw, db] of [
      [1e-3, 0],
      [-1e-3, 0],
      [0, 1e-3],
      [0, -1e-3],
    ]) {
      const moved = reluModel([w * (1 + dw), w * (1 + dw), w * (1 + dw), b * (1 + db), b * (1 + db), b * (1 + db)]);
      const other = fitHyperparameters(moved, c.x, c.y, { hyperparameters: groups, noise: fit.noise, fitNoise: false, maxIterations: 1 });
      expect(other.logMarginalLikelihood).toBeLessThanOrEqual(fit.logMarginalLikelihood + 1e-9);
    }
    expect(() => fitHyperparameters(reluModel([1.2, 1.3, 1.2, 0.3, 0.3, 0.3]), c.x, c.y, { hyperparameters: groups })).toThrow(
      /share one value in the fit but start apart/,
    );
  });

  it("a CNN's convolutions: the likelihood's gradient equals its central differences, and the fit climbs to a stationary point", () => {
    const images = Array.from({ length: 12 }, (_, i) => Array.from({ length: 12 }, (_, p) => Math.sin(0.7 * i + 1.3 * p) + 0.1 * Math.cos(3 * i * p)));
    const y = images.map((row) => [row.slice(0, 6).reduce((s, v) => s + v, 0) / 3 - row[7]]);
    const cnn = (w: number, b: number) =>
      infinite(serial(conv(3, [3], { wStd: w, bStd: b, padding: 'SAME' }), relu(), conv(3, [2], { wStd: 1.2, bStd: 0.1 }), relu(), flatten(), dense(1)), {
        inputShape: [6, 2],
      });
    const [wName, bName] = ['model.serial[0].wStd', 'model.serial[0].bStd'];
    const { value, gradient } = logMarginalLikelihood(cnn(1.3, 0.2), images, y, { noise: 0.05 });
    const h = 1e-5;
    const central = (dw: number, db: number) =>
      (logMarginalLikelihood(cnn(1.3 + dw, 0.2 + db), images, y, { noise: 0.05 }).value -
        logMarginalLikelihood(cnn(1.3 - dw, 0.2 - db), images, y, { noise: 0.05 }).value) /
      (2 * h);
    expectRelative(gradient[wName], central(h, 0), 1e-6, '∂ log p/∂wStd of the first convolution [12 images of 6 × 2]');
    expectRelative(gradient[bName], central(0, h), 1e-6, '∂ log p/∂bStd of the first convolution [12 images of 6 × 2]');
    const fit = fitHyperparameters(cnn(1.3, 0.2), images, y, { hyperparameters: [wName, bName], noise: 0.05, fitNoise: false, ...TIGHT });
    expect(fit.logMarginalLikelihood).toBeGreaterThan(value);
    const atOptimum = logMarginalLikelihood(cnn(fit.hyperparameters[wName], fit.hyperparameters[bName]), images, y, { noise: fit.noise });
    expect(fit.converged).toBe(true);
    for (const name of [wName, bName])
      expect(Math.abs(fit.hyperparameters[name] * atOptimum.gradient[name]), `∂ log p/∂log ${name} at the optimum (${fit.iterations} iterations)`).toBeLessThan(
        1e-7,
      );
  });

  it('stops between iterations when its signal is aborted, throwing the reason', () => {
    const c = fixture.rbf;
    const controller = new AbortController();
    let iterations = 0;
    const run = () =>
      fitHyperparameters(rbfKernel(), c.x, c.y, {
        noise: 1,
        signal: controller.signal,
        onProgress: () => {
          if (++iterations === 2) controller.abort();
        },
      });
    expect(run).toThrow(/aborted/);
    expect(iterations).toBe(2);
    expect(() => fitHyperparameters(rbfKernel(), c.x, c.y, { signal: 'stop' as never })).toThrow(/signal must be an AbortSignal/);
  });

  it('the noise can stay fixed, and progress is reported per iteration', () => {
    const c = fixture.rbf;
    const seen: number[] = [];
    const fit = fitHyperparameters(rbfKernel(), c.x, c.y, { noise: 0.01, fitNoise: false, onProgress: (_i, lml) => seen.push(lml) });
    expect(fit.noise).toBe(0.01);
    expect(seen.length).toBe(fit.iterations);
    // Each iteration increases the likelihood (Armijo steps).
    seen.slice(1).forEach((v, i) => expect(v).toBeGreaterThanOrEqual(seen[i]));
  });

  it('refuses bad input before any work, naming the argument', () => {
    const c = fixture.reluNngp;
    const model = reluModel(c.start);
    const fn = /fitHyperparameters/;
    expect(() => fitHyperparameters(linearKernel(), c.x, c.y)).toThrow(/the target must be an infinite-width model \(infinite\(…\)\) or an RBF kernel/);
    expect(() => fitHyperparameters(model, c.x, c.y.slice(1))).toThrow(/x has 25 rows but y is 24x1/);
    expect(() => fitHyperparameters(model, c.x, c.y, { hyperparameters: ['model.serial[1].wStd'] })).toThrow(
      /'model.serial\[1\].wStd' is not a hyperparameter/,
    );
    expect(() => fitHyperparameters(model, c.x, c.y, { noise: 0 })).toThrow(/noise must be > 0/);
    expect(() => fitHyperparameters(model, c.x, c.y, { maxIterations: 1.5 })).toThrow(/maxIterations must be an integer/);
    expect(() => fitHyperparameters(model, c.x, c.y, { kernel: 'cntk' as never })).toThrow(/kernel must be one of 'nngp', 'ntk'/);
    expect(() => fitHyperparameters(model, c.x, c.y, { learningRate: 1 } as never)).toThrow(/unknown option 'learningRate'/);
    expect(() =>
      fitHyperparameters(
        model,
        c.x,
        c.y.map((row, i) => (i === 3 ? [NaN] : row)),
      ),
    ).toThrow(fn);
    expect(() => fitHyperparameters(rbfKernel(), fixture.rbf.x, fixture.rbf.y, { hyperparameters: ['gamma'] })).toThrow(
      /an RBF kernel has one hyperparameter, 'lengthscale'/,
    );
    const noBias = infinite(serial(dense(8), relu(), dense(1, { bStd: 0 })), { inputShape: [3] });
    expect(() => fitHyperparameters(noBias, c.x, c.y, { hyperparameters: ['model.serial[2].bStd'] })).toThrow(
      /model.serial\[2\].bStd is 0; the fit works on log scales/,
    );
    const custom = infinite(
      serial(
        dense(8),
        elementwise((v: number) => v * v, { nngpFn: (q1: number, q2: number, s: number) => q1 * q2 + 2 * s * s }),
        dense(1),
      ),
      { inputShape: [3] },
    );
    expect(() => fitHyperparameters(custom, c.x, c.y)).toThrow(/fitHyperparameters: the model's elementwise layer has no hyperparameter derivatives/);
    expect(() => fitHyperparameters(model, c.x, new Matrix(25, 0))).toThrow(fn);
    // The model is unchanged and still works.
    expect(model.hyperparameters()[NAMES[0]]).toBe(c.start[0]);
  });
});
