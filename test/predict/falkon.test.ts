import { expect, it } from 'vitest';
import { Falkon, KernelRidge, Matrix, customKernel, dense, infinite, infiniteMlp, polynomialKernel, rbfKernel, relu, serial } from '../../src/index.js';
import type { Kernel } from '../../src/index.js';
import { wasmHeap } from '../../src/backend/registry.js';
import { uniformMatrix } from '../../src/random.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';

const peer = await loadFixture<{
  lengthscale: number;
  x: Rows;
  y: Rows;
  xTest: Rows;
  cases: Record<'rbf' | 'polynomial', { centers: Rows; ridge: number; params: Record<string, number>; predictions: Rows }>;
}>('falkon');

const dup = await loadFixture<{
  lengthscale: number;
  ridge: number;
  x: Rows;
  y: Rows;
  xTest: Rows;
  distinct: Rows;
  predictions: Rows;
  duplicated: Rows;
  nearDuplicates: Record<'1e-09' | '1e-12', { centers: Rows; effect: number }>;
  dependent: { centers: Rows; params: { degree: number; scale: number; bias: number }; ridge: number; predictions: Rows };
  repeated: { x: Rows; y: Rows; rows: Rows; predictions: Rows };
}>('falkon-duplicates');

const x = uniformMatrix(240, 3, 31);
const y = new Matrix(
  240,
  2,
  Float64Array.from({ length: 480 }, (_, i) => Math.sin(3 * x.data[3 * (i >> 1)]) + (i & 1) * x.data[3 * (i >> 1) + 1]),
);
const xTest = uniformMatrix(25, 3, 32);
const huge = new Matrix(
  240,
  3,
  x.data.map((v) => v * 1e40),
);

/** ‖K(x, C)·α − y‖² + ridge·αᵀK(C, C)α, the objective Falkon minimizes. */
function objective(model: Falkon, inputs: Matrix, targets: Matrix): number {
  const residual = model.predict(inputs).data.map((v, i) => v - targets.data[i]);
  const alpha = model.alpha;
  const kAlpha = model.kernel(model.centers).data;
  const m = alpha.rows;
  let penalty = 0;
  for (let c = 0; c < alpha.cols; c++) {
    for (let i = 0; i < m; i++) for (let j = 0; j < m; j++) penalty += alpha.data[i * alpha.cols + c] * kAlpha[i * m + j] * alpha.data[j * alpha.cols + c];
  }
  return residual.reduce((s, v) => s + v * v, 0) + model.ridge * penalty;
}

describeEachBackend('Falkon', (backend) => {
  for (const name of ['rbf', 'polynomial'] as const) {
    it(`with the same centers, predicts what scikit-learn's Nystroem + Ridge predicts (${name}, two outputs) to 1e-6`, () => {
      const c = peer.cases[name];
      const kernel =
        name === 'rbf'
          ? rbfKernel({ lengthscale: peer.lengthscale })
          : polynomialKernel({ degree: c.params.degree, scale: c.params.gamma, bias: c.params.coef0 });
      const model = new Falkon(kernel, { ridge: c.ridge, centers: c.centers, maxIterations: 200, tolerance: 1e-13 }).fit(peer.x, peer.y);
      expect(model.converged, `converged after ${model.iterations} iterations (residual ${model.residual})`).toBe(true);
      expectClose(model.predict(peer.xTest), peer.cases[name].predictions, 1e-6, `${name} predictions`);
    });
  }

  const everyPoint: [string, Kernel][] = [
    ['rbfKernel (the backend passes)', rbfKernel({ lengthscale: 0.8 })],
    ['a customKernel (tiles of its own matrices)', customKernel((a, b) => Math.exp(-Math.abs(a[0] - b[0]) - Math.abs(a[1] - b[1]) - Math.abs(a[2] - b[2])))],
    ['infiniteMlp(…).ntk', infiniteMlp({ depth: 2, activation: 'relu', wStd: 1.4, bStd: 0.1 }).ntk],
    ['infinite(model).nngp', infinite(serial(dense(64, { wStd: 1.5, bStd: 0.2 }), relu(), dense(1)), { inputShape: [3] }).nngp],
  ];
  for (const [label, kernel] of everyPoint) {
    it(`with every training point as a center gives KernelRidge's predictions to 1e-6: ${label}`, () => {
      const model = new Falkon(kernel, { ridge: 1e-2, centers: x.rows, maxIterations: 100, tolerance: 1e-12 }).fit(x, y);
      expect(model.converged).toBe(true);
      expect(model.centers.rows).toBe(x.rows);
      expectClose(model.predict(xTest), new KernelRidge(kernel, { ridge: 1e-2 }).fit(x, y).predict(xTest), 1e-6, `${label} predictions`);
    });
  }

  it('draws its centers uniformly without replacement, the same for the same seed, and fits each output as if alone', () => {
    const options = { ridge: 1e-3, centers: 60, seed: 5, maxIterations: 60, tolerance: 1e-12 };
    const model = new Falkon(rbfKernel(), options).fit(x, y);
    const again = new Falkon(rbfKernel(), options).fit(x, y);
    expect(again.centers.data).toEqual(model.centers.data);
    const rows = new Set(Array.from({ length: 60 }, (_, i) => model.centers.data.subarray(3 * i, 3 * i + 3).join()));
    expect(rows.size).toBe(60);
    for (const row of rows) expect(x.toArray().some((r) => r.join() === row)).toBe(true);
    expect(new Falkon(rbfKernel(), { ...options, seed: 6 }).fit(x, y).centers.data).not.toEqual(model.centers.data);
    const first = new Falkon(rbfKernel(), { ...options, centers: model.centers }).fit(
      x,
      y.toArray().map((r) => [r[0]]),
    );
    expectClose(
      first.predict(xTest).data,
      model
        .predict(xTest)
        .toArray()
        .map((r) => r[0]),
      1e-7,
      'first output alone',
      'normwise',
    );
  });

  it("evaluates the RBF of points far from the origin as it does near it (the passes move both by the centers' mean)", () => {
    const shift = (m: Matrix, by: number) =>
      new Matrix(
        m.rows,
        m.cols,
        m.data.map((v) => v + by),
      );
    const options = { ridge: 1e-2, centers: 50, maxIterations: 80, tolerance: 1e-12 };
    const near = new Falkon(rbfKernel({ lengthscale: 0.5 }), options).fit(x, y);
    const far = new Falkon(rbfKernel({ lengthscale: 0.5 }), options).fit(shift(x, 1e6), y);
    expectClose(far.predict(shift(xTest, 1e6)), near.predict(xTest), 1e-6, 'predictions 1e6 away');
  });

  it('gives targets of any magnitude the same predictions, scaled (1e-300 to 1e300)', () => {
    const options = { ridge: 1e-2, centers: 40, maxIterations: 60, tolerance: 1e-12 };
    const reference = new Falkon(rbfKernel(), options).fit(x, y).predict(xTest);
    for (const factor of [1e300, 1e200, 1e-200, 1e-300]) {
      const scaled = new Matrix(
        y.rows,
        y.cols,
        y.data.map((v) => v * factor),
      );
      const predictions = new Falkon(rbfKernel(), options).fit(x, scaled).predict(xTest);
      expectClose(
        predictions.data.map((v) => v / factor),
        reference.data,
        1e-9,
        `predictions for y × ${factor}`,
        'normwise',
      );
    }
  });

  // The references (test/fixtures/make_falkon.py) are numpy solves with the distinct centers: a repeated center
  // adds nothing to span{K(·, c)}, so every minimizer α gives that prediction. Conjugate gradients to 1e-13 on
  // these well-conditioned problems (K(C, C)'s smallest eigenvalue above 1e-9 of its largest, checked by the
  // script) reach ~1e-11 of it; 1e-8 leaves room for other summation orders.
  const solve = { ridge: dup.ridge, maxIterations: 200, tolerance: 1e-13 };
  const fitted = (model: Falkon) =>
    `${model.centers.rows} centers, converged ${model.converged} after ${model.iterations} iterations (residual ${model.residual})`;

  it('with repeated centers predicts what the distinct centers predict (numpy) to 1e-8, and keeps each center once', () => {
    const model = new Falkon(rbfKernel({ lengthscale: dup.lengthscale }), { ...solve, centers: dup.duplicated }).fit(dup.x, dup.y);
    expect(model.converged, fitted(model)).toBe(true);
    expectClose(model.predict(dup.xTest), dup.predictions, 1e-8, `predictions with ${dup.duplicated.length} centers, 15 distinct`);
    // In the order of their first occurrence.
    const first = [3, 0, 1, 2, 4, 5, 6, 7, 8, 9, 10, 14, 11, 12, 13];
    expect(model.centers.toArray(), fitted(model)).toEqual(first.map((i) => dup.distinct[i]));
    expect(model.alpha.rows).toBe(15);
  });

  for (const shift of ['1e-09', '1e-12'] as const) {
    it(`with centers repeated up to ${shift} of their coordinates predicts what the distinct centers predict (numpy) to 1e-8`, () => {
      // Float64 cannot tell such a pair apart in K(C, C); the first of each pair is kept, and keeping the moved
      // copy instead of the original moves the exact predictions by `effect` (1.3e-9 of an entry at most for
      // 1e-9, 1.4e-12 for 1e-12), inside 1e-8 beside the solver's ~1e-11.
      const near = dup.nearDuplicates[shift];
      expect(near.effect).toBeLessThan(2e-9);
      const model = new Falkon(rbfKernel({ lengthscale: dup.lengthscale }), { ...solve, centers: near.centers }).fit(dup.x, dup.y);
      expect(model.converged, fitted(model)).toBe(true);
      expect(model.centers.rows, fitted(model)).toBe(15);
      expectClose(model.predict(dup.xTest), dup.predictions, 1e-8, `predictions with ${near.centers.length} centers, 15 up to ${shift}`);
    });
  }

  it('with distinct but linearly dependent centers (rank 6 of 10) predicts what 6 independent ones predict (numpy) to 1e-8', () => {
    const { centers, params, ridge, predictions } = dup.dependent;
    const model = new Falkon(polynomialKernel(params), { ridge, centers, maxIterations: 200, tolerance: 1e-13 }).fit(dup.x, dup.y);
    expect(model.converged, fitted(model)).toBe(true);
    expect(model.centers.rows, fitted(model)).toBe(6);
    expectClose(model.predict(dup.xTest), predictions, 1e-8, 'predictions with 10 centers of rank 6');
  });

  it('on data with repeated rows, draws each row once and predicts what numpy and KernelRidge predict to 1e-8', () => {
    const { x: xs, y: ys, rows, predictions } = dup.repeated;
    // 100 draws from 240 rows that hold 12 distinct ones, 20 times each: every one is drawn, most of them repeatedly.
    const kernel = rbfKernel({ lengthscale: dup.lengthscale });
    const model = new Falkon(kernel, { ...solve, centers: 100 }).fit(xs, ys);
    expect(model.converged, fitted(model)).toBe(true);
    const drawn = model.centers.toArray().map((r) => r.join());
    expect(new Set(drawn).size, fitted(model)).toBe(drawn.length);
    expect([...drawn].sort(), fitted(model)).toEqual(rows.map((r) => r.join()).sort());
    expectClose(model.predict(dup.xTest), predictions, 1e-8, 'predictions on 12 distinct rows repeated 20 times');
    expectClose(model.predict(dup.xTest), new KernelRidge(kernel, { ridge: dup.ridge }).fit(xs, ys).predict(dup.xTest), 1e-8, 'against KernelRidge');
  });

  it("with every training point a center plus near-copies of 100 of them (340 centers) gives KernelRidge's predictions to 1e-6", () => {
    // Copies moved by 1e-9 of themselves, some before their original, spread over several panels of the factorization.
    const rows = x.toArray();
    const copies = Array.from({ length: 100 }, (_, i) => rows[(37 * i) % 240].map((v) => v * (1 + 1e-9)));
    const centers = rows.flatMap((row, i) => (i % 12 === 5 ? [copies[i % 100], row] : [row])).concat(copies.slice(20));
    expect(centers.length).toBe(340);
    const kernel = rbfKernel({ lengthscale: 0.8 });
    const model = new Falkon(kernel, { ridge: 1e-2, centers, maxIterations: 100, tolerance: 1e-12 }).fit(x, y);
    expect(model.converged, fitted(model)).toBe(true);
    expect(model.centers.rows, fitted(model)).toBe(240);
    expectClose(model.predict(xTest), new KernelRidge(kernel, { ridge: 1e-2 }).fit(x, y).predict(xTest), 1e-6, 'predictions with 340 centers, 240 up to 1e-9');
  });

  it('scales each target column on its own: 1e-160 beside 1e160 and 1e-300 beside 1e300 as if each column were alone', () => {
    const factors = [1e-160, 1e160, 1e-300, 1e300];
    const columns = factors.map((f, c) => Array.from({ length: y.rows }, (_, i) => f * y.get(i, c % 2)));
    const targets = y.toArray().map((_, i) => columns.map((column) => column[i]));
    const options = { ridge: 1e-2, centers: 40, maxIterations: 60, tolerance: 1e-12 };
    const model = new Falkon(rbfKernel(), options).fit(x, targets);
    // Every column's residual within 1e-12 of its own right-hand side (none of them 0 after scaling).
    expect(model.converged, fitted(model)).toBe(true);
    const predictions = model.predict(xTest).toArray();
    columns.forEach((column, c) => {
      const alone = new Falkon(rbfKernel(), options).fit(x, column);
      expect(alone.converged, fitted(alone)).toBe(true);
      expectClose(
        predictions.map((r) => r[c]),
        alone.predict(xTest).data,
        1e-9,
        `column ${c} (y × ${factors[c]}) beside the others`,
        'normwise',
      );
    });
    // With every point a center the problem is KernelRidge's, asked one column at a time (it scales all columns
    // of y by one power of two, so that a column 1e600 times smaller than another comes out as 0).
    const every = { ridge: 1e-2, centers: x.rows, maxIterations: 100, tolerance: 1e-12 };
    const allModel = new Falkon(rbfKernel({ lengthscale: 0.8 }), every).fit(x, targets);
    expect(allModel.converged, fitted(allModel)).toBe(true);
    const all = allModel.predict(xTest).toArray();
    columns.forEach((column, c) => {
      const reference = new KernelRidge(rbfKernel({ lengthscale: 0.8 }), { ridge: 1e-2 }).fit(x, column).predict(xTest);
      expectClose(
        all.map((r) => r[c]),
        reference.data,
        1e-6,
        `column ${c} (y × ${factors[c]}), every point a center, against KernelRidge`,
      );
    });
  });

  it('stops at maxIterations with its best iterate and says so; more iterations lower the objective', () => {
    const options = { ridge: 1e-4, centers: 80, tolerance: 1e-14 };
    const objectives = [1, 2, 4, 8].map((maxIterations) => {
      const model = new Falkon(rbfKernel({ lengthscale: 0.3 }), { ...options, maxIterations }).fit(x, y);
      expect(model.converged).toBe(false);
      expect(model.iterations).toBe(maxIterations);
      expect(model.residual).toBeGreaterThan(1e-14);
      return objective(model, x, y);
    });
    for (let i = 1; i < objectives.length; i++) expect(objectives[i], `objective after ${2 ** i} iterations`).toBeLessThan(objectives[i - 1]);
  });

  it('reports progress in rows of K(x, C) and stops when aborted, keeping the previous fit', () => {
    const calls: [number, number][] = [];
    const model = new Falkon(rbfKernel(), { ridge: 1e-2, centers: 30, maxIterations: 3, onProgress: (done, total) => calls.push([done, total]) }).fit(x, y);
    expect(calls.at(-1)).toEqual([240 * 4, 240 * 4]);
    for (let i = 1; i < calls.length; i++) expect(calls[i][0]).toBeGreaterThan(calls[i - 1][0]);
    const controller = new AbortController();
    const aborting = new Falkon(rbfKernel(), { ridge: 1e-2, centers: 30, signal: controller.signal, onProgress: () => controller.abort() });
    expect(() => aborting.fit(x, y)).toThrow(/abort/i);
    expect(() => aborting.alpha).toThrow(/^Falkon.alpha: call fit\(x, y\) first/);
    expect(model.alpha.rows).toBe(30);
    const perCall: number[] = [];
    model.fit(x, y, { onProgress: (done) => perCall.push(done) });
    expect(perCall.at(-1)).toBe(240 * 4);
    expect(calls.length).toBeGreaterThan(0);
    expect(() => model.fit(x, y, { steps: 3 } as never)).toThrow(/^Falkon.fit: unknown option 'steps'/);
  });

  it('refuses bad input with errors that name the call, before any work', () => {
    const kernel = rbfKernel();
    expect(() => new Falkon(kernel, { ridge: 0 })).toThrow(/^Falkon: ridge must be > 0, got 0/);
    expect(() => new Falkon(kernel, {} as never)).toThrow(/^Falkon: ridge is required/);
    expect(() => new Falkon(kernel, undefined as never)).toThrow(/^Falkon: options with a ridge are required/);
    expect(() => new Falkon(kernel, { ridge: 1, centers: 0 })).toThrow(/^Falkon: centers must be ≥ 1, got 0/);
    expect(() => new Falkon(kernel, { ridge: 1, centers: 2.5 })).toThrow(/^Falkon: centers must be an integer, got 2.5/);
    expect(() => new Falkon(kernel, { ridge: 1, centers: [[1, NaN]] })).toThrow(/^Falkon: centers\[0\]\[1\] is NaN/);
    expect(() => new Falkon(kernel, { ridge: 1, maxIterations: 0 })).toThrow(/^Falkon: maxIterations must be ≥ 1/);
    expect(() => new Falkon(kernel, { ridge: 1, tolerance: -1 })).toThrow(/^Falkon: tolerance must be ≥ 0/);
    expect(() => new Falkon(kernel, { ridge: 1, lambda: 1 } as never)).toThrow(/^Falkon: unknown option 'lambda'/);
    expect(() => new Falkon(kernel, { ridge: 1, onProgress: 3 } as never)).toThrow(/^Falkon: onProgress must be a function/);
    expect(() => new Falkon(kernel, { ridge: 1, centers: 300 }).fit(x, y)).toThrow(/^Falkon.fit: centers is 300 but x has 240 rows/);
    expect(() => new Falkon(kernel, { ridge: 1, centers: [[1, 2]] }).fit(x, y)).toThrow(/^Falkon.fit: centers are 1x2 but x is 240x3/);
    expect(() => new Falkon(kernel, { ridge: 1, centers: 20_000 }).fit(new Matrix(20_000, 1), new Matrix(20_000, 1))).toThrow(
      /^Falkon.fit: K\(centers, centers\) would be 20000x20000/,
    );
    expect(() => new Falkon(kernel, { ridge: 1, centers: 5 }).fit([[1, Infinity]], [1])).toThrow(/^Falkon.fit: x\[0\]\[1\] is Infinity/);
    expect(() => new Falkon(kernel, { ridge: 1, centers: 5 }).fit(x, y.toArray().slice(1))).toThrow(/^Falkon.fit: x has 240 rows but y is 239x2/);
    expect(() => new Falkon(kernel, { ridge: 1, centers: 1 }).fit([[0]], [NaN])).toThrow(/^Falkon.fit: y\[0\]\[0\] is NaN/);
    const indefinite = customKernel((a, b) => 1 - (a[0] - b[0]) ** 2);
    expect(() => new Falkon(indefinite, { ridge: 1, centers: [[0], [1], [2]] }).fit([[0], [1], [2]], [0, 1, 0])).toThrow(
      /^Falkon.fit: K\(centers, centers\) \(3x3\) is not positive semidefinite: pivot 2 is -8 after elimination/,
    );
    const wrongShape: Kernel = () => new Matrix(1, 1);
    expect(() => new Falkon(wrongShape, { ridge: 1, centers: 5 }).fit(x, y)).toThrow(
      /^Falkon.fit: the kernel returned 1x1 for inputs of 5 and 5 rows; it must return 5x5/,
    );
    // Finite on the centers, not on a tile of training rows.
    const badTile: Kernel = (a, b) => {
      const k = rbfKernel()(a, b);
      if ((a as Matrix).rows > 5) k.data[3] = NaN;
      return k;
    };
    expect(() => new Falkon(badTile, { ridge: 1, centers: 5 }).fit(x, y)).toThrow(
      /^Falkon.fit: the kernel returned NaN at \[0\]\[3\]; kernel values must be finite/,
    );
    expect(() => new Falkon(kernel, { ridge: 1 }).predict(x)).toThrow(/^Falkon.predict: call fit\(x, y\) first/);
    const model = new Falkon(kernel, { ridge: 1, centers: 5 }).fit(x, y);
    expect(() => model.predict([[1, 2]])).toThrow(/^Falkon.predict: x is 1x2 but the model was fitted to 3 features/);
    // Finite on the centers, overflowing on the training rows: the backend's passes check what they return.
    expect(() => new Falkon(polynomialKernel({ degree: 9 }), { ridge: 1, centers: xTest.toArray().slice(0, 5) }).fit(huge, y)).toThrow(
      /^Falkon.fit: a product with K\(x, centers\)\[\d+\]\[\d+\] is (-?Infinity|NaN) although the inputs are finite \(overflow\); the kernel overflows float64/,
    );
    if (backend === 'wasm') expect(wasmHeap()!.pinnedBytes).toBe(0);
  });
});

it('Falkon keeps nothing in WASM memory after fit, predict and failed fits', async () => {
  const { setBackend } = await import('../../src/index.js');
  setBackend('wasm');
  const heap = wasmHeap()!;
  const before = heap.top;
  const model = new Falkon(rbfKernel(), { ridge: 1e-2, centers: 40 }).fit(x, y);
  model.predict(xTest);
  expect(() => new Falkon(rbfKernel(), { ridge: 1e-2, centers: 40, signal: AbortSignal.abort() }).fit(x, y)).toThrow();
  expect(() => new Falkon(polynomialKernel({ degree: 9 }), { ridge: 1, centers: xTest.toArray().slice(0, 5) }).fit(huge, y)).toThrow(/overflows/);
  expect(heap.pinnedBytes).toBe(0);
  expect(heap.top).toBe(before);
});
