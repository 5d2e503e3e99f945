// C = A·Aᵀ (A is n × k): the lower triangle by row blocks of gemm, then mirrored so C is exactly symmetric.
import { gemm } from "./gemm";

const NB: i32 = 256;

export function syrk(n: i32, k: i32, a: usize, c: usize): void {
  for (let i0 = 0; i0 < n; i0 += NB) {
    const rows = min(NB, n - i0);
    gemm(0, 1, rows, i0 + rows, k, 1.0, a + (<usize>i0 * <usize>k << 3), k, a, k, 0.0, c + (<usize>i0 * <usize>n << 3), n);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      store<f64>(c + ((<usize>i * <usize>n + <usize>j) << 3), load<f64>(c + ((<usize>j * <usize>n + <usize>i) << 3)));
    }
  }
}
