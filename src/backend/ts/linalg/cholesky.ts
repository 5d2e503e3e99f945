// Right-looking blocked Cholesky and the solve through it, with the blocking of assembly/linalg/cholesky.ts.
import type { CholeskyResult, SolveResult } from '../../types.js';
import { BLOCKS } from '../../../core/layout.js';
import { gemmInto } from './gemm.js';
import { trsmLowerInPlace } from './trsm.js';
import { dot } from './vector.js';

// Panel sub-blocks and trailing-update rows, as assembly/linalg/cholesky.ts.
const PANEL_BLOCK = 16;
const UPDATE_ROWS = 64;

/** Right-looking blocked Cholesky of the lower triangle; see assembly/linalg/cholesky.ts. */
export function cholesky(input: Float64Array, n: number, minPivot: number): CholeskyResult {
  const a = input.slice();
  for (let j0 = 0; j0 < n; j0 += BLOCKS.cholesky) {
    const jb = Math.min(BLOCKS.cholesky, n - j0);
    const failedPivot = choleskyDiagonal(n, a, j0, jb, minPivot);
    if (failedPivot >= 0) return { factor: a, failedPivot, pivotValue: a[failedPivot * n + failedPivot] };
    choleskyPanel(n, a, j0, jb, j0 + jb, n);
    choleskyUpdate(n, a, j0, jb, j0 + jb, n);
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return { factor: a, failedPivot: -1, pivotValue: 0 };
}

/** Factors the diagonal block [j0, j0 + jb)²; −1, or the first pivot not above `minPivot` (left on the diagonal). */
function choleskyDiagonal(n: number, a: Float64Array, j0: number, jb: number, minPivot: number): number {
  for (let r = j0; r < j0 + jb; r++) {
    for (let c = j0; c < r; c++) a[r * n + c] = (a[r * n + c] - dot(a, r * n + j0, a, c * n + j0, c - j0)) / a[c * n + c];
    const pivot = a[r * n + r] - dot(a, r * n + j0, a, r * n + j0, r - j0);
    if (!(pivot > minPivot)) {
      a[r * n + r] = pivot;
      return r;
    }
    a[r * n + r] = Math.sqrt(pivot);
  }
  return -1;
}

/** Rows [r0, r1) of the panel: A[r, j0..j0 + jb) ← A[r, j0..j0 + jb)·L11⁻ᵀ, by sub-blocks of PANEL_BLOCK columns. */
function choleskyPanel(n: number, a: Float64Array, j0: number, jb: number, r0: number, r1: number): void {
  const rows = r1 - r0;
  if (rows <= 0) return;
  for (let c0 = 0; c0 < jb; c0 += PANEL_BLOCK) {
    const cb = Math.min(PANEL_BLOCK, jb - c0);
    const done = j0 + c0;
    if (c0 > 0) {
      gemmInto(false, true, rows, cb, c0, -1, { data: a, offset: r0 * n + j0, ld: n }, { data: a, offset: done * n + j0, ld: n }, 1, {
        data: a,
        offset: r0 * n + done,
        ld: n,
      });
    }
    for (let r = r0; r < r1; r++) {
      for (let c = done; c < done + cb; c++) a[r * n + c] = (a[r * n + c] - dot(a, r * n + done, a, c * n + done, c - done)) / a[c * n + c];
    }
  }
}

/** Rows [r0, r1) of the trailing update A22 −= L21·L21ᵀ (lower triangle), by blocks of UPDATE_ROWS. */
function choleskyUpdate(n: number, a: Float64Array, j0: number, jb: number, r0: number, r1: number): void {
  const start = j0 + jb;
  for (let b0 = r0; b0 < r1; b0 += UPDATE_ROWS) {
    const rows = Math.min(UPDATE_ROWS, r1 - b0);
    gemmInto(false, true, rows, b0 + rows - start, jb, -1, { data: a, offset: b0 * n + j0, ld: n }, { data: a, offset: start * n + j0, ld: n }, 1, {
      data: a,
      offset: b0 * n + start,
      ld: n,
    });
  }
}

/** a·X = b through Cholesky (failure as the Cholesky's). */
export function solveSpd(a: Float64Array, b: Float64Array, n: number, m: number, minPivot: number): SolveResult {
  const { factor, failedPivot, pivotValue } = cholesky(a, n, minPivot);
  const solution = b.slice();
  if (failedPivot < 0) {
    trsmLowerInPlace(factor, solution, n, m, false);
    trsmLowerInPlace(factor, solution, n, m, true);
  }
  return { solution, failedPivot, pivotValue };
}
