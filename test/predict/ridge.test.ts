import { expect, it } from 'vitest';
import {
  KernelRidge,
  Matrix,
  dualGradientDescent,
  linearKernel,
  matmul,
  linearRegression,
  maxLearningRate,
  polynomialFeatures,
  polynomialKernel,
  rbfKernel,
  solveSpd,
} from '../../src/index.js';
import type { MatrixInput } from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';

const { kernelRidge } = await loadFixture<{
  kernelRidge: {
    xTrain: Rows;
    yTrain: Rows;
    xTest: Rows;
    cases: { kernel: 'rbf' | 'polynomial' | 'linear'; params: Record<string, number>; ridge: number; alpha: Rows; predictions: Rows }[];
  };
}>('kernels');

const makeKernel = (name: string, params: Record<string, number>) =>
  name === 'rbf'
    ? rbfKernel({ lengthscale: params.lengthscale })
    : name === 'polynomial'
      ? polynomialKernel({ degree: params.degree, scale: params.scale, bias: params.bias })
      : linearKernel();

describeEachBackend('KernelRidge', () => {
  it('with an RBF kernel, the Gram matrix built and solved in the backend gives what solveSpd gives on the kernel matrix', () => {
    // Past the block sizes of the factorization and the solves.
    const x = uniformMatrix(300, 4, 21);
    const y = uniformMatrix(300, 3, 22);
    const kernel = rbfKernel({ lengthscale: 0.7 });
    const alpha = new KernelRidge(kernel, { ridge: 1e-3 }).fit(x, y).alpha;
    const k = kernel(x);
    for (let i = 0; i < 300; i++) k.data[i * 300 + i] += 1e-3;
    expectClose(alpha, solveSpd(k, y), 1e-12, 'alpha', 'normwise');
    // Duplicated points and no ridge: the in-place factorization reports the pivot as the generic path does.
    const twice = Matrix.from([
      [0.1, 0.2],
      [0.1, 0.2],
      [0.5, 0.5],
    ]);
    expect(() => new KernelRidge(kernel).fit(twice, [1, 2, 3])).toThrow(/KernelRidge\.fit: K\(x, x\) \+ ridge·I \(3x3\) is not positive definite: pivot 1/);
  });

  for (const c of kernelRidge.cases) {
    it(`matches scikit-learn's KernelRidge (${c.kernel}, ridge ${c.ridge}, two outputs) to 1e-8`, () => {
      const model = new KernelRidge(makeKernel(c.kernel, c.params), { ridge: c.ridge }).fit(kernelRidge.xTrain, kernelRidge.yTrain);
      expectClose(model.alpha, c.alpha, 1e-8, 'alpha');
      expectClose(model.predict(kernelRidge.xTest), c.predictions, 1e-8, 'predictions');
    });
  }

  it('scales each target column on its own: columns 1e-160 beside 1e160 and 1e-300 beside 1e300 fit as if each were alone', () => {
    const x = uniformMatrix(40, 3, 31);
    const base = uniformMatrix(40, 1, 32).data;
    const xTest = uniformMatrix(5, 3, 33);
    for (const kernel of [rbfKernel({ lengthscale: 0.8 }), polynomialKernel({ degree: 2, bias: 1 })]) {
      for (const [small, large] of [
        [1e-160, 1e160],
        [1e-300, 1e300],
      ]) {
        const y = new Matrix(
          40,
          2,
          Float64Array.from({ length: 80 }, (_, i) => base[i >> 1] * (i % 2 === 0 ? small : large)),
        );
        const both = new KernelRidge(kernel, { ridge: 1e-3 }).fit(x, y).predict(xTest);
        for (const [column, scale] of [
          [0, small],
          [1, large],
        ] as const) {
          const alone = new KernelRidge(kernel, { ridge: 1e-3 })
            .fit(
              x,
              Array.from(base, (v) => v * scale),
            )
            .predict(xTest);
          expectClose(
            Float64Array.from({ length: 5 }, (_, i) => both.get(i, column)),
            alone.data,
            1e-10,
            `column ${column} (×${scale})`,
            'normwise',
          );
        }
      }
    }
    const a = matmul(x, x, { transA: true });
    const b = new Matrix(3, 2, Float64Array.from([1e-300, 1e300, -2e-300, 3e300, 5e-301, 1e299]));
    const solution = solveSpd(a, b);
    for (const column of [0, 1]) {
      const alone = solveSpd(
        a,
        Array.from({ length: 3 }, (_, i) => [b.get(i, column)]),
      );
      expectClose(
        Float64Array.from({ length: 3 }, (_, i) => solution.get(i, column)),
        alone.data,
        1e-11,
        `solveSpd column ${column}`,
      );
    }
  });

  it('with ridge 0 interpolates: f(X) = y (K(x, X) K(X, X)⁻¹ y)', () => {
    const x = uniformMatrix(12, 2, 3);
    const y = Array.from({ length: 12 }, (_, i) => Math.sin(i));
    const model = new KernelRidge(rbfKernel({ lengthscale: 0.5 })).fit(x, y);
    expectClose(
      model.predict(x),
      y.map((v) => [v]),
      1e-8,
      'f(X)',
      'normwise',
    );
  });

  it('explains a singular kernel matrix and suggests the ridge; shape mismatches name both shapes', () => {
    const x = [[0], [1], [2]];
    expect(() => new KernelRidge(linearKernel()).fit(x, [1, 2, 3])).toThrow(
      /KernelRidge.fit: K\(x, x\) \+ ridge·I \(3x3\) is not positive definite.*\(diagReg \/ ridge\)/,
    );
    expect(() => new KernelRidge(rbfKernel()).fit(x, [1, 2])).toThrow(
      new RangeError('KernelRidge.fit: x has 3 rows but y is 2x1; y needs one row per training point'),
    );
    expect(() => new KernelRidge(rbfKernel()).predict(x)).toThrow(/call fit\(x, y\) first/);
    expect(() => new KernelRidge(rbfKernel(), { ridge: -1 })).toThrow(/ridge must be ≥ 0/);
    expect(() => new KernelRidge(rbfKernel()).fit(x, [1, 2, 3]).predict([[1, 2]])).toThrow(
      new RangeError('KernelRidge.predict: x is 1x2 but the model was fitted to 1 features'),
    );
  });

  it('checks what a user kernel returns: a Matrix of the right shape, finite, symmetric on the training points', () => {
    const x = [[0], [1], [2]];
    const y = [1, 2, 3];
    const rbf = rbfKernel();
    const wrongShape = (a: MatrixInput, b?: MatrixInput) => new Matrix(2, 3, rbf(a, b).data.slice(0, 6));
    expect(() => new KernelRidge(wrongShape).fit(x, y)).toThrow(
      new RangeError('KernelRidge.fit: the kernel returned 2x3 for inputs of 3 and 3 rows; it must return 3x3'),
    );
    expect(() => new KernelRidge(() => [[1]] as never).fit(x, y)).toThrow(
      new TypeError('KernelRidge.fit: the kernel returned object; it must return a Matrix (3x3)'),
    );
    const withNaN = (a: MatrixInput, b?: MatrixInput) => {
      const k = rbf(a, b);
      k.data[1] = Number.NaN;
      return k;
    };
    expect(() => new KernelRidge(withNaN).fit(x, y)).toThrow(
      new RangeError('KernelRidge.fit: the kernel returned NaN at [0][1]; kernel values must be finite'),
    );
    const lopsided = (a: MatrixInput, b?: MatrixInput) => {
      const k = rbf(a, b);
      k.data[1] += 0.5;
      return k;
    };
    expect(() => new KernelRidge(lopsided).fit(x, y)).toThrow(
      /KernelRidge.fit: the kernel returned a matrix that is not symmetric: K\[1\]\[0\] = 0.60653\d* but K\[0\]\[1\] = 1.10653/,
    );
    // The model is still usable after the errors, and predict checks the kernel too.
    const model = new KernelRidge(rbf, { ridge: 1e-3 }).fit(x, y);
    expect(() => new KernelRidge(wrongShape).fit(x, y)).toThrow(RangeError);
    expect(model.predict([[0.5]]).data.every(Number.isFinite)).toBe(true);
  });
});

describeEachBackend('linear regression in feature space, dual gradient descent, kernel ridge', () => {
  // y = x₁² − x₂ + noise-free cubic terms: a degree-3 polynomial kernel fits it; ridge keeps K invertible.
  const x = uniformMatrix(30, 2, 11);
  const xTest = uniformMatrix(7, 2, 12);
  const y = x.toArray().map(([a, b]) => [a * a - b + 0.3 * a * b * b, Math.cos(a + b)]);
  const degree = 3;
  const ridge = 1e-2;
  const kernel = polynomialKernel({ degree });
  const reference = new KernelRidge(kernel, { ridge }).fit(x, y).predict(xTest);
  const phi = polynomialFeatures(x, degree);
  const phiTest = polynomialFeatures(xTest, degree);

  it('normal equations on φ(x) give KernelRidge predictions', () => {
    expectClose(linearRegression(phi, y, { ridge }).predict(phiTest), reference, 1e-8);
  });

  it('gradient descent on θ converges to the same predictions, with a decreasing loss', () => {
    // ΦᵀΦ and K = ΦΦᵀ share their nonzero eigenvalues, so K's limit applies to the primal too.
    const learningRate = 0.9 * maxLearningRate(kernel(x), { outputs: 2 });
    const model = linearRegression(phi, y, { solver: 'gradientDescent', ridge, learningRate, steps: 20000 });
    expectClose(model.predict(phiTest), reference, 1e-6);
    const loss = model.loss!;
    expect(loss.length).toBe(20001);
    expect(loss[20000]).toBeLessThan(loss[0]);
    for (let t = 1; t < loss.length; t += 1000) expect(loss[t]).toBeLessThanOrEqual(loss[t - 1] * (1 + 1e-12));
  });

  it('dual gradient descent on α reaches the same predictions K(x, X)·α', () => {
    const kTrain = kernel(x);
    const learningRate = 0.9 * maxLearningRate(kTrain, { outputs: 2 });
    const { alpha, loss } = dualGradientDescent(kTrain, y, { learningRate, steps: 20000, ridge });
    // α itself converges only slowly along K's null space (rate η·ridge/N), which predictions never see.
    expectClose(matmul(kernel(xTest, x), alpha), reference, 1e-6);
    expect(loss[0]).toBeCloseTo(y.flat().reduce((s, v) => s + v * v, 0) / (2 * 60), 12);
  });

  it('one dual step by hand: α₁ = (η/N)·y from α₀ = 0', () => {
    const { alpha, loss } = dualGradientDescent(
      [
        [2, 1],
        [1, 2],
      ],
      [1, -1],
      { learningRate: 0.5, steps: 1 },
    );
    expectClose(alpha, [[0.25], [-0.25]], 1e-15);
    // f = K·α = [0.25, −0.25]; loss = ((0.75)² + (0.75)²)/(2·2)
    expectClose(loss, [0.5, 0.28125], 1e-15);
  });

  it('validates options and shapes', () => {
    expect(() => dualGradientDescent([[1]], [1], { learningRate: 0, steps: 1 })).toThrow(/learningRate must be > 0/);
    expect(() => dualGradientDescent([[1]], [1], { learningRate: 1, steps: 1.5 })).toThrow(/steps must be an integer/);
    expect(() =>
      dualGradientDescent(
        [
          [1, 0],
          [0, 1],
        ],
        [1],
        { learningRate: 1, steps: 1 },
      ),
    ).toThrow(/k has 2 rows but y is 1x1/);
    expect(() => linearRegression(phi, y, { solver: 'qr' as never })).toThrow(/solver must be one of 'normal', 'gradientDescent'/);
    expect(() => linearRegression(phi, y, { learningRate: 1 })).toThrow(/apply to solver 'gradientDescent' only/);
    expect(() => linearRegression(phi, y).predict(polynomialFeatures(xTest, 2))).toThrow(/features is 7x6 but the model has 10 features/);
  });
});
