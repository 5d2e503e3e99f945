// √2·sin(√(2γ)·z + π/4) (neural-tangents' Rbf): its NNGP is the squared-exponential kernel of the pre-activations,
// exp(−γ·(q1 + q2 − 2Σ)), and its derivative's 2γ times that.
import { type ActivationUnit, type UnitLayer, activationLayer, varianceScalePartials } from './unit.js';

export const rbfUnit: ActivationUnit<'rbf'> = {
  name: 'rbf',
  rule: 'closed',
  parameters: [['gamma', 1, { above: 0 }]],
  phi:
    ([gamma]) =>
    (z) =>
      Math.SQRT2 * Math.sin(Math.sqrt(2 * gamma) * z + Math.PI / 4),
  slope:
    ([gamma]) =>
    (z) =>
      2 * Math.sqrt(gamma) * Math.cos(Math.sqrt(2 * gamma) * z + Math.PI / 4),
  dual:
    ([gamma]) =>
    (q1, q2, c) => {
      const k = Math.exp(-gamma * (q1 + q2 - 2 * c));
      return [k, 2 * gamma * k];
    },
  hyperparameters: ['gamma'],
  // γ scales the covariances (λ = γ, K̇ = 2γ·K).
  parameterPartials:
    ([gamma]) =>
    (q1, q2, c, _k, slope, partials, out) =>
      varianceScalePartials(1 / gamma, q1, q2, c, slope, partials, out, 0),
  // K = e^{−γ(q1 + q2 − 2Σ)} and K̇ = 2γ·K: −γ (in q) or 2γ (in Σ) times itself.
  partials:
    ([gamma]) =>
    (_q1, _q2, _c, k, slope, out) => {
      out[0] = out[1] = -gamma * k;
      out[2] = slope;
      out[3] = out[4] = -gamma * slope;
      out[5] = 2 * gamma * slope;
    },
};

/** Options of {@link rbf}: neural-tangents' parameter. */
export interface RbfOptions {
  /** γ = 1/(2ℓ²) for a lengthscale ℓ of the pre-activations. Default 1; must be positive. */
  gamma?: number;
}

/**
 * `√2·sin(√(2γ)·z + π/4)` (neural-tangents' `Rbf`), the activation whose NNGP is the squared-exponential kernel
 * `exp(−γ·‖h − h′‖²)` of the pre-activations (per channel, in the mean-field normalization).
 *
 * @example
 * ```ts
 * const model = serial(dense(512), rbf({ gamma: 0.5 }), dense(1));
 * ```
 */
export function rbf(options: RbfOptions = {}): UnitLayer<'rbf'> {
  return activationLayer('rbf', rbfUnit, options);
}
