// ABReLU, a·min(z, 0) + b·max(z, 0), a and b its parameters; and the dual map of a·min(z, 0) + max(z, 0), which
// relu (a = 0), leaky_relu (a = leak) and abs (a = −1) share; see abReluDual in src/ops/activations/abRelu.ts for
// the forms. The TypeScript twin is src/ops/activations/abRelu.ts. α = atan(s/|c|), the angle to the nearest
// axis (π/2 where s = c = 0, as neural-tangents fills θ).
import { atanF64x2 } from "../../math";
import { INV_2PI, determinantF64x2, laneK, laneSlope, piecewiseLinearPartials, setLanes, setParameterPartials, tMinusAtanF64x2 } from "./common";

// @ts-ignore: decorator
@inline export function abReluLanes(a: f64, q1: v128, q2: v128, c: v128): void {
  const zero = f64x2.splat(0.0);
  const factor = f64x2.splat((a - 1.0) * (a - 1.0) * INV_2PI);
  const s = f64x2.sqrt(determinantF64x2(q1, q2, c));
  const magnitude = f64x2.abs(c);
  const t = f64x2.div(s, magnitude);
  const bothZero = v128.and(f64x2.eq(s, zero), f64x2.eq(c, zero));
  const alpha = v128.bitselect(f64x2.splat(0.5 * Math.PI), atanF64x2(t), bothZero);
  const negative = f64x2.lt(c, zero);
  if (a < 0.0) {
    // ψ = atan2(c, s) = ±(π/2 − α), with atan(|c|/s) where α is near π/2 so that it does not cancel.
    const nearHalfPi = f64x2.gt(t, f64x2.splat(1.0));
    const psiMagnitude = v128.bitselect(atanF64x2(f64x2.div(magnitude, s)), f64x2.sub(f64x2.splat(0.5 * Math.PI), alpha), nearHalfPi);
    const psi = v128.bitselect(f64x2.neg(psiMagnitude), psiMagnitude, negative);
    const slope = f64x2.add(f64x2.splat((a + 1.0) * (a + 1.0) * 0.25), f64x2.mul(factor, psi));
    setLanes(f64x2.add(f64x2.mul(factor, s), f64x2.mul(slope, c)), slope);
    return;
  }
  const slopeNonNegative = f64x2.sub(f64x2.splat((a * a + 1.0) * 0.5), f64x2.mul(factor, alpha));
  const kNonNegative = f64x2.add(f64x2.mul(factor, s), f64x2.mul(slopeNonNegative, c));
  // After the first layer a ReLU-like kernel is non-negative, so most vectors end here.
  if (!v128.any_true(negative)) {
    setLanes(kNonNegative, slopeNonNegative);
    return;
  }
  const splatA = f64x2.splat(a);
  // Where c < 0: s − α|c| = |c|·(t − atan t), by its series where it cancels (t ≤ 0.1, nearly opposite inputs).
  let gap = f64x2.sub(s, f64x2.mul(alpha, magnitude));
  if (v128.any_true(v128.and(negative, f64x2.le(t, f64x2.splat(0.1))))) {
    gap = v128.bitselect(f64x2.mul(magnitude, tMinusAtanF64x2(t, alpha)), gap, f64x2.le(t, f64x2.splat(0.1)));
  }
  setLanes(
    v128.bitselect(f64x2.add(f64x2.mul(factor, gap), f64x2.mul(splatA, c)), kNonNegative, negative),
    v128.bitselect(f64x2.add(splatA, f64x2.mul(factor, alpha)), slopeNonNegative, negative),
  );
}

export function phi(z: f64, p: usize): f64 {
  return z > 0.0 ? load<f64>(p, 8) * z : load<f64>(p) * z;
}

export function slope(z: f64, p: usize): f64 {
  return z > 0.0 ? load<f64>(p, 8) : load<f64>(p);
}

// The kernels of (a, b) are large² times those of (small/large, 1), with |small| ≤ |large| (abReluScale).
export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const a = load<f64>(p);
  const b = load<f64>(p, 8);
  const aSmaller = Math.abs(a) <= Math.abs(b);
  const small = aSmaller ? a : b;
  const large = aSmaller ? b : a;
  abReluLanes(large == 0.0 ? 0.0 : small / large, q1, q2, c);
  const scale = f64x2.splat(large * large);
  setLanes(f64x2.mul(laneK, scale), f64x2.mul(laneSlope, scale));
}

export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  piecewiseLinearPartials(load<f64>(p), load<f64>(p, 8), q1, q2, c, k, slope);
}

/**
 * ∂/∂a and ∂/∂b of a·min(z, 0) + b·max(z, 0)'s maps: K = (a² + b²)·K₊(Σ) − 2ab·K₊(−Σ), K̇ = (a² + b²)·K̇₊(Σ) + 2ab·K̇₊(−Σ)
 * with ReLU's K₊, K̇₊ (slopePartials in src/ops/activations/abRelu.ts).
 */
export function slopeParameterPartials(a: f64, b: f64, q1: f64, q2: f64, c: f64, out: usize): void {
  abReluLanes(0.0, f64x2.splat(q1), f64x2.splat(q2), f64x2.splat(c));
  const kSame = f64x2.extract_lane(laneK, 0);
  const sSame = f64x2.extract_lane(laneSlope, 0);
  abReluLanes(0.0, f64x2.splat(q1), f64x2.splat(q2), f64x2.splat(-c));
  const kOpposite = f64x2.extract_lane(laneK, 0);
  const sOpposite = f64x2.extract_lane(laneSlope, 0);
  setParameterPartials(
    out,
    2.0 * a * kSame - 2.0 * b * kOpposite,
    2.0 * a * sSame + 2.0 * b * sOpposite,
    2.0 * b * kSame - 2.0 * a * kOpposite,
    2.0 * b * sSame + 2.0 * a * sOpposite,
    0.0,
    0.0,
  );
}

export function parameterPartials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize, out: usize): void {
  slopeParameterPartials(load<f64>(p), load<f64>(p, 8), q1, q2, c, out);
}
