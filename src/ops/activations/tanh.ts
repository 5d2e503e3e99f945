// The hyperbolic tangent, as a Gaussian scale mixture of erfs (src/infinite/logistic.ts).
import { mixturePartials, mixtureSums } from './mixture.js';
import { type ActivationUnit, INV_PI, type UnitLayer, activationLayer } from './unit.js';

/** K = (2/π)·Σ w_i w_j atan(c/√D_ij), K̇ = (2/π)·Σ w_i w_j /√D_ij. */
export const tanhUnit: ActivationUnit<'tanh'> = {
  name: 'tanh',
  rule: 'mixture',
  parameters: [],
  phi: () => Math.tanh,
  slope: () => (z) => {
    const t = Math.tanh(z);
    return 1 - t * t;
  },
  dual: (_p, rule) => (q1, q2, c) => {
    const [k, slope] = mixtureSums(rule, false, q1, q2, c);
    return [2 * INV_PI * k, 2 * INV_PI * slope];
  },
  partials: (_p, rule) => (q1, q2, c, _k, _slope, out) => mixturePartials(rule, q1, q2, c, 2 * INV_PI, 2 * INV_PI, out),
};

/**
 * The hyperbolic tangent.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), tanh(), dense(1));
 * ```
 */
export function tanh(): UnitLayer<'tanh'> {
  return activationLayer('tanh', tanhUnit, {});
}
