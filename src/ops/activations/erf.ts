// a·erf(b·z) + c (neural-tangents' Erf; Williams 1997 for a = b = 1, c = 0): with b's scale on the variances,
// K = a²·(2/π)·asin(2b²Σ/√((1 + 2b²q1)(1 + 2b²q2))) + c² (erf is odd, so the shift adds only c²).
import {
  type ActivationUnit,
  INV_PI,
  type UnitLayer,
  activationLayer,
  determinant,
  erf as erfValue,
  outputScalePartials,
  varianceScalePartials,
} from './unit.js';

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * On q = b²·(q1, q2, Σ): K = a²·(2/π)·atan2(2Σ, √D) + c², K̇ = a²b²·(4/π)/√D with D = (1 + 2q1)(1 + 2q2) − 4Σ²
 * expanded as 1 + 2q1 + 2q2 + 4(q1q2 − Σ²), a sum of non-negative terms (no cancellation at any scale).
 */
export const erfUnit: ActivationUnit<'erf'> = {
  name: 'erf',
  rule: 'closed',
  parameters: [
    ['a', 1],
    ['b', 1],
    ['c', 0],
  ],
  phi:
    ([a, b, c]) =>
    (z) =>
      a * erfValue(b * z) + c,
  slope:
    ([a, b]) =>
    (z) =>
      a * b * TWO_OVER_SQRT_PI * Math.exp(-b * b * z * z),
  dual: ([a, b, c]) => {
    const b2 = b * b;
    const a2 = a * a;
    return (q1, q2, sigma) => {
      const s1 = b2 * q1;
      const s2 = b2 * q2;
      const s = b2 * sigma;
      const root = Math.sqrt(1 + 2 * s1 + 2 * s2 + 4 * determinant(s1, s2, s));
      return [a2 * 2 * INV_PI * Math.atan2(2 * s, root) + c * c, (a2 * b2 * 4 * INV_PI) / root];
    };
  },
  hyperparameters: ['a', 'b', 'c'],
  // a scales the output, b the pre-activations (λ = b²), and c adds c² to K.
  parameterPartials:
    ([a, b, c]) =>
    (q1, q2, sigma, k, slope, partials, out) => {
      outputScalePartials(a, k, slope, c * c, out, 0);
      varianceScalePartials(2 / b, q1, q2, sigma, slope, partials, out, 2);
      out[4] = 2 * c;
      out[5] = 0;
    },
  // With P = 1 + 2b²q: ∂K/∂q1 = −K̇·b²Σ/P1, ∂K̇/∂q1 = −K̇·b²P2/D, ∂K̇/∂Σ = 4K̇·b⁴Σ/D (D = P1·P2 − 4b⁴Σ² ≥ 1).
  partials: ([, b]) => {
    const b2 = b * b;
    return (q1, q2, sigma, _k, slope, out) => {
      const p1 = 1 + 2 * b2 * q1;
      const p2 = 1 + 2 * b2 * q2;
      const s = b2 * sigma;
      const d = 1 + 2 * b2 * q1 + 2 * b2 * q2 + 4 * determinant(b2 * q1, b2 * q2, s);
      out[0] = (-slope * s) / p1;
      out[1] = (-slope * s) / p2;
      out[2] = slope;
      out[3] = (-slope * b2 * p2) / d;
      out[4] = (-slope * b2 * p1) / d;
      out[5] = (4 * slope * b2 * s) / d;
    };
  },
};

/** Options of {@link erf}: neural-tangents' parameters. */
export interface ErfOptions {
  /** Output scale. Default 1. */
  a?: number;
  /** Input scale. Default 1. */
  b?: number;
  /** Output shift. Default 0. */
  c?: number;
}

/**
 * `a·erf(b·z) + c` (neural-tangents' `Erf`), the error function by default; its kernels have a closed form at
 * any depth. neural-tangents' `Sigmoid_like` is `erf({ a: 0.5, b: 1 / 2.4020563531719796, c: 0.5 })`.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), erf(), dense(1));
 * const shifted = serial(dense(512), erf({ a: 2, b: 0.5, c: -1 }), dense(1));
 * ```
 */
export function erf(options: ErfOptions = {}): UnitLayer<'erf'> {
  return activationLayer('erf', erfUnit, options);
}
