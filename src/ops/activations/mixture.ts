// The kernels of tanh and sigmoid as sums over the scale-mixture rule (src/infinite/logistic.ts): tanh is a
// Gaussian scale mixture of erfs, whose expectations are closed forms.
import { type MixtureRule, determinant } from './unit.js';

/**
 * With D_ij = (q1q2 − c²) + s_i·q2 + s_j·(q1 + s_i), K = Σ w_i w_j atan(c/√D_ij) and K̇ = Σ w_i w_j /√D_ij. For
 * sigmoid (`shifted`), the terms are π/2 + atan(c/√D_ij), as atan(√D_ij/|c|) where c < 0 so that strongly
 * anti-correlated inputs, whose kernel is tiny, do not cancel.
 */
export function mixtureSums({ scales, weights }: MixtureRule, shifted: boolean, q1: number, q2: number, c: number): [k: number, slope: number] {
  const det = determinant(q1, q2, c);
  const reflect = shifted && c < 0;
  const inverseMagnitude = 1 / Math.abs(c);
  let k = 0;
  let slope = 0;
  for (let i = 0; i < scales.length; i++) {
    const base = det + scales[i] * q2;
    const across = q1 + scales[i];
    let innerK = 0;
    let innerSlope = 0;
    for (let j = 0; j < scales.length; j++) {
      const root = Math.sqrt(base + scales[j] * across);
      const inverseRoot = 1 / root;
      const angle = reflect ? Math.atan(root * inverseMagnitude) : Math.atan(c * inverseRoot) + (shifted ? 0.5 * Math.PI : 0);
      innerK += weights[j] * angle;
      innerSlope += weights[j] * inverseRoot;
    }
    k += weights[i] * innerK;
    slope += weights[i] * innerSlope;
  }
  return [k, slope];
}
