// zⁿ, its degree n at p; the TypeScript twin is src/ops/activations/monomial.ts (monomialMoment).
import { homogeneousPartials, powInt, setLanes } from "./common";

export function phi(z: f64, p: usize): f64 {
  return powInt(z, <i32>load<f64>(p));
}

export function slope(z: f64, p: usize): f64 {
  const n = load<f64>(p);
  return n == 0.0 ? 0.0 : n * powInt(z, <i32>n - 1);
}

// E[uⁿvⁿ] = Σₖ aₙₖ·c^{n−2k}·(q1q2)^k on both lanes, Horner's scheme in c², the coefficients by their ratios.
function moment(n: i32, q1: v128, q2: v128, c: v128): v128 {
  if (n < 0) return f64x2.splat(0.0);
  const product = f64x2.mul(q1, q2);
  const c2 = f64x2.mul(c, c);
  let coefficient: f64 = 1.0;
  for (let i = 2; i <= n; i++) coefficient *= <f64>i;
  let power = f64x2.splat(1.0);
  let sum = f64x2.splat(0.0);
  for (let k = 0; 2 * k <= n; k++) {
    sum = f64x2.add(f64x2.mul(sum, c2), f64x2.mul(f64x2.splat(coefficient), power));
    coefficient *= <f64>((n - 2 * k) * (n - 2 * k - 1)) / <f64>(4 * (k + 1) * (k + 1));
    power = f64x2.mul(power, product);
  }
  return n % 2 == 1 ? f64x2.mul(sum, c) : sum;
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const n = <i32>load<f64>(p);
  setLanes(moment(n, q1, q2, c), f64x2.mul(f64x2.splat(<f64>(n * n)), moment(n - 1, q1, q2, c)));
}

// Degree n; ∂K̇/∂Σ = n²(n − 1)²·E[uⁿ⁻²vⁿ⁻²].
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const n = <i32>load<f64>(p);
  const curvature = <f64>(n * n * (n - 1) * (n - 1)) * f64x2.extract_lane(moment(n - 2, f64x2.splat(q1), f64x2.splat(q2), f64x2.splat(c)), 0);
  homogeneousPartials(<f64>n, q1, q2, c, k, slope, slope, curvature);
}
