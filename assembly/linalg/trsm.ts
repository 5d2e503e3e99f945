// Triangular solves with a row-major lower-triangular L (n × n) and right-hand sides B (n × m), in place,
// on columns [c0, c1) of B so that threads can split them. Blocks of TRSM_BLOCK rows: the solved rows'
// share of a block is one gemm, then substitution within it by row axpys.
import { gemm } from "./gemm";
import { axpy, divide } from "./vector";

const TRSM_BLOCK: i32 = 64;

// @ts-ignore: decorator
@inline function at(a: usize, ld: i32, i: i32, j: i32): usize {
  return a + ((<usize>i * <usize>ld + <usize>j) << 3);
}

/** transpose = 0: L·X = B; transpose = 1: Lᵀ·X = B. X overwrites columns [c0, c1) of B. */
export function trsmLower(n: i32, m: i32, l: usize, b: usize, transpose: i32, c0: i32, c1: i32): void {
  const cols = c1 - c0;
  if (cols <= 0) return;
  if (transpose == 0) {
    for (let i0 = 0; i0 < n; i0 += TRSM_BLOCK) {
      const i1 = min(n, i0 + TRSM_BLOCK);
      if (i0 > 0) gemm(0, 0, i1 - i0, cols, i0, -1.0, l + ((<usize>i0 * <usize>n) << 3), n, at(b, m, 0, c0), m, 1.0, at(b, m, i0, c0), m);
      for (let i = i0; i < i1; i++) {
        const rowI = at(b, m, i, c0);
        for (let p = i0; p < i; p++) axpy(cols, -load<f64>(at(l, n, i, p)), at(b, m, p, c0), rowI);
        divide(cols, load<f64>(at(l, n, i, i)), rowI);
      }
    }
  } else {
    for (let i1 = n; i1 > 0; i1 -= TRSM_BLOCK) {
      const i0 = max(0, i1 - TRSM_BLOCK);
      if (i1 < n) gemm(1, 0, i1 - i0, cols, n - i1, -1.0, at(l, n, i1, i0), n, at(b, m, i1, c0), m, 1.0, at(b, m, i0, c0), m);
      for (let i = i1 - 1; i >= i0; i--) {
        const rowI = at(b, m, i, c0);
        divide(cols, load<f64>(at(l, n, i, i)), rowI);
        for (let p = i0; p < i; p++) axpy(cols, -load<f64>(at(l, n, i, p)), rowI, at(b, m, p, c0));
      }
    }
  }
}
