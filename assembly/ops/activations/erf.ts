// a·erf(b·z) + c, its parameters a, b, c at p; the TypeScript twin is src/ops/activations/erf.ts.
import { atanF64x2 } from "../../math";
import {
  INV_PI,
  determinantF64x2,
  determinantOne,
  erf,
  outputScaleK,
  outputScaleS,
  setLanes,
  setParameterPartials,
  setPartials,
  varianceScaleK,
  varianceScaleS,
} from "./common";

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;

export function phi(z: f64, p: usize): f64 {
  return load<f64>(p) * erf(load<f64>(p, 8) * z) + load<f64>(p, 16);
}

export function slope(z: f64, p: usize): f64 {
  const b = load<f64>(p, 8);
  return load<f64>(p) * b * TWO_OVER_SQRT_PI * Math.exp(-b * b * z * z);
}

// On b²·(q1, q2, Σ): K = a²·(2/π)·atan2(2Σ, √D) + c², K̇ = a²b²·(4/π)/√D, D = 1 + 2q1 + 2q2 + 4(q1q2 − Σ²) (no
// cancellation); √D > 0, so the atan2 is one atan of the ratio.
export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const a = load<f64>(p);
  const b = load<f64>(p, 8);
  const shift = load<f64>(p, 16);
  const b2 = f64x2.splat(b * b);
  const s1 = f64x2.mul(b2, q1);
  const s2 = f64x2.mul(b2, q2);
  const s = f64x2.mul(b2, c);
  const two = f64x2.splat(2.0);
  const d = f64x2.add(f64x2.add(f64x2.splat(1.0), f64x2.mul(two, f64x2.add(s1, s2))), f64x2.mul(f64x2.splat(4.0), determinantF64x2(s1, s2, s)));
  const root = f64x2.sqrt(d);
  const k = f64x2.add(f64x2.mul(f64x2.splat(a * a * 2.0 * INV_PI), atanF64x2(f64x2.div(f64x2.mul(two, s), root))), f64x2.splat(shift * shift));
  setLanes(k, f64x2.div(f64x2.splat(a * a * b * b * 4.0 * INV_PI), root));
}

// With P = 1 + 2b²q: ∂K/∂q1 = −K̇·b²Σ/P1, ∂K̇/∂q1 = −K̇·b²P2/D, ∂K̇/∂Σ = 4K̇·b⁴Σ/D (src/ops/activations/erf.ts).
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const b = load<f64>(p, 8);
  const b2 = b * b;
  const p1 = 1.0 + 2.0 * b2 * q1;
  const p2 = 1.0 + 2.0 * b2 * q2;
  const s = b2 * c;
  const d = 1.0 + 2.0 * b2 * q1 + 2.0 * b2 * q2 + 4.0 * determinantOne(b2 * q1, b2 * q2, s);
  setPartials((-slope * s) / p1, (-slope * s) / p2, slope, (-slope * b2 * p2) / d, (-slope * b2 * p1) / d, (4.0 * slope * b2 * s) / d);
}

// a scales the output, b the pre-activations (λ = b²), c adds c² to K (the partials already set, by partials()).
export function parameterPartials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize, out: usize): void {
  const a = load<f64>(p);
  const b = load<f64>(p, 8);
  const shift = load<f64>(p, 16);
  const factor = 2.0 / b;
  setParameterPartials(
    out,
    outputScaleK(a, k, shift * shift),
    outputScaleS(a, slope),
    varianceScaleK(factor, q1, q2, c),
    varianceScaleS(factor, q1, q2, c, slope),
    2.0 * shift,
    0.0,
  );
}
