// Symmetric tridiagonal eigenproblems: implicit QL (small blocks and the eigenvalues-only path) and
// Cuppen's divide and conquer with the deflation of LAPACK's dlaed2 and the eigenvectors of Gu and
// Eisenstat (dlaed3), so that the work of the large merges is gemm. Eigenvectors are the columns of a
// row-major matrix z (leading dimension ldz); src/backend/ts/linalg/tridiagonal.ts is the same algorithm.
import { mark, release, scratch } from "../heap";
import { gemm } from "./gemm";
import { DC_LEAF_BLOCK } from "../generated/layout";

const MAX_SWEEPS: i32 = 60;
/** Blocks up to this size are solved by QL; larger ones are split in two. */
const EPS: f64 = 2.220446049250313e-16;
const MAX_SECULAR_STEPS: i32 = 200;

// @ts-ignore: decorator
@inline function f(p: usize, i: i32): f64 {
  return load<f64>(p + ((<usize>i) << 3));
}
// @ts-ignore: decorator
@inline function setF(p: usize, i: i32, v: f64): void {
  store<f64>(p + ((<usize>i) << 3), v);
}
// @ts-ignore: decorator
@inline function idx(p: usize, i: i32): i32 {
  return load<i32>(p + ((<usize>i) << 2));
}
// @ts-ignore: decorator
@inline function setIdx(p: usize, i: i32, v: i32): void {
  store<i32>(p + ((<usize>i) << 2), v);
}
// @ts-ignore: decorator
@inline function at(z: usize, ld: i32, i: i32, j: i32): usize {
  return z + ((<usize>i * <usize>ld + <usize>j) << 3);
}

/**
 * Implicit QL with Wilkinson shifts on (d, e) of order n, e[i] coupling i and i + 1 (e[n − 1] is
 * overwritten). With `vt` non-zero, the rotations act on rows i and i + 1 of vt (leading dimension ldv),
 * whose rows become the eigenvectors. Eigenvalues are left unsorted in d. Returns 0, or −1 without convergence.
 */
export function tql(n: i32, d: usize, e: usize, vt: usize, ldv: i32): i32 {
  if (n == 0) return 0;
  setF(e, n - 1, 0.0);
  // Deflate against the largest |d| + |e| seen so far: a purely relative test never deflates a cluster of zeros.
  let scale = 0.0;
  for (let l = 0; l < n; l++) {
    scale = Math.max(scale, Math.abs(f(d, l)) + Math.abs(f(e, l)));
    let sweeps = 0;
    while (true) {
      let m = l;
      for (; m < n - 1; m++) {
        if (Math.abs(f(e, m)) <= EPS * scale) break;
      }
      if (m == l) break;
      if (sweeps++ == MAX_SWEEPS) return -1;
      const dl = f(d, l);
      const el = f(e, l);
      let g = (f(d, l + 1) - dl) / (2.0 * el);
      let r = Math.hypot(g, 1.0);
      g = f(d, m) - dl + el / (g + (g >= 0.0 ? r : -r));
      let s = 1.0,
        c = 1.0,
        p = 0.0;
      let underflow = false;
      for (let i = m - 1; i >= l; i--) {
        const ei = f(e, i);
        const ff = s * ei;
        const b = c * ei;
        r = Math.hypot(ff, g);
        setF(e, i + 1, r);
        if (r == 0.0) {
          setF(d, i + 1, f(d, i + 1) - p);
          setF(e, m, 0.0);
          underflow = true;
          break;
        }
        s = ff / r;
        c = g / r;
        g = f(d, i + 1) - p;
        r = (f(d, i) - g) * s + 2.0 * c * b;
        p = s * r;
        setF(d, i + 1, g + p);
        g = c * r - b;
        if (vt != 0) rotateRows(n, at(vt, ldv, i, 0), at(vt, ldv, i + 1, 0), c, s);
      }
      if (underflow) continue;
      setF(d, l, f(d, l) - p);
      setF(e, l, g);
      setF(e, m, 0.0);
    }
  }
  return 0;
}

// (x, y) ← (c·x − s·y, s·x + c·y) on two contiguous rows of n.
function rotateRows(n: i32, x: usize, y: usize, c: f64, s: f64): void {
  const cv = f64x2.splat(c);
  const sv = f64x2.splat(s);
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const o = (<usize>j) << 3;
    const a = v128.load(x + o);
    const b = v128.load(y + o);
    v128.store(x + o, f64x2.sub(f64x2.mul(cv, a), f64x2.mul(sv, b)));
    v128.store(y + o, f64x2.add(f64x2.mul(sv, a), f64x2.mul(cv, b)));
  }
  for (; j < n; j++) {
    const o = (<usize>j) << 3;
    const a = load<f64>(x + o);
    const b = load<f64>(y + o);
    store<f64>(x + o, c * a - s * b);
    store<f64>(y + o, s * a + c * b);
  }
}

/** Eigenvalues only (unsorted, in d): QL without vectors, O(n²). Returns 0, or −1 without convergence. */
export function tridiagonalValues(n: i32, d: usize, e: usize): i32 {
  const saved = mark();
  const off = scratch((<usize>n) << 3);
  memory.copy(off, e, (<usize>n) << 3);
  const status = tql(n, d, off, 0, 0);
  release(saved);
  return status;
}

/**
 * Splits [s, s + len) of (d, e) in two: the coupling β = e[s + n1 − 1] becomes a rank-one term, so
 * |β| comes off the two diagonal entries beside it (T = diag(T1, T2) + |β|·u·uᵀ, u = e_{n1−1} ± e_{n1}).
 */
export function dcTear(d: usize, e: usize, s: i32, n1: i32): void {
  const beta = Math.abs(f(e, s + n1 - 1));
  setF(d, s + n1 - 1, f(d, s + n1 - 1) - beta);
  setF(d, s + n1, f(d, s + n1) - beta);
}

/**
 * All eigenpairs of the block [s, s + len) of (d, e), on this thread: eigenvalues (unsorted) into
 * d[s..s + len), eigenvectors into the columns of z's diagonal block [s, s + len)² (leading dimension ldz),
 * whose off-diagonal entries in that block must be zero. Stores 0 at `status`, or −1 when QL did not converge.
 */
export function dcSolve(ldz: i32, d: usize, e: usize, z: usize, s: i32, len: i32, status: usize): void {
  store<i32>(status, solveBlock(ldz, d, e, z, s, len));
}

function solveBlock(ldz: i32, d: usize, e: usize, z: usize, s: i32, len: i32): i32 {
  if (len <= DC_LEAF_BLOCK) return leaf(ldz, d, e, z, s, len);
  const n1 = len >> 1;
  dcTear(d, e, s, n1);
  if (solveBlock(ldz, d, e, z, s, n1) != 0) return -1;
  if (solveBlock(ldz, d, e, z, s + n1, len - n1) != 0) return -1;
  const saved = mark();
  const g = scratch((<usize>len * <usize>len) << 3);
  const u = scratch((<usize>len * <usize>len) << 3);
  const info = scratch(16);
  dcMergePrepare(ldz, d, e, z, s, n1, len, g, u, info);
  const k = load<i32>(info);
  dcMergeColumns(ldz, z, s, n1, len, g, u, k, load<i32>(info, 4), load<i32>(info, 8), 0, k);
  release(saved);
  return 0;
}

// QL on a copy of the block (vectors as rows), then the transpose into z's block.
function leaf(ldz: i32, d: usize, e: usize, z: usize, s: i32, len: i32): i32 {
  const saved = mark();
  const vt = scratch((<usize>len * <usize>len) << 3);
  const off = scratch((<usize>len) << 3);
  memory.fill(vt, 0, (<usize>len * <usize>len) << 3);
  for (let i = 0; i < len; i++) setF(vt, i * len + i, 1.0);
  memory.copy(off, e + ((<usize>s) << 3), (<usize>(len - 1)) << 3);
  const status = tql(len, d + ((<usize>s) << 3), off, vt, len);
  for (let i = 0; i < len; i++) {
    for (let j = 0; j < len; j++) store<f64>(at(z, ldz, s + i, s + j), f(vt, j * len + i));
  }
  release(saved);
  return status;
}

// Sorts order[0..n) by the keys keys[order[i]], ascending (heapsort: no extra memory).
function sortByKey(n: i32, order: usize, keys: usize): void {
  for (let start = (n >> 1) - 1; start >= 0; start--) siftDown(order, keys, start, n);
  for (let end = n - 1; end > 0; end--) {
    const top = idx(order, 0);
    setIdx(order, 0, idx(order, end));
    setIdx(order, end, top);
    siftDown(order, keys, 0, end);
  }
}

// Whether column x sorts after column y: by key, ties by index (as the TS reference's sort).
// @ts-ignore: decorator
@inline function after(keys: usize, x: i32, y: i32): bool {
  const kx = f(keys, x);
  const ky = f(keys, y);
  return kx > ky || (kx == ky && x > y);
}

function siftDown(order: usize, keys: usize, root: i32, n: i32): void {
  while (true) {
    let child = 2 * root + 1;
    if (child >= n) return;
    if (child + 1 < n && after(keys, idx(order, child + 1), idx(order, child))) child++;
    if (!after(keys, idx(order, child), idx(order, root))) return;
    const t = idx(order, root);
    setIdx(order, root, idx(order, child));
    setIdx(order, child, t);
    root = child;
  }
}

/**
 * The merge of block [s, s + len), whose halves [s, s + n1) and [s + n1, s + len) are solved, up to its
 * gemm: the rank-one vector z from the halves' boundary rows, deflation (small components and close
 * pairs, the latter by a rotation of two columns), the secular equation for the k remaining roots, the
 * eigenvectors of D + ρ·z·zᵀ from Löwner's formula, and every column of the block gathered into g
 * (len × len): the k undeflated first, grouped as nonzero in the top half only, in both, in the bottom
 * half only, then the deflated. u (k × k, rows in g's order) holds the eigenvectors; the deflated
 * columns and every eigenvalue are written to their final places (the k roots first). Writes k, the
 * size of the top-only group and of the both-halves group to info[0..3).
 */
export function dcMergePrepare(ldz: i32, d: usize, e: usize, z: usize, s: i32, n1: i32, len: i32, g: usize, u: usize, info: usize): void {
  const saved = mark();
  const n = len;
  const beta = f(e, s + n1 - 1);
  const rho = 2.0 * Math.abs(beta);
  const zv = scratch((<usize>n) << 3);
  const dv = scratch((<usize>n) << 3);
  const order = scratch((<usize>n) << 2);
  const kind = scratch((<usize>n) << 2); // 1: nonzero in the top half only, 2: both, 3: bottom only
  const sign = beta >= 0.0 ? 1.0 : -1.0;
  for (let c = 0; c < n1; c++) setF(zv, c, load<f64>(at(z, ldz, s + n1 - 1, s + c)) * Math.SQRT1_2);
  for (let c = n1; c < n; c++) setF(zv, c, sign * load<f64>(at(z, ldz, s + n1, s + c)) * Math.SQRT1_2);
  for (let c = 0; c < n; c++) {
    setF(dv, c, f(d, s + c));
    setIdx(order, c, c);
    setIdx(kind, c, c < n1 ? 1 : 3);
  }
  sortByKey(n, order, dv);

  let dMax = 0.0,
    zMax = 0.0;
  for (let c = 0; c < n; c++) {
    dMax = Math.max(dMax, Math.abs(f(dv, c)));
    zMax = Math.max(zMax, Math.abs(f(zv, c)));
  }
  const tol = 8.0 * EPS * Math.max(dMax, zMax);
  // Columns (block-relative) in ascending order of their values: kept ones, and deflated ones.
  const kept = scratch((<usize>n) << 2);
  const deflated = scratch((<usize>n) << 2);
  let k = 0,
    nd = 0;
  let candidate = -1;
  for (let q = 0; q < n; q++) {
    const c = idx(order, q);
    if (rho * Math.abs(f(zv, c)) <= tol) {
      setIdx(deflated, nd++, c);
      continue;
    }
    if (candidate < 0) {
      candidate = c;
      continue;
    }
    // Two close values: a rotation of their columns moves the candidate's weight onto c.
    let sn = f(zv, candidate);
    let cs = f(zv, c);
    const r = Math.hypot(cs, sn);
    const gap = f(dv, c) - f(dv, candidate);
    cs /= r;
    sn = -sn / r;
    if (Math.abs(gap * cs * sn) <= tol) {
      setF(zv, c, r);
      setF(zv, candidate, 0.0);
      rotateColumns(n, at(z, ldz, s, s + candidate), at(z, ldz, s, s + c), ldz, cs, sn);
      if (idx(kind, candidate) != idx(kind, c)) {
        setIdx(kind, candidate, 2);
        setIdx(kind, c, 2);
      }
      const dc = f(dv, candidate);
      const dd = f(dv, c);
      setF(dv, candidate, dc * cs * cs + dd * sn * sn);
      setF(dv, c, dc * sn * sn + dd * cs * cs);
      setIdx(deflated, nd++, candidate);
    } else {
      setIdx(kept, k++, candidate);
    }
    candidate = c;
  }
  if (candidate >= 0) setIdx(kept, k++, candidate);

  // The secular equation on the kept values, ascending: root r is dl[origin[r]] + tau[r].
  const dl = scratch((<usize>(k + 1)) << 3);
  const w = scratch((<usize>(k + 1)) << 3);
  const origin = scratch((<usize>(k + 1)) << 2);
  const tau = scratch((<usize>(k + 1)) << 3);
  for (let q = 0; q < k; q++) {
    setF(dl, q, f(dv, idx(kept, q)));
    setF(w, q, f(zv, idx(kept, q)));
  }
  for (let r = 0; r < k; r++) secularRoot(k, dl, w, rho, r, origin, tau);

  // Löwner: the z for which the computed roots are exact, so the eigenvectors come out orthogonal.
  const zHat = scratch((<usize>(k + 1)) << 3);
  for (let i = 0; i < k; i++) {
    let product = -delta(dl, origin, tau, i, i) / rho;
    for (let r = 0; r < k; r++) {
      if (r != i) product *= -delta(dl, origin, tau, r, i) / (f(dl, r) - f(dl, i));
    }
    const magnitude = Math.sqrt(Math.abs(product));
    setF(zHat, i, f(w, i) >= 0.0 ? magnitude : -magnitude);
  }
  // g's column of each kept value: grouped by kind, ascending within a group.
  const position = scratch((<usize>(k + 1)) << 2);
  let k1 = 0,
    k2 = 0;
  for (let q = 0; q < k; q++) {
    const t = idx(kind, idx(kept, q));
    if (t == 1) k1++;
    else if (t == 2) k2++;
  }
  let next1 = 0,
    next2 = k1,
    next3 = k1 + k2;
  for (let q = 0; q < k; q++) {
    const t = idx(kind, idx(kept, q));
    setIdx(position, q, t == 1 ? next1++ : t == 2 ? next2++ : next3++);
  }
  // u's column r: zHat_i / (dl_i − λ_r), normalized.
  for (let r = 0; r < k; r++) {
    let norm2 = 0.0;
    for (let i = 0; i < k; i++) {
      const x = f(zHat, i) / delta(dl, origin, tau, r, i);
      store<f64>(at(u, k, idx(position, i), r), x);
      norm2 += x * x;
    }
    const inv = 1.0 / Math.sqrt(norm2);
    for (let i = 0; i < k; i++) {
      const p = at(u, k, i, r);
      store<f64>(p, load<f64>(p) * inv);
    }
  }
  // Gather the block's columns into g, then put the deflated pairs in their final places.
  const column = scratch((<usize>n) << 2);
  for (let q = 0; q < k; q++) setIdx(column, idx(position, q), idx(kept, q));
  for (let q = 0; q < nd; q++) setIdx(column, k + q, idx(deflated, q));
  for (let row = 0; row < n; row++) {
    const src = at(z, ldz, s + row, s);
    const dst = at(g, n, row, 0);
    for (let q = 0; q < n; q++) setF(dst, q, f(src, idx(column, q)));
  }
  for (let row = 0; row < n; row++) {
    memory.copy(at(z, ldz, s + row, s + k), at(g, n, row, k), (<usize>(n - k)) << 3);
  }
  for (let r = 0; r < k; r++) setF(d, s + r, f(dl, idx(origin, r)) + f(tau, r));
  for (let q = 0; q < nd; q++) setF(d, s + k + q, f(dv, idx(deflated, q)));
  store<i32>(info, k);
  store<i32>(info, k1, 4);
  store<i32>(info, k2, 8);
  release(saved);
}

// dl_i − λ_r, computed from the root's nearest pole so that small gaps keep their relative accuracy.
// @ts-ignore: decorator
@inline function delta(dl: usize, origin: usize, tau: usize, r: i32, i: i32): f64 {
  return f(dl, i) - f(dl, idx(origin, r)) - f(tau, r);
}

// (x, y) ← (c·x + s·y, c·y − s·x) on two columns of n entries, stride ld.
function rotateColumns(n: i32, x: usize, y: usize, ld: i32, c: f64, s: f64): void {
  const step = (<usize>ld) << 3;
  for (let i = 0; i < n; i++) {
    const a = load<f64>(x);
    const b = load<f64>(y);
    store<f64>(x, c * a + s * b);
    store<f64>(y, c * b - s * a);
    x += step;
    y += step;
  }
}

/**
 * Root r (ascending) of 1/ρ + Σ w_j²/(dl_j − λ) = 0, which lies in (dl_r, dl_{r+1}), or above dl_{k−1} for
 * the last. Written as λ = dl[origin] + τ with the origin the nearer pole; the iteration keeps a bracket
 * and steps by the root of a two-pole rational model (the "middle way" of LAPACK's dlaed4), bisecting
 * whenever the model's root leaves the bracket.
 */
function secularRoot(k: i32, dl: usize, w: usize, rho: f64, r: i32, origin: usize, tau: usize): void {
  const invRho = 1.0 / rho;
  let o = r,
    lo = 0.0,
    hi = 0.0;
  if (r == k - 1) {
    let w2 = 0.0;
    for (let j = 0; j < k; j++) w2 += f(w, j) * f(w, j);
    hi = rho * w2;
    if (k == 1) {
      setIdx(origin, r, r);
      setF(tau, r, hi);
      return;
    }
  } else {
    const half = 0.5 * (f(dl, r + 1) - f(dl, r));
    // The sign of the function at the midpoint says which half holds the root.
    let value = invRho;
    const mid = f(dl, r) + half;
    for (let j = 0; j < k; j++) value += (f(w, j) * f(w, j)) / (f(dl, j) - mid);
    if (value >= 0.0) {
      hi = half;
    } else {
      o = r + 1;
      lo = -half;
    }
  }
  const base = f(dl, o);
  // The two poles of the model: r and r + 1, or the last two for the last root.
  const left = r == k - 1 ? r - 1 : r;
  let t = 0.5 * (lo + hi);
  for (let step = 0; step < MAX_SECULAR_STEPS; step++) {
    let psi = 0.0,
      dPsi = 0.0,
      phi = 0.0,
      dPhi = 0.0;
    for (let j = 0; j <= left; j++) {
      const x = f(w, j) / (f(dl, j) - base - t);
      psi += f(w, j) * x;
      dPsi += x * x;
    }
    for (let j = left + 1; j < k; j++) {
      const x = f(w, j) / (f(dl, j) - base - t);
      phi += f(w, j) * x;
      dPhi += x * x;
    }
    const value = invRho + psi + phi;
    if (value == 0.0) break;
    if (value < 0.0) lo = t;
    else hi = t;
    if (Math.abs(value) <= 8.0 * EPS * (invRho + Math.abs(psi) + Math.abs(phi))) break;
    const d1 = f(dl, left) - base - t;
    const d2 = f(dl, left + 1) - base - t;
    const c = value - d1 * dPsi - d2 * dPhi;
    const a = (d1 + d2) * value - d1 * d2 * (dPsi + dPhi);
    const b = d1 * d2 * value;
    let next = 0.5 * (lo + hi);
    if (c == 0.0) {
      if (a != 0.0) next = inBracket(t + b / a, lo, hi, next);
    } else {
      const root = Math.sqrt(Math.max(0.0, a * a - 4.0 * b * c));
      const q = 0.5 * (a + (a >= 0.0 ? root : -root));
      // The model's two roots are q/c and b/q; take one inside the bracket, the nearer if both.
      const e1 = q / c;
      const e2 = q != 0.0 ? b / q : e1;
      const in1 = t + e1 > lo && t + e1 < hi;
      const in2 = t + e2 > lo && t + e2 < hi;
      if (in1 && in2) next = Math.abs(e1) <= Math.abs(e2) ? t + e1 : t + e2;
      else if (in1) next = t + e1;
      else if (in2) next = t + e2;
    }
    if (next == t || hi - lo <= 2.0 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) break;
    t = next;
  }
  setIdx(origin, r, o);
  setF(tau, r, t);
}

// @ts-ignore: decorator
@inline function inBracket(x: f64, lo: f64, hi: f64, fallback: f64): f64 {
  return x > lo && x < hi ? x : fallback;
}

/**
 * Columns [c0, c1) of the merged eigenvectors of block [s, s + len): z's top rows are g's top-only and
 * both-halves columns times u's matching rows, its bottom rows g's both-halves and bottom-only columns
 * times theirs. Shares over disjoint column ranges run on separate threads.
 */
export function dcMergeColumns(ldz: i32, z: usize, s: i32, n1: i32, len: i32, g: usize, u: usize, k: i32, k1: i32, k2: i32, c0: i32, c1: i32): void {
  const cols = c1 - c0;
  if (cols <= 0) return;
  gemm(0, 0, n1, cols, k1 + k2, 1.0, g, len, u + ((<usize>c0) << 3), k, 0.0, at(z, ldz, s, s + c0), ldz);
  gemm(0, 0, len - n1, cols, k - k1, 1.0, at(g, len, n1, k1), len, at(u, k, k1, c0), k, 0.0, at(z, ldz, s + n1, s + c0), ldz);
}
