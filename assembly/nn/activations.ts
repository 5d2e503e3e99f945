// Activations φ and their derivatives φ′, by id (src/core/activations.ts holds the same ids and the
// TypeScript twins). Scalar: they run over n × width values, next to gemms that cost n × width².

import { ACT_ABS as ABS, ACT_ERF as ERF, ACT_GELU as GELU, ACT_IDENTITY as IDENTITY, ACT_LEAKY_RELU as LEAKY_RELU, ACT_RELU as RELU, ACT_SIGMOID as SIGMOID, ACT_TANH as TANH } from "../generated/layout";
export { ABS, ERF, GELU, IDENTITY, LEAKY_RELU, RELU, SIGMOID, TANH };

const TWO_OVER_SQRT_PI: f64 = 1.1283791670955126;
const INV_SQRT_PI: f64 = 0.5641895835477563;
const INV_SQRT_2: f64 = 0.7071067811865476;
const INV_SQRT_2PI: f64 = 0.3989422804014327;

/**
 * erf(x). |x| < 3: erf(x) = (2x/√π)·e^{−x²}·Σ (2x²)^n / (1·3···(2n+1)), a series of positive terms (no
 * cancellation) summed until the terms stop changing the sum. |x| ≥ 3: 1 − erfc(x), with erfc from its
 * continued fraction e^{−x²}/√π · 1/(x + ½/(x + 1/(x + 3⁄2/(x + …)))) evaluated from depth 60 upward.
 */
export function erf(x: f64): f64 {
  const a = Math.abs(x);
  let result: f64;
  if (a < 3.0) {
    const twoX2 = 2.0 * a * a;
    let term = 1.0;
    let sum = 1.0;
    for (let n = 1; n < 200; n++) {
      term *= twoX2 / <f64>(2 * n + 1);
      const next = sum + term;
      if (next == sum) break;
      sum = next;
    }
    result = TWO_OVER_SQRT_PI * a * Math.exp(-a * a) * sum;
  } else {
    let fraction = a;
    for (let k = 60; k >= 1; k--) fraction = a + (<f64>k * 0.5) / fraction;
    result = 1.0 - (INV_SQRT_PI * Math.exp(-a * a)) / fraction;
  }
  return x < 0.0 ? -result : result;
}

export function activate(kind: i32, z: f64, leak: f64): f64 {
  switch (kind) {
    case RELU: return z > 0.0 ? z : 0.0;
    case LEAKY_RELU: return z > 0.0 ? z : leak * z;
    case ABS: return Math.abs(z);
    case ERF: return erf(z);
    case TANH: return Math.tanh(z);
    case SIGMOID: return 1.0 / (1.0 + Math.exp(-z));
    case GELU: return 0.5 * z * (1.0 + erf(z * INV_SQRT_2));
    case IDENTITY: return z;
    default: abort("unknown activation id"); return z;
  }
}

export function derivative(kind: i32, z: f64, leak: f64): f64 {
  switch (kind) {
    case RELU: return z > 0.0 ? 1.0 : 0.0;
    case LEAKY_RELU: return z > 0.0 ? 1.0 : leak;
    case ABS: return z > 0.0 ? 1.0 : (z < 0.0 ? -1.0 : 0.0);
    case ERF: return TWO_OVER_SQRT_PI * Math.exp(-z * z);
    case TANH: {
      const t = Math.tanh(z);
      return 1.0 - t * t;
    }
    case SIGMOID: {
      const s = 1.0 / (1.0 + Math.exp(-z));
      return s * (1.0 - s);
    }
    case GELU: return 0.5 * (1.0 + erf(z * INV_SQRT_2)) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z);
    case IDENTITY: return 1.0;
    default: abort("unknown activation id"); return 1.0;
  }
}
