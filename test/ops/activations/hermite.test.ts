// hermite({ degree }), Heₙ(z)/√n!: at infinite width against neural-tangents' Hermite kernel_fn re-implemented at
// 60 digits (test/fixtures/make_numerics.py, "hermites"), a map that holds for unit-variance pre-activations; at
// finite width against the polynomials written out.
import { expect, it } from 'vitest';
import { hermite } from '../../../src/index.js';
import { type ClosedFormCase, expectClosedForms, expectOneHiddenLayer } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { loadFixture } from '../../helpers/fixtures.js';

type DegreeCase = ClosedFormCase & { degree: number };
const { hermites } = await loadFixture<{ hermites: DegreeCase[] }>('numerics');

// He₀ … He₄ written out, over √n!.
const POLYNOMIALS: [(z: number) => number, (z: number) => number][] = [
  [() => 1, () => 0],
  [(z) => z, () => 1],
  [(z) => (z * z - 1) / Math.SQRT2, (z) => (2 * z) / Math.SQRT2],
  [(z) => (z ** 3 - 3 * z) / Math.sqrt(6), (z) => (3 * z * z - 3) / Math.sqrt(6)],
  [(z) => (z ** 4 - 6 * z * z + 3) / Math.sqrt(24), (z) => (4 * z ** 3 - 12 * z) / Math.sqrt(24)],
];

describeEachBackend('hermite', () => {
  it("matches 60-digit values of neural-tangents' Hermite to 1e-12: degrees 0 to 5, inputs from 1e-6 to 30, correlations −1 … 1", () => {
    expect(hermites.length).toBeGreaterThan(60);
    expectClosedForms(
      hermites,
      (c) => hermite({ degree: c.degree }),
      (c) => `hermite(degree=${c.degree})`,
      () => 1e-12,
      (c) => (2.25 * (c.x[0] ** 2 + c.x[1] ** 2)) ** Math.max(c.degree, 1) / 2 ** Math.max(c.degree, 1),
    );
  });

  it('computes Heₙ(z)/√n! and its derivative at finite width', () => {
    for (const [degree, [phi, slope]] of POLYNOMIALS.entries()) expectOneHiddenLayer(hermite({ degree }), phi, slope, `hermite(${degree})`);
  });

  it('rejects a degree that is not a non-negative integer', () => {
    expect(() => hermite({ degree: 1.5 })).toThrow(new RangeError('hermite: degree must be an integer, got 1.5'));
    expect(() => hermite({ degree: -2 })).toThrow(RangeError);
  });
});
