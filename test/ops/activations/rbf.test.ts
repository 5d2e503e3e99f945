// rbf({ gamma }), √2·sin(√(2γ)·z + π/4): at infinite width against neural-tangents' Rbf kernel_fn re-implemented at
// 60 digits (test/fixtures/make_numerics.py, "rbfActivations"); at finite width against φ and φ′ written out.
import { expect, it } from 'vitest';
import { rbf } from '../../../src/index.js';
import { type ClosedFormCase, expectClosedForms, expectOneHiddenLayer } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { loadFixture } from '../../helpers/fixtures.js';

type RbfCase = ClosedFormCase & { gamma: number };
const { rbfActivations } = await loadFixture<{ rbfActivations: RbfCase[] }>('numerics');

describeEachBackend('rbf', () => {
  it("matches 60-digit values of neural-tangents' Rbf to 1e-12: γ from 0.1 to 3, inputs from 1e-6 to 4, correlations −1 … 1", () => {
    expect(rbfActivations.length).toBeGreaterThan(30);
    // exp(−γ·(q1 + q2 − 2Σ)) carries the rounding of q1 + q2 − 2Σ, relative ε·γ(q1 + q2) (as neural-tangents').
    expectClosedForms(
      rbfActivations,
      (c) => rbf({ gamma: c.gamma }),
      (c) => `rbf(gamma=${c.gamma})`,
      (c) => 1e-12 + 8 * Number.EPSILON * c.gamma * 2.25 * (c.x[0] ** 2 + c.x[1] ** 2),
    );
  });

  it('computes √2·sin(√(2γ)·z + π/4) and its derivative at finite width', () => {
    const gamma = 0.8;
    const w = Math.sqrt(2 * gamma);
    expectOneHiddenLayer(
      rbf({ gamma }),
      (h) => Math.SQRT2 * Math.sin(w * h + Math.PI / 4),
      (h) => Math.SQRT2 * w * Math.cos(w * h + Math.PI / 4),
      'rbf',
    );
  });

  it('rejects a γ that is not positive', () => {
    expect(() => rbf({ gamma: 0 })).toThrow(new RangeError('rbf: gamma must be > 0, got 0'));
    expect(() => rbf({ gamma: -1 })).toThrow(RangeError);
  });
});
