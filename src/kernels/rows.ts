// Products with the kernel matrix between many points and a few centers, K(x, C), by ranges of rows, so that
// the n × m matrix is never held whole: the backend's passes for the classic kernels, tiles of the kernel's
// own matrices for every other one.
import { current } from '../backend/registry.js';
import type { NystromMode } from '../backend/types.js';
import { requireFiniteResult, shapeOf } from '../errors.js';
import { product } from '../linalg.js';
import { Matrix } from '../matrix.js';
import { classicRowsSpec, type Kernel } from './classic.js';

/** Products with K(x, C) over ranges [r0, r1) of the rows of x (internal). */
export interface KernelRows {
  /** Rows per range that keep a call's memory and time bounded (progress and cancellation go between them). */
  readonly chunkRows: number;
  /** K_r·v for v of m × k: rows × k. */
  times(fn: string, v: Matrix, r0: number, r1: number): Matrix;
  /** K_rᵀ·u for u of (r1 − r0) × k: m × k. */
  transposeTimes(fn: string, u: Matrix, r0: number, r1: number): Matrix;
  /** K_rᵀ·K_r·v for v of m × k: m × k. */
  normalTimes(fn: string, v: Matrix, r0: number, r1: number): Matrix;
  dispose(): void;
}

// Entries of K(x, C) per range: a tile held whole (the generic path), or one pass of the backend.
const TILE_ENTRIES = 2 ** 22;
const PASS_ENTRIES = 2 ** 25;

/** K(x, C) for validated x (n × d) and centers (m × d), through the backend when the kernel is a classic one. */
export function kernelRows(fn: string, kernel: Kernel, x: Matrix, centers: Matrix): KernelRows {
  const m = centers.rows;
  const classic = classicRowsSpec(kernel, x, centers);
  if (classic !== null) {
    const session = current().nystromSession(fn, classic.spec, classic.x.data, x.rows, x.cols, classic.centers.data, m);
    const hint = 'the kernel overflows float64 on these inputs; scale them down (or lower the degree)';
    const pass = (op: string, mode: NystromMode, v: Matrix, r0: number, r1: number) => {
      const rows = mode === 'times' ? r1 - r0 : m;
      return new Matrix(rows, v.cols, requireFiniteResult(op, 'a product with K(x, centers)', session.rows(op, mode, v.data, v.cols, r0, r1), v.cols, hint));
    };
    return {
      chunkRows: Math.max(1, Math.floor(PASS_ENTRIES / m)),
      times: (op, v, r0, r1) => pass(op, 'times', v, r0, r1),
      transposeTimes: (op, u, r0, r1) => pass(op, 'transpose', u, r0, r1),
      normalTimes: (op, v, r0, r1) => pass(op, 'normal', v, r0, r1),
      dispose: () => session.dispose(),
    };
  }
  const d = x.cols;
  const tile = (op: string, r0: number, r1: number) => {
    const block = new Matrix(r1 - r0, d, x.data.subarray(r0 * d, r1 * d));
    return kernelResult(op, kernel(block, centers), block, centers);
  };
  return {
    chunkRows: Math.max(1, Math.floor(TILE_ENTRIES / m)),
    times: (op, v, r0, r1) => product(op, tile(op, r0, r1), v),
    transposeTimes: (op, u, r0, r1) => product(op, tile(op, r0, r1), u, true),
    normalTimes(op, v, r0, r1) {
      const k = tile(op, r0, r1);
      return product(op, k, product(op, k, v), true);
    },
    dispose() {},
  };
}

/**
 * What a kernel returned for (x1, x2), checked before use: a matrix of x1.rows × x2.rows finite numbers,
 * symmetric (to rounding) when x1 is x2.
 */
export function kernelResult(fn: string, value: unknown, x1: Matrix, x2: Matrix): Matrix {
  const expected = `${x1.rows}x${x2.rows}`;
  if (!(value instanceof Matrix))
    throw new TypeError(`${fn}: the kernel returned ${value === null ? 'null' : typeof value}; it must return a Matrix (${expected})`);
  if (value.rows !== x1.rows || value.cols !== x2.rows) {
    throw new RangeError(`${fn}: the kernel returned ${shapeOf(value)} for inputs of ${x1.rows} and ${x2.rows} rows; it must return ${expected}`);
  }
  const { data, cols } = value;
  for (let i = 0; i < data.length; i++) {
    if (!Number.isFinite(data[i]))
      throw new RangeError(`${fn}: the kernel returned ${data[i]} at [${Math.floor(i / cols)}][${i % cols}]; kernel values must be finite`);
  }
  if (x1 === x2) {
    for (let i = 0; i < cols; i++) {
      for (let j = 0; j < i; j++) {
        const a = data[i * cols + j];
        const b = data[j * cols + i];
        if (Math.abs(a - b) > 1e-10 * Math.max(Math.abs(a), Math.abs(b), Math.abs(data[i * cols + i]), Math.abs(data[j * cols + j]))) {
          throw new RangeError(`${fn}: the kernel returned a matrix that is not symmetric: K[${i}][${j}] = ${a} but K[${j}][${i}] = ${b}`);
        }
      }
    }
  }
  return value;
}
