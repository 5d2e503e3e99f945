// How the WASM backend splits work over its threads: row blocks sized by the work (byRows), reductions in a fixed
// number of blocks whatever the threads (so their bits never depend on the thread count), and the run of the shares on
// the worker pool.
import type { WasmHeap } from './heap.js';
import type { HostCalls } from './hosts.js';
import type { NtkExports } from './loader.js';
import type { KernelCall, WorkerPool } from './pool.js';

// Below this many flops per share a thread costs more to wake than it saves.
const MIN_SHARE_FLOPS = 4e6;
// A symmetric matrix–vector product is bound by memory, so it is split at far fewer flops than gemm, into
// this many blocks (fixed, see REDUCTION_BLOCKS).
export const SYMV_SPLIT_ROWS = 256;
export const SYMV_BLOCKS = 4;
// Reductions over rows (gradients, Nyström passes, the reduction's matrix–vector products) add one partial per
// block of a partition that depends only on the problem's size, in block order: their bits are the same on
// any number of threads. Row splits without a reduction give every row the same arithmetic whatever the split.
// At most 4 blocks of at least 128 rows: a block's partial gradient is a gemm whose inner dimension is its rows,
// 20 GFLOPS from 250 rows on, 15 at 125.
export const REDUCTION_BLOCKS = 4;
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

/** What every family of the WASM backend runs on: the module's exports, its arena, the pool, and the splitting of work. */
export interface WasmContext {
  exports: NtkExports;
  heap: WasmHeap;
  /** The JavaScript of elementwise layers: while a call has some, its work stays on this thread. */
  hosts: HostCalls;
  pool?: WorkerPool;
  /**
   * Runs `share(r0, r1)` for row blocks of [0, n), one per thread when `flops` of work is enough to keep
   * them busy. Every share must be done before the next pass reads what it wrote.
   */
  byRows(op: string, n: number, triangular: boolean, flops: number, share: (r0: number, r1: number) => KernelCall): void;
  /** How many threads `flops` of work over n rows keeps busy: one per thread, each with enough work and rows. */
  sharesFor(n: number, flops: number): number;
  /** The blocks of a reduction over n rows: as many as the work fills, at most REDUCTION_BLOCKS, whatever the threads. */
  reductionBlocks(n: number, flops: number): number;
  /**
   * Runs the shares, on the pool when there are several, in a frame of their own: the workers' scratch regions
   * are given back after every run, so a loop of runs (training steps) reuses the same memory.
   */
  runShares(op: string, calls: KernelCall[]): void;
}

/** The context of one instantiated module, with its pool if any. */
export function wasmContext(exports: NtkExports, heap: WasmHeap, hosts: HostCalls, pool?: WorkerPool): WasmContext {
  function byRows(op: string, n: number, triangular: boolean, flops: number, share: (r0: number, r1: number) => KernelCall): void {
    const parts = sharesFor(n, flops);
    const bounds = splitRows(n, parts, triangular);
    const calls: KernelCall[] = [];
    for (let t = 0; t < parts; t++) if (bounds[t + 1] > bounds[t] || t === 0) calls.push(share(bounds[t], bounds[t + 1]));
    runShares(op, calls);
  }

  function sharesFor(n: number, flops: number): number {
    return pool === undefined || hosts.active ? 1 : Math.max(1, Math.min(pool.size, Math.floor(flops / MIN_SHARE_FLOPS), Math.ceil(n / ROW_ALIGN)));
  }

  function reductionBlocks(n: number, flops: number): number {
    return Math.max(1, Math.min(REDUCTION_BLOCKS, Math.floor(flops / MIN_SHARE_FLOPS), Math.floor(n / REDUCTION_ROWS)));
  }

  function runShares(op: string, calls: KernelCall[]): void {
    if (pool === undefined || calls.length === 1 || hosts.active) {
      for (const { kernel, args } of calls) heap.run(op, () => (exports[kernel] as (...values: number[]) => void)(...args));
    } else {
      heap.frame(op, 0, () => pool.run(heap, op, calls));
    }
  }

  return { exports, heap, hosts, pool, byRows, sharesFor, reductionBlocks, runShares };
}
