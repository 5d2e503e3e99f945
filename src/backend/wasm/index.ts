import type { Backend } from '../types.js';
import { WasmHeap } from './heap.js';
import type { NtkExports } from './loader.js';

/** The WASM backend over one instantiated module: each call copies in, runs the export, copies out. */
export function createWasmBackend(exports: NtkExports, memory: WebAssembly.Memory): Backend & { heap: WasmHeap } {
  const heap = new WasmHeap(exports, memory);

  // Factors in place; a failed pivot leaves its value on the diagonal.
  function factorInPlace(aPtr: number, n: number): { failedPivot: number; pivotValue: number } {
    const failedPivot = exports.cholesky(n, aPtr);
    const pivotValue = failedPivot < 0 ? 0 : heap.view(aPtr + (failedPivot * n + failedPivot) * 8, 1)[0];
    return { failedPivot, pivotValue };
  }

  return {
    name: 'wasm',
    heap,
    matmul(a, b, m, n, k, transA, transB) {
      return heap.frame('matmul', a.length + b.length + m * n, () => {
        const aPtr = heap.copyIn('matmul', a);
        const bPtr = heap.copyIn('matmul', b);
        const cPtr = heap.alloc('matmul', m * n);
        exports.gemm(+transA, +transB, m, n, k, 1, aPtr, transA ? m : k, bPtr, transB ? k : n, 0, cPtr, n);
        return heap.copyOut(cPtr, m * n);
      });
    },
    gram(a, n, k) {
      return heap.frame('gram', a.length + n * n, () => {
        const aPtr = heap.copyIn('gram', a);
        const cPtr = heap.alloc('gram', n * n);
        exports.syrk(n, k, aPtr, cPtr);
        return heap.copyOut(cPtr, n * n);
      });
    },
    cholesky(a, n) {
      return heap.frame('cholesky', a.length, () => {
        const aPtr = heap.copyIn('cholesky', a);
        const status = factorInPlace(aPtr, n);
        return { factor: heap.copyOut(aPtr, n * n), ...status };
      });
    },
    trsmLower(l, b, n, m, transpose) {
      return heap.frame('solveTriangular', l.length + b.length, () => {
        const lPtr = heap.copyIn('solveTriangular', l);
        const bPtr = heap.copyIn('solveTriangular', b);
        exports.trsmLower(n, m, lPtr, bPtr, +transpose);
        return heap.copyOut(bPtr, n * m);
      });
    },
    solveSpd(a, b, n, m) {
      return heap.frame('solveSpd', a.length + b.length, () => {
        const aPtr = heap.copyIn('solveSpd', a);
        const bPtr = heap.copyIn('solveSpd', b);
        const status = factorInPlace(aPtr, n);
        if (status.failedPivot < 0) {
          exports.trsmLower(n, m, aPtr, bPtr, 0);
          exports.trsmLower(n, m, aPtr, bPtr, 1);
        }
        return { solution: heap.copyOut(bPtr, n * m), ...status };
      });
    },
    eigh(a, n) {
      return heap.frame('eigh', a.length + n + n * n + 3 * n, () => {
        const aPtr = heap.copyIn('eigh', a);
        const valuesPtr = heap.alloc('eigh', n);
        const vectorsPtr = heap.alloc('eigh', n * n);
        const status = exports.eigh(n, aPtr, valuesPtr, vectorsPtr);
        return { values: heap.copyOut(valuesPtr, n), vectorsT: heap.copyOut(vectorsPtr, n * n), converged: status === 0 };
      });
    },
  };
}
