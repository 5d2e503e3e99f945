// a·exp(b·z), its parameters a, b at p; the TypeScript twin is src/ops/activations/exp.ts.
import { expF64x2 } from "../../math";
import { scaleParameterPartials, setLanes, setPartials } from "./common";

// Above this exp overflows: the lanes become +∞ (expF64x2 clamps), which the kernel's finiteness check reports.
const EXP_LIMIT: f64 = 709.782712893384;

export function phi(z: f64, p: usize): f64 {
  return load<f64>(p) * Math.exp(load<f64>(p, 8) * z);
}

export function slope(z: f64, p: usize): f64 {
  const b = load<f64>(p, 8);
  return load<f64>(p) * b * Math.exp(b * z);
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const a = load<f64>(p);
  const b = load<f64>(p, 8);
  const b2 = f64x2.splat(b * b);
  const exponent = f64x2.mul(b2, f64x2.add(f64x2.mul(f64x2.splat(0.5), f64x2.add(q1, q2)), c));
  const grown = v128.bitselect(f64x2.splat(Infinity), expF64x2(exponent), f64x2.gt(exponent, f64x2.splat(EXP_LIMIT)));
  const k = f64x2.mul(f64x2.splat(a * a), grown);
  setLanes(k, f64x2.mul(b2, k));
}

// b²/2 (in q) or b² (in Σ) times itself.
export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  const b = load<f64>(p, 8);
  const b2 = b * b;
  setPartials(0.5 * b2 * k, 0.5 * b2 * k, slope, 0.5 * b2 * slope, 0.5 * b2 * slope, b2 * slope);
}

// a is an output scale; b scales the variances by b² (as the TypeScript twin).
export function parameterPartials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize, out: usize): void {
  scaleParameterPartials(out, load<f64>(p), 2.0 / load<f64>(p, 8), q1, q2, c, k, slope, 0.0, 0.0);
}
