import { expect, it } from 'vitest';
import { checkMercer, customKernel, gram, linearKernel, polynomialKernel, rbfKernel } from '../../src/index.js';
import { Random, uniformMatrix } from '../../src/random.js';
import { describeEachBackend } from '../helpers/backends.js';

/**
 * The empirical NTK of f(x) = vᵀ·relu(W·x)/√m, by its hand-derived gradients: ∂f/∂v = relu(Wx)/√m and
 * ∂f/∂W = (v ⊙ relu′(Wx))·xᵀ/√m. Independent of the library's network code.
 */
function twoLayerReluNtk(x: number[][], width: number, seed: number): number[][] {
  const random = new Random(seed);
  const d = x[0].length;
  const w = Array.from({ length: width }, () => Array.from({ length: d }, () => random.normal()));
  const v = Array.from({ length: width }, () => random.normal());
  const gradients = x.map((xi) => {
    const pre = w.map((row) => row.reduce((s, wij, j) => s + wij * xi[j], 0));
    const dv = pre.map((z) => Math.max(z, 0) / Math.sqrt(width));
    const dw = pre.flatMap((z, h) => xi.map((xj) => (z > 0 ? v[h] * xj : 0) / Math.sqrt(width)));
    return [...dv, ...dw];
  });
  return gradients.map((gi) => gradients.map((gj) => gi.reduce((s, a, p) => s + a * gj[p], 0)));
}

describeEachBackend('checkMercer', () => {
  const x = uniformMatrix(25, 3, 5, -2, 2);

  it.each([
    ['linear', linearKernel({ bias: 1 })],
    ['polynomial', polynomialKernel({ degree: 3 })],
    ['rbf', rbfKernel({ lengthscale: 0.8 })],
  ] as const)('%s Gram matrices are symmetric PSD', (_name, kernel) => {
    const report = checkMercer(kernel(x));
    expect(report.symmetric).toBe(true);
    expect(report.psd).toBe(true);
  });

  it('an empirical NTK Gram matrix (two-layer ReLU net) is symmetric PSD', () => {
    const report = checkMercer(twoLayerReluNtk(x.toArray(), 64, 9));
    expect(report).toMatchObject({ symmetric: true, psd: true });
  });

  it('−‖x − z‖ and tanh(x·z − 1) are not Mercer kernels: a negative eigenvalue shows it', () => {
    const distance = checkMercer(customKernel((a, b) => -Math.hypot(...a.map((ai, i) => ai - b[i])))(x));
    expect(distance.symmetric).toBe(true);
    expect(distance.psd).toBe(false);
    expect(distance.minEigenvalue).toBeLessThan(-1e-3);
    const sigmoid = checkMercer(customKernel((a, b) => Math.tanh(a.reduce((s, ai, i) => s + ai * b[i], 0) - 1))(x));
    expect(sigmoid.psd).toBe(false);
    expect(sigmoid.minEigenvalue).toBeLessThan(-1e-3);
  });

  it('an asymmetric matrix is neither symmetric nor PSD; the eigenvalue is of its symmetric part', () => {
    const report = checkMercer([
      [2, 1],
      [0, 2],
    ]);
    expect(report.symmetric).toBe(false);
    expect(report.psd).toBe(false);
    expect(report.minEigenvalue).toBeCloseTo(1.5, 12);
  });

  it('a rank-deficient Gram matrix is PSD within the tolerance', () => {
    const report = checkMercer(gram(uniformMatrix(30, 2, 6)));
    expect(report.psd).toBe(true);
    expect(Math.abs(report.minEigenvalue)).toBeLessThan(1e-12);
  });

  it('rejects non-square input and bad tolerances', () => {
    expect(() => checkMercer([[1, 2]])).toThrow(/k is 1x2; it must be square/);
    expect(() => checkMercer([[1]], { tol: -1 })).toThrow(/tol must be ≥ 0/);
  });
});
