// polynomial({ coef }), Σ coef[k]·zᵏ: at infinite width against neural-tangents' Polynomial kernel_fn re-implemented
// at 60 digits (test/fixtures/make_numerics.py, "polynomials"); at finite width against φ and φ′ written out.
import { expect, it } from 'vitest';
import { dense, infinite, monomial, polynomial, serial } from '../../../src/index.js';
import { type ClosedFormCase, expectClosedForms, expectOneHiddenLayer } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { expectRelative } from '../../helpers/close.js';
import { loadFixture } from '../../helpers/fixtures.js';

type PolynomialCase = ClosedFormCase & { coef: number[] };
const { polynomials } = await loadFixture<{ polynomials: PolynomialCase[] }>('numerics');

describeEachBackend('polynomial', () => {
  it("matches 60-digit values of neural-tangents' Polynomial to 1e-12: degrees 0 to 5 with either sign, inputs from 1e-6 to 30, correlations −1 … 1", () => {
    expect(polynomials.length).toBeGreaterThan(50);
    // Where the value is 0 (orthogonal inputs of an odd polynomial), to 1e-12 of the NTK of the same inputs with
    // every coefficient positive.
    const layer = { wStd: 1.5, bStd: 0 };
    expectClosedForms(
      polynomials,
      (c) => polynomial({ coef: c.coef }),
      (c) => `polynomial([${c.coef}])`,
      () => 1e-12,
      (c) =>
        infinite(serial(dense(8, layer), polynomial({ coef: c.coef.map(Math.abs) }), dense(1, layer)), { inputShape: [2] })
          .ntk([c.x])
          .get(0, 0),
    );
  });

  it('is monomial for one coefficient', () => {
    const x = [
      [0.3, -1.2],
      [2, 0.7],
    ];
    const model = (layer: ReturnType<typeof monomial>) => infinite(serial(dense(4, { bStd: 0.2 }), layer, dense(4), layer, dense(1)), { inputShape: [2] });
    const [a, b] = [model(polynomial({ coef: [0, 0, 0, 1] }) as never).kernels(x), model(monomial({ degree: 3 })).kernels(x)];
    for (let i = 0; i < 4; i++) expectRelative(a.ntk.data[i], b.ntk.data[i], 1e-13, `ntk[${i}] 2×2`);
  });

  it('computes Σ coef[k]·zᵏ and its derivative at finite width', () => {
    const coef = [0.5, -1, 2, 0.3];
    expectOneHiddenLayer(
      polynomial({ coef }),
      (h) => coef[0] + coef[1] * h + coef[2] * h * h + coef[3] * h ** 3,
      (h) => coef[1] + 2 * coef[2] * h + 3 * coef[3] * h * h,
      'polynomial',
    );
  });

  it('rejects coefficients that are not an array of at most 16 finite numbers', () => {
    expect(() => polynomial({ coef: new Array(17).fill(1) })).toThrow(new RangeError('polynomial: coef has 17 entries; at most 16 (degree 15) fit'));
    expect(() => polynomial({ coef: [1, NaN] })).toThrow(new TypeError('polynomial: coef[1] must be a number, got NaN'));
    expect(() => polynomial({ coef: 3 } as never)).toThrow(new TypeError('polynomial: coef must be an array of numbers, got number'));
    expect(() => polynomial({ coef: [1], degree: 2 } as never)).toThrow(/polynomial: unknown option 'degree'/);
  });
});
