// Σₖ coef[k]·zᵏ, its coefficients at p (ACTIVATION_PARAMETERS slots, zeros after the last); the TypeScript twin is
// src/ops/activations/polynomial.ts (the forms): E[φ(u)φ(v)] = Σₗ Σˡ·sₗ(q1)·sₗ(q2) and its derivative in Σ.
import { PARAMETER_SLOTS as SLOTS, setLanes, setPartials } from "./common";

/** How many coefficients count: up to the last that is not 0. */
function length(p: usize): i32 {
  let n = SLOTS;
  while (n > 0 && load<f64>(p + ((<usize>(n - 1)) << 3)) == 0.0) n--;
  return n;
}

function coefficient(p: usize, k: i32): f64 {
  return load<f64>(p + ((<usize>k) << 3));
}

export function phi(z: f64, p: usize): f64 {
  let sum: f64 = 0.0;
  for (let k = length(p) - 1; k >= 0; k--) sum = sum * z + coefficient(p, k);
  return sum;
}

export function slope(z: f64, p: usize): f64 {
  let sum: f64 = 0.0;
  for (let k = length(p) - 1; k >= 1; k--) sum = sum * z + <f64>k * coefficient(p, k);
  return sum;
}

// √l! for l < SLOTS, read-only static data (each thread's instance reads it; nothing is written at run time).
const ROOT_FACTORIALS: usize = memory.data<f64>([
  1.0, 1.0, 1.4142135623730951, 2.449489742783178, 4.898979485566356, 10.954451150103322, 26.832815729997478, 70.9929573971954, 200.79840636817812,
  602.3952191045344, 1904.9409439665053, 6317.974358922328, 21886.105181141756,
]);

// Σₗ Σˡ·sₗ(q1)·sₗ(q2) and its derivative in Σ, by Horner's scheme in Σ from the highest l down; sₗ(q) =
// Σᵢ coef[2i + l]·(2i + l)!/(2ⁱ·i!·√l!)·qⁱ for both inputs at once, its factors by their ratios.
export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const n = length(p);
  let k = f64x2.splat(0.0);
  let derivative = f64x2.splat(0.0);
  for (let l = n - 1; l >= 0; l--) {
    let factor = coefficient(ROOT_FACTORIALS, l);
    let power1 = f64x2.splat(1.0);
    let power2 = f64x2.splat(1.0);
    let s1 = f64x2.splat(0.0);
    let s2 = f64x2.splat(0.0);
    for (let i = 0; 2 * i + l < n; i++) {
      const term = f64x2.splat(coefficient(p, 2 * i + l) * factor);
      s1 = f64x2.add(s1, f64x2.mul(term, power1));
      s2 = f64x2.add(s2, f64x2.mul(term, power2));
      factor *= <f64>((2 * i + l + 1) * (2 * i + l + 2)) / <f64>(2 * (i + 1));
      power1 = f64x2.mul(power1, q1);
      power2 = f64x2.mul(power2, q2);
    }
    derivative = f64x2.add(f64x2.mul(derivative, c), k);
    k = f64x2.add(f64x2.mul(k, c), f64x2.mul(s1, s2));
  }
  setLanes(k, derivative);
}

// sₗ(q1), sₗ(q2) and their derivatives sₗ′ = Σᵢ i·termᵢ·qⁱ⁻¹, for the scalar passes (the dual map runs it on lanes).
let series1: f64 = 0.0;
let series2: f64 = 0.0;
let seriesDerivative1: f64 = 0.0;
let seriesDerivative2: f64 = 0.0;

function seriesAt(p: usize, l: i32, n: i32, q1: f64, q2: f64): void {
  let factor = coefficient(ROOT_FACTORIALS, l);
  let power1 = 1.0;
  let power2 = 1.0;
  let s1 = 0.0;
  let s2 = 0.0;
  let d1 = 0.0;
  let d2 = 0.0;
  // qⁱ⁻¹, for sₗ′.
  let previous1 = 0.0;
  let previous2 = 0.0;
  for (let i = 0; 2 * i + l < n; i++) {
    const term = coefficient(p, 2 * i + l) * factor;
    d1 += <f64>i * term * previous1;
    d2 += <f64>i * term * previous2;
    s1 += term * power1;
    s2 += term * power2;
    factor *= <f64>((2 * i + l + 1) * (2 * i + l + 2)) / <f64>(2 * (i + 1));
    previous1 = power1;
    previous2 = power2;
    power1 *= q1;
    power2 *= q2;
  }
  series1 = s1;
  series2 = s2;
  seriesDerivative1 = d1;
  seriesDerivative2 = d2;
}

// K = Σₗ Σˡ·sₗ(q1)·sₗ(q2): the q-partials take sₗ′, the Σ-partials differentiate Σˡ (Horner's scheme carrying the first
// and second derivatives in Σ), as the TypeScript twin.
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const n = length(p);
  let value = 0.0;
  let first = 0.0;
  let second = 0.0;
  let along1 = 0.0;
  let along1First = 0.0;
  let along2 = 0.0;
  let along2First = 0.0;
  for (let l = n - 1; l >= 0; l--) {
    seriesAt(p, l, n, q1, q2);
    second = second * c + 2.0 * first;
    first = first * c + value;
    value = value * c + series1 * series2;
    along1First = along1First * c + along1;
    along1 = along1 * c + seriesDerivative1 * series2;
    along2First = along2First * c + along2;
    along2 = along2 * c + series1 * seriesDerivative2;
  }
  setPartials(along1, along2, first, along1First, along2First, second);
}

// coef[k] enters sₗ for l ≤ k of k's parity, as (2i + l)!/(2ⁱ·i!·√l!)·qⁱ with k = 2i + l: ∂K/∂coef[k] = Σₗ Σˡ·that
// ·(q1ⁱ·sₗ(q2) + sₗ(q1)·q2ⁱ) and ∂K̇/∂coef[k] the same with l·Σˡ⁻¹, into out[2k] and out[2k + 1], as the TypeScript twin.
export function parameterPartials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize, out: usize): void {
  const n = length(p);
  memory.fill(out, 0, (<usize>SLOTS) << 4);
  let power = 1.0; // Σˡ
  let slopePower = 0.0; // l·Σˡ⁻¹
  for (let l = 0; l < n; l++) {
    seriesAt(p, l, n, q1, q2);
    let factor = coefficient(ROOT_FACTORIALS, l);
    let power1 = 1.0;
    let power2 = 1.0;
    for (let i = 0; 2 * i + l < n; i++) {
      const along = factor * (power1 * series2 + series1 * power2);
      const at = out + ((<usize>(2 * i + l)) << 4);
      store<f64>(at, load<f64>(at) + power * along);
      store<f64>(at, load<f64>(at, 8) + slopePower * along, 8);
      factor *= <f64>((2 * i + l + 1) * (2 * i + l + 2)) / <f64>(2 * (i + 1));
      power1 *= q1;
      power2 *= q2;
    }
    slopePower = <f64>(l + 1) * power;
    power *= c;
  }
}
