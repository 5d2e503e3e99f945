// The logistic sigmoid; the TypeScript twin is src/ops/activations/sigmoid.ts.
import { INV_2PI, INV_PI, laneK, laneSlope, setLanes } from "./common";
import { mixtureLanes, mixturePartials } from "./mixture";

export function phi(z: f64, p: usize): f64 {
  return 1.0 / (1.0 + Math.exp(-z));
}

export function slope(z: f64, p: usize): f64 {
  const s = 1.0 / (1.0 + Math.exp(-z));
  return s * (1.0 - s);
}

// sigmoid(z) = (1 + tanh(z/2))/2 at a quarter of the covariances: K = (1 + K_tanh)/4 =
// (1/2π)·Σ w_i w_j (π/2 + atan(c/√D_ij)) (the weights sum to 1), K̇ = K̇_tanh/16.
export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const quarter = f64x2.splat(0.25);
  mixtureLanes(f64x2.mul(quarter, q1), f64x2.mul(quarter, q2), f64x2.mul(quarter, c), true);
  setLanes(f64x2.mul(f64x2.splat(INV_2PI), laneK), f64x2.mul(f64x2.splat(0.125 * INV_PI), laneSlope));
}

// K(q) = K̃(q/4)/(2π), K̇(q) = K̇̃(q/4)/(8π): each partial takes a quarter more.
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  mixturePartials(0.25 * q1, 0.25 * q2, 0.25 * c, 0.25 * INV_2PI, 0.03125 * INV_PI);
}
