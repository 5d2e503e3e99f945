// Reference versions of assembly/kernels/classic.ts and assembly/flow/: same structure, scalar loops.
import type { ClassicKernelSpec, DescentResult, EulerSession } from '../types.js';
import { dense, gemmInto } from './gemm.js';
import { mirrorLower, syrkLowerInto } from './linalg.js';

function powInt(base: number, exponent: number): number {
  let result = 1;
  let square = base;
  for (let e = exponent; e > 0; ) {
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

export function classicGram(
  spec: ClassicKernelSpec, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, d: number,
): Float64Array {
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

// Σ (f − y)² · lossScale, leaving the residual f − y in f.
function residualLoss(f: Float64Array, y: Float64Array, lossScale: number): number {
  let sum = 0;
  for (let i = 0; i < f.length; i++) {
    f[i] -= y[i];
    sum += f[i] * f[i];
  }
  return sum * lossScale;
}

export function dualDescent(
  kernel: Float64Array, y: Float64Array, n: number, k: number, steps: number, rate: number, ridge: number, lossScale: number,
): DescentResult {
  const alpha = new Float64Array(n * k);
  const f = new Float64Array(n * k);
  const losses = new Float64Array(steps + 1);
  for (let t = 0; t <= steps; t++) {
    gemmInto(false, false, n, k, n, 1, dense(kernel, n), dense(alpha, k), 0, dense(f, k));
    losses[t] = residualLoss(f, y, lossScale);
    if (t === steps) break;
    for (let i = 0; i < alpha.length; i++) alpha[i] -= rate * (f[i] + ridge * alpha[i]);
  }
  return { params: alpha, losses };
}

export function primalDescent(
  features: Float64Array, y: Float64Array, n: number, p: number, k: number, steps: number, rate: number, ridge: number,
  lossScale: number, theta0: Float64Array | null,
): DescentResult {
  const theta = theta0?.slice() ?? new Float64Array(p * k);
  const f = new Float64Array(n * k);
  const gradient = new Float64Array(p * k);
  const losses = new Float64Array(steps + 1);
  for (let t = 0; t <= steps; t++) {
    gemmInto(false, false, n, k, p, 1, dense(features, p), dense(theta, k), 0, dense(f, k));
    losses[t] = residualLoss(f, y, lossScale);
    if (t === steps) break;
    gemmInto(true, false, p, k, n, 1, dense(features, p), dense(f, k), 0, dense(gradient, k));
    for (let i = 0; i < theta.length; i++) theta[i] -= rate * (gradient[i] + ridge * theta[i]);
  }
  return { params: theta, losses };
}

export function eulerFlow(
  kernel: Float64Array, kTest: Float64Array | null, y: Float64Array, u0: Float64Array, fTest0: Float64Array | null,
  n: number, m: number, k: number, rate: number,
): EulerSession {
  const u = u0.slice();
  const fTest = fTest0?.slice() ?? null;
  const residual = new Float64Array(n * k);
  return {
    advance(steps) {
      for (let s = 0; s < steps; s++) {
        for (let i = 0; i < residual.length; i++) residual[i] = u[i] - y[i];
        // Both updates read the residual of u before the step.
        if (kTest !== null && fTest !== null) {
          gemmInto(false, false, m, k, n, -rate, dense(kTest, n), dense(residual, k), 1, dense(fTest, k));
        }
        gemmInto(false, false, n, k, n, -rate, dense(kernel, n), dense(residual, k), 1, dense(u, k));
      }
    },
    read: () => ({ train: u.slice(), test: fTest?.slice() ?? null }),
    dispose() {},
  };
}
