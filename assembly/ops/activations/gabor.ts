// exp(−z²)·sin(z); the TypeScript twin is src/ops/activations/gabor.ts (the forms).
import { expF64x2, expm1F64x2 } from "../../math";
import { determinantF64x2, determinantOne, setLanes, setPartials } from "./common";

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

// The partials of K and K̇ by the chain rule through the dual map's pieces, along q1, q2 and Σ in turn (gaborPartials in
// src/ops/activations/gabor.ts).
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const sum = q1 + q2;
  const diff = 4.0 * determinantOne(q1, q2, c);
  const d = 1.0 + 2.0 * sum + diff;
  along(1.0, 4.0 * q2, 0.0, q2, q1, q2, c, k, slope, sum, diff, d);
  const kq1 = alongK;
  const sq1 = alongSlope;
  along(1.0, 4.0 * q1, 0.0, q1, q1, q2, c, k, slope, sum, diff, d);
  const kq2 = alongK;
  const sq2 = alongSlope;
  along(0.0, -8.0 * c, 1.0, 0.0, q1, q2, c, k, slope, sum, diff, d);
  setPartials(kq1, kq2, alongK, sq1, sq2, alongSlope);
}

// The derivatives along one variable, given those of sum, diff, Σ and q1q2 along it, into alongK and alongSlope.
let alongK: f64 = 0.0;
let alongSlope: f64 = 0.0;

function along(dSum: f64, dDiff: f64, dC: f64, dProduct: f64, q1: f64, q2: f64, c: f64, k: f64, slope: f64, sum: f64, diff: f64, d: f64): void {
  const exponent = sum + diff + 2.0 * c;
  const left = Math.exp(-exponent / (2.0 * d));
  const grown = Math.expm1((2.0 * c) / d);
  const shared = 1.0 + 2.0 * sum + 4.0 * (c * c + q1 * q2);
  const term = 4.0 * c * (diff + 3.0 * sum + 2.0);
  const root = Math.sqrt(d);
  const numerator = 2.0 * shared + grown * (shared + term);
  const dD = 2.0 * dSum + dDiff;
  const dLeft = left * (-(dSum + dDiff + 2.0 * dC) / (2.0 * d) + (exponent * dD) / (2.0 * d * d));
  const dGrown = (grown + 1.0) * ((2.0 * dC) / d - (2.0 * c * dD) / (d * d));
  const dShared = 2.0 * dSum + 4.0 * (2.0 * c * dC + dProduct);
  const dTerm = 4.0 * dC * (diff + 3.0 * sum + 2.0) + 4.0 * c * (dDiff + 3.0 * dSum);
  const dRoot = dD / (2.0 * root);
  const dNumerator = 2.0 * dShared + dGrown * (shared + term) + grown * (dShared + dTerm);
  alongK = (dLeft * grown + left * dGrown) / (2.0 * root) - (k * dRoot) / root;
  alongSlope = (dLeft * numerator + left * dNumerator) / (2.0 * d * d * root) - slope * ((2.0 * dD) / d + dRoot / root);
}
