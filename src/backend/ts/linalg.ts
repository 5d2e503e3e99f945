// Reference factorizations in plain TypeScript. Same algorithms and blocking as assembly/linalg/.
import type { CholeskyResult, EighResult } from '../types.js';
import { gemmInto, type Strided } from './gemm.js';

const GRAM_BLOCK = 256;
const CHOLESKY_BLOCK = 64;
const MAX_QL_SWEEPS = 60;

function dot(x: Float64Array, xOff: number, y: Float64Array, yOff: number, len: number): number {
  let sum = 0;
  for (let i = 0; i < len; i++) sum += x[xOff + i] * y[yOff + i];
  return sum;
}

function axpy(len: number, alpha: number, x: Float64Array, xOff: number, y: Float64Array, yOff: number): void {
  for (let i = 0; i < len; i++) y[yOff + i] += alpha * x[xOff + i];
}

/** The lower triangle (and diagonal) of A·Aᵀ into c (n × n), by row blocks of gemm. */
export function syrkLowerInto(a: Float64Array, n: number, k: number, c: Float64Array): void {
  for (let i0 = 0; i0 < n; i0 += GRAM_BLOCK) {
    const rows = Math.min(GRAM_BLOCK, n - i0);
    gemmInto(false, true, rows, i0 + rows, k, 1, { data: a, offset: i0 * k, ld: k }, { data: a, offset: 0, ld: k }, 0,
      { data: c, offset: i0 * n, ld: n });
  }
}

/** Copies the strict lower triangle onto the upper one. */
export function mirrorLower(c: Float64Array, n: number): void {
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) c[j * n + i] = c[i * n + j];
}

/** A·Aᵀ for A of n × k, exactly symmetric. */
export function syrk(a: Float64Array, n: number, k: number): Float64Array {
  const c = new Float64Array(n * n);
  syrkLowerInto(a, n, k, c);
  mirrorLower(c, n);
  return c;
}

/** Left-looking blocked Cholesky of the lower triangle; see assembly/linalg/cholesky.ts. */
export function cholesky(input: Float64Array, n: number, minPivot: number): CholeskyResult {
  const a = input.slice();
  for (let j = 0; j < n; j += CHOLESKY_BLOCK) {
    const jb = Math.min(CHOLESKY_BLOCK, n - j);
    if (j > 0) {
      const panel: Strided = { data: a, offset: j * n, ld: n };
      gemmInto(false, true, n - j, jb, j, -1, panel, panel, 1, { data: a, offset: j * n + j, ld: n });
    }
    for (let r = j; r < n; r++) {
      const last = Math.min(r, j + jb);
      for (let c = j; c < last; c++) {
        a[r * n + c] = (a[r * n + c] - dot(a, r * n + j, a, c * n + j, c - j)) / a[c * n + c];
      }
      if (r < j + jb) {
        const pivot = a[r * n + r] - dot(a, r * n + j, a, r * n + j, r - j);
        if (!(pivot > minPivot)) return { factor: a, failedPivot: r, pivotValue: pivot };
        a[r * n + r] = Math.sqrt(pivot);
      }
    }
  }
  for (let i = 0; i < n; i++) a.fill(0, i * n + i + 1, (i + 1) * n);
  return { factor: a, failedPivot: -1, pivotValue: 0 };
}

/** In place: L·X = B, or Lᵀ·X = B when `transpose`; rows of L update whole rows of B. */
export function trsmLowerInPlace(l: Float64Array, b: Float64Array, n: number, m: number, transpose: boolean): void {
  if (!transpose) {
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < i; p++) axpy(m, -l[i * n + p], b, p * m, b, i * m);
      const d = l[i * n + i];
      for (let j = 0; j < m; j++) b[i * m + j] /= d;
    }
  } else {
    for (let i = n - 1; i >= 0; i--) {
      const d = l[i * n + i];
      for (let j = 0; j < m; j++) b[i * m + j] /= d;
      for (let p = 0; p < i; p++) axpy(m, -l[i * n + p], b, i * m, b, p * m);
    }
  }
}

/** Householder tridiagonalization + implicit QL; see assembly/linalg/eigh.ts. */
export function eigh(input: Float64Array, n: number): EighResult {
  const a = input.slice();
  const values = new Float64Array(n);
  const off = new Float64Array(n);
  const tau = new Float64Array(n);
  const w = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    const len = n - k - 1;
    const v = k * n + k + 1;
    const x0 = a[v];
    const tailNorm2 = dot(a, v + 1, a, v + 1, len - 1);
    values[k] = a[k * n + k];
    if (tailNorm2 === 0) {
      tau[k] = 0;
      off[k] = x0;
      continue;
    }
    const norm = Math.sqrt(x0 * x0 + tailNorm2);
    const beta = x0 >= 0 ? -norm : norm;
    const t = (beta - x0) / beta;
    const scale = 1 / (x0 - beta);
    a[v] = 1;
    for (let i = 1; i < len; i++) a[v + i] *= scale;
    tau[k] = t;
    off[k] = beta;
    const a22 = (k + 1) * n + k + 1;
    for (let i = 0; i < len; i++) w[i] = t * dot(a, a22 + i * n, a, v, len);
    axpy(len, -0.5 * t * dot(w, 0, a, v, len), a, v, w, 0);
    for (let i = 0; i < len; i++) {
      axpy(len, -a[v + i], w, 0, a, a22 + i * n);
      axpy(len, -w[i], a, v, a, a22 + i * n);
    }
  }
  if (n >= 2) {
    values[n - 2] = a[(n - 2) * n + n - 2];
    off[n - 2] = a[(n - 2) * n + n - 1];
  }
  values[n - 1] = a[n * n - 1];
  off[n - 1] = 0;

  const z = new Float64Array(n * n);
  for (let i = 0; i < n; i++) z[i * n + i] = 1;
  for (let k = n - 3; k >= 0; k--) {
    const t = tau[k];
    if (t === 0) continue;
    const len = n - k - 1;
    const v = k * n + k + 1;
    const block = (k + 1) * n + k + 1;
    for (let i = 0; i < len; i++) {
      const row = block + i * n;
      axpy(len, -t * dot(z, row, a, v, len), a, v, z, row);
    }
  }

  // Deflation against the running max of |d| + |e|, as in assembly/linalg/eigh.ts.
  const eps = 2.220446049250313e-16;
  let scale = 0;
  for (let l = 0; l < n; l++) {
    scale = Math.max(scale, Math.abs(values[l]) + Math.abs(off[l]));
    let sweeps = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) {
        if (Math.abs(off[m]) <= eps * scale) break;
      }
      if (m === l) break;
      if (sweeps++ === MAX_QL_SWEEPS) return { values, vectorsT: z, converged: false };
      let g = (values[l + 1] - values[l]) / (2 * off[l]);
      let r = Math.hypot(g, 1);
      g = values[m] - values[l] + off[l] / (g + (g >= 0 ? r : -r));
      let s = 1, c = 1, p = 0;
      let underflow = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * off[i];
        const b = c * off[i];
        r = Math.hypot(f, g);
        off[i + 1] = r;
        if (r === 0) {
          values[i + 1] -= p;
          off[m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = values[i + 1] - p;
        r = (values[i] - g) * s + 2 * c * b;
        p = s * r;
        values[i + 1] = g + p;
        g = c * r - b;
        const rowI = i * n;
        const rowNext = rowI + n;
        for (let j = 0; j < n; j++) {
          const x = z[rowI + j];
          const y = z[rowNext + j];
          z[rowI + j] = c * x - s * y;
          z[rowNext + j] = s * x + c * y;
        }
      }
      if (underflow) continue;
      values[l] -= p;
      off[l] = g;
      off[m] = 0;
    }
  }
  return { values, vectorsT: z, converged: true };
}
