// exp(−z²)·sin(z) (neural-tangents' Gabor): with S = q1 + q2, Δ = 4(q1q2 − Σ²) (exact, determinant) and
// D = 1 + 2S + Δ, K = e^{−(S + Δ + 2Σ)/(2D)}·(e^{2Σ/D} − 1)/(2√D) and
// K̇ = e^{−(S + Δ + 2Σ)/(2D)}·(L + e^{2Σ/D}·R)/(2D^{5/2}) with L, R = 1 + 2S + 4(Σ² + q1q2) ∓ 4Σ(Δ + 3S + 2);
// e^{2Σ/D} − 1 by expm1, so that small covariances keep their digits.
import { type ActivationUnit, type UnitLayer, activationLayer, determinant } from './unit.js';

/** The dual map of exp(−z²)·sin(z). */
function gaborDual(q1: number, q2: number, c: number): [number, number] {
  const sum = q1 + q2;
  const diff = 4 * determinant(q1, q2, c);
  const denominator = 1 + 2 * sum + diff;
  const left = Math.exp(-(sum + diff + 2 * c) / (2 * denominator));
  const grown = Math.expm1((2 * c) / denominator);
  const shared = 1 + 2 * sum + 4 * (c * c + q1 * q2);
  const term = 4 * c * (diff + 3 * sum + 2);
  const root = Math.sqrt(denominator);
  const k = (left * grown) / (2 * root);
  // L + e^{2Σ/D}·R = 2·shared + (e^{2Σ/D} − 1)·R.
  const slope = (left * (2 * shared + grown * (shared + term))) / (2 * denominator * denominator * root);
  return [k, slope];
}

/**
 * The partials of gaborDual's K and K̇ by the chain rule through its pieces (D, the exponent E of `left`, G = 2Σ/D of
 * `grown`, `shared`, `term`, √D), along q1, q2 and Σ in turn.
 */
function gaborPartials(q1: number, q2: number, c: number, k: number, slope: number, out: Float64Array): void {
  const sum = q1 + q2;
  const diff = 4 * determinant(q1, q2, c);
  const d = 1 + 2 * sum + diff;
  const exponent = sum + diff + 2 * c;
  const left = Math.exp(-exponent / (2 * d));
  const grown = Math.expm1((2 * c) / d);
  const shared = 1 + 2 * sum + 4 * (c * c + q1 * q2);
  const term = 4 * c * (diff + 3 * sum + 2);
  const root = Math.sqrt(d);
  const numerator = 2 * shared + grown * (shared + term);
  // The derivatives of sum, diff, Σ and q1q2 along each variable.
  const along = [
    [1, 4 * q2, 0, q2],
    [1, 4 * q1, 0, q1],
    [0, -8 * c, 1, 0],
  ];
  along.forEach(([dSum, dDiff, dC, dProduct], v) => {
    const dD = 2 * dSum + dDiff;
    const dLeft = left * (-(dSum + dDiff + 2 * dC) / (2 * d) + (exponent * dD) / (2 * d * d));
    const dGrown = (grown + 1) * ((2 * dC) / d - (2 * c * dD) / (d * d));
    const dShared = 2 * dSum + 4 * (2 * c * dC + dProduct);
    const dTerm = 4 * dC * (diff + 3 * sum + 2) + 4 * c * (dDiff + 3 * dSum);
    const dRoot = dD / (2 * root);
    const dNumerator = 2 * dShared + dGrown * (shared + term) + grown * (dShared + dTerm);
    out[v] = (dLeft * grown + left * dGrown) / (2 * root) - (k * dRoot) / root;
    out[v + 3] = (dLeft * numerator + left * dNumerator) / (2 * d * d * root) - slope * ((2 * dD) / d + dRoot / root);
  });
}

export const gaborUnit: ActivationUnit<'gabor'> = {
  name: 'gabor',
  rule: 'closed',
  parameters: [],
  phi: () => (z) => Math.exp(-z * z) * Math.sin(z),
  slope: () => (z) => Math.exp(-z * z) * (Math.cos(z) - 2 * z * Math.sin(z)),
  dual: () => gaborDual,
  partials: () => gaborPartials,
};

/**
 * `exp(−z²)·sin(z)` (neural-tangents' `Gabor`), whose kernels have a closed form at any depth.
 *
 * @example
 * ```ts
 * const model = serial(dense(512, { wStd: 1.5 }), gabor(), dense(1));
 * ```
 */
export function gabor(): UnitLayer<'gabor'> {
  return activationLayer('gabor', gaborUnit, {});
}
