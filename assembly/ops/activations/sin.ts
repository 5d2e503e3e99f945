// a·sin(b·z + c), its parameters a, b, c at p; the TypeScript twin is src/ops/activations/sin.ts (sinusoidDual).
import { expF64x2, expm1F64x2, madd } from "../../math";
import { scaleParameterPartials, setLanes, setPartials } from "./common";

export function phi(z: f64, p: usize): f64 {
  return load<f64>(p) * Math.sin(load<f64>(p, 8) * z + load<f64>(p, 16));
}

export function slope(z: f64, p: usize): f64 {
  return load<f64>(p) * load<f64>(p, 8) * Math.cos(load<f64>(p, 8) * z + load<f64>(p, 16));
}

const SIGN_BIT: u64 = 0x8000000000000000;

/**
 * The dual map of a·sin(b·z + phase) with s = sin²(phase) and t = cos²(phase) (for cos they swap):
 * K = a²·(e^{−y}·sinh x + s·e^{−(y + x)}), K̇ = a²b²·(e^{−y}·sinh x + t·e^{−(y + x)}), x = b²Σ, y = b²(q1 + q2)/2,
 * e^{−y}·sinh x = ½·sign(x)·e^{−(y − |x|)}·(−expm1(−2|x|)).
 */
export function sinusoidLanes(a: f64, b: f64, s: f64, t: f64, q1: v128, q2: v128, c: v128): void {
  const b2 = f64x2.splat(b * b);
  const x = f64x2.mul(b2, c);
  const y = f64x2.mul(f64x2.mul(f64x2.splat(0.5), b2), f64x2.add(q1, q2));
  const magnitude = f64x2.abs(x);
  const signedHalf = v128.or(f64x2.splat(0.5), v128.and(x, i64x2.splat(SIGN_BIT)));
  const growth = f64x2.neg(expm1F64x2(f64x2.mul(f64x2.splat(-2.0), magnitude)));
  const sinh = f64x2.mul(f64x2.mul(signedHalf, expF64x2(f64x2.sub(magnitude, y))), growth);
  const tail = expF64x2(f64x2.neg(f64x2.add(y, x)));
  const a2 = a * a;
  setLanes(f64x2.mul(f64x2.splat(a2), madd(f64x2.splat(s), tail, sinh)), f64x2.mul(f64x2.splat(a2 * b * b), madd(f64x2.splat(t), tail, sinh)));
}

// sin² and cos² of the last phase asked for: the dual runs per pair of entries with the same phase.
let cachedPhase: f64 = 0.0;
export let sineSquared: f64 = 0.0;
export let cosineSquared: f64 = 1.0;

/** Sets sineSquared and cosineSquared to those of `phase`. */
export function usePhase(phase: f64): void {
  if (phase == cachedPhase) return;
  const sine = Math.sin(phase);
  const cosine = Math.cos(phase);
  cachedPhase = phase;
  sineSquared = sine * sine;
  cosineSquared = cosine * cosine;
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  usePhase(load<f64>(p, 16));
  sinusoidLanes(load<f64>(p), load<f64>(p, 8), sineSquared, cosineSquared, q1, q2, c);
}

/** The partials of the sinusoid's maps (sinusoidPartials in src/ops/activations/sin.ts): −(b²/2)·itself in q, K̇ and b⁴·K in Σ. */
export function sinusoidPartials(b: f64, k: f64, slope: f64): void {
  const b2 = b * b;
  setPartials(-0.5 * b2 * k, -0.5 * b2 * k, slope, -0.5 * b2 * slope, -0.5 * b2 * slope, b2 * b2 * k);
}

export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  sinusoidPartials(load<f64>(p, 8), k, slope);
}

/**
 * ∂/∂a (an output scale), ∂/∂b (λ = b²) and ∂/∂phase (±sin(2·phase)·a²·e^{−(y + x)}: sign 1 for sin, −1 for cos) of
 * the sinusoid's maps (sinusoidParameterPartials in src/ops/activations/sin.ts).
 */
export function sinusoidParameterPartials(a: f64, b: f64, phase: f64, sign: f64, q1: f64, q2: f64, c: f64, k: f64, slope: f64, out: usize): void {
  const turn = sign * Math.sin(2.0 * phase) * a * a * Math.exp(-b * b * (0.5 * (q1 + q2) + c));
  scaleParameterPartials(out, a, 2.0 / b, q1, q2, c, k, slope, turn, -turn * b * b);
}

export function parameterPartials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize, out: usize): void {
  sinusoidParameterPartials(load<f64>(p), load<f64>(p, 8), load<f64>(p, 16), 1.0, q1, q2, c, k, slope, out);
}
