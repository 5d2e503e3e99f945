// A·Aᵀ by row blocks of gemm, as assembly/linalg/syrk.ts.
import { gemmInto } from './gemm.js';

const GRAM_BLOCK = 256;

/** The lower triangle (and diagonal) of A·Aᵀ into c (n × n), by row blocks of gemm. */
export function syrkLowerInto(a: Float64Array, n: number, k: number, c: Float64Array): void {
  for (let i0 = 0; i0 < n; i0 += GRAM_BLOCK) {
    const rows = Math.min(GRAM_BLOCK, n - i0);
    gemmInto(false, true, rows, i0 + rows, k, 1, { data: a, offset: i0 * k, ld: k }, { data: a, offset: 0, ld: k }, 0, { data: c, offset: i0 * n, ld: n });
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
