// The error function, erf(z) (Williams 1997): K = (2/π)·asin(2c/√((1 + 2q1)(1 + 2q2))).
import { type ActivationUnit, INV_PI, type UnitLayer, activationLayer, determinant, erf as erfValue } from './unit.js';

const TWO_OVER_SQRT_PI = 1.1283791670955126;

/**
 * K = (2/π)·atan2(2c, √D), K̇ = (4/π)/√D with D = (1 + 2q1)(1 + 2q2) − 4c² expanded as 1 + 2q1 + 2q2 + 4(q1q2 − c²),
 * a sum of non-negative terms (no cancellation at any scale).
 */
export const erfUnit: ActivationUnit<'erf'> = {
  name: 'erf',
  rule: 'closed',
  parameters: [],
  phi: () => erfValue,
  slope: () => (z) => TWO_OVER_SQRT_PI * Math.exp(-z * z),
  dual: () => (q1, q2, c) => {
    const d = 1 + 2 * q1 + 2 * q2 + 4 * determinant(q1, q2, c);
    const root = Math.sqrt(d);
    return [2 * INV_PI * Math.atan2(2 * c, root), (4 * INV_PI) / root];
  },
};

/**
 * The error function, `erf(z)`.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), erf(), dense(1));
 * ```
 */
export function erf(): UnitLayer<'erf'> {
  return activationLayer('erf', erfUnit, {});
}
