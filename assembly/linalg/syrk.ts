// C = A·Aᵀ (A is n × k) by row blocks [r0, r1) of C, so that threads can share one product: the lower
// triangle by row blocks of gemm, then mirrored so C is exactly symmetric.
import { gemm } from "./gemm";

const NB: i32 = 256;
const TILE: i32 = 32;

/** Rows [r0, r1) of the lower triangle (and diagonal) of A·Aᵀ; their strict upper part is left partly written. */
export function syrkLower(n: i32, k: i32, a: usize, c: usize, r0: i32, r1: i32): void {
  for (let i0 = r0; i0 < r1; i0 += NB) {
    const rows = min(NB, r1 - i0);
    gemm(0, 1, rows, i0 + rows, k, 1.0, a + ((<usize>i0 * <usize>k) << 3), k, a, k, 0.0, c + ((<usize>i0 * <usize>n) << 3), n);
  }
}

/**
 * Copies the strict lower triangle of rows [r0, r1) onto the upper one (column i gets row i), tile by
 * tile so both sides stay in cache. Only the upper triangle is written, which no other row block reads.
 */
export function mirrorLower(n: i32, c: usize, r0: i32, r1: i32): void {
  for (let i0 = r0; i0 < r1; i0 += TILE) {
    const iEnd = min(i0 + TILE, r1);
    for (let j0 = 0; j0 < iEnd; j0 += TILE) {
      for (let i = i0; i < iEnd; i++) {
        const jEnd = min(j0 + TILE, i);
        for (let j = j0; j < jEnd; j++) {
          store<f64>(c + ((<usize>j * <usize>n + <usize>i) << 3), load<f64>(c + ((<usize>i * <usize>n + <usize>j) << 3)));
        }
      }
    }
  }
}

/** Rows [r0, r1) of A·Aᵀ and their mirror images. */
export function syrk(n: i32, k: i32, a: usize, c: usize, r0: i32, r1: i32): void {
  syrkLower(n, k, a, c, r0, r1);
  mirrorLower(n, c, r0, r1);
}
