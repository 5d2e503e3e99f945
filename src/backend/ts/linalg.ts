// Reference factorizations in plain TypeScript. Same algorithms and blocking as assembly/linalg/.
import type { CholeskyResult, EighResult, SolveResult } from '../types.js';
import { BLOCKS } from '../../core/layout.js';
import { gemmInto } from './gemm.js';
import { axpy, dot } from './vector.js';
import { householderApply, tridiagonalPanel, tridiagonalUpdate } from './householder.js';
import { dcSolve, tridiagonalValues } from './tridiagonal.js';

const GRAM_BLOCK = 256;
// Panel sub-blocks, trailing-update rows and triangular-solve rows, as assembly/linalg/cholesky.ts and trsm.ts.
const PANEL_BLOCK = 16;
const UPDATE_ROWS = 64;
const TRSM_BLOCK = 64;

/** The lower triangle (and diagonal) of A·Aᵀ into c (n × n), by row blocks of gemm. */
export function syrkLowerInto(a: Float64Array, n: number, k: number, c: Float64Array): void {
  for (let i0 = 0; i0 < n; i0 += GRAM_BLOCK) {
    const rows = Math.min(GRAM_BLOCK, n - i0);
    gemmInto(false, true, rows, i0 + rows, k, 1, { data: a, offset: i0 * k, ld: k }, { data: a, offset: 0, ld: k }, 0,
      { data: c, offset: i0 * n, ld: n });
  }
}

/** Copies the strict lower triangle onto the upper one. */
export function mirrorLower(c: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) c[j * n + i] = c[i * n + j];
}

/** A·Aᵀ for A of n × k, exactly symmetric. */
export function syrk(a: Float64Array, n: number, k: number): Float64Array {
  const c = new Float64Array(n * n);
  syrkLowerInto(a, n, k, c);
  mirrorLower(c, n);
  return c;
}

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
      gemmInto(false, true, rows, cb, c0, -1, { data: a, offset: r0 * n + j0, ld: n }, { data: a, offset: done * n + j0, ld: n }, 1,
        { data: a, offset: r0 * n + done, ld: n });
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
    gemmInto(false, true, rows, b0 + rows - start, jb, -1, { data: a, offset: b0 * n + j0, ld: n }, { data: a, offset: start * n + j0, ld: n }, 1,
      { data: a, offset: b0 * n + start, ld: n });
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

/** In place: L·X = B, or Lᵀ·X = B when `transpose`, by blocks of TRSM_BLOCK rows; see assembly/linalg/trsm.ts. */
export function trsmLowerInPlace(l: Float64Array, b: Float64Array, n: number, m: number, transpose: boolean): void {
  if (!transpose) {
    for (let i0 = 0; i0 < n; i0 += TRSM_BLOCK) {
      const i1 = Math.min(n, i0 + TRSM_BLOCK);
      if (i0 > 0) gemmInto(false, false, i1 - i0, m, i0, -1, { data: l, offset: i0 * n, ld: n }, { data: b, offset: 0, ld: m }, 1, { data: b, offset: i0 * m, ld: m });
      for (let i = i0; i < i1; i++) {
        for (let p = i0; p < i; p++) axpy(m, -l[i * n + p], b, p * m, b, i * m);
        const d = l[i * n + i];
        for (let j = 0; j < m; j++) b[i * m + j] /= d;
      }
    }
  } else {
    for (let i1 = n; i1 > 0; i1 -= TRSM_BLOCK) {
      const i0 = Math.max(0, i1 - TRSM_BLOCK);
      if (i1 < n) gemmInto(true, false, i1 - i0, m, n - i1, -1, { data: l, offset: i1 * n + i0, ld: n }, { data: b, offset: i1 * m, ld: m }, 1, { data: b, offset: i0 * m, ld: m });
      for (let i = i1 - 1; i >= i0; i--) {
        const d = l[i * n + i];
        for (let j = 0; j < m; j++) b[i * m + j] /= d;
        for (let p = i0; p < i; p++) axpy(m, -l[i * n + p], b, i * m, b, p * m);
      }
    }
  }
}

/** Eigenvalues and (when `vectors`) eigenvectors; see Backend.eigh. */
export function eigh(input: Float64Array, n: number, vectors: boolean): EighResult {
  const a = input.slice();
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const tau = new Float64Array(n);
  const w = new Float64Array(BLOCKS.householder * n);
  for (let k0 = 0; k0 < n; k0 += BLOCKS.householder) {
    const nb = Math.min(BLOCKS.householder, n - k0);
    tridiagonalPanel(n, a, k0, nb, w, d, e, tau);
    if (k0 + nb < n) tridiagonalUpdate(n, a, w, k0, nb, k0 + nb, n);
  }
  if (!vectors) return { values: d, vectors: null, converged: tridiagonalValues(n, d, e) };
  const z = new Float64Array(n * n);
  const converged = dcSolve(n, d, e, z, 0, n);
  householderApply(n, a, tau, z, 0, n);
  return { values: d, vectors: z, converged };
}
