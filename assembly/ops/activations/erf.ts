// The error function; the TypeScript twin is src/ops/activations/erf.ts.
import { atanF64x2 } from "../../math";
import { INV_PI, determinantF64x2, erf, setLanes } from "./common";

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;

export function phi(z: f64, p: usize): f64 {
  return erf(z);
}

export function slope(z: f64, p: usize): f64 {
  return TWO_OVER_SQRT_PI * Math.exp(-z * z);
}

// K = (2/π)·atan2(2c, √D), K̇ = (4/π)/√D, D = 1 + 2q1 + 2q2 + 4(q1q2 − c²) (no cancellation); √D > 0, so the
// atan2 is one atan of the ratio.
export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const two = f64x2.splat(2.0);
  const d = f64x2.add(f64x2.add(f64x2.splat(1.0), f64x2.mul(two, f64x2.add(q1, q2))), f64x2.mul(f64x2.splat(4.0), determinantF64x2(q1, q2, c)));
  const root = f64x2.sqrt(d);
  setLanes(f64x2.mul(f64x2.splat(2.0 * INV_PI), atanF64x2(f64x2.div(f64x2.mul(two, c), root))), f64x2.div(f64x2.splat(4.0 * INV_PI), root));
}
