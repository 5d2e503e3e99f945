// a·cos(b·z + c), its parameters a, b, c at p: sin with the phase c + π/2; the TypeScript twin is src/ops/activations/cos.ts.
import { cosineSquared, sineSquared, sinusoidLanes, sinusoidParameterPartials, sinusoidPartials, usePhase } from "./sin";

export function phi(z: f64, p: usize): f64 {
  return load<f64>(p) * Math.cos(load<f64>(p, 8) * z + load<f64>(p, 16));
}

export function slope(z: f64, p: usize): f64 {
  return -load<f64>(p) * load<f64>(p, 8) * Math.sin(load<f64>(p, 8) * z + load<f64>(p, 16));
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  usePhase(load<f64>(p, 16));
  sinusoidLanes(load<f64>(p), load<f64>(p, 8), cosineSquared, sineSquared, q1, q2, c);
}

export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  sinusoidPartials(load<f64>(p, 8), k, slope);
}

export function parameterPartials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize, out: usize): void {
  sinusoidParameterPartials(load<f64>(p), load<f64>(p, 8), load<f64>(p, 16), -1.0, q1, q2, c, k, slope, out);
}
