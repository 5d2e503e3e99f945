// rectifiedMonomial({ degree }), max(z, 0)ⁿ: at infinite width against neural-tangents' RectifiedMonomial
// kernel_fn re-implemented at 60 digits (test/fixtures/make_numerics.py, "rectifiedMonomials"); at finite width
// against φ and φ′ written out.
import { expect, it } from 'vitest';
import { dense, infinite, rectifiedMonomial, relu, serial } from '../../../src/index.js';
import { type ClosedFormCase, angleTolerance, expectClosedForms, expectOneHiddenLayer } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { loadFixture } from '../../helpers/fixtures.js';
import { expectRelative } from '../../helpers/close.js';

type DegreeCase = ClosedFormCase & { degree: number };
const { rectifiedMonomials } = await loadFixture<{ rectifiedMonomials: DegreeCase[] }>('numerics');

describeEachBackend('rectifiedMonomial', () => {
  it("matches 60-digit values of neural-tangents' RectifiedMonomial to 1e-12: degrees 0 to 5, inputs from 1e-6 to 30, correlations −1 … 1 and within 1e-14 of ±1", () => {
    expect(rectifiedMonomials.length).toBeGreaterThan(90);
    // Near ±1 the kernel turns on the angle between the inputs, whose rounding (a few ulps of c) moves it by
    // about ε/√(1 − ρ²) of its scale w²·(1 + n²)·qⁿ (the NNGP's and the NTK's terms); near −1 the kernel is far
    // below that scale and for n ≥ 2 the recurrence cancels as well: to angleTolerance of the scale there
    // (documented); elsewhere relative to 1e-12.
    const nearlyAligned = (c: DegreeCase) => c.pair.startsWith('nearly') || c.pair === 'opposite';
    expectClosedForms(
      rectifiedMonomials.filter((c) => !nearlyAligned(c)),
      (c) => rectifiedMonomial({ degree: c.degree }),
      (c) => `rectifiedMonomial(degree=${c.degree})`,
    );
    const layer = { wStd: 1.5, bStd: 0 };
    for (const c of rectifiedMonomials.filter(nearlyAligned)) {
      const k = infinite(serial(dense(8, layer), rectifiedMonomial({ degree: c.degree }), dense(1, layer)), { inputShape: [2] }).kernels([c.x], [c.z]);
      const scale = 2.25 * (1 + c.degree ** 2) * ((2.25 * (c.x[0] ** 2 + c.x[1] ** 2)) / 2) ** c.degree;
      const label = `rectifiedMonomial(degree=${c.degree}) ${c.pair} |x|=${Math.hypot(...c.x).toExponential(1)}`;
      for (const [actual, expected] of [
        [k.nngp.get(0, 0), c.nngp],
        [k.ntk.get(0, 0), c.ntk],
      ]) {
        expect(Number.isFinite(actual), `${label}: ${actual}`).toBe(true);
        expect(Math.abs(actual - expected), `${label}: ${actual} vs ${expected}`).toBeLessThanOrEqual(angleTolerance(c) * scale);
      }
    }
  });

  it('is relu at degree 1', () => {
    const x = [
      [0.3, -1.2],
      [2, 0.7],
      [-0.5, -0.1],
    ];
    const model = (layer: ReturnType<typeof relu>) => infinite(serial(dense(4, { bStd: 0.2 }), layer, dense(4), layer, dense(1)), { inputShape: [2] });
    const [a, b] = [model(rectifiedMonomial({ degree: 1 }) as never).kernels(x), model(relu()).kernels(x)];
    for (let i = 0; i < 9; i++) expectRelative(a.ntk.data[i], b.ntk.data[i], 1e-14, `ntk[${i}] 3×3`);
  });

  it('computes max(z, 0)ⁿ and its derivative at finite width', () => {
    for (const degree of [0, 2, 3]) {
      expectOneHiddenLayer(
        rectifiedMonomial({ degree }),
        (h) => (h >= 0 ? h ** degree : 0),
        (h) => (h > 0 && degree > 0 ? degree * h ** (degree - 1) : 0),
        `rectifiedMonomial(${degree})`,
      );
    }
  });

  it('rejects a degree that is not a non-negative integer', () => {
    expect(() => rectifiedMonomial({ degree: 0.5 })).toThrow(new RangeError('rectifiedMonomial: degree must be an integer, got 0.5'));
  });
});
