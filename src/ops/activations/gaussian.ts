// a·exp(b·z²) (neural-tangents' Gaussian, b = −1 by default): with β = −2b, E[φ(u)φ(v)] = a²/√D and
// E[φ′(u)φ′(v)] = 4a²b²·c/D^{3/2}, D = (1 + βq1)(1 + βq2) − β²c² = 1 + β(q1 + q2) + β²(q1q2 − c²), the last term
// without cancellation (determinant), so correlations near ±1 keep their digits. For b > 0 the expectation exists
// only while D > 0; beyond, the kernel is +∞ and the call an overflow error.
import { type ActivationUnit, type UnitLayer, activationLayer, determinant, outputScalePartials, varianceScalePartials } from './unit.js';

export const gaussianUnit: ActivationUnit<'gaussian'> = {
  name: 'gaussian',
  rule: 'closed',
  parameters: [
    ['a', 1],
    ['b', -1],
  ],
  phi: (p) => {
    const [a, b] = p;
    return (z) => a * Math.exp(b * z * z);
  },
  slope: (p) => {
    const [a, b] = p;
    return (z) => 2 * a * b * z * Math.exp(b * z * z);
  },
  dual: (p) => {
    const [a, b] = p;
    const beta = -2 * b;
    return (q1, q2, c) => {
      const d = 1 + beta * (q1 + q2) + beta * beta * determinant(q1, q2, c);
      if (!(d > 0)) return [Infinity, Infinity];
      const k = (a * a) / Math.sqrt(d);
      return [k, (beta * beta * c * k) / d];
    };
  },
  hyperparameters: ['a', 'b'],
  // b scales the covariances by β = −2b: λ′/λ = 1/b.
  parameterPartials:
    ([a, b]) =>
    (q1, q2, c, k, slope, partials, out) => {
      outputScalePartials(a, k, slope, 0, out, 0);
      varianceScalePartials(1 / b, q1, q2, c, slope, partials, out, 2);
    },
  // With β = −2b and D = 1 + β(q1 + q2) + β²(q1q2 − Σ²): K = a²/√D and K̇ = β²Σ·K/D, so ∂K/∂q1 = −K·∂₁D/(2D) with
  // ∂₁D = β + β²q2, ∂K̇/∂q1 = −(3/2)·K̇·∂₁D/D and ∂K̇/∂Σ = β²K/D + 3β²Σ·K̇/D.
  partials: ([, b]) => {
    const beta = -2 * b;
    return (q1, q2, c, k, slope, out) => {
      const d = 1 + beta * (q1 + q2) + beta * beta * determinant(q1, q2, c);
      const [d1, d2] = [beta + beta * beta * q2, beta + beta * beta * q1];
      out[0] = (-0.5 * k * d1) / d;
      out[1] = (-0.5 * k * d2) / d;
      out[2] = slope;
      out[3] = (-1.5 * slope * d1) / d;
      out[4] = (-1.5 * slope * d2) / d;
      out[5] = (beta * beta * (k + 3 * c * slope)) / d;
    };
  },
};

/** Options of {@link gaussian}: neural-tangents' parameters. */
export interface GaussianOptions {
  /** Output scale. Default 1. */
  a?: number;
  /** The exponent's factor: −1 by default; above 0 the function grows and its kernel exists only for small inputs. */
  b?: number;
}

/**
 * `a·exp(b·z²)` (neural-tangents' `Gaussian`), whose kernels have a closed form at any depth.
 *
 * @example
 * ```ts
 * const model = serial(dense(512, { wStd: 1.5 }), gaussian({ b: -0.5 }), dense(1));
 * ```
 */
export function gaussian(options: GaussianOptions = {}): UnitLayer<'gaussian'> {
  return activationLayer('gaussian', gaussianUnit, options);
}
