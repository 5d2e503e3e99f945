// The dense linear algebra of eigh, Cholesky and the predictors that rest on them, at the sizes where
// the blocked algorithms and the second core matter. bench/numpy_peer.py times the same workloads with numpy.
import { KernelRidge, cholesky, eigh, gradientDescentMse, gram, maxLearningRate, rbfKernel } from '../src/index.js';
import { Matrix } from '../src/matrix.js';
import { uniformMatrix } from '../src/random.js';
import { type BenchCase, onBackend } from './suite.js';

function symmetric(n: number, seed: number): Matrix {
  const x = uniformMatrix(n, n, seed);
  const a = new Matrix(n, n);
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) a.data[i * n + j] = 0.5 * (x.data[i * n + j] + x.data[j * n + i]);
  return a;
}

/** gradientDescentMse on an n = 2000 kernel (features of 64), with 500 test rows. */
function mseWorkload() {
  const n = 2000;
  const features = uniformMatrix(n + 500, 64, 11);
  const train = new Matrix(n, 64, features.data.subarray(0, n * 64));
  const test = new Matrix(500, 64, features.data.subarray(n * 64));
  const k = gram(train);
  const kTest = new Matrix(500, n, new Float64Array(500 * n));
  for (let i = 0; i < 500; i++)
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let c = 0; c < 64; c++) s += test.data[i * 64 + c] * train.data[j * 64 + c];
      kTest.data[i * n + j] = s;
    }
  for (const m of [k, kTest]) for (let i = 0; i < m.data.length; i++) m.data[i] /= 64;
  return { k, kTest, y: uniformMatrix(n, 1, 12) };
}

/** The workloads whose peak memory bench/peak.ts measures (each alone in a process). */
export const DENSE_WORKLOADS = {
  'KernelRidge n=10000 d=64 fit+predict 1000': () => {
    const x = uniformMatrix(10_000, 64, 13);
    const y = uniformMatrix(10_000, 1, 14);
    const xTest = uniformMatrix(1000, 64, 15);
    return () => new KernelRidge(rbfKernel({ lengthscale: 8 }), { ridge: 1e-3 }).fit(x, y).predict(xTest);
  },
};

export function denseCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const n of [1000, 2000]) {
    const a = symmetric(n, 1);
    for (const backend of ['wasm', 'ts'] as const)
      cases.push({ ...onBackend(backend, `eigh n=${n}`, undefined, () => eigh(a)), slow: n === 2000 && backend === 'ts' });
  }
  {
    const a = symmetric(2000, 1);
    for (const backend of ['wasm', 'ts'] as const)
      cases.push({ ...onBackend(backend, 'eigenvalues only n=2000', undefined, () => maxLearningRate(a)), slow: backend === 'ts' });
  }
  {
    const n = 2000;
    const x = uniformMatrix(n, n, 4);
    const spd = gram(x);
    for (let i = 0; i < n; i++) spd.data[i * n + i] += n;
    for (const backend of ['wasm', 'ts'] as const) cases.push(onBackend(backend, 'cholesky n=2000', n ** 3 / 3, () => cholesky(spd)));
  }
  {
    const { k, kTest, y } = mseWorkload();
    const tenTimes = () => {
      const model = gradientDescentMse(k, y, { diagReg: 1e-6, diagRegAbsoluteScale: true });
      for (let t = 1; t <= 10; t++) model.predict({ t, kTestTrain: kTest });
      model.dispose();
    };
    for (const backend of ['wasm', 'ts'] as const) {
      cases.push({ ...onBackend(backend, 'gradientDescentMse n=2000 m=500, 10 t', undefined, tenTimes), slow: true });
      let model: ReturnType<typeof gradientDescentMse> | undefined;
      const later = onBackend(backend, 'gradientDescentMse n=2000 later t', undefined, () => model!.predict({ t: 3, kTestTrain: kTest }));
      cases.push({
        ...later,
        before: async () => {
          await later.before?.();
          model?.dispose();
          const { setBackend } = await import('../src/index.js');
          setBackend(backend);
          model = gradientDescentMse(k, y, { diagReg: 1e-6, diagRegAbsoluteScale: true });
          model.predict({ t: 1 });
        },
      });
    }
  }
  for (const [group, make] of Object.entries(DENSE_WORKLOADS)) cases.push({ ...onBackend('wasm', group, undefined, make()), slow: true });
  return cases;
}
