import type { Backend } from '../types.js';
import { logDiagonal } from '../../core/numeric.js';
import { dense, gemmInto } from './linalg/gemm.js';
import { infinite, propagate } from './kernels/infinite.js';
import { classicGram } from './kernels/classic.js';
import { dualDescent, primalDescent } from './flow/descent.js';
import { eulerFlow } from './flow/euler.js';
import { cholesky, solveSpd } from './linalg/cholesky.js';
import { eigh } from './linalg/eigh.js';
import { syrk } from './linalg/syrk.js';
import { trsmLowerInPlace } from './linalg/trsm.js';
import { nystromSession } from './kernels/nystrom.js';
import { networkForward, networkJacobian, networkNtk, networkTangents, networkTrain } from './net/network.js';
import { spatialInfinite } from './kernels/spatial.js';
import { needsPositions } from '../../ops/index.js';

// The reference functions cannot fail on validated inputs (they allocate with the engine's own arrays), so
// they take the caller's name without using it.
const unnamed =
  <A extends unknown[], R>(f: (...args: A) => R) =>
  (_fn: string, ...args: A): R =>
    f(...args);

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
  choleskySession(_fn, a, n, minPivot) {
    const { factor, failedPivot, pivotValue } = cholesky(a, n, minPivot);
    if (failedPivot >= 0) return { session: null, failedPivot, pivotValue };
    const solve = (_name: string, b: Float64Array, m: number, out?: Float64Array) => {
      const x = out === undefined ? b.slice() : (out.set(b), out);
      trsmLowerInPlace(factor, x, n, m, false);
      trsmLowerInPlace(factor, x, n, m, true);
      return x;
    };
    return { session: { solve, logDeterminant: () => logDiagonal(factor, n), dispose() {} }, failedPivot, pivotValue };
  },
  solveSpd: unnamed(solveSpd),
  eigh: unnamed(eigh),
  eighSession(_fn, a, n) {
    const { values, vectors, converged } = eigh(a, n, true);
    if (!converged) return null;
    const v = vectors!;
    const product = (trans: boolean, b: Float64Array, m: number) => {
      const out = new Float64Array(n * m);
      gemmInto(trans, false, n, m, n, 1, dense(v, n), dense(b, m), 0, dense(out, m));
      return out;
    };
    return { values, transposeTimes: (_name, b, m) => product(true, b, m), times: (_name, c, m) => product(false, c, m), dispose() {} };
  },
  kernelRidgeFit(_fn, spec, x, n, d, y, m, ridge, minPivot) {
    const gram = classicGram(spec, x, n, null, n, d);
    for (let i = 0; i < n; i++) gram[i * n + i] += ridge;
    return solveSpd(gram, y, n, m, minPivot);
  },
  nystromSession: unnamed(nystromSession),
  classicGram: unnamed(classicGram),
  dualDescent: unnamed(dualDescent),
  primalDescent: unnamed(primalDescent),
  eulerFlow: unnamed(eulerFlow),
  networkForward: unnamed(networkForward),
  networkJacobian: unnamed(networkJacobian),
  networkTangents: unnamed(networkTangents),
  networkNtk: unnamed(networkNtk),
  networkTrain: unnamed(networkTrain),
  // Vector models run on whole matrices; spatial ones pair by pair over their positions.
  infinite: (_fn, program, rule, x1, n1, x2, n2, d) =>
    needsPositions(program) ? spatialInfinite(program, rule, x1, n1, x2, n2) : infinite(program, rule, x1, n1, x2, n2, d),
  infiniteFromKernels: (_fn, program, rule, start) => propagate(program, rule, start),
  infiniteGradients(_fn, program, rule, x1, n1, x2, n2, d, gradients, out) {
    const result = needsPositions(program) ? spatialInfinite(program, rule, x1, n1, x2, n2, gradients) : infinite(program, rule, x1, n1, x2, n2, d, gradients);
    const size = n1 * n2;
    // The interpreters pack the directions' derivatives: each into an array of its own.
    const split = (packed: Float64Array, into: Float64Array[] | null | undefined) =>
      into === null
        ? []
        : Array.from({ length: gradients.directions }, (_, h) => {
            const values = packed.subarray(h * size, (h + 1) * size);
            return into === undefined ? values.slice() : (into[h].set(values), into[h]);
          });
    const into = (target: Float64Array | undefined, source: Float64Array) => (target === undefined ? source : (target.set(source), target));
    return {
      nngp: into(out?.nngp, result.nngp),
      ntk: into(out?.ntk, result.ntk),
      dNngp: split(result.dNngp!, out?.dNngp),
      dNtk: split(result.dNtk!, out?.dNtk),
      finite: result.finite,
    };
  },
};
