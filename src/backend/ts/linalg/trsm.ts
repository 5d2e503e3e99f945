// Triangular solves by blocks of rows, as assembly/linalg/trsm.ts.
import { gemmInto } from './gemm.js';
import { axpy } from './vector.js';

const TRSM_BLOCK = 64;

/** In place: L·X = B, or Lᵀ·X = B when `transpose`, by blocks of TRSM_BLOCK rows; see assembly/linalg/trsm.ts. */
export function trsmLowerInPlace(l: Float64Array, b: Float64Array, n: number, m: number, transpose: boolean): void {
  if (!transpose) {
    for (let i0 = 0; i0 < n; i0 += TRSM_BLOCK) {
      const i1 = Math.min(n, i0 + TRSM_BLOCK);
      if (i0 > 0)
        gemmInto(false, false, i1 - i0, m, i0, -1, { data: l, offset: i0 * n, ld: n }, { data: b, offset: 0, ld: m }, 1, { data: b, offset: i0 * m, ld: m });
      for (let i = i0; i < i1; i++) {
        for (let p = i0; p < i; p++) axpy(m, -l[i * n + p], b, p * m, b, i * m);
        const d = l[i * n + i];
        for (let j = 0; j < m; j++) b[i * m + j] /= d;
      }
    }
  } else {
    for (let i1 = n; i1 > 0; i1 -= TRSM_BLOCK) {
      const i0 = Math.max(0, i1 - TRSM_BLOCK);
      if (i1 < n)
        gemmInto(true, false, i1 - i0, m, n - i1, -1, { data: l, offset: i1 * n + i0, ld: n }, { data: b, offset: i1 * m, ld: m }, 1, {
          data: b,
          offset: i0 * m,
          ld: m,
        });
      for (let i = i1 - 1; i >= i0; i--) {
        const d = l[i * n + i];
        for (let j = 0; j < m; j++) b[i * m + j] /= d;
        for (let p = i0; p < i; p++) axpy(m, -l[i * n + p], b, i * m, b, p * m);
      }
    }
  }
}
