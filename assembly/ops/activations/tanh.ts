// The hyperbolic tangent; the TypeScript twin is src/ops/activations/tanh.ts.
import { INV_PI, laneK, laneSlope, setLanes } from "./common";
import { mixtureLanes, mixturePartials } from "./mixture";

export function phi(z: f64, p: usize): f64 {
  return Math.tanh(z);
}

export function slope(z: f64, p: usize): f64 {
  const t = Math.tanh(z);
  return 1.0 - t * t;
}

// K = (2/π)·Σ w_i w_j atan(c/√D_ij), K̇ = (2/π)·Σ w_i w_j /√D_ij.
export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  mixtureLanes(q1, q2, c, false);
  setLanes(f64x2.mul(f64x2.splat(2.0 * INV_PI), laneK), f64x2.mul(f64x2.splat(2.0 * INV_PI), laneSlope));
}

export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  mixturePartials(q1, q2, c, 2.0 * INV_PI, 2.0 * INV_PI);
}
