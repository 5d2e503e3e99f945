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

export const gaborUnit: ActivationUnit<'gabor'> = {
  name: 'gabor',
  rule: 'closed',
  parameters: [],
  phi: () => (z) => Math.exp(-z * z) * Math.sin(z),
  slope: () => (z) => Math.exp(-z * z) * (Math.cos(z) - 2 * z * Math.sin(z)),
  dual: () => gaborDual,
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
