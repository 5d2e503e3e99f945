// sign(z); the TypeScript twin is src/ops/activations/sign.ts (the forms).
import { atanF64x2 } from "../../math";
import { INV_PI, determinantF64x2, determinantOne, homogeneousPartials, setLanes } from "./common";

export function phi(z: f64, p: usize): f64 {
  return z > 0.0 ? 1.0 : z < 0.0 ? -1.0 : 0.0;
}

export function slope(z: f64, p: usize): f64 {
  return 0.0;
}

// (2/π)·atan2(c, s): atan(|c|/s) below the diagonal |c| = s, π/2 − atan(s/|c|) above it, 0 where both vanish.
export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const zero = f64x2.splat(0.0);
  const s = f64x2.sqrt(determinantF64x2(q1, q2, c));
  const magnitude = f64x2.abs(c);
  const aboveDiagonal = f64x2.gt(magnitude, s);
  const angle = v128.bitselect(f64x2.sub(f64x2.splat(0.5 * Math.PI), atanF64x2(f64x2.div(s, magnitude))), atanF64x2(f64x2.div(magnitude, s)), aboveDiagonal);
  const bothZero = v128.and(f64x2.eq(s, zero), f64x2.eq(c, zero));
  const k = f64x2.mul(f64x2.splat(2.0 * INV_PI), v128.andnot(angle, bothZero));
  setLanes(v128.bitselect(f64x2.neg(k), k, f64x2.lt(c, zero)), zero);
}

// ∂K/∂Σ = (2/π)/√det, ∂K/∂q1 = −Σ·∂K/∂Σ/(2q1) (degree 0); the slope map is 0. At a correlation of ±1, 0.
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const det = determinantOne(q1, q2, c);
  homogeneousPartials(0.0, q1, q2, c, k, det > 0.0 ? (2.0 * INV_PI) / Math.sqrt(det) : 0.0, 0.0, 0.0);
}
