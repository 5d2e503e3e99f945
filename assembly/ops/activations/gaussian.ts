// a·exp(b·z²), its parameters a, b at p; the TypeScript twin is src/ops/activations/gaussian.ts (the forms).
import { determinantF64x2, determinantOne, scaleParameterPartials, setLanes, setPartials } from "./common";

export function phi(z: f64, p: usize): f64 {
  return load<f64>(p) * Math.exp(load<f64>(p, 8) * z * z);
}

export function slope(z: f64, p: usize): f64 {
  const b = load<f64>(p, 8);
  return 2.0 * load<f64>(p) * b * z * Math.exp(b * z * z);
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const a = load<f64>(p);
  const beta = -2.0 * load<f64>(p, 8);
  const splatBeta = f64x2.splat(beta);
  const d = f64x2.add(f64x2.add(f64x2.splat(1.0), f64x2.mul(splatBeta, f64x2.add(q1, q2))), f64x2.mul(f64x2.splat(beta * beta), determinantF64x2(q1, q2, c)));
  // No expectation where D ≤ 0 (b > 0 and large variances): +∞, which the kernel's finiteness check reports.
  const diverges = v128.not(f64x2.gt(d, f64x2.splat(0.0)));
  const k = f64x2.div(f64x2.splat(a * a), f64x2.sqrt(d));
  const slope = f64x2.div(f64x2.mul(f64x2.mul(f64x2.splat(beta * beta), c), k), d);
  const infinity = f64x2.splat(Infinity);
  setLanes(v128.bitselect(infinity, k, diverges), v128.bitselect(infinity, slope, diverges));
}

// With D = 1 + β(q1 + q2) + β²(q1q2 − Σ²): ∂K/∂q1 = −K·∂₁D/(2D), ∂K̇/∂q1 = −(3/2)·K̇·∂₁D/D, ∂K̇/∂Σ = β²(K + 3Σ·K̇)/D.
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const beta = -2.0 * load<f64>(p, 8);
  const d = 1.0 + beta * (q1 + q2) + beta * beta * determinantOne(q1, q2, c);
  const d1 = beta + beta * beta * q2;
  const d2 = beta + beta * beta * q1;
  setPartials((-0.5 * k * d1) / d, (-0.5 * k * d2) / d, slope, (-1.5 * slope * d1) / d, (-1.5 * slope * d2) / d, (beta * beta * (k + 3.0 * c * slope)) / d);
}

// b scales the covariances by β = −2b: λ′/λ = 1/b.
// a is an output scale; b scales the variances (λ = b, as the TypeScript twin).
export function parameterPartials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize, out: usize): void {
  scaleParameterPartials(out, load<f64>(p), 1.0 / load<f64>(p, 8), q1, q2, c, k, slope, 0.0, 0.0);
}
