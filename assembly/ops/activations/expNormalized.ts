// neural-tangents' ExpNormalized, its parameters γ, shift and doClip (0/1) at p: a kernel map only (no φ, so no
// finite passes); the TypeScript twin is src/ops/activations/expNormalized.ts.
import { expF64x2 } from "../../math";
import { homogeneousPartials, setLanes, setParameterPartials, setPartials } from "./common";

const PRODUCT_FLOOR: f64 = 1e-30;

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const gamma = load<f64>(p);
  const norm = f64x2.sqrt(f64x2.max(f64x2.mul(q1, q2), f64x2.splat(PRODUCT_FLOOR)));
  let ratio = f64x2.div(c, norm);
  if (load<f64>(p, 16) == 1.0) ratio = f64x2.min(f64x2.splat(1.0), f64x2.max(f64x2.splat(-1.0), ratio));
  const grown = expF64x2(f64x2.mul(f64x2.splat(gamma), f64x2.add(ratio, f64x2.splat(load<f64>(p, 8)))));
  setLanes(f64x2.mul(norm, grown), f64x2.mul(f64x2.splat(gamma), grown));
}

// K of degree 1 and K̇ of degree 0; ∂K̇/∂Σ = γ·K̇/N; a clipped ρ and a floored q1q2 do not move (src/ops/activations/expNormalized.ts).
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const gamma = load<f64>(p);
  const norm = Math.sqrt(Math.max(q1 * q2, PRODUCT_FLOOR));
  const clipped = load<f64>(p, 16) == 1.0 && Math.abs(c) > norm;
  const kc = clipped ? 0.0 : slope;
  const sc = clipped ? 0.0 : (gamma * slope) / norm;
  if (q1 * q2 < PRODUCT_FLOOR) setPartials(0.0, 0.0, kc, 0.0, 0.0, sc);
  else homogeneousPartials(1.0, q1, q2, c, k, kc, slope, sc);
}

// ∂/∂γ multiplies by (ρ + shift) (K̇ adds K̇/γ), ∂/∂shift by γ.
export function parameterPartials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize, out: usize): void {
  const gamma = load<f64>(p);
  const shift = load<f64>(p, 8);
  const norm = Math.sqrt(Math.max(q1 * q2, PRODUCT_FLOOR));
  let ratio = c / norm;
  if (load<f64>(p, 16) == 1.0) ratio = Math.min(1.0, Math.max(-1.0, ratio));
  setParameterPartials(out, (ratio + shift) * k, slope / gamma + (ratio + shift) * slope, gamma * k, gamma * slope, 0.0, 0.0);
}
