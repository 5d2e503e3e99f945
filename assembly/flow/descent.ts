// Full-batch gradient descent on L = ‖f − y‖²/(2N) for models linear in their parameters.
// Every step computes the outputs f (one gemm), records the loss, then takes the step.
import { scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { axpy } from "../linalg/vector";

// Σ (f − y)² · lossScale, and f ← f − y in place (the residual the step needs).
function residualLoss(len: i32, f: usize, y: usize, lossScale: f64): f64 {
  let acc = f64x2.splat(0.0);
  let i = 0;
  for (; i + 2 <= len; i += 2) {
    const o = (<usize>i) << 3;
    const r = f64x2.sub(v128.load(f + o), v128.load(y + o));
    v128.store(f + o, r);
    acc = f64x2.add(acc, f64x2.mul(r, r));
  }
  let sum = f64x2.extract_lane(acc, 0) + f64x2.extract_lane(acc, 1);
  for (; i < len; i++) {
    const o = (<usize>i) << 3;
    const r = load<f64>(f + o) - load<f64>(y + o);
    store<f64>(f + o, r);
    sum += r * r;
  }
  return sum * lossScale;
}

/**
 * Dual (kernel) descent, f = K·α: α ← α − rate·(K·α − y + ridge·α). K is n × n, y and α are n × k.
 * Writes steps + 1 losses (before the first step and after each).
 */
export function dualDescent(n: i32, k: i32, kernel: usize, y: usize, alpha: usize, steps: i32, rate: f64, ridge: f64, lossScale: f64, losses: usize): void {
  const len = n * k;
  const f = scratch((<usize>len) << 3);
  for (let t = 0; t <= steps; t++) {
    gemm(0, 0, n, k, n, 1.0, kernel, n, alpha, k, 0.0, f, k);
    store<f64>(losses + ((<usize>t) << 3), residualLoss(len, f, y, lossScale));
    if (t == steps) break;
    if (ridge != 0.0) axpy(len, ridge, alpha, f);
    axpy(len, -rate, f, alpha);
  }
}

/**
 * Primal descent, f = Φ·θ: θ ← θ − rate·(Φᵀ(Φ·θ − y) + ridge·θ). Φ is n × p, y is n × k, θ is p × k.
 * Writes steps + 1 losses.
 */
export function primalDescent(
  n: i32,
  p: i32,
  k: i32,
  features: usize,
  y: usize,
  theta: usize,
  steps: i32,
  rate: f64,
  ridge: f64,
  lossScale: f64,
  losses: usize,
): void {
  const f = scratch((<usize>(n * k)) << 3);
  const gradient = scratch((<usize>(p * k)) << 3);
  for (let t = 0; t <= steps; t++) {
    gemm(0, 0, n, k, p, 1.0, features, p, theta, k, 0.0, f, k);
    store<f64>(losses + ((<usize>t) << 3), residualLoss(n * k, f, y, lossScale));
    if (t == steps) break;
    gemm(1, 0, p, k, n, 1.0, features, p, f, k, 0.0, gradient, k);
    if (ridge != 0.0) axpy(p * k, ridge, theta, gradient);
    axpy(p * k, -rate, gradient, theta);
  }
}
