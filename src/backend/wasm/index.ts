import { needsPositions, opUnit } from '../../ops/index.js';
import { nystromCenters } from '../../core/kernels.js';
import { BLOCKS, CLASSIC_KIND, NYSTROM_MODE, PROGRAM_WIDTH, instructionsOf } from '../../core/layout.js';
import { channelsOf, positionsOf, sizeOf } from '../../core/shapes.js';
import type { Backend, ClassicKernelSpec, NystromMode } from '../types.js';
import type { MixtureRule } from '../../ops/activations/unit.js';
import type { TermLayout } from '../../ops/unit.js';
import type { Program } from '../../core/layout.js';
import { KERNEL_SCRATCH_BYTES, WasmHeap } from './heap.js';
import type { NtkExports } from './loader.js';
import type { KernelCall, WorkerPool } from './pool.js';

// Below this many flops per share a thread costs more to wake than it saves.
const MIN_SHARE_FLOPS = 4e6;
// A symmetric matrix–vector product is bound by memory, so it is split at far fewer flops than gemm, into
// this many blocks (fixed, see REDUCTION_BLOCKS).
const SYMV_SPLIT_ROWS = 256;
const SYMV_BLOCKS = 4;
// Reductions over rows (gradients, Nyström passes, the reduction's matrix–vector products) add one partial per
// block of a partition that depends only on the problem's size, in block order: their bits are the same on
// any number of threads. Row splits without a reduction give every row the same arithmetic whatever the split.
// At most 4 blocks of at least 128 rows: a block's partial gradient is a gemm whose inner dimension is its rows,
// 20 GFLOPS from 250 rows on, 15 at 125.
const REDUCTION_BLOCKS = 4;
const REDUCTION_ROWS = 128;
// Row blocks start at multiples of this, so register tiles and cache lines stay whole.
const ROW_ALIGN = 8;

/**
 * Boundaries of `parts` row blocks of [0, n): equal numbers of rows, or (triangular) equal areas of a
 * lower triangle, where row i costs i + 1.
 */
export function splitRows(n: number, parts: number, triangular: boolean): number[] {
  const bounds = [0];
  for (let t = 1; t < parts; t++) {
    const ideal = triangular ? n * Math.sqrt(t / parts) : (n * t) / parts;
    bounds.push(Math.min(n, Math.max(bounds[t - 1], Math.round(ideal / ROW_ALIGN) * ROW_ALIGN)));
  }
  bounds.push(n);
  return bounds;
}

/**
 * The WASM backend over one instantiated module: each call copies in, runs the export, copies out. With a
 * worker pool, gemm, Gram matrices, the structured NTK and the analytic kernels are split by row blocks.
 */
export function createWasmBackend(exports: NtkExports, memory: WebAssembly.Memory, pool?: WorkerPool): Backend & { heap: WasmHeap } {
  const heap = new WasmHeap(exports, memory, pool?.size);

  /**
   * Runs `share(r0, r1)` for row blocks of [0, n), one per thread when `flops` of work is enough to keep
   * them busy. Every share must be done before the next pass reads what it wrote.
   */
  function byRows(op: string, n: number, triangular: boolean, flops: number, share: (r0: number, r1: number) => KernelCall): void {
    const parts = sharesFor(n, flops);
    const bounds = splitRows(n, parts, triangular);
    const calls: KernelCall[] = [];
    for (let t = 0; t < parts; t++) if (bounds[t + 1] > bounds[t] || t === 0) calls.push(share(bounds[t], bounds[t + 1]));
    runShares(op, calls);
  }

  /** How many threads `flops` of work over n rows keeps busy: one per thread, each with enough work and rows. */
  function sharesFor(n: number, flops: number): number {
    return pool === undefined ? 1 : Math.max(1, Math.min(pool.size, Math.floor(flops / MIN_SHARE_FLOPS), Math.ceil(n / ROW_ALIGN)));
  }

  /** The blocks of a reduction over n rows: as many as the work fills, at most REDUCTION_BLOCKS, whatever the threads. */
  function reductionBlocks(n: number, flops: number): number {
    return Math.max(1, Math.min(REDUCTION_BLOCKS, Math.floor(flops / MIN_SHARE_FLOPS), Math.floor(n / REDUCTION_ROWS)));
  }

  /**
   * Runs the shares, on the pool when there are several, in a frame of their own: the workers' scratch regions
   * are given back after every run, so a loop of runs (training steps) reuses the same memory.
   */
  function runShares(op: string, calls: KernelCall[]): void {
    if (pool === undefined || calls.length === 1) {
      for (const { kernel, args } of calls) heap.run(op, () => (exports[kernel] as (...values: number[]) => void)(...args));
    } else {
      heap.frame(op, 0, () => pool.run(heap, op, calls));
    }
  }

  // The program as the first export arguments (program, attributes, count, shapes, output), copied into the arena.
  function programArguments(op: string, program: Program): [number, number, number, number, number] {
    return [heap.copyInInt32(op, program.instructions), heap.copyIn(op, program.attributes), program.instructions.length / PROGRAM_WIDTH,
      heap.copyInInt32(op, program.shapes), program.output];
  }
  const programDoubles = (program: Program) => program.instructions.length + program.attributes.length + 2 * program.values;
  /** The instructions that carry parameters, with their op's passes: the terms of the structured NTK, in order. */
  const parameterized = (program: Program) => instructionsOf(program).flatMap((ins) => {
    const passes = opUnit(ins.op, 'wasm').parameters;
    return passes === undefined ? [] : [{ ins, passes }];
  });
  // Everything a pass over n rows keeps: values, what ops keep, cotangents (k seeds), the pointer tables, and what
  // each op keeps for itself.
  const passDoubles = (program: Program, n: number) => {
    const k = channelsOf(program, program.output);
    let doubles = 2 * program.values + n * k * k;
    for (let v = 0; v < program.values; v++) doubles += n * sizeOf(program, v) * (2 + k);
    for (const ins of instructionsOf(program)) doubles += opUnit(ins.op, 'wasm').cost.passDoubles?.(program, ins, n, k) ?? 0;
    return doubles;
  };
  /** The layout of every parameterized instruction's structured-NTK term. */
  const termLayouts = (program: Program, full: boolean) =>
    parameterized(program).map(({ ins, passes }) => passes.termLayout(program, ins, channelsOf(program, program.output), full));

  /**
   * Full-size arrays for the parameterized instructions' terms over n examples as their layouts give them, filled
   * by row blocks; returns the table of their pointers (three per term) that netNtkRows reads.
   */
  function signalTables(op: string, program: Program, args: number[], paramsPtr: number, x: number, n: number, layouts: TermLayout[], formsPtr: number, full: boolean): number {
    const count = layouts.length;
    const table = heap.alloc(op, Math.ceil((3 * count) / 2));
    const pointers = new Int32Array(3 * count);
    layouts.forEach(({ widths, input }, d) => widths.forEach((width, part) => {
      if (width !== 0) pointers[part * count + d] = part === 0 && input ? x : heap.alloc(op, n * width);
    }));
    const flops = n * layouts.reduce((sum, layout) => sum + layout.signalFlops, 0);
    new Int32Array(heap.memory.buffer, table, 3 * count).set(pointers);
    byRows(op, n, false, flops, (r0, r1) => ({
      kernel: 'netSignals',
      args: [...args, paramsPtr, x, r0, r1, table, formsPtr, +full],
      scratchBytes: KERNEL_SCRATCH_BYTES + 8 * passDoubles(program, r1 - r0) + 4096,
    }));
    return table;
  }

  /** NNGP and NTK of a program on spatial inputs: pass 1 (each input's variances), then pairs by row blocks. */
  function spatialInfinite(op: string, program: Program, rule: MixtureRule, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number,
    out?: { nngp: Float64Array; ntk: Float64Array }) {
    const size = n1 * n2;
    const count = program.instructions.length / PROGRAM_WIDTH;
    const instructions = instructionsOf(program);
    const slotCount = Math.max(...program.slots) + 1;
    const stateSize = (v: number) => (program.fullSpatial[v] ? positionsOf(program, v) ** 2 : positionsOf(program, v));
    const largest = Math.max(...Array.from({ length: program.values }, (_, v) => stateSize(v)));
    // What ops keep per thread: for the call (tap tables) and while their pass runs (avgPool's M·Bᵀ).
    const opScratch = instructions.map((ins) => opUnit(ins.op, 'wasm').cost.pairScratch?.(program, ins) ?? { prepared: 0, work: 0 });
    const largestOpWork = Math.max(1, ...opScratch.map(({ work }) => work));
    const preparedDoubles = opScratch.reduce((sum, { prepared }) => sum + prepared, 0);
    // Each input's variances at every value: value v of example i at i·stride + offsets[v].
    const offsets = new Int32Array(program.values);
    for (let v = 1; v < program.values; v++) offsets[v] = offsets[v - 1] + positionsOf(program, v - 1);
    const stride = offsets[program.values - 1] + positionsOf(program, program.values - 1);
    const ruleSize = rule.scales.length;
    const pairFlops = instructions.reduce((sum, ins) => sum + stateSize(ins.out) * opUnit(ins.op, 'wasm').cost.entryFlops(program, ins, ruleSize),
      2 * stateSize(0) * channelsOf(program, 0));
    // Per share (assembly/kernels/spatial.ts begin): Σ and Θ for every slot, the windowed result and the
    // intermediate between a convolution's two passes, and what ops keep.
    const scratchBytes = KERNEL_SCRATCH_BYTES + 8 * (2 * (slotCount + 2) * (largest + 2) + largestOpWork + preparedDoubles + count) + 4096;
    const inputs = x1.length + (x2?.length ?? 0);
    return heap.frame(op, inputs + 2 * size + n1 + stride * (n1 + (x2 === null ? 0 : n2)) + programDoubles(program) + 2 * ruleSize, () => {
      const args = [...programArguments(op, program)];
      const context = [...args, heap.copyInInt32(op, program.fullSpatial), heap.copyInInt32(op, program.slots), slotCount, largest, largestOpWork,
        heap.copyInInt32(op, offsets), stride, heap.copyIn(op, rule.scales), heap.copyIn(op, rule.weights), ruleSize];
      const x1Ptr = heap.copyIn(op, x1);
      const x2Ptr = x2 === null ? 0 : heap.copyIn(op, x2);
      const variances = (x: number, n: number) => {
        const table = heap.alloc(op, n * stride);
        byRows(op, n, false, n * pairFlops, (r0, r1) => ({ kernel: 'spatialVariances', args: [...context, x, table, r0, r1], scratchBytes }));
        return table;
      };
      const table1 = variances(x1Ptr, n1);
      const table2 = x2Ptr === 0 ? table1 : variances(x2Ptr, n2);
      const nngp = heap.alloc(op, size);
      const ntk = heap.alloc(op, size);
      const rowFinite = heap.alloc(op, n1);
      byRows(op, n1, x2 === null, n1 * n2 * pairFlops, (r0, r1) => ({
        kernel: 'spatialRows', args: [...context, x1Ptr, n1, x2Ptr, n2, table1, table2, nngp, ntk, r0, r1, rowFinite], scratchBytes,
      }));
      const finite = exports.allFinite(rowFinite, n1) === 1;
      return { nngp: heap.copyOut(nngp, size, out?.nngp), ntk: heap.copyOut(ntk, size, out?.ntk), finite };
    });
  }

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
        kernel: 'choleskyPanel', args: [n, aPtr, j0, jb, start + r0, start + r1], scratchBytes: KERNEL_SCRATCH_BYTES,
      }));
      byRows(op, rows, true, rows * rows * jb, (r0, r1) => ({
        kernel: 'choleskyUpdate', args: [n, aPtr, j0, jb, start + r0, start + r1], scratchBytes: KERNEL_SCRATCH_BYTES,
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
            calls.push({ kernel: 'symvUpper', args: [m, trailing, n, aPtr + 8 * (k * n + k + 1), partial + 8 * t * n, m - bounds[t + 1], m - bounds[t]], scratchBytes: 16 });
          }
          runShares(fn, calls);
          exports.panelFinish(n, aPtr, k0, j, w, tau, partial, parts, 8 * n);
        }
        const start = k0 + rows;
        // The trailing rows from the bottom, so that the triangular split balances rows that cost n − r.
        if (start < n) {
          byRows(fn, n - start, true, 2 * rows * (n - start) ** 2, (b0, b1) => ({
            kernel: 'tridiagonalUpdate', args: [n, aPtr, w, k0, rows, n - b1, n - b0], scratchBytes: KERNEL_SCRATCH_BYTES,
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
        kernel: 'dcSolve', args: [n, d, e, z, s, len, status + 4 * slot], scratchBytes: KERNEL_SCRATCH_BYTES + 8 * (2 * len * len + 16 * len) + 4096,
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
            kernel: 'dcMergeColumns', args: [n, z, 0, n1, n, g, u, k, k1, k2, c0, c1], scratchBytes: KERNEL_SCRATCH_BYTES,
          }));
        }
      }
      const converged = statuses().every((v) => v === 0);
      if (converged) {
        byRows(fn, n, false, 2 * n ** 3, (c0, c1) => ({
          kernel: 'householderApply', args: [n, aPtr, tau, z, c0, c1], scratchBytes: KERNEL_SCRATCH_BYTES + 8 * (nb * n + nb * nb + nb * (c1 - c0)) + 4096,
        }));
      }
      return { values: heap.copyOut(d, n), converged };
    });
  }

  /** A classic kernel's Gram matrix (n1 × n2) between rows at x1Ptr and x2Ptr (0: x1 itself) into outPtr. */
  function gramInto(op: string, spec: ClassicKernelSpec, x1Ptr: number, n1: number, x2Ptr: number, n2: number, d: number, outPtr: number): void {
    const symmetric = x2Ptr === 0;
    const norms1 = spec.kind === 'rbf' ? heap.alloc(op, n1) : 0;
    const norms2 = spec.kind === 'rbf' && !symmetric ? heap.alloc(op, n2) : 0;
    const flops = (symmetric ? 1 : 2) * n1 * n2 * d;
    // Two passes: the RBF map of a row reads norms that other row blocks write in the first.
    byRows(op, n1, symmetric, flops, (r0, r1) => ({
      kernel: 'gramInner', args: [n1, n2, d, x1Ptr, x2Ptr, outPtr, norms1, norms2, r0, r1], scratchBytes: KERNEL_SCRATCH_BYTES,
    }));
    byRows(op, n1, symmetric, flops, (r0, r1) => ({
      kernel: 'gramMap',
      args: [CLASSIC_KIND[spec.kind], n1, n2, +symmetric, outPtr, norms1, norms2, spec.scale, spec.bias, spec.degree, spec.gamma, r0, r1],
      scratchBytes: 16,
    }));
  }

  return {
    name: 'wasm',
    heap,
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
        const solve = (op: string, b: Float64Array, m: number) => {
          if (!factor.held) throw new Error(`${op}: the Cholesky factor was disposed`);
          return factor.use(op, (ptr) => heap.frame(op, b.length, () => {
            const bPtr = heap.copyIn(op, b);
            solveBoth(op, ptr, bPtr, n, m);
            return heap.copyOut(bPtr, n * m);
          }));
        };
        return { session: { solve, dispose: () => factor.release() }, ...status };
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
          return vectors.use(op, (v) => heap.frame(op, 2 * n * m, () => {
            const bPtr = heap.copyIn(op, b);
            const out = heap.alloc(op, n * m);
            byRows(op, n, false, 8 * n * n * m, (r0, r1) => ({
              kernel: 'gemm', args: [+trans, 0, r1 - r0, m, n, 1, v + 8 * (trans ? r0 : r0 * n), n, bPtr, m, 0, out + 8 * r0 * m, m],
              scratchBytes: KERNEL_SCRATCH_BYTES,
            }));
            return heap.copyOut(out, n * m);
          }));
        };
        return {
          values, transposeTimes: (op, b, m) => product(op, true, b, m), times: (op, c, m) => product(op, false, c, m), dispose: () => vectors.release(),
        };
      } catch (error) {
        vectors.release();
        throw error;
      }
    },
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
              args: [NYSTROM_MODE[mode], CLASSIC_KIND[spec.kind], d, m, k, xPtr + 8 * d * r0, centersPtr, offsetsPtr, vPtr, uPtr, partials + 8 * t * m * k,
                scratch + 16 * t * m, spec.scale, spec.bias, spec.degree, spec.gamma, bounds[t], bounds[t + 1]],
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
    dualDescent(fn, kernel, y, n, k, steps, rate, ridge, lossScale) {
      const op = fn;
      return heap.frame(op, kernel.length + 3 * y.length + steps + 1, () => {
        const kernelPtr = heap.copyIn(op, kernel);
        const yPtr = heap.copyIn(op, y);
        const alphaPtr = heap.alloc(op, n * k);
        heap.view(alphaPtr, n * k).fill(0);
        const lossesPtr = heap.alloc(op, steps + 1);
        exports.dualDescent(n, k, kernelPtr, yPtr, alphaPtr, steps, rate, ridge, lossScale, lossesPtr);
        return { params: heap.copyOut(alphaPtr, n * k), losses: heap.copyOut(lossesPtr, steps + 1) };
      });
    },
    primalDescent(fn, features, y, n, p, k, steps, rate, ridge, lossScale, theta0) {
      const op = fn;
      return heap.frame(op, features.length + 2 * y.length + 2 * p * k + steps + 1, () => {
        const featuresPtr = heap.copyIn(op, features);
        const yPtr = heap.copyIn(op, y);
        const thetaPtr = heap.alloc(op, p * k);
        if (theta0 === null) heap.view(thetaPtr, p * k).fill(0);
        else heap.view(thetaPtr, p * k).set(theta0);
        const lossesPtr = heap.alloc(op, steps + 1);
        exports.primalDescent(n, p, k, featuresPtr, yPtr, thetaPtr, steps, rate, ridge, lossScale, lossesPtr);
        return { params: heap.copyOut(thetaPtr, p * k), losses: heap.copyOut(lossesPtr, steps + 1) };
      });
    },
    eulerFlow(fn, kernel, kTest, y, u0, fTest0, n, m, k, rate) {
      const op = fn;
      const saved = heap.open(op, kernel.length + (kTest?.length ?? 0) + 3 * y.length + (fTest0?.length ?? 0));
      try {
        const kernelPtr = heap.copyIn(op, kernel);
        const kTestPtr = kTest === null ? 0 : heap.copyIn(op, kTest);
        const yPtr = heap.copyIn(op, y);
        const uPtr = heap.copyIn(op, u0);
        const fTestPtr = fTest0 === null ? 0 : heap.copyIn(op, fTest0);
        let open = true;
        return {
          advance(steps) {
            heap.run(op, () => exports.eulerSteps(n, m, k, kernelPtr, kTestPtr, yPtr, uPtr, fTestPtr, steps, rate));
          },
          read() {
            return { train: heap.copyOut(uPtr, n * k), test: fTestPtr === 0 ? null : heap.copyOut(fTestPtr, m * k) };
          },
          dispose() {
            if (open) heap.close(saved);
            open = false;
          },
        };
      } catch (error) {
        heap.close(saved);
        throw error;
      }
    },
    networkForward(fn, program, params, x, n) {
      const op = fn;
      const k = channelsOf(program, program.output);
      return heap.frame(op, programDoubles(program) + params.length + x.length + passDoubles(program, n), () => {
        const args = programArguments(op, program);
        const paramsPtr = heap.copyIn(op, params);
        const xPtr = heap.copyIn(op, x);
        const out = heap.alloc(op, n * k);
        byRows(op, n, false, 2 * n * params.length, (r0, r1) => ({
          kernel: 'netForward',
          args: [...args, paramsPtr, xPtr, r0, r1, out],
          scratchBytes: KERNEL_SCRATCH_BYTES + 8 * passDoubles(program, r1 - r0) + 4096,
        }));
        return heap.copyOut(out, n * k);
      });
    },
    networkJacobian(fn, program, params, x, n) {
      const op = fn;
      const k = channelsOf(program, program.output);
      const size = n * k * params.length;
      return heap.frame(op, programDoubles(program) + params.length + x.length + passDoubles(program, n) + size, () => {
        const args = programArguments(op, program);
        const paramsPtr = heap.copyIn(op, params);
        const xPtr = heap.copyIn(op, x);
        const out = heap.alloc(op, size);
        byRows(op, n, false, 6 * n * k * params.length, (r0, r1) => ({
          kernel: 'netJacobian',
          args: [...args, paramsPtr, xPtr, r0, r1, out],
          scratchBytes: KERNEL_SCRATCH_BYTES + 8 * passDoubles(program, r1 - r0) + 4096,
        }));
        return heap.copyOut(out, size);
      });
    },
    networkNtk(fn, program, params, x1, n1, x2, n2, full, implementation, block, into) {
      const op = fn;
      const k = channelsOf(program, program.output);
      const size = (full ? k * k : 1) * n1 * n2;
      const work = implementation === 'structured'
        ? 2 * size + n1 * n2 + passDoubles(program, n1) + passDoubles(program, n2)
        : (pool?.size ?? 1) * (2 * block * k * params.length + passDoubles(program, block));
      return heap.frame(op, programDoubles(program) + params.length + x1.length + (x2?.length ?? 0) + size + work, () => {
        const args = programArguments(op, program);
        const paramsPtr = heap.copyIn(op, params);
        const x1Ptr = heap.copyIn(op, x1);
        const x2Ptr = x2 === null ? 0 : heap.copyIn(op, x2);
        const out = heap.alloc(op, size);
        if (implementation === 'jacobian') {
          byRows(op, n1, x2 === null, (x2 === null ? 1 : 2) * n1 * n2 * k * params.length, (r0, r1) => ({
            kernel: 'netNtkJacobian',
            args: [...args, paramsPtr, x1Ptr, n1, x2Ptr, n2, +full, block, out, r0, r1],
            scratchBytes: KERNEL_SCRATCH_BYTES + 8 * (2 * block * k * params.length + passDoubles(program, block)) + 4096,
          }));
          return heap.copyOut(out, size, into);
        }
        // Pass 1: the parameterized instructions' terms for every example, by row blocks; pass 2: their products.
        const layouts = termLayouts(program, full);
        const formsPtr = heap.copyInInt32(op, Int32Array.from(layouts, ({ form }) => form));
        const t1 = signalTables(op, program, args, paramsPtr, x1Ptr, n1, layouts, formsPtr, full);
        const t2 = x2 === null ? 0 : signalTables(op, program, args, paramsPtr, x2Ptr, n2, layouts, formsPtr, full);
        const outCols = full ? n2 * k : n2;
        const pairFlops = layouts.reduce((sum, layout) => sum + layout.pairFlops, 0);
        const pairScratch = Math.max(0, ...layouts.map((layout) => layout.pairScratch));
        byRows(op, n1, x2 === null, (x2 === null ? 1 : 2) * n1 * n2 * pairFlops * (full ? k : 1), (r0, r1) => ({
          kernel: 'netNtkRows',
          args: [...args, t1, n1, t2, n2, +full, out, r0, r1, formsPtr],
          scratchBytes: KERNEL_SCRATCH_BYTES + 8 * ((r1 - r0) * n2 + (full ? k : 1) * (r1 - r0) * outCols + pairScratch) + 64,
        }));
        return heap.copyOut(out, size, into);
      });
    },
    networkTrain(fn, program, params, x, y, n, steps, rate, lossScale) {
      const op = fn;
      const p = params.length;
      const maxParts = REDUCTION_BLOCKS;
      return heap.frame(op, programDoubles(program) + x.length + y.length + (maxParts + 1) * p + maxParts + passDoubles(program, n), () => {
        const args = programArguments(op, program);
        const paramsPtr = heap.copyIn(op, params);
        const xPtr = heap.copyIn(op, x);
        const yPtr = heap.copyIn(op, y);
        const gradients = heap.alloc(op, maxParts * p);
        const lossParts = heap.alloc(op, maxParts);
        const losses = new Float64Array(steps + 1);
        // Each step: partial gradients by blocks of rows on the pool, then one update on this thread.
        const bounds = [...new Set(splitRows(n, reductionBlocks(n, 6 * n * p), false))];
        const parts = bounds.length - 1;
        for (let t = 0; t <= steps; t++) {
          const last = t === steps;
          runShares(op, Array.from({ length: parts }, (_, part): KernelCall => ({
            kernel: 'netGradient',
            args: [...args, paramsPtr, xPtr, yPtr, bounds[part], bounds[part + 1], last ? 0 : gradients + 8 * part * p, lossParts + 8 * part],
            scratchBytes: KERNEL_SCRATCH_BYTES + 8 * passDoubles(program, bounds[part + 1] - bounds[part]) + 4096,
          })));
          losses[t] = heap.view(lossParts, parts).reduce((sum, v) => sum + v, 0) * lossScale;
          if (!last) exports.netDescend(paramsPtr, gradients, parts, p, rate);
        }
        return { params: heap.copyOut(paramsPtr, p), losses };
      });
    },
    infinite(fn, program, rule, x1, n1, x2, n2, d, out) {
      const op = fn;
      if (needsPositions(program)) return spatialInfinite(op, program, rule, x1, n1, x2, n2, out);
      const size = n1 * n2;
      const count = program.instructions.length / PROGRAM_WIDTH;
      const slotCount = Math.max(...program.slots) + 1;
      const ruleSize = rule.scales.length;
      const programDoubles = program.instructions.length / 2 + program.attributes.length + program.values / 2 + 2;
      const tableDoubles = program.values * (n1 + (x2 === null ? 0 : n2));
      return heap.frame(op, x1.length + (x2?.length ?? 0) + 2 * size + n1 + programDoubles + tableDoubles + 2 * ruleSize, () => {
        const instructions = heap.copyInInt32(op, program.instructions);
        const attributes = heap.copyIn(op, program.attributes);
        const slots = heap.copyInInt32(op, program.slots);
        const scales = heap.copyIn(op, rule.scales);
        const weights = heap.copyIn(op, rule.weights);
        const x1Ptr = heap.copyIn(op, x1);
        const x2Ptr = x2 === null ? 0 : heap.copyIn(op, x2);
        const shared = [instructions, attributes, count] as const;
        const ruleArgs = [scales, weights, ruleSize] as const;
        // Pass 1 on this thread: each input's variance at every value (n·values maps, against n²·values in pass 2).
        const table1 = heap.alloc(op, program.values * n1);
        heap.run(op, () => exports.infiniteVariances(...shared, ...ruleArgs, x1Ptr, n1, d, table1));
        const table2 = x2 === null ? table1 : heap.alloc(op, program.values * n2);
        if (x2Ptr !== 0) heap.run(op, () => exports.infiniteVariances(...shared, ...ruleArgs, x2Ptr, n2, d, table2));
        const nngp = heap.alloc(op, size);
        const ntk = heap.alloc(op, size);
        // Per row: 0 when the row of both results is finite (the kernel sums x − x as it writes them).
        const rowFinite = heap.alloc(op, n1);
        const pairFlops = instructionsOf(program).reduce((sum, ins) => sum + opUnit(ins.op, 'wasm').cost.entryFlops(program, ins, ruleSize), 2 * d);
        byRows(op, n1, x2 === null, n1 * n2 * pairFlops, (r0, r1) => ({
          kernel: 'infiniteRows',
          args: [...shared, slots, slotCount, program.output, ...ruleArgs, x1Ptr, n1, x2Ptr, n2, d, table1, table2, nngp, ntk, r0, r1, rowFinite],
          // Two rows (Σ and Θ, padded to even lengths) per slot.
          scratchBytes: KERNEL_SCRATCH_BYTES + 16 * slotCount * (n2 + 1) + 64,
        }));
        const finite = exports.allFinite(rowFinite, n1) === 1;
        return { nngp: heap.copyOut(nngp, size, out?.nngp), ntk: heap.copyOut(ntk, size, out?.ntk), finite };
      });
    },
  };
}
