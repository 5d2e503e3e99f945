// neural-tangents' ExpNormalized, the "Gaussian normalized kernel" of Shankar et al. 2020 (Neural Kernels Without
// Tangents, p. 6): a kernel map with no function behind it, so infinite width only. With S = √max(q1q2, 1e-30) and
// ρ = Σ/S (clipped to [−1, 1] with doClip): K = S·e^{γ(ρ + shift)}, and Θ is multiplied by γ·e^{γ(ρ + shift)}.
import { type ActivationUnit, type UnitLayer, activationLayer } from './unit.js';

/** neural-tangents' floor under q1q2 before its square root. */
const PRODUCT_FLOOR = 1e-30;

export const expNormalizedUnit: ActivationUnit<'exp_normalized'> = {
  name: 'exp_normalized',
  rule: 'closed',
  parameters: [
    ['gamma', 1],
    ['shift', -1],
    ['doClip', 0, 'boolean'],
  ],
  dual:
    ([gamma, shift, doClip]) =>
    (q1, q2, c) => {
      const norm = Math.sqrt(Math.max(q1 * q2, PRODUCT_FLOOR));
      const ratio = doClip === 1 ? Math.min(1, Math.max(-1, c / norm)) : c / norm;
      const grown = Math.exp(gamma * (ratio + shift));
      return [norm * grown, gamma * grown];
    },
};

/** Options of {@link expNormalized}: neural-tangents' parameters. */
export interface ExpNormalizedOptions {
  /** The exponent's scale γ. Default 1. */
  gamma?: number;
  /** Added to the normalized covariance before exponentiating. Default −1. */
  shift?: number;
  /** Clip the normalized covariance to [−1, 1] (neural-tangents' `do_clip`). Default false. */
  doClip?: boolean;
}

/**
 * The normalized Gaussian kernel map (neural-tangents' `ExpNormalized`; Shankar et al. 2020): Σ ↦
 * √(q1q2)·exp(γ(Σ/√(q1q2) + shift)), an RBF kernel on the sphere scaled back by the norms. It has no function
 * behind it, so it is for {@link infinite} only: a finite network of it is a RangeError naming the layer.
 *
 * @example
 * ```ts
 * const kernel = infinite(serial(dense(1), expNormalized({ gamma: 2 }), dense(1)), { inputShape: [3] });
 * ```
 */
export function expNormalized(options: ExpNormalizedOptions = {}): UnitLayer<'exp_normalized'> {
  return activationLayer('expNormalized', expNormalizedUnit, options);
}
