// Triangular solves with a row-major lower-triangular L (n × n) and many right-hand sides B (n × m),
// in place. Both directions read rows of L and update whole rows of B, so the inner loop is a SIMD axpy.
import { axpy, divide } from "./vector";

/** transpose = 0: L·X = B; transpose = 1: Lᵀ·X = B. X overwrites B. */
export function trsmLower(n: i32, m: i32, l: usize, b: usize, transpose: i32): void {
  const rowBytes = <usize>m << 3;
  if (transpose == 0) {
    for (let i = 0; i < n; i++) {
      const rowI = b + <usize>i * rowBytes;
      const lRow = l + (<usize>i * <usize>n << 3);
      for (let p = 0; p < i; p++) axpy(m, -load<f64>(lRow + (<usize>p << 3)), b + <usize>p * rowBytes, rowI);
      divide(m, load<f64>(lRow + (<usize>i << 3)), rowI);
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      const rowI = b + <usize>i * rowBytes;
      const lRow = l + (<usize>i * <usize>n << 3);
      divide(m, load<f64>(lRow + (<usize>i << 3)), rowI);
      for (let p = 0; p < i; p++) axpy(m, -load<f64>(lRow + (<usize>p << 3)), rowI, b + <usize>p * rowBytes);
    }
  }
}
