import { describe, expect, it } from 'vitest';
import { eulerFlow, gradientDescentMse, maxLearningRate, rbfKernel } from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';

const { gradientDescentMse: fixture } = await loadFixture<{
  gradientDescentMse: {
    kTrainTrain: Rows;
    kTestTrain: Rows;
    yTrain: Rows;
    fxTrain0: Rows;
    fxTest0: Rows;
    learningRate: number;
    diagReg: number;
    cases: { t: number | 'Infinity'; train: Rows; test: Rows }[];
    maxLearningRate: number;
  };
}>('kernels');

describeEachBackend('gradientDescentMse', () => {
  const model = gradientDescentMse(fixture.kTrainTrain, fixture.yTrain, { learningRate: fixture.learningRate, diagReg: fixture.diagReg });
  for (const c of fixture.cases) {
    it(`matches the expm/solve formulas (numpy, scipy) at t = ${c.t}, two outputs, with test points`, () => {
      const t = c.t === 'Infinity' ? Infinity : c.t;
      const { train, test } = model.predict({ t, fxTrain0: fixture.fxTrain0, fxTest0: fixture.fxTest0, kTestTrain: fixture.kTestTrain });
      expectClose(train, c.train, 1e-9, 'train');
      expectClose(test!, c.test, 1e-9, 'test');
    });
  }

  it('at t = ∞ the train outputs equal y, at t = 0 they equal f₀', () => {
    const x = uniformMatrix(20, 3, 1);
    const k = rbfKernel()(x);
    const y = uniformMatrix(20, 2, 2);
    const f0 = uniformMatrix(20, 2, 3);
    const predictor = gradientDescentMse(k, y);
    expectClose(predictor.predict({ fxTrain0: f0 }).train, y, 1e-15);
    expectClose(predictor.predict({ t: 0, fxTrain0: f0 }).train, f0, 1e-12);
    expectClose(predictor.predict({ t: 1e9, fxTrain0: f0 }).train, y, 1e-8);
  });

  it('takes an array of times: the same predictions as one call per time, from one eigendecomposition', () => {
    const k = [
      [3, 1, 0.5],
      [1, 2, 0.2],
      [0.5, 0.2, 1.5],
    ];
    const model = gradientDescentMse(k, [[1], [-1], [0.5]], { learningRate: 0.7 });
    const times = [0, 0.3, 4, Infinity];
    const all = model.predict({ t: times, kTestTrain: [[0.4, 0.1, 0.9]], fxTrain0: 0.2 });
    expect(all.length).toBe(4);
    times.forEach((t, i) => {
      const one = model.predict({ t, kTestTrain: [[0.4, 0.1, 0.9]], fxTrain0: 0.2 });
      expect(Array.from(all[i].train.data)).toEqual(Array.from(one.train.data));
      expect(Array.from(all[i].test!.data)).toEqual(Array.from(one.test!.data));
    });
    expect(() => model.predict({ t: [1, -2] })).toThrow(new RangeError('gradientDescentMse.predict: t[1] must be ≥ 0, got -2'));
    expect(() => model.predict({ t: [] })).toThrow(new RangeError('gradientDescentMse.predict: t is an empty array; give at least one time'));
  });

  it('only η·t matters', () => {
    const k = [
      [3, 1],
      [1, 2],
    ];
    const a = gradientDescentMse(k, [1, 2], { learningRate: 2 }).predict({ t: 0.7, kTestTrain: [[1, 1]] });
    const b = gradientDescentMse(k, [1, 2], { learningRate: 0.7 }).predict({ t: 2, kTestTrain: [[1, 1]] });
    expectClose(a.train, b.train, 1e-13);
    expectClose(a.test!, b.test!, 1e-13);
  });

  it('handles a singular kernel at finite t (expm1(−ηλt/N)/λ → −ηt/N)', () => {
    const k = [
      [1, 1],
      [1, 1],
    ]; // eigenvalues 0 and 2
    const { train, test } = gradientDescentMse(k, [1, 1]).predict({ t: 1, kTestTrain: [[1, 1]] });
    // along [1, 1]/√2 (λ = 2): u = y(1 − e^{−t}); test = K_*·K⁻¹(I − e^{−Kt/N})·y = 1 − e^{−1}
    expectClose(train, [[1 - Math.exp(-1)], [1 - Math.exp(-1)]], 1e-13);
    expectClose(test!, [[1 - Math.exp(-1)]], 1e-13);
  });

  it('names shapes and the regularizer on bad input', () => {
    expect(() =>
      gradientDescentMse(
        [
          [1, 0],
          [0, 1],
        ],
        [[1, 2, 3]],
      ),
    ).toThrow(/gradientDescentMse: kTrainTrain has 2 rows but yTrain is 1x3/);
    const singular = gradientDescentMse(
      [
        [1, 1],
        [1, 1],
      ],
      [1, 2],
    );
    expect(() => singular.predict({ kTestTrain: [[1, 0]] })).toThrow(/not positive definite.*diagReg/);
    expect(() => singular.predict({ t: -1 })).toThrow(/t must be ≥ 0/);
    expect(() => singular.predict({ kTestTrain: [[1, 0, 0]] })).toThrow(/kTestTrain is 1x3 but there are 2 training points/);
    expect(() => singular.predict({ fxTrain0: [[1]] })).toThrow(/fxTrain0 is 1x1 but the outputs are 2x1/);
    expect(() =>
      gradientDescentMse(
        [
          [1, 2],
          [3, 4],
        ],
        [1, 2],
      ),
    ).toThrow(/not symmetric/);
    expect(() => gradientDescentMse([[1]], [1], { diagReg: -1 })).toThrow(/diagReg must be ≥ 0/);
  });
});

describeEachBackend('maxLearningRate', () => {
  it('is 2·N/λ_max, matching numpy', () => {
    expectClose([maxLearningRate(fixture.kTrainTrain, { outputs: 2 })], [fixture.maxLearningRate], 1e-12);
    expectClose(
      [
        maxLearningRate([
          [2, 1],
          [1, 2],
        ]),
      ],
      [4 / 3],
      1e-14,
    );
  });

  it('separates convergence from divergence of Euler steps with dt = 1', () => {
    const k = rbfKernel()(uniformMatrix(10, 2, 4));
    const limit = maxLearningRate(k);
    const final = (learningRate: number) => eulerFlow(k, new Array(10).fill(1), { learningRate, dt: 1, steps: 3000 }).train.at(-1)!;
    // Below the limit every mode contracts (slow ones slowly); above it the top mode grows like 1.1^steps.
    expect(Math.max(...final(0.95 * limit).data.map(Math.abs))).toBeLessThan(1.5);
    expect(Math.max(...final(1.05 * limit).data.map(Math.abs))).toBeGreaterThan(1e3);
  });
});

describe('gradientDescentMse: wasm and ts agree', () => {
  it('to 1e-9 at n = 150', async () => {
    const { BACKENDS } = await import('../helpers/backends.js');
    const { ready, setBackend } = await import('../../src/index.js');
    await ready();
    const x = uniformMatrix(150, 4, 7);
    const k = rbfKernel({ lengthscale: 1.5 });
    const results = BACKENDS.map((backend) => {
      setBackend(backend);
      return gradientDescentMse(k(x), uniformMatrix(150, 3, 8), { diagReg: 1e-3 }).predict({ t: 5, kTestTrain: k(uniformMatrix(9, 4, 9), x) });
    });
    expectClose(results[0].train, results[1].train, 1e-9, 'train');
    expectClose(results[0].test!, results[1].test!, 1e-9, 'test');
  });
});
