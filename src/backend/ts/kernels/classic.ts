// The classic kernels (linear, polynomial, RBF) as assembly/kernels/classic.ts: an inner-product pass, then the map.
import type { ClassicKernelSpec } from '../../types.js';
import { dense, gemmInto } from '../linalg/gemm.js';
import { mirrorLower, syrkLowerInto } from '../linalg/syrk.js';

function powInt(base: number, exponent: number): number {
  let result = 1;
  let square = base;
  for (let e = exponent; e > 0;) {
    if (e & 1) result *= square;
    e >>= 1;
    if (e > 0) square *= square;
  }
  return result;
}

/** ‖row‖² of each of the `rows` rows of x (d columns). */
export function squaredNorms(x: Float64Array, rows: number, d: number): Float64Array {
  const norms = new Float64Array(rows);
  for (let i = 0; i < rows; i++) {
    let s = 0;
    for (let p = 0; p < d; p++) s += x[i * d + p] * x[i * d + p];
    norms[i] = s;
  }
  return norms;
}

/** The classic kernel's value from the inner product g of two points and (RBF) their squared norms. */
export function classicValue({ kind, scale, bias, degree, gamma }: ClassicKernelSpec, g: number, norm1: number, norm2: number): number {
  if (kind === 'rbf') return Math.exp(-gamma * Math.max(norm1 + norm2 - (g + g), 0));
  const affine = scale * g + bias;
  return kind === 'polynomial' ? powInt(affine, degree) : affine;
}

export function classicGram(spec: ClassicKernelSpec, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, d: number): Float64Array {
  // Symmetric: inner products, the map, and then the mirror, on the lower triangle only.
  const symmetric = x2 === null;
  const out = new Float64Array(n1 * n2);
  if (symmetric) syrkLowerInto(x1, n1, d, out);
  else gemmInto(false, true, n1, n2, d, 1, dense(x1, d), dense(x2, d), 0, dense(out, n2));
  const columns = (i: number) => (symmetric ? i + 1 : n2);
  let norms1: Float64Array = new Float64Array(0);
  let norms2 = norms1;
  if (spec.kind === 'rbf') {
    // From the diagonal when symmetric, so K[i][i] is exactly 1.
    norms1 = symmetric ? Float64Array.from({ length: n1 }, (_, i) => out[i * n1 + i]) : squaredNorms(x1, n1, d);
    norms2 = x2 === null ? norms1 : squaredNorms(x2, n2, d);
  }
  for (let i = 0; i < n1; i++) {
    for (let j = 0, end = columns(i); j < end; j++) out[i * n2 + j] = classicValue(spec, out[i * n2 + j], norms1[i], norms2[j]);
  }
  if (symmetric) mirrorLower(out, n1);
  return out;
}
