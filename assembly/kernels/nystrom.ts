// Products with the kernel matrix between many rows and a few fixed centers, K(x, C) (n × m), never stored:
// each row of K is made in a scratch row of m values (which stays in L1), used, and overwritten by the
// next. Centers come transposed (d × m) and products with them as k × m, so every loop runs along m.
import { dot } from "../linalg/vector";
import { expF64x2, madd } from "../math";
import { KERNEL_LINEAR, KERNEL_POLYNOMIAL, KERNEL_RBF, NYSTROM_TIMES, NYSTROM_TRANSPOSE } from "../generated/layout";
import { mapLane } from "./classic";

// The kernel values from accumulated inner products g. For the RBF the centers come scaled by 2γ and g has
// been accumulated onto −γ‖x‖² − γ‖c‖², so that g is the exponent −γ·‖x − c‖², up to rounding below 0.
// @ts-ignore: decorator
@inline function entries(kind: i32, g: v128, scaleV: v128, biasV: v128, degree: i32): v128 {
  const zero = f64x2.splat(0.0);
  if (kind == KERNEL_RBF) return expF64x2(f64x2.pmin(g, zero));
  return mapLane(kind, g, scaleV, biasV, degree, zero, zero, zero);
}

// Two rows of K(x, C), of x rows at xa and xb, into rowA and rowB: blocks of two rows by eight centers, so that
// each center value loaded serves both rows, each x value splat serves eight inner products, and eight maps
// overlap in the pipeline. `kind` is a constant at each call, so the map inlines. For the RBF, offsets holds
// γ‖c_j‖² and offsetA, offsetB are γ‖x‖² of the two rows.
// @ts-ignore: decorator
@inline function kernelRows(
  kind: i32,
  d: i32,
  m: i32,
  xa: usize,
  xb: usize,
  centersT: usize,
  offsets: usize,
  rowA: usize,
  rowB: usize,
  scaleV: v128,
  biasV: v128,
  degree: i32,
  offsetA: f64,
  offsetB: f64,
): void {
  const stride = (<usize>m) << 3;
  const rbf = kind == KERNEL_RBF;
  const zero = f64x2.splat(0.0);
  const minusA = f64x2.splat(-offsetA);
  const minusB = f64x2.splat(-offsetB);
  let j = 0;
  for (; j + 8 <= m; j += 8) {
    const column = centersT + ((<usize>j) << 3);
    const norms = offsets + ((<usize>j) << 3);
    const n0 = rbf ? v128.load(norms) : zero;
    const n1 = rbf ? v128.load(norms, 16) : zero;
    const n2 = rbf ? v128.load(norms, 32) : zero;
    const n3 = rbf ? v128.load(norms, 48) : zero;
    let a0 = rbf ? f64x2.sub(minusA, n0) : zero;
    let a1 = rbf ? f64x2.sub(minusA, n1) : zero;
    let a2 = rbf ? f64x2.sub(minusA, n2) : zero;
    let a3 = rbf ? f64x2.sub(minusA, n3) : zero;
    let b0 = rbf ? f64x2.sub(minusB, n0) : zero;
    let b1 = rbf ? f64x2.sub(minusB, n1) : zero;
    let b2 = rbf ? f64x2.sub(minusB, n2) : zero;
    let b3 = rbf ? f64x2.sub(minusB, n3) : zero;
    for (let l = 0; l < d; l++) {
      const offset = (<usize>l) << 3;
      const xsA = v128.load64_splat(xa + offset);
      const xsB = v128.load64_splat(xb + offset);
      const c = column + <usize>l * stride;
      const c0 = v128.load(c);
      const c1 = v128.load(c, 16);
      const c2 = v128.load(c, 32);
      const c3 = v128.load(c, 48);
      a0 = madd(xsA, c0, a0);
      a1 = madd(xsA, c1, a1);
      a2 = madd(xsA, c2, a2);
      a3 = madd(xsA, c3, a3);
      b0 = madd(xsB, c0, b0);
      b1 = madd(xsB, c1, b1);
      b2 = madd(xsB, c2, b2);
      b3 = madd(xsB, c3, b3);
    }
    const outA = rowA + ((<usize>j) << 3);
    const outB = rowB + ((<usize>j) << 3);
    v128.store(outA, entries(kind, a0, scaleV, biasV, degree));
    v128.store(outA, entries(kind, a1, scaleV, biasV, degree), 16);
    v128.store(outA, entries(kind, a2, scaleV, biasV, degree), 32);
    v128.store(outA, entries(kind, a3, scaleV, biasV, degree), 48);
    v128.store(outB, entries(kind, b0, scaleV, biasV, degree));
    v128.store(outB, entries(kind, b1, scaleV, biasV, degree), 16);
    v128.store(outB, entries(kind, b2, scaleV, biasV, degree), 32);
    v128.store(outB, entries(kind, b3, scaleV, biasV, degree), 48);
  }
  for (; j < m; j++) {
    // The last centers one at a time, through the same lane code, so they round like the rest.
    const column = centersT + ((<usize>j) << 3);
    const norm = rbf ? v128.load64_splat(offsets + ((<usize>j) << 3)) : zero;
    let a = rbf ? f64x2.sub(minusA, norm) : zero;
    let b = rbf ? f64x2.sub(minusB, norm) : zero;
    for (let l = 0; l < d; l++) {
      const c = v128.load64_splat(column + <usize>l * stride);
      a = madd(v128.load64_splat(xa + ((<usize>l) << 3)), c, a);
      b = madd(v128.load64_splat(xb + ((<usize>l) << 3)), c, b);
    }
    store<f64>(rowA + ((<usize>j) << 3), f64x2.extract_lane(entries(kind, a, scaleV, biasV, degree), 0));
    store<f64>(rowB + ((<usize>j) << 3), f64x2.extract_lane(entries(kind, b, scaleV, biasV, degree), 0));
  }
}

/** y ← y + a·xa + b·xb */
// @ts-ignore: decorator
@inline function axpy2(len: i32, a: f64, xa: usize, b: f64, xb: usize, y: usize): void {
  const av = f64x2.splat(a);
  const bv = f64x2.splat(b);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const off = (<usize>i) << 3;
    v128.store(y + off, madd(bv, v128.load(xb + off), madd(av, v128.load(xa + off), v128.load(y + off))));
  }
  for (; i < len; i++) {
    const off = (<usize>i) << 3;
    store<f64>(y + off, load<f64>(y + off) + a * load<f64>(xa + off) + b * load<f64>(xb + off));
  }
}

/**
 * For rows [r0, r1) of x (row-major, d columns): row i of K(x, C) into a scratch row (`row` holds two, 2m doubles), then, by `mode`,
 * u[i] (k values at u + 8·k·i) = K_i·v for vT (k × m), and wT (k × m, zeroed here) += u[i] ⊗ K_i. The
 * classic kernel's parameters as in gramMap; for the RBF, centersT holds the centers times 2γ and offsets
 * holds γ‖c_j‖².
 */
export function nystromRows(
  mode: i32,
  kind: i32,
  d: i32,
  m: i32,
  k: i32,
  x: usize,
  centersT: usize,
  offsets: usize,
  vT: usize,
  u: usize,
  wT: usize,
  row: usize,
  scale: f64,
  bias: f64,
  degree: i32,
  gamma: f64,
  r0: i32,
  r1: i32,
): void {
  const scaleV = f64x2.splat(scale);
  const biasV = f64x2.splat(bias);
  const stride = (<usize>m) << 3;
  if (mode != NYSTROM_TIMES) memory.fill(wT, 0, <usize>k * stride);
  const rowB = row + stride;
  // Rows in pairs; an odd last row is paired with itself (rowB then holds a copy that is not used).
  for (let i = r0; i < r1; i += 2) {
    const xa = x + ((<usize>i * <usize>d) << 3);
    const xb = i + 1 < r1 ? xa + ((<usize>d) << 3) : xa;
    if (kind == KERNEL_RBF) {
      kernelRows(KERNEL_RBF, d, m, xa, xb, centersT, offsets, row, rowB, scaleV, biasV, degree, gamma * dot(xa, xa, d), gamma * dot(xb, xb, d));
    } else if (kind == KERNEL_POLYNOMIAL) {
      kernelRows(KERNEL_POLYNOMIAL, d, m, xa, xb, centersT, offsets, row, rowB, scaleV, biasV, degree, 0.0, 0.0);
    } else {
      kernelRows(KERNEL_LINEAR, d, m, xa, xb, centersT, offsets, row, rowB, scaleV, biasV, degree, 0.0, 0.0);
    }
    // Both rows in each pass over vT and wT; the copy of an odd last row gets weight 0.
    const ua = u + ((<usize>i * <usize>k) << 3);
    const ub = ua + ((<usize>k) << 3);
    const pair = i + 1 < r1;
    for (let c = 0; c < k; c++) {
      const offset = <usize>c * stride;
      const slot = (<usize>c) << 3;
      if (mode != NYSTROM_TRANSPOSE) {
        store<f64>(ua + slot, dot(row, vT + offset, m));
        if (pair) store<f64>(ub + slot, dot(rowB, vT + offset, m));
      }
      if (mode != NYSTROM_TIMES) axpy2(m, load<f64>(ua + slot), row, pair ? load<f64>(ub + slot) : 0.0, rowB, wT + offset);
    }
  }
}
