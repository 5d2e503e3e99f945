import { numberOption } from '../errors.js';
import { Matrix, type MatrixInput, requireNonEmpty, toMatrix } from '../matrix.js';

const MAX_FEATURE_ENTRIES = 2 ** 27;

function binomial(n: number, k: number): number {
  let result = 1;
  for (let i = 1; i <= k; i++) result = (result * (n - k + i)) / i;
  return Math.round(result);
}

/**
 * The explicit feature map of the polynomial kernel: φ(x)·φ(z) = (x·z + 1)^degree. By the
 * multinomial theorem each multi-index α with |α| ≤ degree gives the feature
 * √(degree! / (α₁!···α_d!·(degree − |α|)!)) · x^α, so a row of d inputs has C(d + degree, degree)
 * features, in graded order (the constant first, then degree 1, …).
 *
 * @example
 * ```ts
 * const phi = polynomialFeatures([[1, 2], [3, 4]], 2); // 2 × 6
 * // phi row 0 · phi row 1 = (1·3 + 2·4 + 1)² = 144
 * ```
 */
export function polynomialFeatures(x: MatrixInput, degree: number): Matrix {
  const fn = 'polynomialFeatures';
  const m = toMatrix(fn, 'x', x);
  requireNonEmpty(fn, 'x', m);
  numberOption(fn, 'degree', degree, undefined, { integer: true, min: 1 });
  const d = m.cols;
  const count = binomial(d + degree, degree);
  if (count * m.rows > MAX_FEATURE_ENTRIES) {
    throw new RangeError(
      `${fn}: ${m.rows} rows of dimension ${d} at degree ${degree} give ${count} features each, ` +
        `over ${MAX_FEATURE_ENTRIES} entries in all; use polynomialKernel instead`,
    );
  }
  const factorial = [1];
  for (let i = 1; i <= degree; i++) factorial.push(factorial[i - 1] * i);
  // Multi-indices by total degree, each with its multinomial coefficient.
  const indices: { exponents: number[]; coefficient: number }[] = [];
  const exponents = new Array<number>(d).fill(0);
  const walk = (position: number, remaining: number, total: number) => {
    if (position === d) {
      if (remaining !== 0) return;
      const denominator = exponents.reduce((product, e) => product * factorial[e], factorial[degree - total]);
      indices.push({ exponents: exponents.slice(), coefficient: Math.sqrt(factorial[degree] / denominator) });
      return;
    }
    for (let e = remaining; e >= 0; e--) {
      exponents[position] = e;
      walk(position + 1, remaining - e, total);
    }
    exponents[position] = 0;
  };
  for (let total = 0; total <= degree; total++) walk(0, total, total);
  const out = new Matrix(m.rows, count);
  for (let i = 0; i < m.rows; i++) {
    const row = m.data.subarray(i * d, (i + 1) * d);
    indices.forEach(({ exponents: alpha, coefficient }, f) => {
      let value = coefficient;
      for (let p = 0; p < d; p++) if (alpha[p] > 0) value *= row[p] ** alpha[p];
      out.data[i * count + f] = value;
    });
  }
  return out;
}
