// Sums over the scale-mixture rule (src/infinite/logistic.ts) for tanh and sigmoid, as mixtureSums in
// src/ops/activations/mixture.ts: with D_ij = (q1q2 − c²) + s_i·q2 + s_j·(q1 + s_i), a sum of non-negative terms,
// K = Σ w_i w_j atan(c/√D_ij) and K̇ = Σ w_i w_j /√D_ij (into the lanes). shifted (sigmoid): the terms are
// π/2 + atan(c/√D_ij), as atan(√D_ij/|c|) where c < 0, so that strongly anti-correlated inputs, whose kernel is
// tiny, do not cancel.
import { atanF64x2 } from "../../math";
import { determinantF64x2, determinantOne, mixtureScales, mixtureSize, mixtureWeights, setLanes, setPartials } from "./common";

export function mixtureLanes(q1: v128, q2: v128, c: v128, shifted: bool): void {
  const det = determinantF64x2(q1, q2, c);
  const reflect = shifted ? f64x2.lt(c, f64x2.splat(0.0)) : f64x2.splat(0.0);
  const offset = shifted ? v128.andnot(f64x2.splat(0.5 * Math.PI), reflect) : f64x2.splat(0.0);
  const inverseMagnitude = f64x2.div(f64x2.splat(1.0), f64x2.abs(c));
  let k = f64x2.splat(0.0);
  let slope = f64x2.splat(0.0);
  for (let i = 0; i < mixtureSize; i++) {
    const scaleI = f64x2.splat(load<f64>(mixtureScales + ((<usize>i) << 3)));
    const base = f64x2.add(det, f64x2.mul(scaleI, q2));
    const across = f64x2.add(q1, scaleI);
    let innerK = f64x2.splat(0.0);
    let innerSlope = f64x2.splat(0.0);
    // Two nodes per pass (the rule has an even size), so the two arctangents share their constants.
    for (let j = 0; j < mixtureSize; j += 2) {
      const at = (<usize>j) << 3;
      const root0 = f64x2.sqrt(f64x2.add(base, f64x2.mul(f64x2.splat(load<f64>(mixtureScales + at)), across)));
      const root1 = f64x2.sqrt(f64x2.add(base, f64x2.mul(f64x2.splat(load<f64>(mixtureScales + at + 8)), across)));
      const inverseRoot0 = f64x2.div(f64x2.splat(1.0), root0);
      const inverseRoot1 = f64x2.div(f64x2.splat(1.0), root1);
      const ratio0 = v128.bitselect(f64x2.mul(root0, inverseMagnitude), f64x2.mul(c, inverseRoot0), reflect);
      const ratio1 = v128.bitselect(f64x2.mul(root1, inverseMagnitude), f64x2.mul(c, inverseRoot1), reflect);
      const weight0 = f64x2.splat(load<f64>(mixtureWeights + at));
      const weight1 = f64x2.splat(load<f64>(mixtureWeights + at + 8));
      innerK = f64x2.add(innerK, f64x2.add(f64x2.mul(weight0, f64x2.add(atanF64x2(ratio0), offset)), f64x2.mul(weight1, f64x2.add(atanF64x2(ratio1), offset))));
      innerSlope = f64x2.add(innerSlope, f64x2.add(f64x2.mul(weight0, inverseRoot0), f64x2.mul(weight1, inverseRoot1)));
    }
    const weightI = f64x2.splat(load<f64>(mixtureWeights + ((<usize>i) << 3)));
    k = f64x2.add(k, f64x2.mul(weightI, innerK));
    slope = f64x2.add(slope, f64x2.mul(weightI, innerSlope));
  }
  setLanes(k, slope);
}

/**
 * The partials of the mixture sums, scaled by kScale (K's) and slopeScale (K̇'s), into the partial globals; per pair,
 * with D + c² = (q1 + s_i)(q2 + s_j): ∂atan(c/√D)/∂q1 = −c/(2√D(q1 + s_i)), ∂(1/√D)/∂c = c/D^{3/2},
 * ∂(1/√D)/∂q1 = −(q2 + s_j)/(2D^{3/2}) (mixturePartials in src/ops/activations/mixture.ts).
 */
export function mixturePartials(q1: f64, q2: f64, c: f64, kScale: f64, slopeScale: f64): void {
  const det = determinantOne(q1, q2, c);
  let kq1 = 0.0;
  let kq2 = 0.0;
  let kc = 0.0;
  let sq1 = 0.0;
  let sq2 = 0.0;
  let sc = 0.0;
  for (let i = 0; i < mixtureSize; i++) {
    const scaleI = load<f64>(mixtureScales + ((<usize>i) << 3));
    const weightI = load<f64>(mixtureWeights + ((<usize>i) << 3));
    const across1 = q1 + scaleI;
    for (let j = 0; j < mixtureSize; j++) {
      const scaleJ = load<f64>(mixtureScales + ((<usize>j) << 3));
      const across2 = q2 + scaleJ;
      const inverseRoot = 1.0 / Math.sqrt(det + scaleI * q2 + scaleJ * across1);
      const weight = weightI * load<f64>(mixtureWeights + ((<usize>j) << 3));
      const cubed = weight * inverseRoot * inverseRoot * inverseRoot;
      const half = -0.5 * c * weight * inverseRoot;
      kq1 += half / across1;
      kq2 += half / across2;
      kc += weight * inverseRoot;
      sq1 -= 0.5 * across2 * cubed;
      sq2 -= 0.5 * across1 * cubed;
      sc += c * cubed;
    }
  }
  setPartials(kScale * kq1, kScale * kq2, kScale * kc, slopeScale * sq1, slopeScale * sq2, slopeScale * sc);
}
