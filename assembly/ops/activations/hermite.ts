// Heₙ(z)/√n!, its degree n at p; the TypeScript twin is src/ops/activations/hermite.ts.
import { powInt, setLanes, setPartials } from "./common";

// Heₙ(z) by He_{k+1} = z·He_k − k·He_{k−1}.
function hermiteValue(n: i32, z: f64): f64 {
  if (n == 0) return 1.0;
  let previous: f64 = 1.0;
  let current = z;
  for (let k = 1; k < n; k++) {
    const next = z * current - <f64>k * previous;
    previous = current;
    current = next;
  }
  return current;
}

function rootFactorial(n: i32): f64 {
  let f: f64 = 1.0;
  for (let i = 2; i <= n; i++) f *= <f64>i;
  return Math.sqrt(f);
}

export function phi(z: f64, p: usize): f64 {
  const n = <i32>load<f64>(p);
  return hermiteValue(n, z) / rootFactorial(n);
}

export function slope(z: f64, p: usize): f64 {
  const n = <i32>load<f64>(p);
  return n == 0 ? 0.0 : (<f64>n * hermiteValue(n - 1, z)) / rootFactorial(n);
}

// Σⁿ and n·Σ^{n−1} (unit-variance inputs).
export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const n = <i32>load<f64>(p);
  let power = f64x2.splat(1.0);
  for (let k = 1; k < n; k++) power = f64x2.mul(power, c);
  setLanes(n == 0 ? f64x2.splat(1.0) : f64x2.mul(power, c), f64x2.mul(f64x2.splat(<f64>n), n == 0 ? f64x2.splat(0.0) : power));
}

// K = Σⁿ and K̇ = n·Σⁿ⁻¹ do not read the variances.
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const n = <i32>load<f64>(p);
  setPartials(0.0, 0.0, slope, 0.0, 0.0, n < 2 ? 0.0 : <f64>(n * (n - 1)) * powInt(c, n - 2));
}
