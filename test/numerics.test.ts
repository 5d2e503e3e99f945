// Right answers at every scale of input, or a clear error where no finite answer exists: each row checked
// against independent high-precision references (test/fixtures/make_numerics.py, mpmath at 60 digits).
import { expect, it } from 'vitest';
import {
  Matrix,
  activation,
  cholesky,
  cos,
  sin,
  dense,
  flatten,
  globalAvgPool,
  infinite,
  serial,
  dualGradientDescent,
  eigh,
  eulerFlow,
  gpInference,
  gradientDescentMse,
  gram,
  infiniteMlp,
  linearRegression,
  matmul,
  maxLearningRate,
  mlp,
  rbfKernel,
  solveSpd,
} from '../src/index.js';
import type { Activation } from '../src/index.js';
import { describeEachBackend } from './helpers/backends.js';
import { expectRelative } from './helpers/close.js';
import { type Rows, loadFixture } from './helpers/fixtures.js';

interface ClosedFormCase {
  activation: Activation;
  wStd: number;
  bStd: number;
  x: number[];
  z: number[];
  pair: string;
  nngp: number;
  ntk: number;
}
interface LogisticCase {
  activation: 'tanh' | 'sigmoid';
  depth: number;
  wStd: number;
  bStd: number;
  x: number[];
  z: number[];
  pair: string;
  nngp: number;
  ntk: number;
}
interface UnitCase {
  activation: 'relu' | 'leaky_relu' | 'abs' | 'erf' | 'gelu';
  model: string;
  readout: 'globalAvgPool' | 'flatten' | null;
  x: number[];
  z: number[];
  factor: number;
  nngp: number;
  ntk: number;
}
interface SinusoidCase {
  activation: 'sin' | 'cos';
  a: number;
  b: number;
  c: number;
  x: number[];
  z: number[];
  pair: string;
  nngp: number;
  ntk: number;
}
interface RbfCase {
  offset: number | string;
  lengthscale: number;
  x: Rows;
  k: Rows;
}
const { closedForms, unitCorrelations, sinusoids, rbf, linalg } = await loadFixture<{
  sinusoids: SinusoidCase[];
  closedForms: ClosedFormCase[];
  unitCorrelations: UnitCase[];
  rbf: RbfCase[];
  linalg: { a: Rows; values: number[]; cholesky: Rows; b: Rows; solution: Rows };
}>('numerics');
// tanh and sigmoid by nested adaptive quadrature (test/fixtures/make_infinite.py).
const { pairs: logisticPairs } = await loadFixture<{ pairs: LogisticCase[] }>('infinite');

describeEachBackend('numerical range', () => {
  it('relu, erf and gelu kernels match 60-digit closed forms to 1e-10 for |x| from 1e-4 to 1e8 and correlations −1 … 1', () => {
    for (const c of closedForms) {
      const kernel = infiniteMlp({ depth: 1, activation: c.activation, wStd: c.wStd, bStd: c.bStd });
      const pair = kernel.kernels([c.x], [c.z]);
      const label = `${c.activation} w=${c.wStd} b=${c.bStd} |x|=${Math.hypot(...c.x).toExponential(1)} ${c.pair}`;
      const scale = (c.wStd ** 2 * (c.x[0] ** 2 + c.x[1] ** 2)) / 2;
      // With a bias, Σ = wStd²·K + bStd² is rounded before the map; for nearly parallel tiny inputs that
      // rounding alone moves the result by about 1e-10, so those cases get 1e-9.
      const tol = c.bStd === 0 ? 1e-10 : 1e-9;
      expectRelative(pair.nngp.get(0, 0), c.nngp, tol, `${label} nngp`, scale);
      expectRelative(pair.ntk.get(0, 0), c.ntk, tol, `${label} ntk`, scale);
      if (c.pair === 'self') {
        const self = kernel.kernels([c.x]);
        expectRelative(self.nngp.get(0, 0), c.nngp, 1e-10, `${label} diagonal nngp`);
        expectRelative(self.ntk.get(0, 0), c.ntk, 1e-10, `${label} diagonal ntk`);
      }
    }
  });

  it('correlations of exactly ±1 whose products round (x against −1.7x and 3x; every position pair of a one-channel CNN) match 60 digits to 1e-10', () => {
    for (const c of unitCorrelations) {
      const phi = activation(c.activation, c.activation === 'leaky_relu' ? { leak: 0.1 } : {});
      const layer = { wStd: 1.5, bStd: 0 };
      const model =
        c.readout === null
          ? serial(dense(8, layer), phi, dense(1, layer))
          : serial(dense(8, layer), phi, c.readout === 'globalAvgPool' ? globalAvgPool() : flatten(), dense(1, layer));
      const inputShape = c.readout === null ? [c.x.length] : [c.x.length, 1];
      const k = infinite(model, { inputShape }).kernels([c.x], [c.z]);
      const label = `${c.activation}, ${c.model}, z = ${c.factor}·x`;
      // Where the kernel is exactly 0 (relu of opposite inputs), to 1e-10 of the inputs' scale.
      const scale = 2.25 * Math.max(...c.z.map((v) => v * v));
      expectRelative(k.nngp.get(0, 0), c.nngp, 1e-10, `${label} nngp`, scale);
      expectRelative(k.ntk.get(0, 0), c.ntk, 1e-10, `${label} ntk`, scale);
    }
  });

  it("sin and cos kernels match 60-digit values of neural-tangents' formula to 1e-12 for inputs from 1e-6 to 30 and correlations −1 … 1", () => {
    for (const c of sinusoids) {
      const layer = { wStd: 1.5, bStd: 0 };
      const phi = (c.activation === 'sin' ? sin : cos)({ a: c.a, b: c.b, c: c.c });
      const k = infinite(serial(dense(8, layer), phi, dense(1, layer)), { inputShape: [2] }).kernels([c.x], [c.z]);
      const label = `${c.activation}(a=${c.a}, b=${c.b}, c=${c.c}) |x|=${Math.hypot(...c.x).toExponential(1)} ${c.pair}`;
      // Where a kernel underflows to 0 (e^{−b²q} at |x| = 30), to 1e-12 of the output scale a².
      expectRelative(k.nngp.get(0, 0), c.nngp, 1e-12, `${label} nngp`, c.a ** 2 * 1e-300);
      expectRelative(k.ntk.get(0, 0), c.ntk, 1e-12, `${label} ntk`, c.a ** 2 * 1e-300);
    }
  });

  it('tanh and sigmoid kernels match nested adaptive quadrature to 1e-10 for variances from 1e-6 to 1e12 and correlations −1 … 1', () => {
    for (const c of logisticPairs) {
      const kernel = infiniteMlp({ depth: c.depth, activation: c.activation, wStd: c.wStd, bStd: c.bStd });
      const pair = kernel.kernels([c.x], [c.z]);
      const label = `${c.activation} w=${c.wStd} b=${c.bStd} |x|=${Math.hypot(...c.x).toExponential(1)} ${c.pair}`;
      expectRelative(pair.nngp.get(0, 0), c.nngp, 1e-10, `${label} nngp`, 1);
      expectRelative(pair.ntk.get(0, 0), c.ntk, 1e-10, `${label} ntk`, 1);
      if (c.pair === 'self' || c.pair === 'issue') {
        const self = kernel.kernels([c.x]);
        expectRelative(self.nngp.get(0, 0), c.nngp, 1e-10, `${label} diagonal nngp`);
        expectRelative(self.ntk.get(0, 0), c.ntk, 1e-10, `${label} diagonal ntk`);
      }
    }
  });

  it('rbfKernel is accurate to 1e-12 far from the origin (offsets to 1e12, timestamps) and for widely spread points', () => {
    for (const c of rbf) {
      const k = rbfKernel({ lengthscale: c.lengthscale })(c.x);
      c.k.forEach((row, i) =>
        row.forEach((expected, j) => expectRelative(k.get(i, j), expected, 1e-12, `offset ${c.offset} ℓ=${c.lengthscale} [${i}][${j}]`, 1e-300)),
      );
    }
    // Unix timestamps 60 s apart with ℓ = 60 s: e^{−1/2}.
    expectRelative(rbfKernel({ lengthscale: 60 })([[1.7e9]], [[1.7e9 + 60]]).get(0, 0), Math.exp(-0.5), 1e-12, 'timestamps');
  });

  it('eigh, cholesky and solveSpd work on matrices scaled anywhere from 1e-300 to 1e300', () => {
    for (const scale of [1e-300, 1e-160, 1, 1e155, 1e300]) {
      const a = Matrix.from(linalg.a.map((row) => row.map((v) => v * scale)));
      const { values } = eigh(a);
      linalg.values.forEach((v, i) => expectRelative(values[i], v * scale, 1e-13, `eigh ×${scale} λ${i}`));
      const l = cholesky(a);
      linalg.cholesky.forEach((row, i) => row.forEach((v, j) => expectRelative(l.get(i, j), v * Math.sqrt(scale), 1e-13, `cholesky ×${scale} [${i}][${j}]`)));
      // a·x = b·scale has the solution of a/scale·x = b.
      const x = solveSpd(
        a,
        linalg.b.map(([v]) => [v * scale]),
      );
      linalg.solution.forEach(([v], i) => expectRelative(x.get(i, 0), v, 1e-13, `solveSpd ×${scale} x${i}`));
    }
  });

  it('Cholesky calls a rank-deficient Gram matrix not positive definite, whatever the rounding', () => {
    const rankTwo = gram([
      [1, 2],
      [3, 4],
      [5, 6],
    ]);
    expect(() => cholesky(rankTwo)).toThrow(/^cholesky: a \(3x3\) is not positive definite: pivot 2 is /);
    expect(() => solveSpd(rankTwo, [[1], [1], [1]])).toThrow(/^solveSpd: a \(3x3\) is not positive definite: pivot 2 is /);
  });

  it('refuses results that overflow instead of returning Infinity', () => {
    expect(() => matmul([[1e200, 1e200]], [[1e200], [1e200]])).toThrow(
      new RangeError('matmul: the product[0][0] is Infinity although the inputs are finite (overflow); scale the inputs down'),
    );
    expect(() => gram([[1e200]])).toThrow(/^gram: a·aᵀ\[0\]\[0\] is Infinity although the inputs are finite/);
    expect(() => rbfKernel()([[0]], [[1e300]])).not.toThrow(); // e^(−huge) is 0, a finite answer
    expect(() => infiniteMlp({ depth: 1, activation: 'relu' }).kernels([[1e200]])).toThrow(
      /^infiniteMlp: the NNGP\[0\]\[0\] is (Infinity|NaN) although the inputs are finite/,
    );
    const net = mlp({ inputDim: 1, widths: [8], activation: 'identity', seed: 1 });
    expect(() => net.apply([[1e308]])).toThrow(/^MLP\.apply: the outputs\[0\]\[0\] is -?Infinity/);
  });

  it('training that diverges stops with a RangeError naming the step and maxLearningRate, leaving the network as it was', () => {
    const x = [[-1], [0], [1]];
    const y = [[1], [0], [1]];
    const net = mlp({ inputDim: 1, widths: [64], seed: 2 });
    const before = net.params.slice();
    expect(() => net.train(x, y, { learningRate: 1e6, steps: 1000 })).toThrow(
      /^MLP\.train: the loss became (Infinity|NaN) at step \d+; gradient descent diverged, and the parameters are left as they were before the call\. learningRate is 1000000; maxLearningRate of the tangent kernel at the start is [\d.e+-]+: use a smaller one$/,
    );
    expect(net.params).toEqual(before);
    expect(net.train(x, y, { learningRate: 0.1, steps: 10 }).loss.every(Number.isFinite)).toBe(true);
  });

  it('eulerFlow, dualGradientDescent and gradient-descent linear regression stop when they diverge', () => {
    const k = [
      [2, 1],
      [1, 2],
    ];
    const limit = maxLearningRate(k);
    expect(() => eulerFlow(k, [[1], [0]], { dt: 1, learningRate: 3 * limit, steps: 5000 })).toThrow(
      /^eulerFlow: the outputs became non-finite by step \d+; the flow is unstable at this step size\. learningRate·dt is [\d.]+; maxLearningRate/,
    );
    expect(() => dualGradientDescent(k, [1, 0], { learningRate: 3 * limit, steps: 5000 })).toThrow(
      /^dualGradientDescent: the loss became (Infinity|NaN) at step \d+; .*maxLearningRate of the tangent kernel at the start is 1\.333/,
    );
    expect(() =>
      linearRegression(
        [
          [1, 0],
          [0, 3],
        ],
        [1, 1],
        { solver: 'gradientDescent', learningRate: 100, steps: 5000 },
      ),
    ).toThrow(/^linearRegression: the loss became (Infinity|NaN) at step \d+/);
  });

  it('gradientDescentMse and gpInference refuse a kernel that is not positive semidefinite, in their own name', () => {
    const indefinite = [
      [1, 2],
      [2, 1],
    ]; // eigenvalues 3 and −1
    const flow = gradientDescentMse(indefinite, [[1], [0]]);
    for (const t of [1e3, 1e6]) {
      expect(() => flow.predict({ t })).toThrow(
        /^gradientDescentMse\.predict: kTrainTrain \(\+ diagReg\) is not positive semidefinite: its smallest eigenvalue is -1\.000/,
      );
    }
    expect(() => flow.predict({ t: Infinity })).toThrow(/^gradientDescentMse\.predict: kTrainTrain \(\+ diagReg\) \(2x2\) is not positive definite/);
    expect(() => gpInference({ nngp: indefinite }, [[1], [0]])).toThrow(/^gpInference: .* is not positive definite/);
  });

  it('checks the size of a network before allocating it', () => {
    expect(() => mlp({ inputDim: 1, widths: [1e5, 1e5] })).toThrow(
      new RangeError(
        'mlp: the network would have 1.00e+10 parameters (74.5 GiB); at most 2^28 (2 GiB) fit in wasm32 memory on both backends; use narrower layers',
      ),
    );
  });
});
