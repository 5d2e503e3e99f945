// Gram matrices of the classic kernels, by row blocks [r0, r1) so threads can share one matrix, in two
// passes with a barrier between them: inner products (syrk when x2 is x1, else gemm) with the squared
// norms, then an elementwise map: linear scale·g + bias, polynomial (scale·g + bias)^degree, and RBF
// exp(−gamma·max(0, ‖x‖² + ‖z‖² − 2g)).
import { gemm } from "../linalg/gemm";
import { mirrorLower, syrkLower } from "../linalg/syrk";
import { dot } from "../linalg/vector";
import { expF64x2, madd, powIntF64x2 } from "../math";

import { KERNEL_POLYNOMIAL, KERNEL_RBF } from "../generated/layout";

// @ts-ignore: decorator
@inline export function mapLane(kind: i32, g: v128, scale: v128, bias: v128, degree: i32, gamma: v128, n1: v128, n2: v128): v128 {
  if (kind == KERNEL_RBF) {
    const d2 = f64x2.pmax(f64x2.sub(f64x2.add(n1, n2), f64x2.add(g, g)), f64x2.splat(0.0));
    return expF64x2(f64x2.neg(f64x2.mul(gamma, d2)));
  }
  const affine = madd(scale, g, bias);
  return kind == KERNEL_POLYNOMIAL ? powIntF64x2(affine, degree) : affine;
}

/**
 * Pass 1 for rows [r0, r1): inner products into `out` (n1 × n2; lower triangle when x2 = 0, meaning x2
 * is x1) and, when `norms1` is not 0, squared norms: norms1[r0, r1), from the diagonal when symmetric so
 * K[i][i] is exactly 1, and otherwise also norms2 for the matching share of x2's rows.
 */
export function gramInner(n1: i32, n2: i32, d: i32, x1: usize, x2: usize, out: usize, norms1: usize, norms2: usize, r0: i32, r1: i32): void {
  const symmetric = x2 == 0;
  if (symmetric) syrkLower(n1, d, x1, out, r0, r1);
  else gemm(0, 1, r1 - r0, n2, d, 1.0, x1 + ((<usize>r0 * <usize>d) << 3), d, x2, d, 0.0, out + ((<usize>r0 * <usize>n2) << 3), n2);
  if (norms1 == 0) return;
  for (let i = r0; i < r1; i++) {
    const row = x1 + ((<usize>i * <usize>d) << 3);
    store<f64>(norms1 + ((<usize>i) << 3), symmetric ? load<f64>(out + ((<usize>i * <usize>n1 + <usize>i) << 3)) : dot(row, row, d));
  }
  if (symmetric) return;
  const j1 = <i32>((<i64>r1 * <i64>n2) / <i64>n1);
  for (let j = <i32>((<i64>r0 * <i64>n2) / <i64>n1); j < j1; j++) {
    const row = x2 + ((<usize>j * <usize>d) << 3);
    store<f64>(norms2 + ((<usize>j) << 3), dot(row, row, d));
  }
}

/** Pass 2 for rows [r0, r1): the kernel map, then (when symmetric) the mirror onto the upper triangle. norms2 is unused when symmetric. */
export function gramMap(
  kind: i32,
  n1: i32,
  n2: i32,
  symmetric: i32,
  out: usize,
  norms1: usize,
  norms2: usize,
  scale: f64,
  bias: f64,
  degree: i32,
  gamma: f64,
  r0: i32,
  r1: i32,
): void {
  const scaleV = f64x2.splat(scale);
  const biasV = f64x2.splat(bias);
  const gammaV = f64x2.splat(gamma);
  const rbf = kind == KERNEL_RBF;
  const columnNorms = symmetric ? norms1 : norms2;
  const zero = f64x2.splat(0.0);
  for (let i = r0; i < r1; i++) {
    const row = out + ((<usize>i * <usize>n2) << 3);
    const n1V = rbf ? v128.load64_splat(norms1 + ((<usize>i) << 3)) : zero;
    const columns = symmetric ? i + 1 : n2;
    let j = 0;
    for (; j + 2 <= columns; j += 2) {
      const q = row + ((<usize>j) << 3);
      const n2V = rbf ? v128.load(columnNorms + ((<usize>j) << 3)) : zero;
      v128.store(q, mapLane(kind, v128.load(q), scaleV, biasV, degree, gammaV, n1V, n2V));
    }
    if (j < columns) {
      // The odd last column goes through the same lane code, so it rounds like the rest.
      const q = row + ((<usize>j) << 3);
      const n2V = rbf ? v128.load64_splat(columnNorms + ((<usize>j) << 3)) : zero;
      const lane = mapLane(kind, v128.load64_splat(q), scaleV, biasV, degree, gammaV, n1V, n2V);
      store<f64>(q, f64x2.extract_lane(lane, 0));
    }
  }
  if (symmetric) mirrorLower(n1, out, r0, r1);
}
