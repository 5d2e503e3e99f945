// GELU, z·Φ(z); the TypeScript twin is src/ops/activations/gelu.ts.
import { atanF64x2 } from "../../math";
import { INV_2PI, determinantF64x2, determinantOne, erf, setLanes, setPartials, tMinusAtanF64x2 } from "./common";

const INV_SQRT_2: f64 = 0.7071067811865476;
const INV_SQRT_2PI: f64 = 0.3989422804014327;

export function phi(z: f64, p: usize): f64 {
  return 0.5 * z * (1.0 + erf(z * INV_SQRT_2));
}

export function slope(z: f64, p: usize): f64 {
  return 0.5 * (1.0 + erf(z * INV_SQRT_2)) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
}

// As the TypeScript twin: Δ² = 1 + q1 + q2 + (q1q2 − c²); the angle atan2(Δ, −c) from one atan: atan(Δ/|c|) for
// c < 0 (small there, so not π/2 minus nearly π/2), else π/2 + atan(c/Δ); and, where c < 0 and Δ < |c|, K in the
// form that does not cancel.
export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const one = f64x2.splat(1.0);
  const prod = f64x2.mul(q1, q2);
  const sum = f64x2.add(q1, q2);
  const prodPlus1 = f64x2.mul(f64x2.add(q1, one), f64x2.add(q2, one));
  const deltaSquared = f64x2.add(f64x2.add(one, sum), determinantF64x2(q1, q2, c));
  const delta = f64x2.sqrt(deltaSquared);
  const negative = f64x2.lt(c, f64x2.splat(0.0));
  const magnitude = f64x2.abs(c);
  const ratio = v128.bitselect(f64x2.div(delta, magnitude), f64x2.div(c, delta), negative);
  const atanRatio = atanF64x2(ratio);
  const angle = v128.bitselect(atanRatio, f64x2.add(f64x2.splat(0.5 * Math.PI), atanRatio), negative);
  const inv2pi = f64x2.splat(INV_2PI);
  const denominator = f64x2.mul(prodPlus1, delta);
  const cc = f64x2.mul(c, c);
  const direct = f64x2.add(f64x2.div(f64x2.add(cc, f64x2.mul(prod, deltaSquared)), denominator), f64x2.mul(c, angle));
  const anticorrelated = f64x2.add(
    f64x2.div(f64x2.sub(cc, f64x2.mul(f64x2.add(one, sum), deltaSquared)), denominator),
    f64x2.mul(magnitude, tMinusAtanF64x2(ratio, atanRatio)),
  );
  const bracket = f64x2.add(f64x2.div(one, deltaSquared), f64x2.div(f64x2.add(f64x2.splat(2.0), sum), prodPlus1));
  setLanes(
    f64x2.mul(v128.bitselect(anticorrelated, direct, v128.and(negative, f64x2.lt(delta, magnitude))), inv2pi),
    f64x2.add(f64x2.mul(angle, inv2pi), f64x2.mul(f64x2.mul(f64x2.div(c, delta), inv2pi), bracket)),
  );
}

// The partials of 2πK = (Σ² + q1q2Δ²)/(PΔ) + Σ·angle and 2πK̇ = angle + Σ·g, g = 1/Δ³ + S/(PΔ), by the chain rule
// (src/ops/activations/gelu.ts).
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const product = (1.0 + q1) * (1.0 + q2);
  const d2 = 1.0 + q1 + q2 + determinantOne(q1, q2, c);
  const d = Math.sqrt(d2);
  const sum = 2.0 + q1 + q2;
  const a = c * c + q1 * q2 * d2;
  const b = product * d;
  const g = 1.0 / (d2 * d) + sum / (product * d);
  alongVariance(q2, c, d, d2, product, sum, a, b, q1 * q2);
  const kq1 = alongK;
  const sq1 = alongSlope;
  alongVariance(q1, c, d, d2, product, sum, a, b, q1 * q2);
  const sc = (1.0 / d + g + c * c * (3.0 / (d2 * d2 * d) + sum / (product * d2 * d))) * INV_2PI;
  setPartials(kq1, alongK, slope, sq1, alongSlope, sc);
}

// The partials along one variance (the other one `other`), into alongK and alongSlope.
let alongK: f64 = 0.0;
let alongSlope: f64 = 0.0;

function alongVariance(other: f64, c: f64, d: f64, d2: f64, product: f64, sum: f64, a: f64, b: f64, q1q2: f64): void {
  const dd = (1.0 + other) / (2.0 * d);
  const da = other * d2 + q1q2 * (1.0 + other);
  const db = (1.0 + other) * d + product * dd;
  const dAngle = (-c * dd) / (d2 + c * c);
  const dg = (-3.0 * dd) / (d2 * d2) + 1.0 / (product * d) - (sum * (1.0 + other)) / (product * product * d) - (sum * dd) / (product * d2);
  alongK = ((da * b - a * db) / (b * b) + c * dAngle) * INV_2PI;
  alongSlope = (dAngle + c * dg) * INV_2PI;
}
