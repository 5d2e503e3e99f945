// Leaky ReLU, max(z, 0) + leak·min(z, 0): ABReLU with a = leak.
import { abReluDual, slopePartials } from './abRelu.js';
import { type ActivationUnit, type UnitLayer, activationLayer, piecewiseLinearPartials } from './unit.js';

export const leakyReluUnit: ActivationUnit<'leaky_relu'> = {
  name: 'leaky_relu',
  rule: 'closed',
  parameters: [['leak', 0.01]],
  phi: (p) => {
    const leak = p[0];
    return (z) => (z > 0 ? z : leak * z);
  },
  slope: (p) => {
    const leak = p[0];
    return (z) => (z > 0 ? 1 : leak);
  },
  dual: (p) => abReluDual(p[0]),
  partials: (p) => piecewiseLinearPartials(p[0], 1),
  hyperparameters: ['leak'],
  parameterPartials: (p) => slopePartials(p[0], 1, 0, 'a'),
};

/**
 * Leaky ReLU, `max(z, 0) + leak·min(z, 0)`.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), leakyRelu(0.1), dense(1));
 * ```
 */
export function leakyRelu(leak = 0.01): UnitLayer<'leaky_relu'> {
  return activationLayer('leakyRelu', leakyReluUnit, { leak });
}
