// Gram matrices of the classic kernels from one inner-product pass (syrk when x2 is x1, else gemm),
// then an elementwise map: linear scale·g + bias, polynomial (scale·g + bias)^degree, and RBF
// exp(−gamma·max(0, ‖x‖² + ‖z‖² − 2g)).
import { scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { mirrorLower, syrkLower } from "../linalg/syrk";
import { dot } from "../linalg/vector";
import { expF64x2, powIntF64x2 } from "../math";

export const KERNEL_LINEAR: i32 = 0;
export const KERNEL_POLYNOMIAL: i32 = 1;
export const KERNEL_RBF: i32 = 2;

// @ts-ignore: decorator
@inline function mapLane(kind: i32, g: v128, scale: v128, bias: v128, degree: i32, gamma: v128, n1: v128, n2: v128): v128 {
  if (kind == KERNEL_RBF) {
    const d2 = f64x2.pmax(f64x2.sub(f64x2.add(n1, n2), f64x2.add(g, g)), f64x2.splat(0.0));
    return expF64x2(f64x2.neg(f64x2.mul(gamma, d2)));
  }
  const affine = f64x2.add(f64x2.mul(scale, g), bias);
  return kind == KERNEL_POLYNOMIAL ? powIntF64x2(affine, degree) : affine;
}

/** x2 = 0 means x2 is x1 (symmetric Gram). `out` is n1 × n2. */
export function classicGram(
  kind: i32, n1: i32, n2: i32, d: i32, x1: usize, x2: usize,
  scale: f64, bias: f64, degree: i32, gamma: f64, out: usize,
): void {
  // Symmetric: inner products, the map, and then the mirror, on the lower triangle only.
  const symmetric = x2 == 0;
  if (symmetric) syrkLower(n1, d, x1, out);
  else gemm(0, 1, n1, n2, d, 1.0, x1, d, x2, d, 0.0, out, n2);

  // Squared norms for RBF; from the diagonal when symmetric, so K[i][i] is exactly 1.
  const norms1 = scratch(<usize>n1 << 3);
  const norms2 = symmetric ? norms1 : scratch(<usize>n2 << 3);
  if (kind == KERNEL_RBF) {
    for (let i = 0; i < n1; i++) {
      const row = x1 + (<usize>i * <usize>d << 3);
      store<f64>(norms1 + (<usize>i << 3), symmetric ? load<f64>(out + ((<usize>i * <usize>n1 + <usize>i) << 3)) : dot(row, row, d));
    }
    if (!symmetric) {
      for (let j = 0; j < n2; j++) {
        const row = x2 + (<usize>j * <usize>d << 3);
        store<f64>(norms2 + (<usize>j << 3), dot(row, row, d));
      }
    }
  }
  const scaleV = f64x2.splat(scale);
  const biasV = f64x2.splat(bias);
  const gammaV = f64x2.splat(gamma);
  for (let i = 0; i < n1; i++) {
    const row = out + (<usize>i * <usize>n2 << 3);
    const n1V = v128.load64_splat(norms1 + (<usize>i << 3));
    const columns = symmetric ? i + 1 : n2;
    let j = 0;
    for (; j + 2 <= columns; j += 2) {
      const q = row + (<usize>j << 3);
      v128.store(q, mapLane(kind, v128.load(q), scaleV, biasV, degree, gammaV, n1V, v128.load(norms2 + (<usize>j << 3))));
    }
    if (j < columns) {
      // The odd last column goes through the same lane code, so it rounds like the rest.
      const q = row + (<usize>j << 3);
      const lane = mapLane(kind, v128.load64_splat(q), scaleV, biasV, degree, gammaV, n1V, v128.load64_splat(norms2 + (<usize>j << 3)));
      store<f64>(q, f64x2.extract_lane(lane, 0));
    }
  }
  if (symmetric) mirrorLower(n1, out);
}
