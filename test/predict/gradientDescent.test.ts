// gradientDescent against neural-tangents' predict.gradient_descent re-implemented in numpy and integrated by scipy's
// DOP853 at 1e-13 (test/fixtures/make_gradient_descent.py): mse and cross-entropy, with and without momentum, on train
// and test points at four times; the mse flow against gradientDescentMse's closed form; the checks.
import { expect, it } from 'vitest';
import { Matrix, gradientDescent, gradientDescentMse, maxLearningRate } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

interface DescentCase {
  loss: 'mse' | 'crossEntropy';
  momentum: number | null;
  test: boolean;
  learningRate: number;
  times: number[];
  predictions: { train: number[][]; test?: number[][] }[];
}
const fixture = await loadFixture<{ kernel: number[][]; n: number; y: number[][]; fxTrain0: number[][]; fxTest0: number[][]; cases: DescentCase[] }>(
  'gradient-descent',
);
const { n } = fixture;
const kTrainTrain = fixture.kernel.slice(0, n).map((row) => row.slice(0, n));
const kTestTrain = fixture.kernel.slice(n).map((row) => row.slice(0, n));

describeEachBackend('gradientDescent', () => {
  it("matches neural-tangents' gradient_descent (scipy DOP853 at 1e-13): mse and cross-entropy, momentum, train and test, 4 times", () => {
    expect(fixture.cases.length).toBe(4);
    for (const c of fixture.cases) {
      const flow = gradientDescent(c.loss, kTrainTrain, fixture.y, {
        learningRate: c.learningRate,
        ...(c.momentum === null ? {} : { momentum: c.momentum }),
        tolerance: 1e-12,
      });
      const predictions = flow.predict({ t: c.times, fxTrain0: fixture.fxTrain0, ...(c.test ? { fxTest0: fixture.fxTest0, kTestTrain } : {}) });
      predictions.forEach((p, i) => {
        const label = `${c.loss} momentum ${c.momentum} t=${c.times[i]}`;
        // The integrator's error per step is bounded by 1e-12 of (1 + |f|): over the run, a few times that.
        expectClose(p.train, c.predictions[i].train, 1e-9, `${label} train`, 'normwise');
        if (c.test) expectClose(p.test!, c.predictions[i].test!, 1e-9, `${label} test`, 'normwise');
      });
    }
  });

  it("the mse flow is gradientDescentMse's closed form, to the tolerance asked; losses fall; cross-entropy's value", () => {
    const closed = gradientDescentMse(kTrainTrain, fixture.y, { learningRate: 0.3 });
    const flow = gradientDescent('mse', kTrainTrain, fixture.y, { learningRate: 0.3, tolerance: 1e-11 });
    const times = [0.1, 1, 5, 30];
    const integrated = flow.predict({ t: times, kTestTrain, fxTrain0: fixture.fxTrain0, fxTest0: fixture.fxTest0 });
    times.forEach((t, i) => {
      const exact = closed.predict({ t, kTestTrain, fxTrain0: fixture.fxTrain0, fxTest0: fixture.fxTest0 });
      expectClose(integrated[i].train, exact.train, 1e-9, `t=${t} train`, 'normwise');
      expectClose(integrated[i].test!, exact.test!, 1e-9, `t=${t} test`, 'normwise');
    });
    const losses = integrated.map((p) => p.loss);
    expect(losses.every((v, i) => i === 0 || v < losses[i - 1])).toBe(true);
    const ce = gradientDescent('crossEntropy', [[1]], [[1, 0]]).predict({ t: 0, fxTrain0: [[0, Math.log(3)]] });
    expect(ce.loss).toBeCloseTo(Math.log(4), 14);
    closed.dispose();
  });

  it('takes a loss given by its gradient; maxLearningRate grows with momentum', () => {
    const given = gradientDescent(
      { gradient: (f, y) => f.toArray().map((row, i) => row.map((v, c) => (v - y.get(i, c)) / y.data.length)) },
      kTrainTrain,
      fixture.y,
      {
        tolerance: 1e-11,
      },
    );
    const builtIn = gradientDescent('mse', kTrainTrain, fixture.y, { tolerance: 1e-11 });
    expectClose(given.predict({ t: 2 }).train, builtIn.predict({ t: 2 }).train, 1e-12, 'custom mse');
    expect(Number.isNaN(given.predict({ t: 1 }).loss)).toBe(true);
    expect(maxLearningRate(kTrainTrain, { momentum: 0.9 })).toBeCloseTo(1.9 * maxLearningRate(kTrainTrain), 10);
  });

  it('checks its arguments, naming them, before any work', () => {
    const flow = gradientDescent('crossEntropy', kTrainTrain, fixture.y);
    expect(() => flow.predict({ t: Infinity })).toThrow(new RangeError('gradientDescent.predict: t is Infinity; the integration needs finite times'));
    expect(() => flow.predict({ t: [2, 1] })).toThrow(new RangeError('gradientDescent.predict: t must be in increasing order, got 2 before 1'));
    expect(() => flow.predict(undefined as never)).toThrow(new TypeError('gradientDescent.predict: options with t are required'));
    expect(() => gradientDescent('hinge' as never, kTrainTrain, fixture.y)).toThrow(
      new TypeError(`gradientDescent: loss must be 'mse', 'crossEntropy' or { gradient(f, y), value?(f, y) }, got "hinge"`),
    );
    expect(() => gradientDescent('mse', kTrainTrain, fixture.y, { momentum: 1 })).toThrow(new RangeError('gradientDescent: momentum must be < 1, got 1'));
    expect(() => gradientDescent('mse', kTrainTrain, fixture.y, { tolerance: 0 })).toThrow(new RangeError('gradientDescent: tolerance must be > 0, got 0'));
    const wrongShape = gradientDescent({ gradient: () => [[1]] }, kTrainTrain, fixture.y);
    expect(() => wrongShape.predict({ t: 1 })).toThrow(new RangeError(`gradientDescent.predict: loss.gradient returned 1x1 for outputs ${n}x3`));
    const diverging = gradientDescent('mse', [[1]], [[1]], { learningRate: 1, maxSteps: 10 });
    expect(() => diverging.predict({ t: 1e9 })).toThrow(/gradientDescent.predict: no convergence in 10 steps at t = /);
    expect(flow.predict({ t: 0.5 }).train).toBeInstanceOf(Matrix);
  });
});
