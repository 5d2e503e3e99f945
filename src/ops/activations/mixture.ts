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

/**
 * The partials of the mixture sums, scaled by `kScale` (K's) and `slopeScale` (K̇'s), into `out` as DualPartials. Per
 * pair (i, j), with D + c² = (q1 + s_i)(q2 + s_j): ∂atan(c/√D)/∂q1 = −c/(2√D(q1 + s_i)), ∂(1/√D)/∂c = c/D^{3/2} and
 * ∂(1/√D)/∂q1 = −(q2 + s_j)/(2D^{3/2}); the shift of sigmoid's terms is constant. D ≥ s_i·s_j > 0: finite everywhere.
 */
export function mixturePartials(
  { scales, weights }: MixtureRule,
  q1: number,
  q2: number,
  c: number,
  kScale: number,
  slopeScale: number,
  out: Float64Array,
): void {
  const det = determinant(q1, q2, c);
  let [kq1, kq2, kc, sq1, sq2, sc] = [0, 0, 0, 0, 0, 0];
  for (let i = 0; i < scales.length; i++) {
    const across1 = q1 + scales[i];
    for (let j = 0; j < scales.length; j++) {
      const across2 = q2 + scales[j];
      const d = det + scales[i] * q2 + scales[j] * across1;
      const inverseRoot = 1 / Math.sqrt(d);
      const weight = weights[i] * weights[j];
      const cubed = weight * inverseRoot * inverseRoot * inverseRoot;
      const half = -0.5 * c * weight * inverseRoot;
      kq1 += half / across1;
      kq2 += half / across2;
      kc += weight * inverseRoot;
      sq1 -= 0.5 * across2 * cubed;
      sq2 -= 0.5 * across1 * cubed;
      sc += c * cubed;
    }
  }
  out[0] = kScale * kq1;
  out[1] = kScale * kq2;
  out[2] = kScale * kc;
  out[3] = slopeScale * sq1;
  out[4] = slopeScale * sq2;
  out[5] = slopeScale * sc;
}
