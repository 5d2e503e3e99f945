// Symmetric eigendecomposition: Householder tridiagonalization, then implicit QL with Wilkinson shifts.
// Eigenvectors are kept as rows (Zᵀ) so that every Givens rotation updates two contiguous rows.
import { scratch } from "../heap";
import { axpy, dot } from "./vector";

const MAX_SWEEPS: i32 = 60;

// @ts-ignore: decorator
@inline function at(a: usize, n: i32, i: i32, j: i32): usize {
  return a + ((<usize>i * <usize>n + <usize>j) << 3);
}

/**
 * a: symmetric n × n (destroyed). Writes the eigenvalues, unsorted, to `values` and the matching
 * eigenvectors as the rows of `vectorsT`. Returns 0, or -1 when QL did not converge.
 */
export function eigh(n: i32, a: usize, values: usize, vectorsT: usize): i32 {
  const off = scratch(<usize>n << 3); // off-diagonal of T: off[i] couples i and i + 1
  const tau = scratch(<usize>n << 3);
  const w = scratch(<usize>n << 3);

  // Tridiagonalize: step k reflects a[k][k+1..] to a multiple of e1 and applies H to the trailing block.
  for (let k = 0; k + 2 < n; k++) {
    const len = n - k - 1;
    const v = at(a, n, k, k + 1); // row k right of the diagonal = column k below it
    const x0 = load<f64>(v);
    const tailNorm2 = dot(v + 8, v + 8, len - 1);
    store<f64>(values + (<usize>k << 3), load<f64>(at(a, n, k, k)));
    if (tailNorm2 == 0.0) {
      store<f64>(tau + (<usize>k << 3), 0.0);
      store<f64>(off + (<usize>k << 3), x0);
      continue;
    }
    const beta = x0 >= 0.0 ? -Math.sqrt(x0 * x0 + tailNorm2) : Math.sqrt(x0 * x0 + tailNorm2);
    const t = (beta - x0) / beta;
    const scale = 1.0 / (x0 - beta);
    store<f64>(v, 1.0);
    for (let i = 1; i < len; i++) store<f64>(v + (<usize>i << 3), load<f64>(v + (<usize>i << 3)) * scale);
    store<f64>(tau + (<usize>k << 3), t);
    store<f64>(off + (<usize>k << 3), beta);
    // w = t·A22·v − (t²/2)(vᵀA22v)·v, then A22 −= v·wᵀ + w·vᵀ
    const a22 = at(a, n, k + 1, k + 1);
    for (let i = 0; i < len; i++) store<f64>(w + (<usize>i << 3), t * dot(a22 + (<usize>i * <usize>n << 3), v, len));
    const correction = -0.5 * t * dot(w, v, len);
    axpy(len, correction, v, w);
    for (let i = 0; i < len; i++) {
      const row = a22 + (<usize>i * <usize>n << 3);
      axpy(len, -load<f64>(v + (<usize>i << 3)), w, row);
      axpy(len, -load<f64>(w + (<usize>i << 3)), v, row);
    }
  }
  if (n >= 2) {
    store<f64>(values + (<usize>(n - 2) << 3), load<f64>(at(a, n, n - 2, n - 2)));
    store<f64>(off + (<usize>(n - 2) << 3), load<f64>(at(a, n, n - 2, n - 1)));
  }
  store<f64>(values + (<usize>(n - 1) << 3), load<f64>(at(a, n, n - 1, n - 1)));
  store<f64>(off + (<usize>(n - 1) << 3), 0.0);

  // Qᵀ = H_{n−3}···H_0, accumulated from the right so each step touches only its trailing block.
  memory.fill(vectorsT, 0, <usize>n * <usize>n << 3);
  for (let i = 0; i < n; i++) store<f64>(at(vectorsT, n, i, i), 1.0);
  for (let k = n - 3; k >= 0; k--) {
    const t = load<f64>(tau + (<usize>k << 3));
    if (t == 0.0) continue;
    const len = n - k - 1;
    const v = at(a, n, k, k + 1);
    const block = at(vectorsT, n, k + 1, k + 1);
    for (let i = 0; i < len; i++) {
      const row = block + (<usize>i * <usize>n << 3);
      axpy(len, -t * dot(row, v, len), v, row);
    }
  }

  // Implicit QL on (values, off); the rotations act on rows i and i + 1 of Zᵀ.
  // Deflate against the largest |d| + |e| seen so far, not just the neighbours: a purely relative
  // test never deflates a cluster of zero eigenvalues.
  const eps = 2.220446049250313e-16;
  let scale = 0.0;
  for (let l = 0; l < n; l++) {
    scale = Math.max(scale, Math.abs(load<f64>(values + (<usize>l << 3))) + Math.abs(load<f64>(off + (<usize>l << 3))));
    let sweeps = 0;
    while (true) {
      let m = l;
      for (; m < n - 1; m++) {
        if (Math.abs(load<f64>(off + (<usize>m << 3))) <= eps * scale) break;
      }
      if (m == l) break;
      if (sweeps++ == MAX_SWEEPS) return -1;
      const dl = load<f64>(values + (<usize>l << 3));
      const el = load<f64>(off + (<usize>l << 3));
      let g = (load<f64>(values + (<usize>(l + 1) << 3)) - dl) / (2.0 * el);
      let r = Math.hypot(g, 1.0);
      g = load<f64>(values + (<usize>m << 3)) - dl + el / (g + (g >= 0.0 ? r : -r));
      let s = 1.0, c = 1.0, p = 0.0;
      let i = m - 1;
      let underflow = false;
      for (; i >= l; i--) {
        const ei = load<f64>(off + (<usize>i << 3));
        const f = s * ei;
        const b = c * ei;
        r = Math.hypot(f, g);
        store<f64>(off + (<usize>(i + 1) << 3), r);
        if (r == 0.0) {
          store<f64>(values + (<usize>(i + 1) << 3), load<f64>(values + (<usize>(i + 1) << 3)) - p);
          store<f64>(off + (<usize>m << 3), 0.0);
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = load<f64>(values + (<usize>(i + 1) << 3)) - p;
        r = (load<f64>(values + (<usize>i << 3)) - g) * s + 2.0 * c * b;
        p = s * r;
        store<f64>(values + (<usize>(i + 1) << 3), g + p);
        g = c * r - b;
        rotate(n, at(vectorsT, n, i, 0), at(vectorsT, n, i + 1, 0), c, s);
      }
      if (underflow) continue;
      store<f64>(values + (<usize>l << 3), load<f64>(values + (<usize>l << 3)) - p);
      store<f64>(off + (<usize>l << 3), g);
      store<f64>(off + (<usize>m << 3), 0.0);
    }
  }
  return 0;
}

// (rowI, rowNext) ← (c·rowI − s·rowNext, s·rowI + c·rowNext)
function rotate(n: i32, rowI: usize, rowNext: usize, c: f64, s: f64): void {
  const cv = f64x2.splat(c);
  const sv = f64x2.splat(s);
  let j = 0;
  for (; j + 2 <= n; j += 2) {
    const o = <usize>j << 3;
    const x = v128.load(rowI + o);
    const y = v128.load(rowNext + o);
    v128.store(rowI + o, f64x2.sub(f64x2.mul(cv, x), f64x2.mul(sv, y)));
    v128.store(rowNext + o, f64x2.add(f64x2.mul(sv, x), f64x2.mul(cv, y)));
  }
  for (; j < n; j++) {
    const o = <usize>j << 3;
    const x = load<f64>(rowI + o);
    const y = load<f64>(rowNext + o);
    store<f64>(rowI + o, c * x - s * y);
    store<f64>(rowNext + o, s * x + c * y);
  }
}
