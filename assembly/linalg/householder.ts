// Blocked Householder reduction of a symmetric matrix to tridiagonal form (LAPACK's dsytrd/dlatrd) and
// the blocked back-transformation of eigenvectors (dormtr with compact WY blocks). The matrix is
// row-major and only its upper triangle is read and kept, so that reflector k is row k right of the
// diagonal, contiguous. src/backend/ts/linalg/householder.ts is the same algorithm.
import { mark, release, scratch } from "../heap";
import { gemm } from "./gemm";
import { axpy, dot } from "./vector";
import { HOUSEHOLDER_BLOCK } from "../generated/layout";

/** Reflectors per block, for the panel of the reduction and for the back-transformation. */
// Rows per gemm of the trailing update: the part of each below the diagonal is wasted work.
const TRAILING_ROWS: i32 = 64;

// @ts-ignore: decorator
@inline function at(a: usize, ld: i32, i: i32, j: i32): usize {
  return a + ((<usize>i * <usize>ld + <usize>j) << 3);
}

/**
 * Step j of the panel that starts at row k0 (k = k0 + j), up to its matrix–vector product: row k as the
 * panel's earlier reflectors left it, d[k], and reflector k, which overwrites row k right of the
 * diagonal (its first entry 1), with e[k] and its scale tau[k]; row j of w (nb × n) is zeroed. Returns 1
 * when the reflector is not the identity, and then the trailing block times it (symvUpper) and
 * panelFinish complete the step.
 */
export function panelReflect(n: i32, a: usize, k0: i32, j: i32, w: usize, d: usize, e: usize, tau: usize): i32 {
  const k = k0 + j;
  const rowK = at(a, n, k, 0);
  const kOff = (<usize>k) << 3;
  for (let i = 0; i < j; i++) {
    const vi = at(a, n, k0 + i, 0);
    const wi = at(w, n, i, 0);
    axpy(n - k, -load<f64>(vi + kOff), wi + kOff, rowK + kOff);
    axpy(n - k, -load<f64>(wi + kOff), vi + kOff, rowK + kOff);
  }
  store<f64>(d + kOff, load<f64>(rowK + kOff));
  memory.fill(at(w, n, j, 0), 0, (<usize>n) << 3);
  store<f64>(tau + kOff, 0.0);
  if (k == n - 1) {
    store<f64>(e + kOff, 0.0);
    return 0;
  }
  const len = n - k - 1;
  const v = rowK + kOff + 8;
  const x0 = load<f64>(v);
  const tailNorm2 = dot(v + 8, v + 8, len - 1);
  store<f64>(v, 1.0);
  if (tailNorm2 == 0.0) {
    store<f64>(e + kOff, x0);
    return 0;
  }
  const norm = Math.sqrt(x0 * x0 + tailNorm2);
  const beta = x0 >= 0.0 ? -norm : norm;
  const scale = 1.0 / (x0 - beta);
  for (let i = 1; i < len; i++) store<f64>(v + ((<usize>i) << 3), load<f64>(v + ((<usize>i) << 3)) * scale);
  store<f64>(e + kOff, beta);
  store<f64>(tau + kOff, (beta - x0) / beta);
  return 1;
}

/**
 * Completes step j: with y (the sum of `parts` partial products S·v, each of n − k − 1 entries, `stride`
 * bytes apart) row j of w becomes t·(y − VᵀW·v − WᵀV·v) − (t²/2)(vᵀ·…)·v, W's part of the trailing update.
 */
export function panelFinish(n: i32, a: usize, k0: i32, j: i32, w: usize, tau: usize, y: usize, parts: i32, stride: usize): void {
  const k = k0 + j;
  const len = n - k - 1;
  const v = at(a, n, k, k + 1);
  const wv = at(w, n, j, k + 1);
  memory.copy(wv, y, (<usize>len) << 3);
  for (let p = 1; p < parts; p++) axpy(len, 1.0, y + <usize>p * stride, wv);
  for (let i = 0; i < j; i++) {
    const vi = at(a, n, k0 + i, k + 1);
    const wi = at(w, n, i, k + 1);
    axpy(len, -dot(wi, v, len), vi, wv);
    axpy(len, -dot(vi, v, len), wi, wv);
  }
  const t = load<f64>(tau + ((<usize>k) << 3));
  for (let i = 0; i < len; i++) store<f64>(wv + ((<usize>i) << 3), t * load<f64>(wv + ((<usize>i) << 3)));
  axpy(len, -0.5 * t * dot(wv, v, len), v, wv);
}

/**
 * Rows [r0, r1) of y = S·x for symmetric S (m × m, upper triangle, leading dimension ld): y (m entries,
 * zeroed here) gets those rows' dot products and their mirror images below the diagonal, so the shares
 * of disjoint row ranges sum to S·x. Rows go in pairs, sharing each load of x and update of y.
 */
export function symvUpper(m: i32, s: usize, ld: i32, x: usize, y: usize, r0: i32, r1: i32): void {
  memory.fill(y, 0, (<usize>m) << 3);
  const rowBytes = (<usize>ld) << 3;
  let i = r0;
  for (; i + 2 <= r1; i += 2) {
    const row0 = s + <usize>i * rowBytes;
    const row1 = row0 + rowBytes;
    const x0 = load<f64>(x + ((<usize>i) << 3));
    const x1 = load<f64>(x + ((<usize>(i + 1)) << 3));
    const x0v = f64x2.splat(x0);
    const x1v = f64x2.splat(x1);
    let acc0 = f64x2.splat(0.0),
      acc1 = f64x2.splat(0.0);
    let acc2 = f64x2.splat(0.0),
      acc3 = f64x2.splat(0.0);
    let j = i + 2;
    for (; j + 4 <= m; j += 4) {
      const o = (<usize>j) << 3;
      const a0 = v128.load(row0 + o);
      const b0 = v128.load(row1 + o);
      const xa = v128.load(x + o);
      const a1 = v128.load(row0 + o, 16);
      const b1 = v128.load(row1 + o, 16);
      const xb = v128.load(x + o, 16);
      acc0 = f64x2.add(acc0, f64x2.mul(a0, xa));
      acc1 = f64x2.add(acc1, f64x2.mul(b0, xa));
      acc2 = f64x2.add(acc2, f64x2.mul(a1, xb));
      acc3 = f64x2.add(acc3, f64x2.mul(b1, xb));
      v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.add(f64x2.mul(a0, x0v), f64x2.mul(b0, x1v))));
      v128.store(y + o, f64x2.add(v128.load(y + o, 16), f64x2.add(f64x2.mul(a1, x0v), f64x2.mul(b1, x1v))), 16);
    }
    acc0 = f64x2.add(acc0, acc2);
    acc1 = f64x2.add(acc1, acc3);
    let sum0 = f64x2.extract_lane(acc0, 0) + f64x2.extract_lane(acc0, 1);
    let sum1 = f64x2.extract_lane(acc1, 0) + f64x2.extract_lane(acc1, 1);
    for (; j < m; j++) {
      const o = (<usize>j) << 3;
      const a = load<f64>(row0 + o);
      const b = load<f64>(row1 + o);
      const xj = load<f64>(x + o);
      sum0 += a * xj;
      sum1 += b * xj;
      store<f64>(y + o, load<f64>(y + o) + a * x0 + b * x1);
    }
    const o = (<usize>i) << 3;
    const s01 = load<f64>(row0 + o + 8);
    store<f64>(y + o, load<f64>(y + o) + load<f64>(row0 + o) * x0 + s01 * x1 + sum0);
    store<f64>(y + o + 8, load<f64>(y + o + 8) + s01 * x0 + load<f64>(row1 + o + 8) * x1 + sum1);
  }
  if (i < r1) {
    const row = s + <usize>i * rowBytes;
    const xi = load<f64>(x + ((<usize>i) << 3));
    let sum = 0.0;
    for (let j = i + 1; j < m; j++) {
      const o = (<usize>j) << 3;
      const r = load<f64>(row + o);
      sum += r * load<f64>(x + o);
      store<f64>(y + o, load<f64>(y + o) + r * xi);
    }
    const o = (<usize>i) << 3;
    store<f64>(y + o, load<f64>(y + o) + load<f64>(row + o) * xi + sum);
  }
}

/**
 * Rows [r0, r1) of the trailing update after the panel [k0, k0 + nb): A[r][c] −= (VᵀW + WᵀV)[r][c] for
 * c ≥ r, with V the panel's rows of A and W its rows of w. Row ranges of separate shares are disjoint.
 */
export function tridiagonalUpdate(n: i32, a: usize, w: usize, k0: i32, nb: i32, r0: i32, r1: i32): void {
  const v = at(a, n, k0, 0);
  for (let b0 = r0; b0 < r1; b0 += TRAILING_ROWS) {
    const rows = min(TRAILING_ROWS, r1 - b0);
    const c = at(a, n, b0, b0);
    const cols = n - b0;
    const column = (<usize>b0) << 3;
    gemm(1, 0, rows, cols, nb, -1.0, v + column, n, w + column, n, 1.0, c, n);
    gemm(1, 0, rows, cols, nb, -1.0, w + column, n, v + column, n, 1.0, c, n);
  }
}

/**
 * Columns [c0, c1) of z (n × n) ← Q·z, with Q = H_0·H_1···H_{n−2} the reduction's reflectors (rows of a
 * right of the diagonal, scales in tau): blocks of reflectors from the last, each applied as
 * I − V·T·Vᵀ (T upper triangular, as LAPACK's dlarft) with two gemms.
 */
export function householderApply(n: i32, a: usize, tau: usize, z: usize, c0: i32, c1: i32): void {
  const cols = c1 - c0;
  if (cols <= 0 || n < 2) return;
  const reflectors = n - 1;
  const saved = mark();
  const nbMax = HOUSEHOLDER_BLOCK;
  const packed = scratch((<usize>nbMax * <usize>n) << 3);
  const t = scratch((<usize>nbMax * <usize>nbMax) << 3);
  const product = scratch((<usize>nbMax * <usize>cols) << 3);
  const lastBlock = ((reflectors - 1) / nbMax) * nbMax;
  for (let k0 = lastBlock; k0 >= 0; k0 -= nbMax) {
    const kb = min(nbMax, reflectors - k0);
    const m = n - k0 - 1; // rows k0 + 1.. of z
    packReflectors(n, a, tau, k0, kb, m, packed, t);
    const zBlock = at(z, n, k0 + 1, c0);
    gemm(0, 0, kb, cols, m, 1.0, packed, m, zBlock, n, 0.0, product, cols);
    // product ← T·product, row by row from the top (row i reads rows ≥ i only).
    for (let i = 0; i < kb; i++) {
      const rowI = product + ((<usize>i * <usize>cols) << 3);
      const tii = load<f64>(at(t, nbMax, i, i));
      for (let q = 0; q < cols; q++) store<f64>(rowI + ((<usize>q) << 3), tii * load<f64>(rowI + ((<usize>q) << 3)));
      for (let l = i + 1; l < kb; l++) axpy(cols, load<f64>(at(t, nbMax, i, l)), product + ((<usize>l * <usize>cols) << 3), rowI);
    }
    gemm(1, 0, m, cols, kb, -1.0, packed, m, product, cols, 1.0, zBlock, n);
  }
  release(saved);
}

// Reflectors [k0, k0 + kb) as the rows of packed (kb × m, zero left of each reflector's leading 1), and
// T (kb × kb, leading dimension HOUSEHOLDER_BLOCK) with H_{k0}···H_{k0+kb−1} = I − VᵀTV over rows k0 + 1...
function packReflectors(n: i32, a: usize, tau: usize, k0: i32, kb: i32, m: i32, packed: usize, t: usize): void {
  const ldt = HOUSEHOLDER_BLOCK;
  for (let i = 0; i < kb; i++) {
    const row = packed + ((<usize>i * <usize>m) << 3);
    memory.fill(row, 0, (<usize>i) << 3);
    memory.copy(row + ((<usize>i) << 3), at(a, n, k0 + i, k0 + i + 1), (<usize>(m - i)) << 3);
  }
  for (let j = 0; j < kb; j++) {
    const tauJ = load<f64>(tau + ((<usize>(k0 + j)) << 3));
    store<f64>(at(t, ldt, j, j), tauJ);
    const vj = packed + ((<usize>j * <usize>m + <usize>j) << 3);
    // T[0..j, j] = −τ_j·T[0..j, 0..j]·(V[0..j]·v_j), with y = V·v_j kept in T's column first.
    for (let i = 0; i < j; i++) {
      const vi = packed + ((<usize>i * <usize>m + <usize>j) << 3);
      store<f64>(at(t, ldt, i, j), dot(vi, vj, m - j));
    }
    for (let i = 0; i < j; i++) {
      let sum = 0.0;
      for (let l = i; l < j; l++) sum += load<f64>(at(t, ldt, i, l)) * load<f64>(at(t, ldt, l, j));
      store<f64>(at(t, ldt, i, j), -tauJ * sum);
    }
  }
}
