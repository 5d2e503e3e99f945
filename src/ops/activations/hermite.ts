// Heₙ(z)/√n!, the probabilists' Hermite polynomial normalized to unit norm under N(0, 1) (neural-tangents'
// Hermite): for unit-variance inputs E[φ(u)φ(v)] = Σⁿ and E[φ′(u)φ′(v)] = n·Σ^{n−1} (Mehler), the map
// neural-tangents applies whatever the variances.
import { MAX_DEGREE } from './monomial.js';
import { type ActivationUnit, type UnitLayer, activationLayer } from './unit.js';

/** Heₙ(z) by its recurrence He_{k+1} = z·He_k − k·He_{k−1}. */
export function hermiteValue(n: number, z: number): number {
  if (n === 0) return 1;
  let [previous, current] = [1, z];
  for (let k = 1; k < n; k++) [previous, current] = [current, z * current - k * previous];
  return current;
}

/** √n!. */
const rootFactorial = (n: number) => {
  let f = 1;
  for (let i = 2; i <= n; i++) f *= i;
  return Math.sqrt(f);
};

export const hermiteUnit: ActivationUnit<'hermite'> = {
  name: 'hermite',
  rule: 'closed',
  parameters: [['degree', undefined, { integer: true, min: 0, max: MAX_DEGREE }]],
  phi: ([n]) => {
    const norm = rootFactorial(n);
    return (z) => hermiteValue(n, z) / norm;
  },
  // He′ₙ = n·He_{n−1}.
  slope: ([n]) => {
    const norm = rootFactorial(n);
    return (z) => (n === 0 ? 0 : (n * hermiteValue(n - 1, z)) / norm);
  },
  dual:
    ([n]) =>
    (_q1, _q2, c) => [c ** n, n === 0 ? 0 : n * c ** (n - 1)],
  // K = Σⁿ and K̇ = n·Σⁿ⁻¹ do not read the variances.
  partials:
    ([n]) =>
    (_q1, _q2, c, _k, slope, out) => {
      out.fill(0);
      out[2] = slope;
      out[5] = n < 2 ? 0 : n * (n - 1) * c ** (n - 2);
    },
};

/** Options of {@link hermite}. */
export interface HermiteOptions {
  /** The degree n, an integer from 0 to 64. Required. */
  degree: number;
}

/**
 * `Heₙ(z)/√n!` (neural-tangents' `Hermite`): the probabilists' Hermite polynomial of degree n, of unit norm under
 * a standard normal. Its kernel map, `Σ ↦ Σⁿ`, holds for pre-activations of unit variance (as in neural-tangents,
 * which assumes them: put {@link layerNorm} before it); for other variances it is not the kernel of the network.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), layerNorm(), hermite({ degree: 3 }), dense(1));
 * ```
 */
export function hermite(options: HermiteOptions): UnitLayer<'hermite'> {
  return activationLayer('hermite', hermiteUnit, options);
}
