// eigh, cholesky and the solves on matrices that stress the dense algorithms: divide and conquer with heavy
// deflation (repeated and clustered spectra), close pairs (Wilkinson), exactly known spectra (Clement), graded
// entries; sizes that cross the QL leaves, the reflector blocks and the threaded top merge. Eigenvalues come
// from outside: closed forms, or LAPACK through numpy (test/fixtures/make_spectra.py).
import { beforeAll, expect, it } from 'vitest';
import { Matrix, cholesky, eigh, gpInference, gradientDescentMse, gram, matmul, maxLearningRate, setBackend, solveSpd } from '../src/index.js';
import { wasmHeap } from '../src/backend/registry.js';
import { describeEachBackend } from './helpers/backends.js';
import { expectClose } from './helpers/close.js';
import { loadFixture } from './helpers/fixtures.js';
import { uniformMatrix } from '../src/random.js';

function fromFunction(rows: number, cols: number, f: (i: number, j: number) => number): Matrix {
  const m = new Matrix(rows, cols);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) m.data[i * cols + j] = f(i, j);
  return m;
}

interface Spectrum {
  n: number;
  values: number[];
}
let spectra: Record<'random' | 'wilkinson' | 'graded', Spectrum>;
beforeAll(async () => {
  spectra = await loadFixture('spectra');
});

const pseudoRandom = (n: number) => fromFunction(n, n, (i, j) => Math.sin(1.3 * Math.min(i, j) + 0.7 * Math.max(i, j) + 0.011 * i * j));
const wilkinson = (n: number) => fromFunction(n, n, (i, j) => (i === j ? Math.abs(i - (n - 1) / 2) : Math.abs(i - j) === 1 ? 1 : 0));
const graded = (n: number) => fromFunction(n, n, (i, j) => Math.sin(1.3 * Math.min(i, j) + 0.7 * Math.max(i, j) + 0.011 * i * j) * 10 ** (-(i + j) / 25));
// Clement's matrix: zero diagonal, couplings √(i(n − i)); eigenvalues ±(n − 1), ±(n − 3), ….
const clement = (n: number) => fromFunction(n, n, (i, j) => (Math.abs(i - j) === 1 ? Math.sqrt((Math.min(i, j) + 1) * (n - 1 - Math.min(i, j))) : 0));

/** Q·diag(λ)·Qᵀ for the reflector Q = I − 2uuᵀ/‖u‖²: a dense matrix with the given eigenvalues. */
function withSpectrum(values: number[]): Matrix {
  const n = values.length;
  const u = Float64Array.from({ length: n }, (_, i) => Math.cos(0.37 * i + 0.1) + (0.05 * i) / n);
  const norm2 = u.reduce((s, v) => s + v * v, 0);
  const q = fromFunction(n, n, (i, j) => (i === j ? 1 : 0) - (2 * u[i] * u[j]) / norm2);
  const scaledQ = fromFunction(n, n, (i, j) => q.get(i, j) * values[j]);
  const a = matmul(scaledQ, q, { transB: true });
  return fromFunction(n, n, (i, j) => 0.5 * (a.get(i, j) + a.get(j, i)));
}

function maxAbs(a: Matrix): number {
  let m = 0;
  for (const v of a.data) m = Math.max(m, Math.abs(v));
  return m;
}

/** The bounds: ‖AV − VΛ‖ ≤ 1e-12·‖A‖·n and ‖VᵀV − I‖ ≤ 1e-12·n (max-entry norms), values to 1e-12·‖A‖·n. */
function expectEigenpairs(label: string, a: Matrix, expected: ArrayLike<number>): void {
  const n = a.rows;
  const { values, vectors } = eigh(a);
  const scale = maxAbs(a);
  const av = matmul(a, vectors);
  let residual = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) residual = Math.max(residual, Math.abs(av.get(i, j) - vectors.get(i, j) * values[j]));
  const gramV = matmul(vectors, vectors, { transA: true });
  let orthogonality = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) orthogonality = Math.max(orthogonality, Math.abs(gramV.get(i, j) - (i === j ? 1 : 0)));
  expect(residual, `${label} (${n}x${n}): ‖AV − VΛ‖ = ${residual}, ‖A‖ = ${scale}`).toBeLessThanOrEqual(1e-12 * scale * n);
  expect(orthogonality, `${label} (${n}x${n}): ‖VᵀV − I‖`).toBeLessThanOrEqual(1e-12 * n);
  let worst = 0;
  for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(values[i] - expected[i]));
  expect(worst, `${label} (${n}x${n}): largest eigenvalue error, ‖A‖ = ${scale}`).toBeLessThanOrEqual(1e-12 * scale * n);
  expect(values.every(Number.isFinite), `${label}: finite eigenvalues`).toBe(true);
}

describeEachBackend('eigh on structured spectra', () => {
  it('pseudo-random, Wilkinson and graded matrices match LAPACK', () => {
    expectEigenpairs('random', pseudoRandom(spectra.random.n), spectra.random.values);
    expectEigenpairs('Wilkinson W+', wilkinson(spectra.wilkinson.n), spectra.wilkinson.values);
    expectEigenpairs('graded', graded(spectra.graded.n), spectra.graded.values);
  });

  it("Clement's matrix has eigenvalues ±(n − 1), ±(n − 3), …", () => {
    for (const n of [300, 301]) {
      const expected = Array.from({ length: n }, (_, i) => -(n - 1) + 2 * i);
      expectEigenpairs('Clement', clement(n), expected);
    }
  });

  it('repeated eigenvalues (every merge deflates) and tight clusters', () => {
    const repeated = Array.from({ length: 300 }, (_, i) => (i < 150 ? 0 : i < 250 ? 1 : 2));
    expectEigenpairs('repeated 0, 1, 2', withSpectrum(repeated), repeated);
    const clustered = Array.from({ length: 300 }, (_, i) => (i < 100 ? 1e-3 * i * 1e-9 : i < 200 ? 1 + 1e-12 * i : 5 + 1e-8 * i));
    expectEigenpairs('clusters', withSpectrum(clustered), clustered);
    const rank5 = matmul(uniformMatrix(280, 5, 3), uniformMatrix(280, 5, 3), { transB: true });
    const { values } = eigh(rank5);
    expect(
      values.slice(0, 275).every((v) => Math.abs(v) <= 1e-12 * 280 * maxAbs(rank5)),
      'rank 5: 275 zero eigenvalues',
    ).toBe(true);
  });

  it('the eigenvalues-only path (maxLearningRate) agrees with the full decomposition', () => {
    const a = gram(uniformMatrix(300, 310, 9));
    const { values } = eigh(a);
    expectClose([maxLearningRate(a)], [(2 * 300) / values[299]], 1e-12, 'maxLearningRate');
  });

  it('a gradientDescentMse predictor gives the same outputs on every later t, and after dispose()', () => {
    const k = gram(uniformMatrix(300, 40, 5));
    const y = uniformMatrix(300, 2, 6);
    const kTest = uniformMatrix(7, 300, 7);
    const model = gradientDescentMse(k, y, { diagReg: 1e-6 });
    const first = model.predict({ t: 3, kTestTrain: kTest });
    model.predict({ t: 10 });
    const again = model.predict({ t: 3, kTestTrain: kTest });
    expectClose(again.train, first.train, 0, 'train at t = 3, twice');
    model.dispose();
    const recomputed = model.predict({ t: 3, kTestTrain: kTest });
    expectClose(recomputed.test!, first.test!, 1e-12, 'test at t = 3 after dispose()', 'normwise');
    model.dispose();
  });
});

it('gradientDescentMse pins its eigenvectors in WASM memory until dispose()', async () => {
  setBackend('wasm');
  const heap = wasmHeap()!;
  const before = heap.top;
  const model = gradientDescentMse(gram(uniformMatrix(64, 10, 1)), uniformMatrix(64, 1, 2));
  model.predict({ t: 1 });
  expect(heap.pinnedBytes).toBeGreaterThanOrEqual(64 * 64 * 8);
  model.dispose();
  expect(heap.pinnedBytes).toBe(0);
  expect(heap.top).toBe(before);
});

it('gpInference keeps its Cholesky factors in WASM memory until dispose(), and refuses predict afterwards', async () => {
  setBackend('wasm');
  const heap = wasmHeap()!;
  const before = heap.top;
  const kTrainTrain = gram(uniformMatrix(64, 10, 1));
  const gp = gpInference({ nngp: kTrainTrain, ntk: kTrainTrain }, uniformMatrix(64, 1, 2), { diagReg: 1e-6 });
  expect(heap.pinnedBytes).toBeGreaterThanOrEqual(2 * 64 * 64 * 8);
  const kTestTrain = uniformMatrix(3, 64, 3);
  const first = gp.predict('ntk', { nngp: kTestTrain, ntk: kTestTrain });
  const again = gp.predict('ntk', { nngp: kTestTrain, ntk: kTestTrain });
  expectClose(again.mean, first.mean, 0, 'the mean from the kept factor, twice');
  gp.dispose();
  expect(heap.pinnedBytes).toBe(0);
  expect(heap.top).toBe(before);
  expect(() => gp.predict('nngp', { nngp: kTestTrain })).toThrow(/^gpInference.predict: the predictor was disposed/);
});

it('the two backends agree to 1e-10 on eigh, cholesky and solveSpd past every block size', () => {
  const n = 333;
  // Eigenvalues at least 0.6 apart, so that the eigenvectors are well conditioned.
  const a = withSpectrum(Array.from({ length: n }, (_, i) => i + 0.2 * Math.sin(i)));
  const spd = gram(uniformMatrix(n, n + 5, 4));
  const rhs = uniformMatrix(n, 70, 5);
  const run = (backend: 'wasm' | 'ts') => {
    setBackend(backend);
    return { eigen: eigh(a), factor: cholesky(spd), solution: solveSpd(spd, rhs) };
  };
  const wasm = run('wasm');
  const ts = run('ts');
  expectClose(wasm.eigen.values, ts.eigen.values, 1e-10, 'eigenvalues', 'normwise');
  expectClose(wasm.eigen.vectors, ts.eigen.vectors, 1e-10, 'eigenvectors', 'normwise');
  expectClose(wasm.factor, ts.factor, 1e-10, 'Cholesky factor', 'normwise');
  expectClose(wasm.solution, ts.solution, 1e-10, 'solveSpd', 'normwise');
});
