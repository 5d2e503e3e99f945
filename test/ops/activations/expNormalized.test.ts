// expNormalized({ gamma, shift, doClip }): at infinite width against neural-tangents' ExpNormalized kernel_fn
// re-implemented at 60 digits (test/fixtures/make_numerics.py, "expNormalizeds"); a kernel map with no function,
// so a finite network of it is an error naming the layer.
import { expect, it } from 'vitest';
import { activation, dense, expNormalized, infinite, mlp, network, serial } from '../../../src/index.js';
import { type ClosedFormCase, expectClosedForms } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { expectRelative } from '../../helpers/close.js';
import { loadFixture } from '../../helpers/fixtures.js';

type ExpNormalizedCase = ClosedFormCase & { gamma: number; shift: number; clip: boolean };
const { expNormalizeds } = await loadFixture<{ expNormalizeds: ExpNormalizedCase[] }>('numerics');

describeEachBackend('expNormalized', () => {
  it("matches 60-digit values of neural-tangents' ExpNormalized to 1e-12: γ from 0.5 to 10, with and without clipping, inputs from 1e-6 to 30, correlations −1 … 1", () => {
    expect(expNormalizeds.length).toBeGreaterThan(40);
    // The NTK of opposite inputs at γ = 1, shift = −1 is exactly 0 (W²·(K + Σ·γ·e^{γ(ρ + shift)}) with ρ = −1): to
    // 1e-12 of the NNGP of the input with itself, w²·q.
    expectClosedForms(
      expNormalizeds,
      (c) => expNormalized({ gamma: c.gamma, shift: c.shift, doClip: c.clip }),
      (c) => `expNormalized(gamma=${c.gamma}, shift=${c.shift}, doClip=${c.clip})`,
      () => 1e-12,
      (c) => (2.25 ** 2 * (c.x[0] ** 2 + c.x[1] ** 2)) / 2,
    );
  });

  it('is, at depth 2, the map applied to the kernel of the layer below (any depth)', () => {
    const [gamma, shift] = [1.5, -0.5];
    const x = [
      [0.3, -1.2],
      [2, 0.7],
    ];
    const below = infinite(serial(dense(4, { wStd: 1.2, bStd: 0.3 }), expNormalized({ gamma, shift }), dense(4, { wStd: 0.9 })), { inputShape: [2] }).kernels(
      x,
    );
    const top = infinite(
      serial(dense(4, { wStd: 1.2, bStd: 0.3 }), expNormalized({ gamma, shift }), dense(4, { wStd: 0.9 }), expNormalized({ gamma, shift }), dense(1)),
      {
        inputShape: [2],
      },
    ).kernels(x);
    const [q1, q2, c] = [below.nngp.get(0, 0), below.nngp.get(1, 1), below.nngp.get(0, 1)];
    const norm = Math.sqrt(q1 * q2);
    const grown = Math.exp(gamma * (c / norm + shift));
    expectRelative(top.nngp.get(0, 1), norm * grown, 1e-14, 'nngp[0][1] 2×2');
    expectRelative(top.ntk.get(0, 1), norm * grown + below.ntk.get(0, 1) * gamma * grown, 1e-14, 'ntk[0][1] 2×2');
  });

  it('is for infinite width only: a finite network of it is an error naming the layer; bad options are errors', () => {
    const model = serial(dense(4), expNormalized(), dense(1));
    expect(() => network(model, { inputShape: [2] })).toThrow(
      new RangeError('network: model.serial[1] (activation) is a kernel map with no function behind it, for infinite width only (infinite())'),
    );
    expect(() => mlp({ inputDim: 2, widths: [4], activation: 'exp_normalized' })).toThrow(/kernel map with no function behind it/);
    expect(activation('exp_normalized', { doClip: true })).toEqual(expNormalized({ doClip: true }));
    expect(() => expNormalized({ doClip: 1 } as never)).toThrow(new TypeError('expNormalized: doClip must be a boolean, got 1'));
    expect(() => expNormalized({ gamma: Infinity })).toThrow(new TypeError('expNormalized: gamma must be finite, got Infinity'));
  });
});
