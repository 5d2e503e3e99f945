// exp(−z²)·sin(z); the TypeScript twin is src/ops/activations/gabor.ts (the forms).
import { expF64x2, expm1F64x2 } from "../../math";
import { determinantF64x2, setLanes } from "./common";

export function phi(z: f64, p: usize): f64 {
  return Math.exp(-z * z) * Math.sin(z);
}

export function slope(z: f64, p: usize): f64 {
  return Math.exp(-z * z) * (Math.cos(z) - 2.0 * z * Math.sin(z));
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const one = f64x2.splat(1.0);
  const two = f64x2.splat(2.0);
  const four = f64x2.splat(4.0);
  const sum = f64x2.add(q1, q2);
  const diff = f64x2.mul(four, determinantF64x2(q1, q2, c));
  const denominator = f64x2.add(f64x2.add(one, f64x2.mul(two, sum)), diff);
  const left = expF64x2(f64x2.div(f64x2.neg(f64x2.add(f64x2.add(sum, diff), f64x2.add(c, c))), f64x2.mul(two, denominator)));
  // e^{2Σ/D} − 1 by expm1: small covariances keep their digits.
  const grown = expm1F64x2(f64x2.div(f64x2.add(c, c), denominator));
  const shared = f64x2.add(f64x2.add(one, f64x2.mul(two, sum)), f64x2.mul(four, f64x2.add(f64x2.mul(c, c), f64x2.mul(q1, q2))));
  const term = f64x2.mul(f64x2.mul(four, c), f64x2.add(f64x2.add(diff, f64x2.mul(f64x2.splat(3.0), sum)), two));
  const root = f64x2.sqrt(denominator);
  const k = f64x2.div(f64x2.mul(left, grown), f64x2.mul(two, root));
  const slope = f64x2.div(
    f64x2.mul(left, f64x2.add(f64x2.mul(two, shared), f64x2.mul(grown, f64x2.add(shared, term)))),
    f64x2.mul(f64x2.mul(two, f64x2.mul(denominator, denominator)), root),
  );
  setLanes(k, slope);
}
