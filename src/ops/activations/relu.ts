// ReLU, max(z, 0): ABReLU with a = 0 (the arc-cosine kernel of degree 1; Cho and Saul 2009).
import { abReluDual } from './abRelu.js';
import { type ActivationUnit, type UnitLayer, activationLayer, piecewiseLinearPartials } from './unit.js';

export const reluUnit: ActivationUnit<'relu'> = {
  name: 'relu',
  rule: 'closed',
  parameters: [],
  phi: () => (z) => (z > 0 ? z : 0),
  slope: () => (z) => (z > 0 ? 1 : 0),
  dual: () => abReluDual(0),
  partials: () => piecewiseLinearPartials(0, 1),
};

/**
 * ReLU, `max(z, 0)`.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), relu(), dense(1));
 * ```
 */
export function relu(): UnitLayer<'relu'> {
  return activationLayer('relu', reluUnit, {});
}
