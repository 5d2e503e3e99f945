import type { Backend } from '../types.js';
import { dense, gemmInto } from './gemm.js';
import { infinite } from './infinite.js';
import { classicGram, dualDescent, eulerFlow, primalDescent } from './kernels.js';
import { cholesky, eigh, syrk, trsmLowerInPlace } from './linalg.js';
import { networkForward, networkJacobian, networkNtk, networkTrain } from './network.js';

/** The reference backend: plain TypeScript on typed arrays, available everywhere. */
export const tsBackend: Backend = {
  name: 'ts',
  matmul(a, b, m, n, k, transA, transB) {
    const c = new Float64Array(m * n);
    gemmInto(transA, transB, m, n, k, 1, dense(a, transA ? m : k), dense(b, transB ? k : n), 0, dense(c, n));
    return c;
  },
  gram: syrk,
  cholesky,
  trsmLower(l, b, n, m, transpose) {
    const x = b.slice();
    trsmLowerInPlace(l, x, n, m, transpose);
    return x;
  },
  choleskySolve(l, b, n, m) {
    const x = b.slice();
    trsmLowerInPlace(l, x, n, m, false);
    trsmLowerInPlace(l, x, n, m, true);
    return x;
  },
  solveSpd(a, b, n, m, minPivot) {
    const { factor, failedPivot, pivotValue } = cholesky(a, n, minPivot);
    const solution = b.slice();
    if (failedPivot < 0) {
      trsmLowerInPlace(factor, solution, n, m, false);
      trsmLowerInPlace(factor, solution, n, m, true);
    }
    return { solution, failedPivot, pivotValue };
  },
  eigh,
  classicGram,
  dualDescent,
  primalDescent,
  eulerFlow,
  networkForward,
  networkJacobian,
  networkNtk,
  networkTrain,
  infinite,
};
