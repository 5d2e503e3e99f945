// a·cos(b·z + c) (neural-tangents' Cos): sin with the phase c + π/2, so that sin² and cos² of the phase swap.
import { SINUSOID_PARAMETERS, type SinusoidOptions, sinusoidDual, sinusoidParameterPartials, sinusoidPartials } from './sin.js';
import { type ActivationUnit, type UnitLayer, activationLayer } from './unit.js';

export const cosUnit: ActivationUnit<'cos'> = {
  name: 'cos',
  rule: 'closed',
  parameters: SINUSOID_PARAMETERS,
  phi:
    ([a, b, c]) =>
    (z) =>
      a * Math.cos(b * z + c),
  slope:
    ([a, b, c]) =>
    (z) =>
      -a * b * Math.sin(b * z + c),
  dual: ([a, b, c]) => sinusoidDual(a, b, Math.cos(c) ** 2, Math.sin(c) ** 2),
  partials: ([, b]) => sinusoidPartials(b),
  hyperparameters: ['a', 'b', 'c'],
  parameterPartials: ([a, b, c]) => sinusoidParameterPartials(a, b, c, -1),
};

/**
 * `a·cos(b·z + c)` (neural-tangents' `Cos`), whose kernels have a closed form at any depth.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), cos({ a: 2 }), dense(1));
 * ```
 */
export function cos(options: SinusoidOptions = {}): UnitLayer<'cos'> {
  return activationLayer('cos', cosUnit, options);
}
