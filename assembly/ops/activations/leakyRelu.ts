// Leaky ReLU, max(z, 0) + leak·min(z, 0), its leak the first parameter; the TypeScript twin is src/ops/activations/leakyRelu.ts.
import { abReluLanes, slopeParameterPartials } from "./abRelu";
import { piecewiseLinearPartials } from "./common";

export function phi(z: f64, p: usize): f64 {
  return z > 0.0 ? z : load<f64>(p) * z;
}

export function slope(z: f64, p: usize): f64 {
  return z > 0.0 ? 1.0 : load<f64>(p);
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  abReluLanes(load<f64>(p), q1, q2, c);
}

export function partials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize): void {
  piecewiseLinearPartials(load<f64>(p), 1.0, q1, q2, c, k, slope);
}

// The leak is ab_relu's a with b = 1 (its second pair of globals, b's, is not read: leaky_relu has one parameter).
export function parameterPartials(q1: f64, q2: f64, c: f64, k: f64, slope: f64, p: usize, out: usize): void {
  slopeParameterPartials(load<f64>(p), 1.0, q1, q2, c, out);
}
