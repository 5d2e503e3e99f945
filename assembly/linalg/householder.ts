// Blocked Householder reduction of a symmetric matrix to tridiagonal form (LAPACK's dsytrd/dlatrd) and
// the blocked back-transformation of eigenvectors (dormtr with compact WY blocks). The matrix is
// row-major and only its upper triangle is read and kept, so that reflector k is row k right of the
// diagonal, contiguous. src/backend/ts/householder.ts is the same algorithm.
import { mark, release, scratch } from "../heap";
import { gemm } from "./gemm";
import { axpy, dot } from "./vector";

/** Reflectors per block, for the panel of the reduction and for the back-transformation. */
export const HOUSEHOLDER_BLOCK: i32 = 32;
// Rows per gemm of the trailing update: the part of each below the diagonal is wasted work.
const TRAILING_ROWS: i32 = 64;

// @ts-ignore: decorator
@inline function at(a: usize, ld: i32, i: i32, j: i32): usize {
  return a + ((<usize>i * <usize>ld + <usize>j) << 3);
}

/**
 * Reduces rows [k0, k0 + nb) (the panel): reflector k overwrites row k right of the diagonal (its first
 * entry 1), with d[k], e[k] the tridiagonal's entries and tau[k] the reflector's scale; w (nb × n) gets the
 * rows W with which the trailing block A[k0 + nb.., k0 + nb..] is then updated by A −= VᵀW + WᵀV.
 */
export function tridiagonalPanel(n: i32, a: usize, k0: i32, nb: i32, w: usize, d: usize, e: usize, tau: usize): void {
  for (let j = 0; j < nb; j++) {
    const k = k0 + j;
    const rowK = at(a, n, k, 0);
    // Row k, columns k.., as the panel's earlier reflectors left it.
    for (let i = 0; i < j; i++) {
      const vi = at(a, n, k0 + i, 0);
      const wi = at(w, n, i, 0);
      const kOff = <usize>k << 3;
      axpy(n - k, -load<f64>(vi + kOff), wi + kOff, rowK + kOff);
      axpy(n - k, -load<f64>(wi + kOff), vi + kOff, rowK + kOff);
    }
    store<f64>(d + (<usize>k << 3), load<f64>(at(a, n, k, k)));
    const wj = at(w, n, j, 0);
    memory.fill(wj, 0, <usize>n << 3);
    if (k == n - 1) {
      store<f64>(e + (<usize>k << 3), 0.0);
      store<f64>(tau + (<usize>k << 3), 0.0);
      continue;
    }
    const len = n - k - 1;
    const v = at(a, n, k, k + 1);
    const x0 = load<f64>(v);
    const tailNorm2 = dot(v + 8, v + 8, len - 1);
    store<f64>(v, 1.0);
    if (tailNorm2 == 0.0) {
      store<f64>(e + (<usize>k << 3), x0);
      store<f64>(tau + (<usize>k << 3), 0.0);
      continue;
    }
    const norm = Math.sqrt(x0 * x0 + tailNorm2);
    const beta = x0 >= 0.0 ? -norm : norm;
    const t = (beta - x0) / beta;
    const scale = 1.0 / (x0 - beta);
    for (let i = 1; i < len; i++) store<f64>(v + (<usize>i << 3), load<f64>(v + (<usize>i << 3)) * scale);
    store<f64>(e + (<usize>k << 3), beta);
    store<f64>(tau + (<usize>k << 3), t);
    // w = t·(A22 − VᵀW − WᵀV)·v, then w −= (t/2)(wᵀv)·v, on columns k + 1..
    const wv = wj + (<usize>(k + 1) << 3);
    symvUpper(len, at(a, n, k + 1, k + 1), n, v, wv);
    for (let i = 0; i < j; i++) {
      const vi = at(a, n, k0 + i, k + 1);
      const wi = at(w, n, i, k + 1);
      axpy(len, -dot(wi, v, len), vi, wv);
      axpy(len, -dot(vi, v, len), wi, wv);
    }
    for (let i = 0; i < len; i++) store<f64>(wv + (<usize>i << 3), t * load<f64>(wv + (<usize>i << 3)));
    axpy(len, -0.5 * t * dot(wv, v, len), v, wv);
  }
}

// y = S·x for symmetric S (m × m, upper triangle, leading dimension ld): one pass over each row, which
// gives y_i its dot product and adds x_i times the row to the later y.
function symvUpper(m: i32, s: usize, ld: i32, x: usize, y: usize): void {
  memory.fill(y, 0, <usize>m << 3);
  for (let i = 0; i < m; i++) {
    const row = s + (<usize>i * <usize>ld << 3);
    const xi = load<f64>(x + (<usize>i << 3));
    const xv = f64x2.splat(xi);
    let acc = f64x2.splat(0.0);
    let j = i + 1;
    for (; j + 2 <= m; j += 2) {
      const o = <usize>j << 3;
      const r = v128.load(row + o);
      acc = f64x2.add(acc, f64x2.mul(r, v128.load(x + o)));
      v128.store(y + o, f64x2.add(v128.load(y + o), f64x2.mul(r, xv)));
    }
    let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
    for (; j < m; j++) {
      const o = <usize>j << 3;
      const r = load<f64>(row + o);
      sum += r * load<f64>(x + o);
      store<f64>(y + o, load<f64>(y + o) + r * xi);
    }
    const yi = y + (<usize>i << 3);
    store<f64>(yi, load<f64>(yi) + load<f64>(row + (<usize>i << 3)) * xi + sum);
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
    const column = <usize>b0 << 3;
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
  const packed = scratch(<usize>nbMax * <usize>n << 3);
  const t = scratch(<usize>nbMax * <usize>nbMax << 3);
  const product = scratch(<usize>nbMax * <usize>cols << 3);
  const lastBlock = (reflectors - 1) / nbMax * nbMax;
  for (let k0 = lastBlock; k0 >= 0; k0 -= nbMax) {
    const kb = min(nbMax, reflectors - k0);
    const m = n - k0 - 1; // rows k0 + 1.. of z
    packReflectors(n, a, tau, k0, kb, m, packed, t);
    const zBlock = at(z, n, k0 + 1, c0);
    gemm(0, 0, kb, cols, m, 1.0, packed, m, zBlock, n, 0.0, product, cols);
    // product ← T·product, row by row from the top (row i reads rows ≥ i only).
    for (let i = 0; i < kb; i++) {
      const rowI = product + (<usize>i * <usize>cols << 3);
      const tii = load<f64>(at(t, nbMax, i, i));
      for (let q = 0; q < cols; q++) store<f64>(rowI + (<usize>q << 3), tii * load<f64>(rowI + (<usize>q << 3)));
      for (let l = i + 1; l < kb; l++) axpy(cols, load<f64>(at(t, nbMax, i, l)), product + (<usize>l * <usize>cols << 3), rowI);
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
    const row = packed + (<usize>i * <usize>m << 3);
    memory.fill(row, 0, <usize>i << 3);
    memory.copy(row + (<usize>i << 3), at(a, n, k0 + i, k0 + i + 1), <usize>(m - i) << 3);
  }
  for (let j = 0; j < kb; j++) {
    const tauJ = load<f64>(tau + (<usize>(k0 + j) << 3));
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
