// Right-looking blocked Cholesky, in place on the lower triangle of a row-major n × n matrix, in three
// steps per block column that the host runs in turn (the last two split by rows over threads): factor the
// diagonal block, solve the panel below it, update the trailing matrix. src/backend/ts/linalg/cholesky.ts is the
// same algorithm.
import { gemm } from "./gemm";
import { dot } from "./vector";

/** Columns per block step. */
// Columns per sub-block of the panel solve: the part before each sub-block is one gemm.
const PANEL_BLOCK: i32 = 16;
// Rows per gemm of the trailing update: its strict upper part is wasted work (and zeroed at the end).
const UPDATE_ROWS: i32 = 64;

// @ts-ignore: decorator
@inline function at(a: usize, n: i32, i: i32, j: i32): usize {
  return a + ((<usize>i * <usize>n + <usize>j) << 3);
}

/**
 * Factors the diagonal block [j0, j0 + jb)² (already updated by the earlier block columns). Returns −1, or
 * the first pivot not above `minPivot`, whose value is then left on the diagonal.
 */
export function choleskyDiagonal(n: i32, a: usize, j0: i32, jb: i32, minPivot: f64): i32 {
  for (let r = j0; r < j0 + jb; r++) {
    for (let c = j0; c < r; c++) {
      const q = at(a, n, r, c);
      store<f64>(q, (load<f64>(q) - dot(at(a, n, r, j0), at(a, n, c, j0), c - j0)) / load<f64>(at(a, n, c, c)));
    }
    const q = at(a, n, r, r);
    const pivot = load<f64>(q) - dot(at(a, n, r, j0), at(a, n, r, j0), r - j0);
    if (!(pivot > minPivot)) {
      store<f64>(q, pivot);
      return r;
    }
    store<f64>(q, Math.sqrt(pivot));
  }
  return -1;
}

/** Rows [r0, r1) of the panel below the diagonal block: A[r, j0..j0 + jb) ← A[r, j0..j0 + jb)·L11⁻ᵀ. */
export function choleskyPanel(n: i32, a: usize, j0: i32, jb: i32, r0: i32, r1: i32): void {
  const rows = r1 - r0;
  if (rows <= 0) return;
  for (let c0 = 0; c0 < jb; c0 += PANEL_BLOCK) {
    const cb = min(PANEL_BLOCK, jb - c0);
    // The solved columns' share of these, then substitution within the sub-block.
    if (c0 > 0) gemm(0, 1, rows, cb, c0, -1.0, at(a, n, r0, j0), n, at(a, n, j0 + c0, j0), n, 1.0, at(a, n, r0, j0 + c0), n);
    for (let r = r0; r < r1; r++) {
      for (let c = j0 + c0; c < j0 + c0 + cb; c++) {
        const q = at(a, n, r, c);
        const done = j0 + c0;
        store<f64>(q, (load<f64>(q) - dot(at(a, n, r, done), at(a, n, c, done), c - done)) / load<f64>(at(a, n, c, c)));
      }
    }
  }
}

/** Rows [r0, r1) of the trailing update A22 −= L21·L21ᵀ (lower triangle and diagonal; rows ≥ j0 + jb). */
export function choleskyUpdate(n: i32, a: usize, j0: i32, jb: i32, r0: i32, r1: i32): void {
  const start = j0 + jb;
  for (let b0 = r0; b0 < r1; b0 += UPDATE_ROWS) {
    const rows = min(UPDATE_ROWS, r1 - b0);
    gemm(0, 1, rows, b0 + rows - start, jb, -1.0, at(a, n, b0, j0), n, at(a, n, start, j0), n, 1.0, at(a, n, b0, start), n);
  }
}

/** Zeroes the strict upper triangle (the factor's), which the updates left partly written. */
export function zeroUpper(n: i32, a: usize): void {
  for (let i = 0; i < n; i++) memory.fill(at(a, n, i, i + 1), 0, (<usize>(n - i - 1)) << 3);
}
