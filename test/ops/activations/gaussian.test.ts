// gaussian({ a, b }), a·exp(b·z²): at infinite width against neural-tangents' Gaussian kernel_fn re-implemented at
// 60 digits (test/fixtures/make_numerics.py, "gaussians"); at finite width against φ and φ′ written out.
import { expect, it } from 'vitest';
import { dense, gaussian, infinite, serial } from '../../../src/index.js';
import { type ClosedFormCase, expectClosedForms, expectOneHiddenLayer } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { loadFixture } from '../../helpers/fixtures.js';

const { gaussians } = await loadFixture<{ gaussians: Required<ClosedFormCase>[] }>('numerics');

describeEachBackend('gaussian', () => {
  it("matches 60-digit values of neural-tangents' Gaussian to 1e-12: b from −2 to 0.1, inputs from 1e-6 to 30, correlations −1 … 1", () => {
    expect(gaussians.length).toBeGreaterThan(40);
    expectClosedForms(
      gaussians,
      (c) => gaussian({ a: c.a, b: c.b }),
      (c) => `gaussian(a=${c.a}, b=${c.b})`,
    );
  });

  it('computes a·exp(b·z²) and its derivative at finite width', () => {
    const [a, b] = [1.3, -0.6];
    expectOneHiddenLayer(
      gaussian({ a, b }),
      (h) => a * Math.exp(b * h * h),
      (h) => 2 * a * b * h * Math.exp(b * h * h),
      'gaussian',
    );
  });

  it('reports a growing Gaussian whose kernel does not exist (b > 0, large inputs) as an error instead of a number', () => {
    const layer = { wStd: 1.5, bStd: 0 };
    const kernel = infinite(serial(dense(8, layer), gaussian({ b: 0.5 }), dense(1, layer)), { inputShape: [2] });
    expect(() => kernel.kernels([[3, 4]])).toThrow(/overflow/);
    expect(() => gaussian({ a: Infinity })).toThrow(new TypeError('gaussian: a must be finite, got Infinity'));
    expect(() => gaussian({ c: 1 } as never)).toThrow(/gaussian: unknown option 'c'/);
  });
});
