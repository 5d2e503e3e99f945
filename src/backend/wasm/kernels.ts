// The WASM backend's classic kernels: Gram matrices by row blocks, the kernel ridge fit built, factored and solved in
// place, and the Nyström passes over row ranges.
import { nystromCenters } from '../../core/kernels.js';
import { CLASSIC_KIND, NYSTROM_MODE } from '../../core/layout.js';
import type { ClassicKernelSpec, KernelBackend, NystromMode, SolveResult } from '../types.js';
import type { KernelCall } from './pool.js';
import { KERNEL_SCRATCH_BYTES } from './heap.js';
import { type WasmContext, splitRows } from './threads.js';

export function wasmKernels(
  { heap, byRows, runShares, reductionBlocks }: WasmContext,
  factorAndSolve: (op: string, aPtr: number, bPtr: number, n: number, m: number, minPivot: number) => SolveResult,
): KernelBackend {
  /** A classic kernel's Gram matrix (n1 × n2) between rows at x1Ptr and x2Ptr (0: x1 itself) into outPtr. */
  function gramInto(op: string, spec: ClassicKernelSpec, x1Ptr: number, n1: number, x2Ptr: number, n2: number, d: number, outPtr: number): void {
    const symmetric = x2Ptr === 0;
    const norms1 = spec.kind === 'rbf' ? heap.alloc(op, n1) : 0;
    const norms2 = spec.kind === 'rbf' && !symmetric ? heap.alloc(op, n2) : 0;
    const flops = (symmetric ? 1 : 2) * n1 * n2 * d;
    // Two passes: the RBF map of a row reads norms that other row blocks write in the first.
    byRows(op, n1, symmetric, flops, (r0, r1) => ({
      kernel: 'gramInner',
      args: [n1, n2, d, x1Ptr, x2Ptr, outPtr, norms1, norms2, r0, r1],
      scratchBytes: KERNEL_SCRATCH_BYTES,
    }));
    byRows(op, n1, symmetric, flops, (r0, r1) => ({
      kernel: 'gramMap',
      args: [CLASSIC_KIND[spec.kind], n1, n2, +symmetric, outPtr, norms1, norms2, spec.scale, spec.bias, spec.degree, spec.gamma, r0, r1],
      scratchBytes: 16,
    }));
  }

  return {
    kernelRidgeFit(fn, spec, x, n, d, y, m, ridge, minPivot) {
      return heap.frame(fn, x.length + n * n + 2 * n + y.length, () => {
        const xPtr = heap.copyIn(fn, x);
        const gramPtr = heap.alloc(fn, n * n);
        gramInto(fn, spec, xPtr, n, 0, n, d, gramPtr);
        const diagonal = heap.view(gramPtr, n * n);
        for (let i = 0; i < n; i++) diagonal[i * n + i] += ridge;
        return factorAndSolve(fn, gramPtr, heap.copyIn(fn, y), n, m, minPivot);
      });
    },
    nystromSession(fn, spec, x, n, d, centers, m) {
      const { centersT, offsets } = nystromCenters(spec, centers, m, d);
      // x, then the centers, then their offsets, in one kept block.
      const points = heap.keep(fn, n * d + d * m + m);
      points.use(fn, (xPtr) => {
        heap.view(xPtr, n * d).set(x);
        heap.view(xPtr + 8 * n * d, d * m).set(centersT);
        heap.view(xPtr + 8 * (n * d + d * m), m).set(offsets);
      });
      const rows = (op: string, mode: NystromMode, v: Float64Array, k: number, r0: number, r1: number) => {
        if (!points.held) throw new Error(`${op}: the kernel rows were disposed`);
        return points.use(op, (xPtr) => pass(op, xPtr, mode, v, k, r0, r1));
      };
      const pass = (op: string, xPtr: number, mode: NystromMode, v: Float64Array, k: number, r0: number, r1: number) => {
        const centersPtr = xPtr + 8 * n * d;
        const offsetsPtr = centersPtr + 8 * d * m;
        const count = r1 - r0;
        // Each row costs its inner products, the map (an exp for the RBF) and 2k multiply-adds per center.
        const flops = count * m * (2 * d + 20 + 4 * k);
        const parts = reductionBlocks(count, flops);
        return heap.frame(op, m * k + count * k + parts * (m * k + 2 * m), () => {
          const vPtr = heap.alloc(op, m * k);
          const uPtr = heap.alloc(op, count * k);
          if (mode === 'transpose') {
            heap.view(uPtr, count * k).set(v);
          } else {
            const vT = heap.view(vPtr, m * k);
            for (let j = 0; j < m; j++) for (let c = 0; c < k; c++) vT[c * m + j] = v[j * k + c];
          }
          const partials = heap.alloc(op, parts * m * k);
          const scratch = heap.alloc(op, 2 * parts * m);
          const bounds = splitRows(count, parts, false);
          const calls: KernelCall[] = [];
          for (let t = 0; t < parts; t++) {
            calls.push({
              kernel: 'nystromRows',
              args: [
                NYSTROM_MODE[mode],
                CLASSIC_KIND[spec.kind],
                d,
                m,
                k,
                xPtr + 8 * d * r0,
                centersPtr,
                offsetsPtr,
                vPtr,
                uPtr,
                partials + 8 * t * m * k,
                scratch + 16 * t * m,
                spec.scale,
                spec.bias,
                spec.degree,
                spec.gamma,
                bounds[t],
                bounds[t + 1],
              ],
              scratchBytes: 16,
            });
          }
          runShares(op, calls);
          if (mode === 'times') return heap.copyOut(uPtr, count * k);
          const sums = heap.view(partials, parts * m * k);
          const w = new Float64Array(m * k);
          for (let t = 0; t < parts; t++) for (let c = 0; c < k; c++) for (let j = 0; j < m; j++) w[j * k + c] += sums[t * m * k + c * m + j];
          return w;
        });
      };
      return { rows, dispose: () => points.release() };
    },
    classicGram(fn, spec, x1, n1, x2, n2, d, out) {
      return heap.frame(fn, x1.length + (x2?.length ?? 0) + n1 * n2 + n1 + n2, () => {
        const x1Ptr = heap.copyIn(fn, x1);
        const x2Ptr = x2 === null ? 0 : heap.copyIn(fn, x2);
        const outPtr = heap.alloc(fn, n1 * n2);
        gramInto(fn, spec, x1Ptr, n1, x2Ptr, n2, d, outPtr);
        return heap.copyOut(outPtr, n1 * n2, out);
      });
    },
  };
}
