// sign(z) (neural-tangents' Sign): E[sign(u)sign(v)] = (2/π)·asin(c/√(q1q2)) = (2/π)·atan2(c, s), s = √(q1q2 − c²)
// without cancellation (determinant), which keeps correlations near ±1 and near 0 accurate (0 where q1q2 = 0, as
// neural-tangents fills it); φ′ = 0 wherever it exists, so the NTK restarts after it.
import { type ActivationUnit, INV_PI, type UnitLayer, activationLayer, determinant, homogeneousPartials } from './unit.js';

export const signUnit: ActivationUnit<'sign'> = {
  name: 'sign',
  rule: 'closed',
  parameters: [],
  phi: () => (z) => Math.sign(z),
  slope: () => () => 0,
  dual: () => (q1, q2, c) => [2 * INV_PI * Math.atan2(c, Math.sqrt(determinant(q1, q2, c))), 0],
  // K = (2/π)·asin(ρ) has ∂K/∂Σ = (2/π)/√det (its slope map is 0 by convention, not E[φ′φ′]), and being of degree 0,
  // ∂K/∂q1 = −Σ·∂K/∂Σ/(2q1); 0 at a correlation of ±1, which every hyperparameter keeps.
  partials: () => (q1, q2, c, k, _slope, out) => {
    const det = determinant(q1, q2, c);
    homogeneousPartials(0, q1, q2, c, k, det > 0 ? (2 * INV_PI) / Math.sqrt(det) : 0, 0, 0, out);
  },
};

/**
 * `sign(z)` (neural-tangents' `Sign`), −1, 0 or 1. Its derivative is 0 wherever it exists, so gradients do not
 * pass it: the NTK counts only the layers after it.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), sign(), dense(1));
 * ```
 */
export function sign(): UnitLayer<'sign'> {
  return activationLayer('sign', signUnit, {});
}
