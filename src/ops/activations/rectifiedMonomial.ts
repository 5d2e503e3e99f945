// max(z, 0)ⁿ, as neural-tangents' RectifiedMonomial ((z ≥ 0)·zⁿ, so 1 at z = 0 for n = 0): the arc-cosine
// kernel of degree n (Cho and Saul 2009), Fₙ = E[φ(u)φ(v)] = (q1q2)^{n/2}·Jₙ(θ)/(2π). ReLU's dual map gives F₁ and
// F₀ = (π − θ)/(2π) accurately for every angle; then, with P = q1q2 and the mixed moments
// Hₖ = (q1q2)^{k/2}·E[σₖ(u)σₖ₊₂(v)]/(q1^{k/2}q2^{(k+2)/2}) (by the homogeneity of σₖ = max(z, 0)ᵏ in each input,
// Euler's relation and E[σ′σ′] = ∂/∂Σ):
//   Fₙ = (n − 1)·P·Hₙ₋₂ + n·Σ·Fₙ₋₁,  Hₖ = (k + 1)·Fₖ + k·Σ·Hₖ₋₁,  H₀ = F₀ + s·Σ/(2πP), s = √(q1q2 − Σ²),
// and E[φ′(u)φ′(v)] = n²·Fₙ₋₁. Near Σ = −√(q1q2) (opposite inputs) the terms of the recurrence cancel: for
// n ≥ 2 the error there is a few ulps of (q1q2)^{n/2}, not of the (much smaller) kernel; as E of a product of
// non-negative functions, each Fₖ is kept ≥ 0.
import { abReluDual } from './abRelu.js';
import { MAX_DEGREE } from './monomial.js';
import { type ActivationUnit, INV_2PI, type UnitLayer, activationLayer, determinant, homogeneousPartials, piecewiseLinearPartials } from './unit.js';

const relu = abReluDual(0);

/** Fₙ₋₁ and Fₙ (F₋₁ = 0). */
export function rectifiedMoments(n: number, q1: number, q2: number, c: number): [previous: number, current: number] {
  const [f1, f0] = relu(q1, q2, c);
  if (n === 0) return [0, f0];
  const product = q1 * q2;
  let h = f0 + (product === 0 ? 0 : (Math.sqrt(determinant(q1, q2, c)) * c * INV_2PI) / product);
  let [previous, current] = [f0, f1];
  for (let k = 2; k <= n; k++) {
    const next = Math.max(0, (k - 1) * product * h + k * c * current);
    // H for the next step: Hₖ₋₁ = k·Fₖ₋₁ + (k − 1)·Σ·Hₖ₋₂.
    h = k * current + (k - 1) * c * h;
    [previous, current] = [current, next];
  }
  return [previous, current];
}

export const rectifiedMonomialUnit: ActivationUnit<'rectified_monomial'> = {
  name: 'rectified_monomial',
  rule: 'closed',
  parameters: [['degree', undefined, { integer: true, min: 0, max: MAX_DEGREE }]],
  phi:
    ([n]) =>
    (z) =>
      z >= 0 ? z ** n : 0,
  slope:
    ([n]) =>
    (z) =>
      z > 0 && n > 0 ? n * z ** (n - 1) : 0,
  dual:
    ([n]) =>
    (q1, q2, c) => {
      const [previous, current] = rectifiedMoments(n, q1, q2, c);
      return [current, n * n * previous];
    },
  // Degree n. n ≥ 2: ∂K̇/∂Σ = n²(n − 1)²·E[max(u, 0)ⁿ⁻²·max(v, 0)ⁿ⁻²]; n = 1 is ReLU; n = 0, the step, has K = P(u > 0, v > 0)
  // with ∂K/∂Σ = 1/(2π√det) and a slope map of 0 (0 at a correlation of ±1).
  partials: ([n]) => {
    if (n === 1) return piecewiseLinearPartials(0, 1);
    return (q1, q2, c, k, slope, out) => {
      if (n >= 2) return homogeneousPartials(n, q1, q2, c, k, slope, slope, n * n * (n - 1) * (n - 1) * rectifiedMoments(n - 1, q1, q2, c)[0], out);
      const det = determinant(q1, q2, c);
      homogeneousPartials(0, q1, q2, c, k, det > 0 ? INV_2PI / Math.sqrt(det) : 0, 0, 0, out);
    };
  },
};

/** Options of {@link rectifiedMonomial}. */
export interface RectifiedMonomialOptions {
  /** The power n, an integer from 0 to 64. Required. */
  degree: number;
}

/**
 * `max(z, 0)ⁿ` (neural-tangents' `RectifiedMonomial`; n = 0 is the step function, n = 1 ReLU): the arc-cosine
 * kernels of Cho and Saul, in closed form at any depth.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), rectifiedMonomial({ degree: 2 }), dense(1));
 * ```
 */
export function rectifiedMonomial(options: RectifiedMonomialOptions): UnitLayer<'rectified_monomial'> {
  return activationLayer('rectifiedMonomial', rectifiedMonomialUnit, options);
}
