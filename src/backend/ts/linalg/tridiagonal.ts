// Symmetric tridiagonal eigenproblems: implicit QL and divide and conquer; see
// assembly/linalg/tridiagonal.ts, whose algorithm (deflation, secular equation, Löwner's formula, grouped
// gemms) this follows. Eigenvectors are the columns of a row-major z with leading dimension ldz.
import { BLOCKS } from '../../../core/layout.js';
import { gemmInto } from './gemm.js';

const MAX_SWEEPS = 60;
const EPS = 2.220446049250313e-16;
const MAX_SECULAR_STEPS = 200;

/**
 * Implicit QL on (d[dOff..], e[eOff..]) of order n (e[eOff + n − 1] is overwritten); with `vt`, the
 * rotations act on its rows (leading dimension ldv). Returns false without convergence.
 */
export function tql(n: number, d: Float64Array, dOff: number, e: Float64Array, eOff: number, vt: Float64Array | null, ldv: number): boolean {
  if (n === 0) return true;
  e[eOff + n - 1] = 0;
  let scale = 0;
  for (let l = 0; l < n; l++) {
    scale = Math.max(scale, Math.abs(d[dOff + l]) + Math.abs(e[eOff + l]));
    let sweeps = 0;
    for (;;) {
      let m = l;
      for (; m < n - 1; m++) if (Math.abs(e[eOff + m]) <= EPS * scale) break;
      if (m === l) break;
      if (sweeps++ === MAX_SWEEPS) return false;
      const dl = d[dOff + l];
      const el = e[eOff + l];
      let g = (d[dOff + l + 1] - dl) / (2 * el);
      let r = Math.hypot(g, 1);
      g = d[dOff + m] - dl + el / (g + (g >= 0 ? r : -r));
      let s = 1,
        c = 1,
        p = 0;
      let underflow = false;
      for (let i = m - 1; i >= l; i--) {
        const ei = e[eOff + i];
        const f = s * ei;
        const b = c * ei;
        r = Math.hypot(f, g);
        e[eOff + i + 1] = r;
        if (r === 0) {
          d[dOff + i + 1] -= p;
          e[eOff + m] = 0;
          underflow = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[dOff + i + 1] - p;
        r = (d[dOff + i] - g) * s + 2 * c * b;
        p = s * r;
        d[dOff + i + 1] = g + p;
        g = c * r - b;
        if (vt !== null) {
          const x = i * ldv;
          const y = x + ldv;
          for (let j = 0; j < n; j++) {
            const u = vt[x + j];
            const v = vt[y + j];
            vt[x + j] = c * u - s * v;
            vt[y + j] = s * u + c * v;
          }
        }
      }
      if (underflow) continue;
      d[dOff + l] -= p;
      e[eOff + l] = g;
      e[eOff + m] = 0;
    }
  }
  return true;
}

/** Eigenvalues only (unsorted, in d): QL without vectors. */
export function tridiagonalValues(n: number, d: Float64Array, e: Float64Array): boolean {
  return tql(n, d, 0, e.slice(), 0, null, 0);
}

/** Splits [s, s + len) at s + n1: |β| comes off the two diagonal entries beside the coupling β. */
export function dcTear(d: Float64Array, e: Float64Array, s: number, n1: number): void {
  const beta = Math.abs(e[s + n1 - 1]);
  d[s + n1 - 1] -= beta;
  d[s + n1] -= beta;
}

/** All eigenpairs of the block [s, s + len): values into d, vectors into z's zeroed diagonal block. */
export function dcSolve(ldz: number, d: Float64Array, e: Float64Array, z: Float64Array, s: number, len: number): boolean {
  if (len <= BLOCKS.dcLeaf) return leaf(ldz, d, e, z, s, len);
  const n1 = len >> 1;
  dcTear(d, e, s, n1);
  if (!dcSolve(ldz, d, e, z, s, n1) || !dcSolve(ldz, d, e, z, s + n1, len - n1)) return false;
  const g = new Float64Array(len * len);
  const u = new Float64Array(len * len);
  const { k, k1, k2 } = dcMergePrepare(ldz, d, e, z, s, n1, len, g, u);
  dcMergeColumns(ldz, z, s, n1, len, g, u, k, k1, k2, 0, k);
  return true;
}

function leaf(ldz: number, d: Float64Array, e: Float64Array, z: Float64Array, s: number, len: number): boolean {
  const vt = new Float64Array(len * len);
  for (let i = 0; i < len; i++) vt[i * len + i] = 1;
  const off = new Float64Array(len);
  off.set(e.subarray(s, s + len - 1));
  const ok = tql(len, d, s, off, 0, vt, len);
  for (let i = 0; i < len; i++) for (let j = 0; j < len; j++) z[(s + i) * ldz + s + j] = vt[j * len + i];
  return ok;
}

/** Sizes of a prepared merge: k roots, of which k1 in the top half only and k2 in both halves. */
export interface MergeSizes {
  k: number;
  k1: number;
  k2: number;
}

/** The merge of block [s, s + len) up to its gemm; see dcMergePrepare in assembly/linalg/tridiagonal.ts. */
export function dcMergePrepare(
  ldz: number,
  d: Float64Array,
  e: Float64Array,
  z: Float64Array,
  s: number,
  n1: number,
  len: number,
  g: Float64Array,
  u: Float64Array,
): MergeSizes {
  const n = len;
  const beta = e[s + n1 - 1];
  const rho = 2 * Math.abs(beta);
  const sign = beta >= 0 ? 1 : -1;
  const zv = new Float64Array(n);
  const dv = d.slice(s, s + n);
  const kind = new Int32Array(n);
  for (let c = 0; c < n; c++) {
    zv[c] = c < n1 ? z[(s + n1 - 1) * ldz + s + c] * Math.SQRT1_2 : sign * z[(s + n1) * ldz + s + c] * Math.SQRT1_2;
    kind[c] = c < n1 ? 1 : 3;
  }
  const order = Array.from({ length: n }, (_, c) => c).sort((x, y) => dv[x] - dv[y] || x - y);
  let dMax = 0,
    zMax = 0;
  for (let c = 0; c < n; c++) {
    dMax = Math.max(dMax, Math.abs(dv[c]));
    zMax = Math.max(zMax, Math.abs(zv[c]));
  }
  const tol = 8 * EPS * Math.max(dMax, zMax);
  const kept: number[] = [];
  const deflated: number[] = [];
  let candidate = -1;
  for (const c of order) {
    if (rho * Math.abs(zv[c]) <= tol) {
      deflated.push(c);
      continue;
    }
    if (candidate < 0) {
      candidate = c;
      continue;
    }
    let sn = zv[candidate];
    let cs = zv[c];
    const r = Math.hypot(cs, sn);
    const gap = dv[c] - dv[candidate];
    cs /= r;
    sn = -sn / r;
    if (Math.abs(gap * cs * sn) <= tol) {
      zv[c] = r;
      zv[candidate] = 0;
      for (let i = 0; i < n; i++) {
        const x = (s + i) * ldz + s + candidate;
        const y = (s + i) * ldz + s + c;
        const a = z[x];
        const b = z[y];
        z[x] = cs * a + sn * b;
        z[y] = cs * b - sn * a;
      }
      if (kind[candidate] !== kind[c]) kind[candidate] = kind[c] = 2;
      const dc = dv[candidate];
      const dd = dv[c];
      dv[candidate] = dc * cs * cs + dd * sn * sn;
      dv[c] = dc * sn * sn + dd * cs * cs;
      deflated.push(candidate);
    } else {
      kept.push(candidate);
    }
    candidate = c;
  }
  if (candidate >= 0) kept.push(candidate);

  const k = kept.length;
  const dl = Float64Array.from(kept, (c) => dv[c]);
  const w = Float64Array.from(kept, (c) => zv[c]);
  const origin = new Int32Array(k);
  const tau = new Float64Array(k);
  for (let r = 0; r < k; r++) secularRoot(k, dl, w, rho, r, origin, tau);
  const delta = (r: number, i: number) => dl[i] - dl[origin[r]] - tau[r];

  const zHat = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let product = -delta(i, i) / rho;
    for (let r = 0; r < k; r++) if (r !== i) product *= -delta(r, i) / (dl[r] - dl[i]);
    const magnitude = Math.sqrt(Math.abs(product));
    zHat[i] = w[i] >= 0 ? magnitude : -magnitude;
  }
  let k1 = 0,
    k2 = 0;
  for (const c of kept) {
    if (kind[c] === 1) k1++;
    else if (kind[c] === 2) k2++;
  }
  const next = [0, 0, k1, k1 + k2];
  const position = Int32Array.from(kept, (c) => next[kind[c]]++);
  for (let r = 0; r < k; r++) {
    let norm2 = 0;
    for (let i = 0; i < k; i++) {
      const x = zHat[i] / delta(r, i);
      u[position[i] * k + r] = x;
      norm2 += x * x;
    }
    const inv = 1 / Math.sqrt(norm2);
    for (let i = 0; i < k; i++) u[i * k + r] *= inv;
  }
  const column = new Int32Array(n);
  kept.forEach((c, q) => (column[position[q]] = c));
  deflated.forEach((c, q) => (column[k + q] = c));
  for (let row = 0; row < n; row++) {
    const src = (s + row) * ldz + s;
    for (let q = 0; q < n; q++) g[row * n + q] = z[src + column[q]];
  }
  for (let row = 0; row < n; row++) z.set(g.subarray(row * n + k, (row + 1) * n), (s + row) * ldz + s + k);
  for (let r = 0; r < k; r++) d[s + r] = dl[origin[r]] + tau[r];
  deflated.forEach((c, q) => (d[s + k + q] = dv[c]));
  return { k, k1, k2 };
}

// Root r of 1/ρ + Σ w_j²/(dl_j − λ) = 0 as dl[origin[r]] + tau[r]; see secularRoot in assembly/linalg/tridiagonal.ts.
function secularRoot(k: number, dl: Float64Array, w: Float64Array, rho: number, r: number, origin: Int32Array, tau: Float64Array): void {
  const invRho = 1 / rho;
  let o = r,
    lo = 0,
    hi = 0;
  if (r === k - 1) {
    let w2 = 0;
    for (let j = 0; j < k; j++) w2 += w[j] * w[j];
    hi = rho * w2;
    if (k === 1) {
      origin[r] = r;
      tau[r] = hi;
      return;
    }
  } else {
    const half = 0.5 * (dl[r + 1] - dl[r]);
    let value = invRho;
    const mid = dl[r] + half;
    for (let j = 0; j < k; j++) value += (w[j] * w[j]) / (dl[j] - mid);
    if (value >= 0) {
      hi = half;
    } else {
      o = r + 1;
      lo = -half;
    }
  }
  const base = dl[o];
  const left = r === k - 1 ? r - 1 : r;
  let t = 0.5 * (lo + hi);
  for (let step = 0; step < MAX_SECULAR_STEPS; step++) {
    let psi = 0,
      dPsi = 0,
      phi = 0,
      dPhi = 0;
    for (let j = 0; j <= left; j++) {
      const x = w[j] / (dl[j] - base - t);
      psi += w[j] * x;
      dPsi += x * x;
    }
    for (let j = left + 1; j < k; j++) {
      const x = w[j] / (dl[j] - base - t);
      phi += w[j] * x;
      dPhi += x * x;
    }
    const value = invRho + psi + phi;
    if (value === 0) break;
    if (value < 0) lo = t;
    else hi = t;
    if (Math.abs(value) <= 8 * EPS * (invRho + Math.abs(psi) + Math.abs(phi))) break;
    const d1 = dl[left] - base - t;
    const d2 = dl[left + 1] - base - t;
    const c = value - d1 * dPsi - d2 * dPhi;
    const a = (d1 + d2) * value - d1 * d2 * (dPsi + dPhi);
    const b = d1 * d2 * value;
    let next = 0.5 * (lo + hi);
    const inside = (x: number) => x > lo && x < hi;
    if (c === 0) {
      if (a !== 0 && inside(t + b / a)) next = t + b / a;
    } else {
      const root = Math.sqrt(Math.max(0, a * a - 4 * b * c));
      const q = 0.5 * (a + (a >= 0 ? root : -root));
      const e1 = q / c;
      const e2 = q !== 0 ? b / q : e1;
      const in1 = inside(t + e1);
      const in2 = inside(t + e2);
      if (in1 && in2) next = Math.abs(e1) <= Math.abs(e2) ? t + e1 : t + e2;
      else if (in1) next = t + e1;
      else if (in2) next = t + e2;
    }
    if (next === t || hi - lo <= 2 * EPS * Math.max(Math.abs(lo), Math.abs(hi))) break;
    t = next;
  }
  origin[r] = o;
  tau[r] = t;
}

/** Columns [c0, c1) of the merged eigenvectors: two gemms over g's groups and u's matching rows. */
export function dcMergeColumns(
  ldz: number,
  z: Float64Array,
  s: number,
  n1: number,
  len: number,
  g: Float64Array,
  u: Float64Array,
  k: number,
  k1: number,
  k2: number,
  c0: number,
  c1: number,
): void {
  const cols = c1 - c0;
  if (cols <= 0) return;
  gemmInto(false, false, n1, cols, k1 + k2, 1, { data: g, offset: 0, ld: len }, { data: u, offset: c0, ld: k }, 0, {
    data: z,
    offset: s * ldz + s + c0,
    ld: ldz,
  });
  gemmInto(false, false, len - n1, cols, k - k1, 1, { data: g, offset: n1 * len + k1, ld: len }, { data: u, offset: k1 * k + c0, ld: k }, 0, {
    data: z,
    offset: (s + n1) * ldz + s + c0,
    ld: ldz,
  });
}
