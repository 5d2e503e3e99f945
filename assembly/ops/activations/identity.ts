// The identity; the TypeScript twin is src/ops/activations/identity.ts.
import { setLanes, setPartials } from "./common";

export function phi(z: f64, p: usize): f64 {
  return z;
}

export function slope(z: f64, p: usize): f64 {
  return 1.0;
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  setLanes(c, f64x2.splat(1.0));
}

export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  setPartials(0.0, 0.0, 1.0, 0.0, 0.0, 0.0);
}
