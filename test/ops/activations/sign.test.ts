// sign(): at infinite width against neural-tangents' Sign kernel_fn re-implemented at 60 digits
// (test/fixtures/make_numerics.py, "signs"); at finite width against sign written out, with a zero gradient.
import { expect, it } from 'vitest';
import { sign } from '../../../src/index.js';
import { type ClosedFormCase, angleTolerance, expectClosedForms, expectOneHiddenLayer } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { loadFixture } from '../../helpers/fixtures.js';

const { signs } = await loadFixture<{ signs: ClosedFormCase[] }>('numerics');

describeEachBackend('sign', () => {
  it("matches 60-digit values of neural-tangents' Sign to 1e-12 (near ±1 to its conditioning): inputs from 1e-6 to 30, correlations −1 … 1 and within 1e-14 of ±1", () => {
    expect(signs.length).toBeGreaterThan(15);
    // asin is ill-conditioned near ±1 (angleTolerance). Orthogonal inputs: 0, to 1e-12 of the output scale w².
    expectClosedForms(
      signs,
      () => sign(),
      () => 'sign',
      angleTolerance,
      () => 2.25,
    );
  });

  it('computes sign(z) at finite width, and no gradient passes it', () => {
    expectOneHiddenLayer(sign(), Math.sign, () => 0, 'sign');
  });
});
