// Left-looking blocked Cholesky, in place on a row-major n × n matrix: the trailing block column is
// updated by one gemm, then its diagonal block is factored and the panel below solved with dot products.
import { gemm } from "./gemm";
import { dot } from "./vector";

const NB: i32 = 64;

// @ts-ignore: decorator
@inline function at(a: usize, n: i32, i: i32, j: i32): usize {
  return a + ((<usize>i * <usize>n + <usize>j) << 3);
}

/**
 * Overwrites the lower triangle of `a` with L (a = L·Lᵀ) and zeroes the upper triangle.
 * Returns -1 on success, or the index of the first pivot that is not above `minPivot` (the caller's
 * relative threshold, the same on both backends); that pivot's value is then left at a[pivot][pivot].
 */
export function cholesky(n: i32, a: usize, minPivot: f64): i32 {
  for (let j = 0; j < n; j += NB) {
    const jb = min(NB, n - j);
    if (j > 0) gemm(0, 1, n - j, jb, j, -1.0, at(a, n, j, 0), n, at(a, n, j, 0), n, 1.0, at(a, n, j, j), n);
    // Row by row: entries left of the diagonal need only earlier rows of the block, so the diagonal
    // block and the panel below it are one loop.
    for (let r = j; r < n; r++) {
      const last = min(r, j + jb);
      for (let c = j; c < last; c++) {
        const q = at(a, n, r, c);
        store<f64>(q, (load<f64>(q) - dot(at(a, n, r, j), at(a, n, c, j), c - j)) / load<f64>(at(a, n, c, c)));
      }
      if (r < j + jb) {
        const q = at(a, n, r, r);
        const pivot = load<f64>(q) - dot(at(a, n, r, j), at(a, n, r, j), r - j);
        if (!(pivot > minPivot)) {
          store<f64>(q, pivot);
          return r;
        }
        store<f64>(q, Math.sqrt(pivot));
      }
    }
  }
  for (let i = 0; i < n; i++) memory.fill(at(a, n, i, i + 1), 0, <usize>(n - i - 1) << 3);
  return -1;
}
