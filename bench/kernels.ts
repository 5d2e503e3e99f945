import { Kernel as MlKernel } from 'ml-kernel';
import { CholeskyDecomposition, Matrix as MlMatrix } from 'ml-matrix';
import { KernelRidge, eulerFlow, gradientDescentMse, rbfKernel } from '../src/index.js';
import { uniformMatrix } from '../src/random.js';
import { type BenchCase, onBackend, toMl } from './suite.js';

export function kernelCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  const backends = ['wasm', 'ts'] as const;
  const lengthscale = 4;
  {
    const n = 2000;
    const d = 64;
    const x = uniformMatrix(n, d, 1);
    const kernel = rbfKernel({ lengthscale });
    const group = `rbf Gram n=${n} d=${d}`;
    // n(n+1)·d multiply-adds for the inner products (the syrk half), counted as 2 flops each.
    const flops = n * (n + 1) * d;
    for (const backend of backends) cases.push(onBackend(backend, group, flops, () => kernel(x)));
    const mlKernel = new MlKernel('gaussian', { sigma: lengthscale });
    const mlX = toMl(x);
    cases.push({ group, impl: 'ml-kernel', flops, run: () => mlKernel.compute(mlX) });
  }
  {
    const n = 2000;
    const d = 64;
    const ridge = 1e-2;
    const x = uniformMatrix(n, d, 2);
    const y = uniformMatrix(n, 1, 3);
    const xTest = uniformMatrix(200, d, 4);
    const group = `KernelRidge fit+predict n=${n} d=${d}`;
    for (const backend of backends) {
      cases.push(onBackend(backend, group, undefined, () => new KernelRidge(rbfKernel({ lengthscale }), { ridge }).fit(x, y).predict(xTest)));
    }
    const mlKernel = new MlKernel('gaussian', { sigma: lengthscale });
    const mlX = toMl(x);
    const mlY = toMl(y);
    const mlTest = toMl(xTest);
    cases.push({
      group,
      impl: 'ml-kernel + ml-matrix',
      run: () => {
        const k = mlKernel.compute(mlX);
        for (let i = 0; i < n; i++) k.set(i, i, k.get(i, i) + ridge);
        const alpha = new CholeskyDecomposition(k).solve(mlY);
        return mlKernel.compute(mlTest, mlX).mmul(alpha as MlMatrix);
      },
    });
  }
  {
    const n = 1000;
    const x = uniformMatrix(n, 16, 5);
    const kernel = rbfKernel({ lengthscale: 2 });
    const k = kernel(x);
    const kTest = kernel(uniformMatrix(100, 16, 6), x);
    const y = uniformMatrix(n, 1, 7);
    const times = Array.from({ length: 10 }, (_, i) => 10 ** (i / 3));
    const group = `gradientDescentMse n=${n}, 10 times`;
    for (const backend of backends) {
      cases.push(
        onBackend(backend, group, undefined, () => {
          const model = gradientDescentMse(k, y, { diagReg: 1e-4 });
          return times.map((t) => model.predict({ t, kTestTrain: kTest }));
        }),
      );
    }
    const eulerGroup = `eulerFlow n=${n}, 1000 steps`;
    for (const backend of backends) {
      cases.push(
        onBackend(backend, eulerGroup, 1000 * 2 * (n * n + 100 * n), () => eulerFlow(k, y, { dt: 0.01, steps: 1000, recordEvery: 100, kTestTrain: kTest })),
      );
    }
  }
  return cases;
}
