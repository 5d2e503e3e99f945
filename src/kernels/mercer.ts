import { checkOptions, numberOption } from '../errors.js';
import { eigenvaluesOf } from '../linalg.js';
import { Matrix, type MatrixInput, requireNonEmpty, requireSquare, toMatrix } from '../matrix.js';

/** Options of {@link checkMercer}. */
export interface CheckMercerOptions {
  /** Relative tolerance for symmetry and for negative eigenvalues. Default 1e-10. */
  tol?: number;
}

/** What {@link checkMercer} found. */
export interface MercerReport {
  /** |k[i][j] − k[j][i]| ≤ tol·max|k| everywhere. */
  symmetric: boolean;
  /** Symmetric and no eigenvalue below −tol·max(1, λ_max). */
  psd: boolean;
  /** The smallest eigenvalue of (k + kᵀ)/2. */
  minEigenvalue: number;
}

/**
 * Mercer's condition on a Gram matrix: a valid kernel gives a symmetric positive semi-definite matrix
 * for every set of points. This checks one Gram matrix (a necessary condition for the kernel).
 *
 * @example
 * ```ts
 * const x = [[0], [1], [3]];
 * checkMercer(rbfKernel()(x)).psd;                                      // true
 * checkMercer(customKernel((a, b) => -Math.abs(a[0] - b[0]))(x)).psd;   // false
 * ```
 */
export function checkMercer(k: MatrixInput, options?: CheckMercerOptions): MercerReport {
  const fn = 'checkMercer';
  const opts = checkOptions(fn, options, ['tol']);
  const tol = numberOption(fn, 'tol', opts.tol, 1e-10, { min: 0 });
  const m = toMatrix(fn, 'k', k);
  requireNonEmpty(fn, 'k', m);
  requireSquare(fn, 'k', m);
  const n = m.rows;
  let maxAbs = 0;
  for (const v of m.data) maxAbs = Math.max(maxAbs, Math.abs(v));
  let symmetric = true;
  const sym = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      const a = m.data[i * n + j];
      const b = m.data[j * n + i];
      if (Math.abs(a - b) > tol * maxAbs) symmetric = false;
      sym.data[i * n + j] = 0.5 * (a + b);
    }
  }
  const values = eigenvaluesOf(fn, 'k', sym);
  const minEigenvalue = values[0];
  const psd = symmetric && minEigenvalue >= -tol * Math.max(1, Math.abs(values[n - 1]));
  return { symmetric, psd, minEigenvalue };
}
