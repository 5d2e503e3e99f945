// neural-tangents' ExpNormalized, the "Gaussian normalized kernel" of Shankar et al. 2020 (Neural Kernels Without
// Tangents, p. 6): a kernel map with no function behind it, so infinite width only. With S = √max(q1q2, 1e-30) and
// ρ = Σ/S (clipped to [−1, 1] with doClip): K = S·e^{γ(ρ + shift)}, and Θ is multiplied by γ·e^{γ(ρ + shift)}.
import { type ActivationUnit, type UnitLayer, activationLayer, homogeneousPartials } from './unit.js';

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
  // K = N·e^{γ(ρ + shift)} with N = √(q1q2) is of degree 1 and K̇ = γ·e^{γ(ρ + shift)} of degree 0; ∂K̇/∂Σ = γ·K̇/N. A
  // clipped ρ does not move with Σ; below the floor of q1q2, N does not move with the variances.
  partials:
    ([gamma, , doClip]) =>
    (q1, q2, c, k, slope, out) => {
      const floored = q1 * q2 < PRODUCT_FLOOR;
      const norm = Math.sqrt(Math.max(q1 * q2, PRODUCT_FLOOR));
      const clipped = doClip === 1 && Math.abs(c) > norm;
      const kc = clipped ? 0 : slope;
      const sc = clipped ? 0 : (gamma * slope) / norm;
      if (!floored) return homogeneousPartials(1, q1, q2, c, k, kc, slope, sc, out);
      out.fill(0);
      out[2] = kc;
      out[5] = sc;
    },
  hyperparameters: ['gamma', 'shift'],
  // ∂/∂shift multiplies by γ; ∂/∂γ by (ρ + shift), and K̇ = γ·… adds K̇/γ.
  parameterPartials:
    ([gamma, shift, doClip]) =>
    (q1, q2, c, k, slope, _partials, out) => {
      const norm = Math.sqrt(Math.max(q1 * q2, PRODUCT_FLOOR));
      const ratio = doClip === 1 ? Math.min(1, Math.max(-1, c / norm)) : c / norm;
      out[0] = (ratio + shift) * k;
      out[1] = slope / gamma + (ratio + shift) * slope;
      out[2] = gamma * k;
      out[3] = gamma * slope;
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
