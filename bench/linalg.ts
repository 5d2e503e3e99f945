import { CholeskyDecomposition, EigenvalueDecomposition } from 'ml-matrix';
import { cholesky, eigh, gram, matmul, solveSpd } from '../src/index.js';
import { uniformMatrix } from '../src/random.js';
import { type BenchCase, onBackend, toMl } from './suite.js';

function spd(n: number, seed: number) {
  const x = uniformMatrix(n, n, seed);
  const a = gram(x);
  for (let i = 0; i < n; i++) a.data[i * n + i] += n;
  return a;
}

export function linalgCases(): BenchCase[] {
  const cases: BenchCase[] = [];
  for (const n of [128, 256, 512, 1024]) {
    const a = uniformMatrix(n, n, 1);
    const b = uniformMatrix(n, n, 2);
    const group = `matmul n=${n}`;
    for (const backend of ['wasm', 'ts'] as const) cases.push(onBackend(backend, group, 2 * n ** 3, () => matmul(a, b)));
    const mlA = toMl(a);
    const mlB = toMl(b);
    cases.push({ group, impl: 'ml-matrix', flops: 2 * n ** 3, run: () => mlA.mmul(mlB) });
  }
  {
    const n = 1000;
    const d = 256;
    const x = uniformMatrix(n, d, 3);
    for (const backend of ['wasm', 'ts'] as const) cases.push(onBackend(backend, `gram n=${n} d=${d}`, n * (n + 1) * d, () => gram(x)));
  }
  for (const n of [512, 1024]) {
    const a = spd(n, 4);
    const group = `cholesky n=${n}`;
    for (const backend of ['wasm', 'ts'] as const) cases.push(onBackend(backend, group, n ** 3 / 3, () => cholesky(a)));
    const mlA = toMl(a);
    cases.push({ group, impl: 'ml-matrix', flops: n ** 3 / 3, run: () => new CholeskyDecomposition(mlA).lowerTriangularMatrix });
  }
  {
    const n = 1024;
    const a = spd(n, 5);
    const rhs = uniformMatrix(n, 10, 6);
    const flops = n ** 3 / 3 + 2 * 2 * n * n * 10;
    for (const backend of ['wasm', 'ts'] as const) cases.push(onBackend(backend, `solveSpd n=${n} m=10`, flops, () => solveSpd(a, rhs)));
  }
  for (const n of [256, 512]) {
    const a = spd(n, 7);
    const group = `eigh n=${n}`;
    for (const backend of ['wasm', 'ts'] as const) cases.push(onBackend(backend, group, undefined, () => eigh(a)));
    const mlA = toMl(a);
    cases.push({ group, impl: 'ml-matrix', run: () => new EigenvalueDecomposition(mlA, { assumeSymmetric: true }).realEigenvalues });
  }
  return cases;
}
