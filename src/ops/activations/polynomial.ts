// Σₖ coef[k]·zᵏ (neural-tangents' Polynomial): with φ(√q·z) = Σₗ rₗ(q)·Heₗ(z)/√l! (Hermite coefficients
// rₗ(q) = q^{l/2}·sₗ(q), sₗ(q) = Σᵢ coef[2i + l]·(2i + l)!/(2ⁱ·i!·√l!)·qⁱ) and Mehler's formula,
// E[φ(u)φ(v)] = Σₗ Σˡ·sₗ(q1)·sₗ(q2) and E[φ′(u)φ′(v)] = Σₗ l·Σˡ⁻¹·sₗ(q1)·sₗ(q2): neural-tangents'
// Σₗ rₗ(q1)rₗ(q2)·ρˡ with ρ = Σ/√(q1q2) written without dividing by √(q1q2) (0 for a zero input).
import { ACTIVATION_PARAMETERS } from '../../core/layout.js';
import { checkOptions, numberOption } from '../../errors.js';
import { type ActivationUnit, type UnitLayer, activationLayer } from './unit.js';

/** The most coefficients a polynomial may have: the attribute slots of an activation (degree 15). */
export const MAX_COEFFICIENTS = ACTIVATION_PARAMETERS;

const names = Array.from({ length: MAX_COEFFICIENTS }, (_, k) => `coef${k}`);

/** sₗ's coefficients: hermiteSeries(coef)[l][i] multiplies qⁱ. */
function hermiteSeries(coef: Float64Array): number[][] {
  return Array.from({ length: coef.length }, (_, l) => {
    const terms: number[] = [];
    // (2i + l)!/(2ⁱ·i!·√l!): √l! at i = 0, then × (2i + l + 1)(2i + l + 2)/(2(i + 1)).
    let factor = 1;
    for (let k = 2; k <= l; k++) factor *= k;
    factor = Math.sqrt(factor);
    for (let i = 0; 2 * i + l < coef.length; i++) {
      terms.push(coef[2 * i + l] * factor);
      factor *= ((2 * i + l + 1) * (2 * i + l + 2)) / (2 * (i + 1));
    }
    return terms;
  });
}

/** Σᵢ terms[i]·qⁱ. */
function series(terms: number[], q: number): number {
  let sum = 0;
  for (let i = terms.length - 1; i >= 0; i--) sum = sum * q + terms[i];
  return sum;
}

/** The coefficients up to the last that is not 0 (the attribute slots hold all MAX_COEFFICIENTS). */
function used(coef: Float64Array): Float64Array {
  let length = coef.length;
  while (length > 0 && coef[length - 1] === 0) length--;
  return coef.subarray(0, length);
}

export const polynomialUnit: ActivationUnit<'polynomial'> = {
  name: 'polynomial',
  rule: 'closed',
  parameters: names.map((name) => [name, 0] as const),
  phi: (coef) => {
    const terms = Array.from(used(coef));
    return (z) => series(terms, z);
  },
  slope: (coef) => {
    const derivative = Array.from(used(coef).subarray(1), (v, k) => (k + 1) * v);
    return (z) => series(derivative, z);
  },
  dual: (coef) => {
    const table = hermiteSeries(used(coef));
    return (q1, q2, c) => {
      // Horner in Σ from the highest l down, both sums at once.
      let k = 0;
      let slope = 0;
      for (let l = table.length - 1; l >= 0; l--) {
        const weight = series(table[l], q1) * series(table[l], q2);
        slope = slope * c + k;
        k = k * c + weight;
      }
      return [k, slope];
    };
  },
  // K = Σₗ Σˡ·sₗ(q1)·sₗ(q2): its q-partials take sₗ′, its Σ-partials differentiate Σˡ (Horner's scheme carrying the
  // first and second derivatives in Σ).
  partials: (coef) => {
    const table = hermiteSeries(used(coef));
    const derivatives = table.map((terms) => terms.slice(1).map((v, i) => (i + 1) * v));
    return (q1, q2, c, _k, _slope, out) => {
      const sums = new Float64Array(7); // K, K̇, ∂K̇/∂Σ, ∂K/∂q1, ∂K̇/∂q1, ∂K/∂q2, ∂K̇/∂q2
      for (let l = table.length - 1; l >= 0; l--) {
        const [s1, s2] = [series(table[l], q1), series(table[l], q2)];
        const [d1, d2] = [series(derivatives[l], q1), series(derivatives[l], q2)];
        sums[2] = sums[2] * c + 2 * sums[1];
        sums[1] = sums[1] * c + sums[0];
        sums[0] = sums[0] * c + s1 * s2;
        sums[4] = sums[4] * c + sums[3];
        sums[3] = sums[3] * c + d1 * s2;
        sums[6] = sums[6] * c + sums[5];
        sums[5] = sums[5] * c + s1 * d2;
      }
      out[0] = sums[3];
      out[1] = sums[5];
      out[2] = sums[1];
      out[3] = sums[4];
      out[4] = sums[6];
      out[5] = sums[2];
    };
  },
  // The coefficients up to the last that is not 0, each a hyperparameter held as itself.
  hyperparameters: names,
  hyperparametersOf: (coef) => names.slice(0, used(coef).length),
  // coef[k] enters sₗ for l ≤ k of k's parity, as (2i + l)!/(2ⁱ·i!·√l!)·qⁱ with k = 2i + l: ∂K/∂coef[k] = Σₗ Σˡ·that
  // ·(q1ⁱ·sₗ(q2) + sₗ(q1)·q2ⁱ), ∂K̇/∂coef[k] the same with l·Σˡ⁻¹.
  parameterPartials: (coef) => {
    const n = used(coef).length;
    const table = hermiteSeries(used(coef));
    const factors = hermiteSeries(new Float64Array(n).fill(1));
    return (q1, q2, c, _k, _slope, _partials, out) => {
      out.fill(0);
      let power = 1; // Σˡ
      let slopePower = 0; // l·Σˡ⁻¹
      for (let l = 0; l < n; l++) {
        const [s1, s2] = [series(table[l], q1), series(table[l], q2)];
        let [power1, power2] = [1, 1];
        for (let i = 0; 2 * i + l < n; i++) {
          const along = factors[l][i] * (power1 * s2 + s1 * power2);
          out[2 * (2 * i + l)] += power * along;
          out[2 * (2 * i + l) + 1] += slopePower * along;
          power1 *= q1;
          power2 *= q2;
        }
        slopePower = (l + 1) * power;
        power *= c;
      }
    };
  },
};

/** Options of {@link polynomial}. */
export interface PolynomialOptions {
  /** The coefficients, of z⁰ first (numpy's `Polynomial` order), at most 16 (degree 15). Required. */
  coef: readonly number[];
}

/**
 * `coef[0] + coef[1]·z + … + coef[n]·zⁿ` (neural-tangents' `Polynomial`), whose kernels have a closed form at
 * any depth (Mehler's formula on its Hermite expansion).
 *
 * @example
 * ```ts
 * const model = serial(dense(512), polynomial({ coef: [0, 1, 0.5] }), dense(1)); // z + z²/2
 * ```
 */
export function polynomial(options: PolynomialOptions): UnitLayer<'polynomial'> {
  const fn = 'polynomial';
  const { coef } = checkOptions(fn, options, ['coef']);
  if (!Array.isArray(coef)) throw new TypeError(`${fn}: coef must be an array of numbers, got ${coef === undefined ? 'undefined' : typeof coef}`);
  if (coef.length > MAX_COEFFICIENTS) {
    throw new RangeError(`${fn}: coef has ${coef.length} entries; at most ${MAX_COEFFICIENTS} (degree ${MAX_COEFFICIENTS - 1}) fit`);
  }
  const values = coef.map((v, k) => numberOption(fn, `coef[${k}]`, v, undefined));
  return activationLayer(fn, polynomialUnit, Object.fromEntries(values.map((v, k) => [names[k], v])));
}
