// exp({ a, b }), a·exp(b·z): at infinite width against neural-tangents' Exp kernel_fn re-implemented at 60 digits
// (test/fixtures/make_numerics.py, "exps"); at finite width against φ and φ′ written out.
import { expect, it } from 'vitest';
import { dense, exp, infinite, serial } from '../../../src/index.js';
import { type ClosedFormCase, expectClosedForms, expectOneHiddenLayer } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { loadFixture } from '../../helpers/fixtures.js';

const { exps } = await loadFixture<{ exps: Required<ClosedFormCase>[] }>('numerics');

describeEachBackend('exp', () => {
  it("matches 60-digit values of neural-tangents' Exp to 1e-12: either sign of a and b, inputs from 1e-6 to 1, correlations −1 … 1", () => {
    expect(exps.length).toBeGreaterThan(40);
    expectClosedForms(
      exps,
      (c) => exp({ a: c.a, b: c.b }),
      (c) => `exp(a=${c.a}, b=${c.b})`,
    );
  });

  it('computes a·exp(b·z) and its derivative at finite width', () => {
    const [a, b] = [0.7, -1.3];
    expectOneHiddenLayer(
      exp({ a, b }),
      (h) => a * Math.exp(b * h),
      (h) => a * b * Math.exp(b * h),
      'exp',
    );
  });

  it('reports an overflowing kernel as an error instead of a number', () => {
    const layer = { wStd: 1.5, bStd: 0 };
    const kernel = infinite(serial(dense(8, layer), exp({ b: 2 }), dense(1, layer)), { inputShape: [2] });
    expect(() => kernel.kernels([[30, 40]])).toThrow(/overflow/);
    expect(() => exp({ b: Number.NaN })).toThrow(new TypeError('exp: b must be a number, got NaN'));
    expect(() => exp({ c: 1 } as never)).toThrow(/exp: unknown option 'c'/);
  });
});
