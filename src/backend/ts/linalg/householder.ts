// Blocked Householder tridiagonalization and back-transformation; see assembly/linalg/householder.ts,
// whose algorithm and blocking this follows (upper triangle of a row-major matrix, reflector k in row k).
import { BLOCKS } from '../../../core/layout.js';
import { gemmInto } from './gemm.js';
import { axpy, dot } from './vector.js';

const TRAILING_ROWS = 64;

/** Reduces the panel [k0, k0 + nb) of a (n × n); w (nb × n) gets the rows W of the trailing update. */
export function tridiagonalPanel(
  n: number,
  a: Float64Array,
  k0: number,
  nb: number,
  w: Float64Array,
  d: Float64Array,
  e: Float64Array,
  tau: Float64Array,
): void {
  const y = new Float64Array(n);
  for (let j = 0; j < nb; j++) {
    if (!panelReflect(n, a, k0, j, w, d, e, tau)) continue;
    const k = k0 + j;
    symvUpper(n - k - 1, a, (k + 1) * n + k + 1, n, a, k * n + k + 1, y, 0, n - k - 1);
    panelFinish(n, a, k0, j, w, tau, y);
  }
}

/** Step j of the panel up to its matrix–vector product; true when the reflector is not the identity. */
function panelReflect(n: number, a: Float64Array, k0: number, j: number, w: Float64Array, d: Float64Array, e: Float64Array, tau: Float64Array): boolean {
  const k = k0 + j;
  const rowK = k * n;
  for (let i = 0; i < j; i++) {
    const vi = (k0 + i) * n;
    const wi = i * n;
    axpy(n - k, -a[vi + k], w, wi + k, a, rowK + k);
    axpy(n - k, -w[wi + k], a, vi + k, a, rowK + k);
  }
  d[k] = a[rowK + k];
  w.fill(0, j * n, (j + 1) * n);
  tau[k] = 0;
  if (k === n - 1) {
    e[k] = 0;
    return false;
  }
  const len = n - k - 1;
  const v = rowK + k + 1;
  const x0 = a[v];
  const tailNorm2 = dot(a, v + 1, a, v + 1, len - 1);
  a[v] = 1;
  if (tailNorm2 === 0) {
    e[k] = x0;
    return false;
  }
  const norm = Math.sqrt(x0 * x0 + tailNorm2);
  const beta = x0 >= 0 ? -norm : norm;
  const scale = 1 / (x0 - beta);
  for (let i = 1; i < len; i++) a[v + i] *= scale;
  e[k] = beta;
  tau[k] = (beta - x0) / beta;
  return true;
}

/** Completes step j from y = S·v: row j of w. */
function panelFinish(n: number, a: Float64Array, k0: number, j: number, w: Float64Array, tau: Float64Array, y: Float64Array): void {
  const k = k0 + j;
  const len = n - k - 1;
  const v = k * n + k + 1;
  const wv = j * n + k + 1;
  w.set(y.subarray(0, len), wv);
  for (let i = 0; i < j; i++) {
    const vi = (k0 + i) * n + k + 1;
    const wi = i * n + k + 1;
    axpy(len, -dot(w, wi, a, v, len), a, vi, w, wv);
    axpy(len, -dot(a, vi, a, v, len), w, wi, w, wv);
  }
  const t = tau[k];
  for (let i = 0; i < len; i++) w[wv + i] *= t;
  axpy(len, -0.5 * t * dot(w, wv, a, v, len), a, v, w, wv);
}

// Rows [r0, r1) of y = S·x for symmetric S (m × m, upper triangle at sOff, leading dimension ld); y is zeroed first.
function symvUpper(m: number, s: Float64Array, sOff: number, ld: number, x: Float64Array, xOff: number, y: Float64Array, r0: number, r1: number): void {
  y.fill(0, 0, m);
  for (let i = r0; i < r1; i++) {
    const row = sOff + i * ld;
    const xi = x[xOff + i];
    let sum = 0;
    for (let j = i + 1; j < m; j++) {
      const r = s[row + j];
      sum += r * x[xOff + j];
      y[j] += r * xi;
    }
    y[i] += s[row + i] * xi + sum;
  }
}

/** Rows [r0, r1) of the trailing update A −= VᵀW + WᵀV after the panel [k0, k0 + nb), upper triangle. */
export function tridiagonalUpdate(n: number, a: Float64Array, w: Float64Array, k0: number, nb: number, r0: number, r1: number): void {
  for (let b0 = r0; b0 < r1; b0 += TRAILING_ROWS) {
    const rows = Math.min(TRAILING_ROWS, r1 - b0);
    const c = { data: a, offset: b0 * n + b0, ld: n };
    const v = { data: a, offset: k0 * n + b0, ld: n };
    const wv = { data: w, offset: b0, ld: n };
    gemmInto(true, false, rows, n - b0, nb, -1, v, wv, 1, c);
    gemmInto(true, false, rows, n - b0, nb, -1, wv, v, 1, c);
  }
}

/** Columns [c0, c1) of z (n × n) ← Q·z for the reduction's reflectors, by blocks of I − VᵀTV from the last. */
export function householderApply(n: number, a: Float64Array, tau: Float64Array, z: Float64Array, c0: number, c1: number): void {
  const cols = c1 - c0;
  if (cols <= 0 || n < 2) return;
  const reflectors = n - 1;
  const nbMax = BLOCKS.householder;
  const packed = new Float64Array(nbMax * n);
  const t = new Float64Array(nbMax * nbMax);
  const product = new Float64Array(nbMax * cols);
  for (let k0 = Math.floor((reflectors - 1) / nbMax) * nbMax; k0 >= 0; k0 -= nbMax) {
    const kb = Math.min(nbMax, reflectors - k0);
    const m = n - k0 - 1;
    packReflectors(n, a, tau, k0, kb, m, packed, t);
    const zBlock = { data: z, offset: (k0 + 1) * n + c0, ld: n };
    const productView = { data: product, offset: 0, ld: cols };
    const packedView = { data: packed, offset: 0, ld: m };
    gemmInto(false, false, kb, cols, m, 1, packedView, zBlock, 0, productView);
    for (let i = 0; i < kb; i++) {
      const rowI = i * cols;
      const tii = t[i * nbMax + i];
      for (let q = 0; q < cols; q++) product[rowI + q] *= tii;
      for (let l = i + 1; l < kb; l++) axpy(cols, t[i * nbMax + l], product, l * cols, product, rowI);
    }
    gemmInto(true, false, m, cols, kb, -1, packedView, productView, 1, zBlock);
  }
}

// Reflectors [k0, k0 + kb) as rows of packed (kb × m) and the triangular T of their compact WY form.
function packReflectors(n: number, a: Float64Array, tau: Float64Array, k0: number, kb: number, m: number, packed: Float64Array, t: Float64Array): void {
  const ldt = BLOCKS.householder;
  for (let i = 0; i < kb; i++) {
    const row = i * m;
    packed.fill(0, row, row + i);
    packed.set(a.subarray((k0 + i) * n + k0 + i + 1, (k0 + i + 1) * n), row + i);
  }
  for (let j = 0; j < kb; j++) {
    const tauJ = tau[k0 + j];
    t[j * ldt + j] = tauJ;
    const vj = j * m + j;
    for (let i = 0; i < j; i++) t[i * ldt + j] = dot(packed, i * m + j, packed, vj, m - j);
    for (let i = 0; i < j; i++) {
      let sum = 0;
      for (let l = i; l < j; l++) sum += t[i * ldt + l] * t[l * ldt + j];
      t[i * ldt + j] = -tauJ * sum;
    }
  }
}
