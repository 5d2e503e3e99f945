// The absolute value, |z|: ABReLU with a = −1.
import { abReluDual } from './abRelu.js';
import { type ActivationUnit, type UnitLayer, activationLayer, piecewiseLinearPartials } from './unit.js';

export const absUnit: ActivationUnit<'abs'> = {
  name: 'abs',
  rule: 'closed',
  parameters: [],
  phi: () => (z) => Math.abs(z),
  slope: () => (z) => (z > 0 ? 1 : z < 0 ? -1 : 0),
  dual: () => abReluDual(-1),
  partials: () => piecewiseLinearPartials(-1, 1),
};

/**
 * The absolute value, `|z|`.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), abs(), dense(1));
 * ```
 */
export function abs(): UnitLayer<'abs'> {
  return activationLayer('abs', absUnit, {});
}
