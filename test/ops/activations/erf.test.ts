// erf({ a, b, c }), a·erf(b·z) + c: at infinite width against neural-tangents' Erf kernel_fn re-implemented at
// 60 digits (test/fixtures/make_numerics.py, "erfs"); at finite width against φ and φ′ written out.
import { expect, it } from 'vitest';
import { activation, erf } from '../../../src/index.js';
import { erf as erfValue } from '../../../src/ops/activations/unit.js';
import { type ClosedFormCase, expectClosedForms, expectOneHiddenLayer } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { loadFixture } from '../../helpers/fixtures.js';

type ErfCase = ClosedFormCase & { a: number; b: number; c: number };
const { erfs } = await loadFixture<{ erfs: ErfCase[] }>('numerics');

describeEachBackend('erf', () => {
  it("matches 60-digit values of neural-tangents' Erf(a, b, c) to 1e-12: b from 0.01 to 10, shifts, inputs from 1e-6 to 30, correlations −1 … 1", () => {
    expect(erfs.length).toBeGreaterThan(40);
    expectClosedForms(
      erfs,
      (c) => erf({ a: c.a, b: c.b, c: c.c }),
      (c) => `erf(a=${c.a}, b=${c.b}, c=${c.c})`,
    );
  });

  it('computes a·erf(b·z) + c and its derivative at finite width', () => {
    const [a, b, c] = [1.7, 0.6, -0.4];
    expectOneHiddenLayer(
      erf({ a, b, c }),
      (h) => a * erfValue(b * h) + c,
      (h) => ((a * b * 2) / Math.sqrt(Math.PI)) * Math.exp(-b * b * h * h),
      'erf',
    );
  });

  it('keeps erf() the error function, and rejects bad parameters naming them', () => {
    expect(erf()).toEqual(erf({ a: 1, b: 1, c: 0 }));
    expect(activation('erf', { c: 0.5 })).toEqual(erf({ c: 0.5 }));
    expect(() => erf({ b: NaN })).toThrow(new TypeError('erf: b must be a number, got NaN'));
    expect(() => erf({ d: 1 } as never)).toThrow(/erf: unknown option 'd'/);
  });
});
