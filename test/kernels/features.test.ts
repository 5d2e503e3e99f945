import { expect, it } from 'vitest';
import { polynomialFeatures, polynomialKernel } from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

function binomial(n: number, k: number): number {
  let r = 1;
  for (let i = 1; i <= k; i++) r = (r * (n - k + i)) / i;
  return Math.round(r);
}

describeEachBackend('polynomialFeatures', () => {
  it.each([
    [1, 1],
    [2, 2],
    [3, 3],
    [4, 2],
    [5, 4],
  ])('d = %i, degree = %i: C(d + p, p) features with φ(x)·φ(z) = (x·z + 1)^p', (d, p) => {
    const x = uniformMatrix(6, d, d * 10 + p);
    const phi = polynomialFeatures(x, p);
    expect(phi.cols).toBe(binomial(d + p, p));
    const inner = new Float64Array(36);
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        let s = 0;
        for (let f = 0; f < phi.cols; f++) s += phi.get(i, f) * phi.get(j, f);
        inner[i * 6 + j] = s;
      }
    }
    expectClose(inner, polynomialKernel({ degree: p })(x).data, 1e-12, 'φ(x)·φ(z)', 'normwise');
  });

  it('by hand for d = 2, p = 2: [1, √2·x₁, √2·x₂, x₁², √2·x₁x₂, x₂²]', () => {
    const [a, b] = [3, 5];
    const phi = polynomialFeatures([[a, b]], 2);
    expect(phi.cols).toBe(6);
    // graded order: constant, then degree 1, then degree 2; within a degree the first input's power descends
    expectClose(phi.toArray()[0], [1, Math.SQRT2 * a, Math.SQRT2 * b, a * a, Math.SQRT2 * a * b, b * b], 1e-15);
  });

  it('rejects a non-integer degree and feature maps too large to build', () => {
    expect(() => polynomialFeatures([[1]], 1.5)).toThrow(/degree must be an integer/);
    expect(() => polynomialFeatures(uniformMatrix(10, 200, 1), 6)).toThrow(/use polynomialKernel instead/);
  });
});
