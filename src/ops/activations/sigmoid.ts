// The logistic sigmoid, 1/(1 + e^{−z}) = (1 + tanh(z/2))/2.
import { mixturePartials, mixtureSums } from './mixture.js';
import { type ActivationUnit, INV_2PI, INV_PI, type UnitLayer, activationLayer } from './unit.js';

/** tanh at a quarter of the covariances: K = (1 + K_tanh)/4 = (1/2π)·Σ w_i w_j (π/2 + atan(c/√D_ij)) (the weights sum to 1), K̇ = K̇_tanh/16. */
export const sigmoidUnit: ActivationUnit<'sigmoid'> = {
  name: 'sigmoid',
  rule: 'mixture',
  parameters: [],
  phi: () => (z) => 1 / (1 + Math.exp(-z)),
  slope: () => (z) => {
    const s = 1 / (1 + Math.exp(-z));
    return s * (1 - s);
  },
  dual: (_p, rule) => (q1, q2, c) => {
    const [k, slope] = mixtureSums(rule, true, 0.25 * q1, 0.25 * q2, 0.25 * c);
    return [INV_2PI * k, 0.125 * INV_PI * slope];
  },
  // K(q) = K̃(q/4)/(2π), K̇(q) = K̇̃(q/4)/(8π): each partial takes a quarter more.
  partials: (_p, rule) => (q1, q2, c, _k, _slope, out) => mixturePartials(rule, 0.25 * q1, 0.25 * q2, 0.25 * c, 0.25 * INV_2PI, 0.03125 * INV_PI, out),
};

/**
 * The logistic sigmoid, `1/(1 + e^{−z})`.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), sigmoid(), dense(1));
 * ```
 */
export function sigmoid(): UnitLayer<'sigmoid'> {
  return activationLayer('sigmoid', sigmoidUnit, {});
}
