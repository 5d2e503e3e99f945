// max(z, 0)ⁿ (1 at z = 0 for n = 0), its degree n at p; the TypeScript twin is src/ops/activations/rectifiedMonomial.ts
// (rectifiedMoments: the recurrence from ReLU's F₁ and F₀).
import { abReluLanes } from "./abRelu";
import { INV_2PI, determinantF64x2, determinantOne, homogeneousPartials, laneK, laneSlope, piecewiseLinearPartials, powInt, setLanes } from "./common";

export function phi(z: f64, p: usize): f64 {
  return z >= 0.0 ? powInt(z, <i32>load<f64>(p)) : 0.0;
}

export function slope(z: f64, p: usize): f64 {
  const n = load<f64>(p);
  return z > 0.0 && n > 0.0 ? n * powInt(z, <i32>n - 1) : 0.0;
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  moments(<i32>load<f64>(p), q1, q2, c);
}

// Degree n. n ≥ 2: ∂K̇/∂Σ = n²(n − 1)²·E[max(u, 0)ⁿ⁻²·max(v, 0)ⁿ⁻²] (degree n − 1's previous moment); n = 1 is ReLU; n = 0
// has ∂K/∂Σ = 1/(2π√det) and a slope map of 0.
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const n = <i32>load<f64>(p);
  if (n == 1) {
    piecewiseLinearPartials(0.0, 1.0, q1, q2, c, k, slope);
    return;
  }
  if (n >= 2) {
    moments(n - 1, f64x2.splat(q1), f64x2.splat(q2), f64x2.splat(c));
    const previous = f64x2.extract_lane(laneSlope, 0) / <f64>((n - 1) * (n - 1));
    homogeneousPartials(<f64>n, q1, q2, c, k, slope, slope, <f64>(n * n * (n - 1) * (n - 1)) * previous);
    return;
  }
  const det = determinantOne(q1, q2, c);
  homogeneousPartials(0.0, q1, q2, c, k, det > 0.0 ? INV_2PI / Math.sqrt(det) : 0.0, 0.0, 0.0);
}

// The moments of degree n into the lanes: K = Fₙ and K̇ = n²·Fₙ₋₁.
function moments(n: i32, q1: v128, q2: v128, c: v128): void {
  abReluLanes(0.0, q1, q2, c);
  const f1 = laneK;
  const f0 = laneSlope;
  if (n == 0) {
    setLanes(f0, f64x2.splat(0.0));
    return;
  }
  const product = f64x2.mul(q1, q2);
  const zero = f64x2.splat(0.0);
  // H₀ = F₀ + s·Σ/(2πP), the second term 0 where P = 0.
  const mixed = f64x2.div(f64x2.mul(f64x2.mul(f64x2.sqrt(determinantF64x2(q1, q2, c)), c), f64x2.splat(INV_2PI)), product);
  let h = f64x2.add(f0, v128.andnot(mixed, f64x2.eq(product, zero)));
  let previous = f0;
  let current = f1;
  for (let k = 2; k <= n; k++) {
    const sum = f64x2.add(f64x2.mul(f64x2.splat(<f64>(k - 1)), f64x2.mul(product, h)), f64x2.mul(f64x2.splat(<f64>k), f64x2.mul(c, current)));
    const next = f64x2.pmax(sum, zero);
    h = f64x2.add(f64x2.mul(f64x2.splat(<f64>k), current), f64x2.mul(f64x2.splat(<f64>(k - 1)), f64x2.mul(c, h)));
    previous = current;
    current = next;
  }
  setLanes(current, f64x2.mul(f64x2.splat(<f64>(n * n)), previous));
}
