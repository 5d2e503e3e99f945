// The WASM backend's dense linear algebra: gemm and Gram products by row blocks, the blocked Cholesky factorization
// and triangular solves, and the symmetric eigendecomposition (Householder reduction, divide and conquer, the
// back-transformation), each phase split over the threads.
import { BLOCKS } from '../../core/layout.js';
import { logDiagonal } from '../../core/numeric.js';
import type { LinalgBackend, SolveResult } from '../types.js';
import { KERNEL_SCRATCH_BYTES } from './heap.js';
import type { KernelCall } from './pool.js';
import { SYMV_BLOCKS, SYMV_SPLIT_ROWS, type WasmContext, splitRows } from './threads.js';

/** The family's methods, and the factor-and-solve the kernel ridge fit shares. */
export function wasmLinalg({ exports, heap, pool, byRows, runShares }: WasmContext): {
  methods: LinalgBackend;
  factorAndSolve(op: string, aPtr: number, bPtr: number, n: number, m: number, minPivot: number): SolveResult;
} {
  /**
   * Right-looking blocked Cholesky in place: per block column, the diagonal block here, then the panel
   * below it and the trailing update split by rows. A failed pivot leaves its value on the diagonal.
   */
  function factorInPlace(op: string, aPtr: number, n: number, minPivot: number): { failedPivot: number; pivotValue: number } {
    for (let j0 = 0; j0 < n; j0 += BLOCKS.cholesky) {
      const jb = Math.min(BLOCKS.cholesky, n - j0);
      const failedPivot = heap.run(op, () => exports.choleskyDiagonal(n, aPtr, j0, jb, minPivot));
      if (failedPivot >= 0) return { failedPivot, pivotValue: heap.view(aPtr + (failedPivot * n + failedPivot) * 8, 1)[0] };
      const start = j0 + jb;
      const rows = n - start;
      if (rows === 0) continue;
      byRows(op, rows, false, rows * jb * jb, (r0, r1) => ({
        kernel: 'choleskyPanel',
        args: [n, aPtr, j0, jb, start + r0, start + r1],
        scratchBytes: KERNEL_SCRATCH_BYTES,
      }));
      byRows(op, rows, true, rows * rows * jb, (r0, r1) => ({
        kernel: 'choleskyUpdate',
        args: [n, aPtr, j0, jb, start + r0, start + r1],
        scratchBytes: KERNEL_SCRATCH_BYTES,
      }));
    }
    exports.zeroUpper(n, aPtr);
    return { failedPivot: -1, pivotValue: 0 };
  }

  /** L·Lᵀ·X = B in place on B (n × m): both triangular solves. */
  function solveBoth(op: string, lPtr: number, bPtr: number, n: number, m: number): void {
    solveInPlace(op, lPtr, bPtr, n, m, false);
    solveInPlace(op, lPtr, bPtr, n, m, true);
  }

  /** a·X = b in place (a at aPtr becomes its factor), the solution copied out; failure as factorInPlace. */
  function factorAndSolve(op: string, aPtr: number, bPtr: number, n: number, m: number, minPivot: number) {
    const status = factorInPlace(op, aPtr, n, minPivot);
    if (status.failedPivot < 0) solveBoth(op, aPtr, bPtr, n, m);
    return { solution: heap.copyOut(bPtr, n * m), ...status };
  }

  /** L·X = B (or Lᵀ·X = B) in place on B (n × m), split by columns. */
  function solveInPlace(op: string, lPtr: number, bPtr: number, n: number, m: number, transpose: boolean): void {
    byRows(op, m, false, n * n * m, (c0, c1) => ({ kernel: 'trsmLower', args: [n, m, lPtr, bPtr, +transpose, c0, c1], scratchBytes: KERNEL_SCRATCH_BYTES }));
  }

  /**
   * Eigenvalues (copied out) and, when `vectorsPtr` is not 0, the eigenvectors into the n × n doubles there:
   * the reduction (its matrix–vector products split over the pool), divide and conquer (the halves and the top
   * merge's gemm on two threads), the back-transformation split by columns.
   */
  function eighInto(fn: string, a: Float64Array, n: number, vectorsPtr: number): { values: Float64Array; converged: boolean } {
    const wantVectors = vectorsPtr !== 0;
    const nb = BLOCKS.householder;
    const vectorDoubles = wantVectors ? 2 * n * n : 0; // the top merge's g and u
    return heap.frame(fn, a.length + 4 * n + nb * n + vectorDoubles, () => {
      const aPtr = heap.copyIn(fn, a);
      const d = heap.alloc(fn, n);
      const e = heap.alloc(fn, n);
      const tau = heap.alloc(fn, n);
      const w = heap.alloc(fn, nb * n);
      // Per block of rows, its part of each trailing block times the reflector (the reduction's memory-bound half).
      const partial = heap.alloc(fn, SYMV_BLOCKS * n);
      for (let k0 = 0; k0 < n; k0 += nb) {
        const rows = Math.min(nb, n - k0);
        for (let j = 0; j < rows; j++) {
          const k = k0 + j;
          if (exports.panelReflect(n, aPtr, k0, j, w, d, e, tau) === 0) continue;
          const m = n - k - 1;
          const trailing = aPtr + 8 * ((k + 1) * n + k + 1);
          const parts = m >= SYMV_SPLIT_ROWS ? SYMV_BLOCKS : 1;
          const bounds = splitRows(m, parts, true);
          const calls: KernelCall[] = [];
          // Row i of the trailing block costs m − i: split from the bottom.
          for (let t = 0; t < parts; t++) {
            calls.push({
              kernel: 'symvUpper',
              args: [m, trailing, n, aPtr + 8 * (k * n + k + 1), partial + 8 * t * n, m - bounds[t + 1], m - bounds[t]],
              scratchBytes: 16,
            });
          }
          runShares(fn, calls);
          exports.panelFinish(n, aPtr, k0, j, w, tau, partial, parts, 8 * n);
        }
        const start = k0 + rows;
        // The trailing rows from the bottom, so that the triangular split balances rows that cost n − r.
        if (start < n) {
          byRows(fn, n - start, true, 2 * rows * (n - start) ** 2, (b0, b1) => ({
            kernel: 'tridiagonalUpdate',
            args: [n, aPtr, w, k0, rows, n - b1, n - b0],
            scratchBytes: KERNEL_SCRATCH_BYTES,
          }));
        }
      }
      if (!wantVectors) {
        const status = heap.run(fn, () => exports.tridiagonalValues(n, d, e));
        return { values: heap.copyOut(d, n), converged: status === 0 };
      }
      const z = vectorsPtr;
      heap.view(z, n * n).fill(0);
      const status = heap.alloc(fn, 1);
      const statuses = () => new Int32Array(heap.memory.buffer, status, 2);
      statuses().fill(0);
      const solve = (s: number, len: number, slot: number): KernelCall => ({
        kernel: 'dcSolve',
        args: [n, d, e, z, s, len, status + 4 * slot],
        scratchBytes: KERNEL_SCRATCH_BYTES + 8 * (2 * len * len + 16 * len) + 4096,
      });
      if (pool === undefined || pool.size < 2 || n <= 8 * BLOCKS.dcLeaf) {
        heap.run(fn, () => exports.dcSolve(n, d, e, z, 0, n, status));
      } else {
        // The two halves on two threads, then the top merge (most of the flops) split by columns.
        const n1 = n >> 1;
        exports.dcTear(d, e, 0, n1);
        runShares(fn, [solve(0, n1, 0), solve(n1, n - n1, 1)]);
        if (statuses().every((v) => v === 0)) {
          const g = heap.alloc(fn, n * n);
          const u = heap.alloc(fn, n * n);
          const info = heap.alloc(fn, 2);
          heap.run(fn, () => exports.dcMergePrepare(n, d, e, z, 0, n1, n, g, u, info));
          const [k, k1, k2] = new Int32Array(heap.memory.buffer, info, 3);
          byRows(fn, k, false, 2 * n * k * k, (c0, c1) => ({
            kernel: 'dcMergeColumns',
            args: [n, z, 0, n1, n, g, u, k, k1, k2, c0, c1],
            scratchBytes: KERNEL_SCRATCH_BYTES,
          }));
        }
      }
      const converged = statuses().every((v) => v === 0);
      if (converged) {
        byRows(fn, n, false, 2 * n ** 3, (c0, c1) => ({
          kernel: 'householderApply',
          args: [n, aPtr, tau, z, c0, c1],
          scratchBytes: KERNEL_SCRATCH_BYTES + 8 * (nb * n + nb * nb + nb * (c1 - c0)) + 4096,
        }));
      }
      return { values: heap.copyOut(d, n), converged };
    });
  }

  const methods: LinalgBackend = {
    matmul(fn, a, b, m, n, k, transA, transB, out) {
      return heap.frame(fn, a.length + b.length + m * n, () => {
        const aPtr = heap.copyIn(fn, a);
        const bPtr = heap.copyIn(fn, b);
        const cPtr = heap.alloc(fn, m * n);
        const lda = transA ? m : k;
        // One column is a gemv, bound by memory rather than arithmetic: not worth splitting.
        byRows(fn, m, false, n === 1 ? 0 : 2 * m * n * k, (r0, r1) => ({
          kernel: 'gemm',
          args: [+transA, +transB, r1 - r0, n, k, 1, aPtr + 8 * (transA ? r0 : r0 * lda), lda, bPtr, transB ? k : n, 0, cPtr + 8 * r0 * n, n],
          scratchBytes: KERNEL_SCRATCH_BYTES,
        }));
        return heap.copyOut(cPtr, m * n, out);
      });
    },
    gram(fn, a, n, k, out) {
      return heap.frame(fn, a.length + n * n, () => {
        const aPtr = heap.copyIn(fn, a);
        const cPtr = heap.alloc(fn, n * n);
        byRows(fn, n, true, n * n * k, (r0, r1) => ({ kernel: 'syrk', args: [n, k, aPtr, cPtr, r0, r1], scratchBytes: KERNEL_SCRATCH_BYTES }));
        return heap.copyOut(cPtr, n * n, out);
      });
    },
    cholesky(fn, a, n, minPivot) {
      return heap.frame(fn, a.length, () => {
        const aPtr = heap.copyIn(fn, a);
        const status = factorInPlace(fn, aPtr, n, minPivot);
        return { factor: heap.copyOut(aPtr, n * n), ...status };
      });
    },
    trsmLower(fn, l, b, n, m, transpose) {
      return heap.frame(fn, l.length + b.length, () => {
        const lPtr = heap.copyIn(fn, l);
        const bPtr = heap.copyIn(fn, b);
        solveInPlace(fn, lPtr, bPtr, n, m, transpose);
        return heap.copyOut(bPtr, n * m);
      });
    },
    choleskySession(fn, a, n, minPivot) {
      const factor = heap.keep(fn, n * n);
      try {
        // A frame for the pool's scratch, released above the kept factor.
        const status = factor.use(fn, (ptr) => {
          heap.view(ptr, n * n).set(a);
          return heap.frame(fn, 0, () => factorInPlace(fn, ptr, n, minPivot));
        });
        if (status.failedPivot >= 0) {
          factor.release();
          return { session: null, ...status };
        }
        const solve = (op: string, b: Float64Array, m: number, out?: Float64Array) => {
          if (!factor.held) throw new Error(`${op}: the Cholesky factor was disposed`);
          return factor.use(op, (ptr) =>
            heap.frame(op, b.length, () => {
              const bPtr = heap.copyIn(op, b);
              solveBoth(op, ptr, bPtr, n, m);
              return heap.copyOut(bPtr, n * m, out);
            }),
          );
        };
        const logDeterminant = () => factor.use('logDeterminant', (ptr) => logDiagonal(heap.view(ptr, n * n), n));
        return { session: { solve, logDeterminant, dispose: () => factor.release() }, ...status };
      } catch (error) {
        factor.release();
        throw error;
      }
    },
    solveSpd(fn, a, b, n, m, minPivot) {
      return heap.frame(fn, a.length + b.length, () => factorAndSolve(fn, heap.copyIn(fn, a), heap.copyIn(fn, b), n, m, minPivot));
    },
    eigh(fn, a, n, wantVectors) {
      if (!wantVectors) return { ...eighInto(fn, a, n, 0), vectors: null };
      return heap.frame(fn, n * n, () => {
        const vectorsPtr = heap.alloc(fn, n * n);
        const { values, converged } = eighInto(fn, a, n, vectorsPtr);
        return { values, vectors: heap.copyOut(vectorsPtr, n * n), converged };
      });
    },
    eighSession(fn, a, n) {
      const vectors = heap.keep(fn, n * n);
      try {
        const { values, converged } = vectors.use(fn, (ptr) => eighInto(fn, a, n, ptr));
        if (!converged) {
          vectors.release();
          return null;
        }
        // Bound by reading V: split by rows of the result once it is large enough to matter.
        const product = (op: string, trans: boolean, b: Float64Array, m: number) => {
          if (!vectors.held) throw new Error(`${op}: the eigendecomposition was disposed`);
          return vectors.use(op, (v) =>
            heap.frame(op, 2 * n * m, () => {
              const bPtr = heap.copyIn(op, b);
              const out = heap.alloc(op, n * m);
              byRows(op, n, false, 8 * n * n * m, (r0, r1) => ({
                kernel: 'gemm',
                args: [+trans, 0, r1 - r0, m, n, 1, v + 8 * (trans ? r0 : r0 * n), n, bPtr, m, 0, out + 8 * r0 * m, m],
                scratchBytes: KERNEL_SCRATCH_BYTES,
              }));
              return heap.copyOut(out, n * m);
            }),
          );
        };
        return {
          values,
          transposeTimes: (op, b, m) => product(op, true, b, m),
          times: (op, c, m) => product(op, false, c, m),
          dispose: () => vectors.release(),
        };
      } catch (error) {
        vectors.release();
        throw error;
      }
    },
  };
  return { methods, factorAndSolve };
}
