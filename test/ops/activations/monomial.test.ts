// monomial({ degree }), zⁿ: at infinite width against neural-tangents' Monomial kernel_fn re-implemented at 60
// digits (test/fixtures/make_numerics.py, "monomials", degrees 0–5, and its moments by Isserlis' theorem beyond);
// at finite width against φ and φ′ written out.
import { expect, it } from 'vitest';
import { monomial } from '../../../src/index.js';
import { type ClosedFormCase, expectClosedForms, expectOneHiddenLayer } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { loadFixture } from '../../helpers/fixtures.js';

type DegreeCase = ClosedFormCase & { degree: number };
const { monomials } = await loadFixture<{ monomials: DegreeCase[] }>('numerics');

describeEachBackend('monomial', () => {
  it("matches 60-digit values of neural-tangents' Monomial to 1e-12: degrees 0 to 5, inputs from 1e-6 to 30, correlations −1 … 1", () => {
    expect(monomials.length).toBeGreaterThan(60);
    // Orthogonal inputs of odd degree: 0, to 1e-12 of the self kernel's scale.
    expectClosedForms(
      monomials,
      (c) => monomial({ degree: c.degree }),
      (c) => `monomial(degree=${c.degree})`,
      () => 1e-12,
      (c) => (2.25 * (c.x[0] ** 2 + c.x[1] ** 2)) ** c.degree / 2 ** c.degree,
    );
  });

  it('computes zⁿ and its derivative at finite width', () => {
    for (const degree of [0, 1, 3]) {
      expectOneHiddenLayer(
        monomial({ degree }),
        (h) => h ** degree,
        (h) => (degree === 0 ? 0 : degree * h ** (degree - 1)),
        `monomial(${degree})`,
      );
    }
  });

  it('rejects a degree that is not an integer from 0 to 64', () => {
    expect(() => monomial({ degree: 2.5 })).toThrow(new RangeError('monomial: degree must be an integer, got 2.5'));
    expect(() => monomial({ degree: -1 })).toThrow(new RangeError('monomial: degree must be ≥ 0, got -1'));
    expect(() => monomial({ degree: 65 })).toThrow(new RangeError('monomial: degree must be ≤ 64, got 65'));
    expect(() => monomial({} as never)).toThrow(new TypeError('monomial: degree is required'));
  });
});
