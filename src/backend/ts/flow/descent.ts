// Gradient descent in the dual (on a kernel) and in the primal (on features), as assembly/flow/descent.ts.
import type { DescentResult } from '../../types.js';
import { dense, gemmInto } from '../linalg/gemm.js';

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
  kernel: Float64Array,
  y: Float64Array,
  n: number,
  k: number,
  steps: number,
  rate: number,
  ridge: number,
  lossScale: number,
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
  features: Float64Array,
  y: Float64Array,
  n: number,
  p: number,
  k: number,
  steps: number,
  rate: number,
  ridge: number,
  lossScale: number,
  theta0: Float64Array | null,
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
