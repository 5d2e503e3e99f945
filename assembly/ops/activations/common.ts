// What the activation units share: the results of a dual map (globals, so the inner loops allocate nothing), the
// scale-mixture rule, exact determinants and erf. The TypeScript twin is src/ops/activations/unit.ts.
import { ACTIVATION_FIRST_PARAMETER, PROGRAM_ATTRIBUTES } from "../../generated/layout";

/** The attribute slots of an activation's parameters (its id first). */
export const PARAMETER_SLOTS: i32 = PROGRAM_ATTRIBUTES - ACTIVATION_FIRST_PARAMETER;

// Results of a dual map on two lanes: E[φ(u)φ(v)] and E[φ′(u)φ′(v)].
export let laneK: v128 = f64x2.splat(0.0);
export let laneSlope: v128 = f64x2.splat(0.0);

// @ts-ignore: decorator
@inline export function setLanes(k: v128, slope: v128): void {
  laneK = k;
  laneSlope = slope;
}

// The partial derivatives of a dual map at one entry (as DualPartials in src/ops/activations/unit.ts): of K and of K̇
// with respect to q1, q2 and c.
export let partialKq1: f64 = 0.0;
export let partialKq2: f64 = 0.0;
export let partialKc: f64 = 0.0;
export let partialSq1: f64 = 0.0;
export let partialSq2: f64 = 0.0;
export let partialSc: f64 = 0.0;

// @ts-ignore: decorator
@inline export function setPartials(kq1: f64, kq2: f64, kc: f64, sq1: f64, sq2: f64, sc: f64): void {
  partialKq1 = kq1;
  partialKq2 = kq2;
  partialKc = kc;
  partialSq1 = sq1;
  partialSq2 = sq2;
  partialSc = sc;
}

/**
 * The derivatives of K and K̇ with respect to an activation's parameters in its first three slots, into out[2s] and
 * out[2s + 1] for slot s (parameterPartials; 0 for a parameter that is not a hyperparameter of the kernels). `out` is
 * the pass's own (Row and Pair hold one per thread).
 */
// @ts-ignore: decorator
@inline export function setParameterPartials(out: usize, k0: f64, s0: f64, k1: f64, s1: f64, k2: f64, s2: f64): void {
  store<f64>(out, k0);
  store<f64>(out, s0, 8);
  store<f64>(out, k1, 16);
  store<f64>(out, s1, 24);
  store<f64>(out, k2, 32);
  store<f64>(out, s2, 40);
}

/** ∂K/∂a and ∂K̇/∂a of an output scale a (K = a²·K₁ + shift²): 2(K − shift²)/a and 2K̇/a, 0 at a = 0 (outputScalePartials). */
// @ts-ignore: decorator
@inline export function outputScaleK(a: f64, k: f64, shift2: f64): f64 {
  return a == 0.0 ? 0.0 : (2.0 * (k - shift2)) / a;
}

// @ts-ignore: decorator
@inline export function outputScaleS(a: f64, slope: f64): f64 {
  return a == 0.0 ? 0.0 : (2.0 * slope) / a;
}

/** ∂K/∂b of a parameter scaling the covariances by λ(b), factor = λ′/λ, from the partial globals (varianceScalePartials). */
// @ts-ignore: decorator
@inline export function varianceScaleK(factor: f64, q1: f64, q2: f64, c: f64): f64 {
  return isFinite(factor) ? factor * (q1 * partialKq1 + q2 * partialKq2 + c * partialKc) : 0.0;
}

// @ts-ignore: decorator
@inline export function varianceScaleS(factor: f64, q1: f64, q2: f64, c: f64, slope: f64): f64 {
  return isFinite(factor) ? factor * (slope + q1 * partialSq1 + q2 * partialSq2 + c * partialSc) : 0.0;
}

/** q1·q2 − c² for one entry, as determinantF64x2. */
export function determinantOne(q1: f64, q2: f64, c: f64): f64 {
  return f64x2.extract_lane(determinantF64x2(f64x2.splat(q1), f64x2.splat(q2), f64x2.splat(c)), 0);
}

/**
 * The partials of a·min(z, 0) + b·max(z, 0): K̇ = ∂K/∂c, ∂K̇/∂c = (b − a)²/(2π√det), the q-partials by homogeneity;
 * K̇'s partials 0 at a correlation of ±1 (piecewiseLinearPartials in src/ops/activations/unit.ts).
 */
export function piecewiseLinearPartials(a: f64, b: f64, q1: f64, q2: f64, c: f64, k: f64, slope: f64): void {
  const det = determinantOne(q1, q2, c);
  homogeneousPartials(1.0, q1, q2, c, k, slope, slope, det > 0.0 ? ((b - a) * (b - a) * INV_2PI) / Math.sqrt(det) : 0.0);
}

/** The partials of maps homogeneous of degree n, given ∂K/∂Σ and ∂K̇/∂Σ (homogeneousPartials in src/ops/activations/unit.ts). */
export function homogeneousPartials(n: f64, q1: f64, q2: f64, c: f64, k: f64, kc: f64, slope: f64, sc: f64): void {
  const r1 = q1 > 0.0 ? 0.5 / q1 : 0.0;
  const r2 = q2 > 0.0 ? 0.5 / q2 : 0.0;
  const kGap = n * k - c * kc;
  const slopeGap = (n - 1.0) * slope - c * sc;
  setPartials(kGap * r1, kGap * r2, kc, slopeGap * r1, slopeGap * r2, sc);
}

/** zⁿ for an integer n ≥ 0, by repeated squaring (Math.pow would bring in its general algorithm, kilobytes of code). */
export function powInt(z: f64, n: i32): f64 {
  let result: f64 = 1.0;
  let square = z;
  while (n > 0) {
    if (n & 1) result *= square;
    n >>= 1;
    square *= square;
  }
  return result;
}

export const INV_PI: f64 = 0.3183098861837907;
export const INV_2PI: f64 = 0.15915494309189535;

// The scale-mixture rule for tanh and sigmoid (src/infinite/logistic.ts): squared scales and weights.
export let mixtureScales: usize = 0;
export let mixtureWeights: usize = 0;
export let mixtureSize: i32 = 0;

/** Sets the scale-mixture rule the tanh and sigmoid maps sum over. */
export function useMixture(scales: usize, weights: usize, size: i32): void {
  mixtureScales = scales;
  mixtureWeights = weights;
  mixtureSize = size;
}

const SPLITTER: f64 = 134217729.0; // 2^27 + 1, Veltkamp's split of a double into two 26-bit halves
// The fraction of q1·q2 below which q1·q2 − c² is rounding (ROUNDING_BAND in src/ops/activations/unit.ts).
const ROUNDING_BAND: f64 = 4.440892098500626e-16; // 2^-51

// The rounding error of the product a·b = p, exactly (Dekker's two-product; plain multiplies and adds, never
// fused, so the split stays exact on every build).
// @ts-ignore: decorator
@inline function productErrorF64x2(a: v128, b: v128, p: v128): v128 {
  const ta = f64x2.mul(f64x2.splat(SPLITTER), a);
  const aHigh = f64x2.sub(ta, f64x2.sub(ta, a));
  const aLow = f64x2.sub(a, aHigh);
  const tb = f64x2.mul(f64x2.splat(SPLITTER), b);
  const bHigh = f64x2.sub(tb, f64x2.sub(tb, b));
  const bLow = f64x2.sub(b, bHigh);
  let e = f64x2.sub(f64x2.mul(aHigh, bHigh), p);
  e = f64x2.add(e, f64x2.mul(aHigh, bLow));
  e = f64x2.add(e, f64x2.mul(aLow, bHigh));
  return f64x2.add(e, f64x2.mul(aLow, bLow));
}

// q1·q2 − c² without cancellation (both products as exact sums), never negative, and 0 within the rounding
// band of its inputs (a correlation of exactly ±1); as determinant() in src/ops/activations/unit.ts. The exact
// products cost about twenty flops, so they are added only where the plain difference has cancelled by more
// than 1e4 (correlations within about 5e-5 of ±1); elsewhere its relative error is below 1e-12.
// @ts-ignore: decorator
@inline export function determinantF64x2(q1: v128, q2: v128, c: v128): v128 {
  const p1 = f64x2.mul(q1, q2);
  const p2 = f64x2.mul(c, c);
  let difference = f64x2.sub(p1, p2);
  if (v128.any_true(f64x2.lt(difference, f64x2.mul(f64x2.splat(1e-4), p1)))) {
    difference = f64x2.add(difference, f64x2.sub(productErrorF64x2(q1, q2, p1), productErrorF64x2(c, c, p2)));
    difference = v128.andnot(difference, f64x2.le(difference, f64x2.mul(f64x2.splat(ROUNDING_BAND), p1)));
  }
  return f64x2.pmax(difference, f64x2.splat(0.0));
}

// t − atan(t) for t ≥ 0: its series where the difference cancels (t ≤ 0.1), else directly.
// @ts-ignore: decorator
@inline export function tMinusAtanF64x2(t: v128, atanT: v128): v128 {
  const t2 = f64x2.mul(t, t);
  let series = f64x2.sub(f64x2.splat(1.0 / 13.0), f64x2.mul(t2, f64x2.splat(1.0 / 15.0)));
  series = f64x2.sub(f64x2.splat(1.0 / 11.0), f64x2.mul(t2, series));
  series = f64x2.sub(f64x2.splat(1.0 / 9.0), f64x2.mul(t2, series));
  series = f64x2.sub(f64x2.splat(1.0 / 7.0), f64x2.mul(t2, series));
  series = f64x2.sub(f64x2.splat(1.0 / 5.0), f64x2.mul(t2, series));
  series = f64x2.sub(f64x2.splat(1.0 / 3.0), f64x2.mul(t2, series));
  series = f64x2.mul(f64x2.mul(t, t2), series);
  return v128.bitselect(series, f64x2.sub(t, atanT), f64x2.le(t, f64x2.splat(0.1)));
}

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;
const INV_SQRT_PI: f64 = 0.5641895835477563;

/**
 * erf(x). |x| < 3: erf(x) = (2x/√π)·e^{−x²}·Σ (2x²)^n / (1·3···(2n+1)), a series of positive terms (no
 * cancellation) summed until the terms stop changing the sum. |x| ≥ 3: 1 − erfc(x), with erfc from its
 * continued fraction e^{−x²}/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))) evaluated from depth 60 upward.
 */
export function erf(x: f64): f64 {
  const a = Math.abs(x);
  let result: f64;
  if (a < 3.0) {
    const twoX2 = 2.0 * a * a;
    let term = 1.0;
    let sum = 1.0;
    for (let n = 1; n < 200; n++) {
      term *= twoX2 / <f64>(2 * n + 1);
      const next = sum + term;
      if (next == sum) break;
      sum = next;
    }
    result = TWO_OVER_SQRT_PI * a * Math.exp(-a * a) * sum;
  } else {
    let fraction = a;
    for (let k = 60; k >= 1; k--) fraction = a + (<f64>k * 0.5) / fraction;
    result = 1.0 - (INV_SQRT_PI * Math.exp(-a * a)) / fraction;
  }
  return x < 0.0 ? -result : result;
}

/**
 * An output scale a and a variance scale (factor λ′/λ) in the first two parameter slots, the third's partials k2 and s2
 * given (exp and gaussian have none; sin's and cos's is the phase).
 */
export function scaleParameterPartials(out: usize, a: f64, factor: f64, q1: f64, q2: f64, c: f64, k: f64, slope: f64, k2: f64, s2: f64): void {
  setParameterPartials(
    out,
    outputScaleK(a, k, 0.0),
    outputScaleS(a, slope),
    varianceScaleK(factor, q1, q2, c),
    varianceScaleS(factor, q1, q2, c, slope),
    k2,
    s2,
  );
}
