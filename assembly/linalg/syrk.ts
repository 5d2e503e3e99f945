// C = A·Aᵀ (A is n × k): the lower triangle by row blocks of gemm, then mirrored so C is exactly symmetric.
import { gemm } from "./gemm";

const NB: i32 = 256;
const TILE: i32 = 32;

/** The lower triangle (and diagonal) of A·Aᵀ; the strict upper triangle is left partly written. */
export function syrkLower(n: i32, k: i32, a: usize, c: usize): void {
  for (let i0 = 0; i0 < n; i0 += NB) {
    const rows = min(NB, n - i0);
    gemm(0, 1, rows, i0 + rows, k, 1.0, a + (<usize>i0 * <usize>k << 3), k, a, k, 0.0, c + (<usize>i0 * <usize>n << 3), n);
  }
}

/** Copies the strict lower triangle onto the upper one, tile by tile so both sides stay in cache. */
export function mirrorLower(n: i32, c: usize): void {
  for (let i0 = 0; i0 < n; i0 += TILE) {
    for (let j0 = 0; j0 <= i0; j0 += TILE) {
      const iEnd = min(i0 + TILE, n);
      for (let i = i0; i < iEnd; i++) {
        const jEnd = min(j0 + TILE, i);
        for (let j = j0; j < jEnd; j++) {
          store<f64>(c + ((<usize>j * <usize>n + <usize>i) << 3), load<f64>(c + ((<usize>i * <usize>n + <usize>j) << 3)));
        }
      }
    }
  }
}

export function syrk(n: i32, k: i32, a: usize, c: usize): void {
  syrkLower(n, k, a, c);
  mirrorLower(n, c);
}
