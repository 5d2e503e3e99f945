// a·sin(b·z + c), its parameters a, b, c at p; the TypeScript twin is src/ops/activations/sin.ts (sinusoidDual).
import { setLanes } from "./common";

export function phi(z: f64, p: usize): f64 {
  return load<f64>(p) * Math.sin(load<f64>(p, 8) * z + load<f64>(p, 16));
}

export function slope(z: f64, p: usize): f64 {
  return load<f64>(p) * load<f64>(p, 8) * Math.cos(load<f64>(p, 8) * z + load<f64>(p, 16));
}

// One lane of K = a²·(e^{−y}·sinh x + s·e^{−(y + x)}), K̇ = a²b²·(e^{−y}·sinh x + t·e^{−(y + x)}), x = b²Σ,
// y = b²(q1 + q2)/2: into the globals below.
let sinusoidK: f64 = 0.0;
let sinusoidSlope: f64 = 0.0;

function sinusoidLane(a: f64, b: f64, s: f64, t: f64, q1: f64, q2: f64, c: f64): void {
  const a2 = a * a;
  const b2 = b * b;
  const x = b2 * c;
  const y = 0.5 * b2 * (q1 + q2);
  const magnitude = Math.abs(x);
  const sinh = 0.5 * Math.sign(x) * Math.exp(-(y - magnitude)) * -Math.expm1(-2.0 * magnitude);
  const tail = Math.exp(-(y + x));
  sinusoidK = a2 * (sinh + s * tail);
  sinusoidSlope = a2 * b2 * (sinh + t * tail);
}

/** The dual map of a·sin(b·z + phase) with s = sin²(phase) and t = cos²(phase) (for cos they swap), lane by lane. */
export function sinusoidLanes(a: f64, b: f64, s: f64, t: f64, q1: v128, q2: v128, c: v128): void {
  sinusoidLane(a, b, s, t, f64x2.extract_lane(q1, 0), f64x2.extract_lane(q2, 0), f64x2.extract_lane(c, 0));
  const k0 = sinusoidK;
  const slope0 = sinusoidSlope;
  sinusoidLane(a, b, s, t, f64x2.extract_lane(q1, 1), f64x2.extract_lane(q2, 1), f64x2.extract_lane(c, 1));
  setLanes(f64x2.replace_lane(f64x2.splat(k0), 1, sinusoidK), f64x2.replace_lane(f64x2.splat(slope0), 1, sinusoidSlope));
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  const phase = load<f64>(p, 16);
  const sine = Math.sin(phase);
  const cosine = Math.cos(phase);
  sinusoidLanes(load<f64>(p), load<f64>(p, 8), sine * sine, cosine * cosine, q1, q2, c);
}
