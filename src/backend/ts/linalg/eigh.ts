// The symmetric eigendecomposition: Householder tridiagonalization (assembly/linalg/householder.ts), then divide and
// conquer or QL (assembly/linalg/tridiagonal.ts), then the back-transformation; the WASM driver is
// src/backend/wasm/linalg.ts.
import type { EighResult } from '../../types.js';
import { BLOCKS } from '../../../core/layout.js';
import { householderApply, tridiagonalPanel, tridiagonalUpdate } from './householder.js';
import { dcSolve, tridiagonalValues } from './tridiagonal.js';

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
