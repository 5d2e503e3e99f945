// The absolute value; the TypeScript twin is src/ops/activations/abs.ts.
import { abReluLanes } from "./abRelu";
import { piecewiseLinearPartials } from "./common";

export function phi(z: f64, p: usize): f64 {
  return Math.abs(z);
}

export function slope(z: f64, p: usize): f64 {
  return z > 0.0 ? 1.0 : z < 0.0 ? -1.0 : 0.0;
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  abReluLanes(-1.0, q1, q2, c);
}

export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  piecewiseLinearPartials(-1.0, 1.0, q1, q2, c, k, slope);
}
