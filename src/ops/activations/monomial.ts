// z^n (neural-tangents' Monomial, which stops at n = 5; here any n up to MAX_DEGREE): by Isserlis' theorem
// E[uⁿvⁿ] = Σₖ aₙₖ·Σ^{n−2k}·(q1q2)^k with aₙₖ = n!²/(k!²·(n−2k)!·4^k), and E[φ′(u)φ′(v)] = n²·E[u^{n−1}v^{n−1}].
import { type ActivationUnit, type UnitLayer, activationLayer, homogeneousPartials } from './unit.js';

/** The largest degree: beyond it the coefficients (up to n!) and the kernels overflow for unit inputs. */
export const MAX_DEGREE = 64;

/**
 * E[uⁿvⁿ] for (u, v) ~ N(0, [[q1, c], [c, q2]]): Horner's scheme in c² over the terms aₙₖ·(q1q2)^k (a ratio of
 * consecutive coefficients, (n − 2k)(n − 2k − 1)/(4(k + 1)²), builds them), times c for odd n. No division by c.
 */
export function monomialMoment(n: number, q1: number, q2: number, c: number): number {
  if (n < 0) return 0;
  const product = q1 * q2;
  const c2 = c * c;
  let coefficient = 1;
  for (let i = 2; i <= n; i++) coefficient *= i; // aₙ₀ = n!
  let power = 1;
  let sum = 0;
  for (let k = 0; 2 * k <= n; k++) {
    sum = sum * c2 + coefficient * power;
    coefficient *= ((n - 2 * k) * (n - 2 * k - 1)) / (4 * (k + 1) * (k + 1));
    power *= product;
  }
  return n % 2 === 1 ? sum * c : sum;
}

export const monomialUnit: ActivationUnit<'monomial'> = {
  name: 'monomial',
  rule: 'closed',
  parameters: [['degree', undefined, { integer: true, min: 0, max: MAX_DEGREE }]],
  phi:
    ([n]) =>
    (z) =>
      z ** n,
  slope:
    ([n]) =>
    (z) =>
      n === 0 ? 0 : n * z ** (n - 1),
  dual:
    ([n]) =>
    (q1, q2, c) => [monomialMoment(n, q1, q2, c), n * n * monomialMoment(n - 1, q1, q2, c)],
  // Degree n; ∂K̇/∂Σ = E[φ″φ″] = n²(n − 1)²·E[uⁿ⁻²vⁿ⁻²].
  partials:
    ([n]) =>
    (q1, q2, c, k, slope, out) =>
      homogeneousPartials(n, q1, q2, c, k, slope, slope, n * n * (n - 1) * (n - 1) * monomialMoment(n - 2, q1, q2, c), out),
};

/** Options of {@link monomial}. */
export interface MonomialOptions {
  /** The power n, an integer from 0 to 64. Required. */
  degree: number;
}

/**
 * `zⁿ` (neural-tangents' `Monomial`, there for n ≤ 5), whose kernels have a closed form at any depth.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), monomial({ degree: 3 }), dense(1));
 * ```
 */
export function monomial(options: MonomialOptions): UnitLayer<'monomial'> {
  return activationLayer('monomial', monomialUnit, options);
}
