// √2·sin(√(2γ)·z + π/4), its parameter γ at p; the TypeScript twin is src/ops/activations/rbf.ts.
import { expF64x2 } from "../../math";
import { setLanes, setParameterPartials, setPartials, varianceScaleK, varianceScaleS } from "./common";

const QUARTER_PI: f64 = 0.7853981633974483;

export function phi(z: f64, p: usize): f64 {
  return Math.SQRT2 * Math.sin(Math.sqrt(2.0 * load<f64>(p)) * z + QUARTER_PI);
}

export function slope(z: f64, p: usize): f64 {
  const gamma = load<f64>(p);
  return 2.0 * Math.sqrt(gamma) * Math.cos(Math.sqrt(2.0 * gamma) * z + QUARTER_PI);
}

// K = exp(−γ·(q1 + q2 − 2Σ)) ≤ 1 (Σ ≤ (q1 + q2)/2), K̇ = 2γ·K.
export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const gamma = load<f64>(p);
  const k = expF64x2(f64x2.mul(f64x2.splat(-gamma), f64x2.sub(f64x2.add(q1, q2), f64x2.add(c, c))));
  setLanes(k, f64x2.mul(f64x2.splat(2.0 * gamma), k));
}

// −γ (in q) or 2γ (in Σ) times itself.
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const gamma = load<f64>(p);
  setPartials(-gamma * k, -gamma * k, slope, -gamma * slope, -gamma * slope, 2.0 * gamma * slope);
}

// γ scales the covariances (λ = γ).
export function parameterPartials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize, out: usize): void {
  const factor = 1.0 / load<f64>(p);
  setParameterPartials(out, varianceScaleK(factor, q1, q2, c), varianceScaleS(factor, q1, q2, c, slope), 0.0, 0.0, 0.0, 0.0);
}
