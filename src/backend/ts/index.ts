import type { Backend } from '../types.js';
import { dense, gemmInto } from './gemm.js';
import { infinite } from './infinite.js';
import { classicGram, dualDescent, eulerFlow, primalDescent } from './kernels.js';
import { cholesky, eigh, syrk, trsmLowerInPlace } from './linalg.js';
import { networkForward, networkJacobian, networkNtk, networkTrain } from './network.js';
import { spatialInfinite } from './spatial.js';
import { positionsOf } from '../../core/shapes.js';

// The reference functions cannot fail on validated inputs (they allocate with the engine's own arrays), so
// they take the caller's name without using it.
const unnamed = <A extends unknown[], R>(f: (...args: A) => R) => (_fn: string, ...args: A): R => f(...args);

/** The reference backend: plain TypeScript on typed arrays, available everywhere. */
export const tsBackend: Backend = {
  name: 'ts',
  matmul(_fn, a, b, m, n, k, transA, transB) {
    const c = new Float64Array(m * n);
    gemmInto(transA, transB, m, n, k, 1, dense(a, transA ? m : k), dense(b, transB ? k : n), 0, dense(c, n));
    return c;
  },
  gram: unnamed(syrk),
  cholesky: unnamed(cholesky),
  trsmLower(_fn, l, b, n, m, transpose) {
    const x = b.slice();
    trsmLowerInPlace(l, x, n, m, transpose);
    return x;
  },
  choleskySolve(_fn, l, b, n, m) {
    const x = b.slice();
    trsmLowerInPlace(l, x, n, m, false);
    trsmLowerInPlace(l, x, n, m, true);
    return x;
  },
  solveSpd(_fn, a, b, n, m, minPivot) {
    const { factor, failedPivot, pivotValue } = cholesky(a, n, minPivot);
    const solution = b.slice();
    if (failedPivot < 0) {
      trsmLowerInPlace(factor, solution, n, m, false);
      trsmLowerInPlace(factor, solution, n, m, true);
    }
    return { solution, failedPivot, pivotValue };
  },
  eigh: unnamed(eigh),
  classicGram: unnamed(classicGram),
  dualDescent: unnamed(dualDescent),
  primalDescent: unnamed(primalDescent),
  eulerFlow: unnamed(eulerFlow),
  networkForward: unnamed(networkForward),
  networkJacobian: unnamed(networkJacobian),
  networkNtk: unnamed(networkNtk),
  networkTrain: unnamed(networkTrain),
  // Vector models run on whole matrices; spatial ones pair by pair over their positions.
  infinite: (_fn, program, rule, x1, n1, x2, n2, d) =>
    (positionsOf(program, 0) > 1 ? spatialInfinite(program, rule, x1, n1, x2, n2) : infinite(program, rule, x1, n1, x2, n2, d)),
};
