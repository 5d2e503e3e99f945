// Sums over the scale-mixture rule (src/infinite/logistic.ts) for tanh and sigmoid, as mixtureSums in
// src/ops/activations/mixture.ts: with D_ij = (q1q2 − c²) + s_i·q2 + s_j·(q1 + s_i), a sum of non-negative terms,
// K = Σ w_i w_j atan(c/√D_ij) and K̇ = Σ w_i w_j /√D_ij (into the lanes). shifted (sigmoid): the terms are
// π/2 + atan(c/√D_ij), as atan(√D_ij/|c|) where c < 0, so that strongly anti-correlated inputs, whose kernel is
// tiny, do not cancel.
import { atanF64x2 } from "../../math";
import { determinantF64x2, mixtureScales, mixtureSize, mixtureWeights, setLanes } from "./common";

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
