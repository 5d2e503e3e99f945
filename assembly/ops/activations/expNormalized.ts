// neural-tangents' ExpNormalized, its parameters γ, shift and doClip (0/1) at p: a kernel map only (no φ, so no
// finite passes); the TypeScript twin is src/ops/activations/expNormalized.ts.
import { expF64x2 } from "../../math";
import { setLanes } from "./common";

const PRODUCT_FLOOR: f64 = 1e-30;

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const gamma = load<f64>(p);
  const norm = f64x2.sqrt(f64x2.max(f64x2.mul(q1, q2), f64x2.splat(PRODUCT_FLOOR)));
  let ratio = f64x2.div(c, norm);
  if (load<f64>(p, 16) == 1.0) ratio = f64x2.min(f64x2.splat(1.0), f64x2.max(f64x2.splat(-1.0), ratio));
  const grown = expF64x2(f64x2.mul(f64x2.splat(gamma), f64x2.add(ratio, f64x2.splat(load<f64>(p, 8)))));
  setLanes(f64x2.mul(norm, grown), f64x2.mul(f64x2.splat(gamma), grown));
}
