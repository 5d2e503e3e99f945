// Reference factorizations in plain TypeScript. Same algorithms and blocking as assembly/linalg/.
import type { CholeskyResult, EighResult } from '../types.js';
import { HOUSEHOLDER_BLOCK } from '../../core/blocking.js';
import { gemmInto, type Strided } from './gemm.js';
import { householderApply, tridiagonalPanel, tridiagonalUpdate } from './householder.js';
import { dcSolve, tridiagonalValues } from './tridiagonal.js';

const GRAM_BLOCK = 256;
const CHOLESKY_BLOCK = 64;

function dot(x: Float64Array, xOff: number, y: Float64Array, yOff: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i++) sum += x[xOff + i] * y[yOff + i];
  return sum;
}

function axpy(len: number, alpha: number, x: Float64Array, xOff: number, y: Float64Array, yOff: number): void {
  for (let i = 0; i < len; i++) y[yOff + i] += alpha * x[xOff + i];
}

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

/** Left-looking blocked Cholesky of the lower triangle; see assembly/linalg/cholesky.ts. */
export function cholesky(input: Float64Array, n: number, minPivot: number): CholeskyResult {
  const a = input.slice();
  for (let j = 0; j < n; j += CHOLESKY_BLOCK) {
    const jb = Math.min(CHOLESKY_BLOCK, n - j);
    if (j > 0) {
      const panel: Strided = { data: a, offset: j * n, ld: n };
      gemmInto(false, true, n - j, jb, j, -1, panel, panel, 1, { data: a, offset: j * n + j, ld: n });
    }
    for (let r = j; r < n; r++) {
      const last = Math.min(r, j + jb);
      for (let c = j; c < last; c++) {
        a[r * n + c] = (a[r * n + c] - dot(a, r * n + j, a, c * n + j, c - j)) / a[c * n + c];
      }
      if (r < j + jb) {
        const pivot = a[r * n + r] - dot(a, r * n + j, a, r * n + j, r - j);
        if (!(pivot > minPivot)) return { factor: a, failedPivot: r, pivotValue: pivot };
        a[r * n + r] = Math.sqrt(pivot);
      }
    }
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return { factor: a, failedPivot: -1, pivotValue: 0 };
}

/** In place: L·X = B, or Lᵀ·X = B when `transpose`; rows of L update whole rows of B. */
export function trsmLowerInPlace(l: Float64Array, b: Float64Array, n: number, m: number, transpose: boolean): void {
  if (!transpose) {
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < i; p++) axpy(m, -l[i * n + p], b, p * m, b, i * m);
      const d = l[i * n + i];
      for (let j = 0; j < m; j++) b[i * m + j] /= d;
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      const d = l[i * n + i];
      for (let j = 0; j < m; j++) b[i * m + j] /= d;
      for (let p = 0; p < i; p++) axpy(m, -l[i * n + p], b, i * m, b, p * m);
    }
  }
}

/** Eigenvalues and (when `vectors`) eigenvectors; see Backend.eigh. */
export function eigh(input: Float64Array, n: number, vectors: boolean): EighResult {
  const a = input.slice();
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  const tau = new Float64Array(n);
  const w = new Float64Array(HOUSEHOLDER_BLOCK * n);
  for (let k0 = 0; k0 < n; k0 += HOUSEHOLDER_BLOCK) {
    const nb = Math.min(HOUSEHOLDER_BLOCK, n - k0);
    tridiagonalPanel(n, a, k0, nb, w, d, e, tau);
    if (k0 + nb < n) tridiagonalUpdate(n, a, w, k0, nb, k0 + nb, n);
  }
  if (!vectors) return { values: d, vectors: null, converged: tridiagonalValues(n, d, e) };
  const z = new Float64Array(n * n);
  const converged = dcSolve(n, d, e, z, 0, n);
  householderApply(n, a, tau, z, 0, n);
  return { values: d, vectors: z, converged };
}
