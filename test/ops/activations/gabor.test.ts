// gabor(), exp(−z²)·sin(z): at infinite width against neural-tangents' Gabor kernel_fn re-implemented at 60 digits
// (test/fixtures/make_numerics.py, "gabors"); at finite width against φ and φ′ written out.
import { expect, it } from 'vitest';
import { gabor } from '../../../src/index.js';
import { type ClosedFormCase, expectClosedForms, expectOneHiddenLayer } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { loadFixture } from '../../helpers/fixtures.js';

const { gabors } = await loadFixture<{ gabors: ClosedFormCase[] }>('numerics');

describeEachBackend('gabor', () => {
  it("matches 60-digit values of neural-tangents' Gabor to 1e-12: inputs from 1e-6 to 30, correlations −1 … 1", () => {
    expect(gabors.length).toBeGreaterThan(15);
    expectClosedForms(
      gabors,
      () => gabor(),
      () => 'gabor',
    );
  });

  it('computes exp(−z²)·sin(z) and its derivative at finite width', () => {
    expectOneHiddenLayer(
      gabor(),
      (h) => Math.exp(-h * h) * Math.sin(h),
      (h) => Math.exp(-h * h) * (Math.cos(h) - 2 * h * Math.sin(h)),
      'gabor',
    );
  });
});
