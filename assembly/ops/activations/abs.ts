// The absolute value; the TypeScript twin is src/ops/activations/abs.ts.
import { abReluLanes } from "./abRelu";

export function phi(z: f64, p: usize): f64 {
  return Math.abs(z);
}

export function slope(z: f64, p: usize): f64 {
  return z > 0.0 ? 1.0 : z < 0.0 ? -1.0 : 0.0;
}

export function dual(q1: v128, q2: v128, c: v128, p: usize): void {
  abReluLanes(-1.0, q1, q2, c);
}
