// abRelu({ a, b }), a·min(z, 0) + b·max(z, 0): at infinite width against neural-tangents' ABRelu kernel_fn
// re-implemented at 60 digits (test/fixtures/make_numerics.py, "abRelus"); at finite width against relu, leaky relu
// and abs, which are its cases and are checked against PyTorch (test/fixtures/make_layer_networks.py).
import { expect, it } from 'vitest';
import { type Layer, abRelu, abs, dense, empiricalNtk, infinite, leakyRelu, network, relu, serial } from '../../../src/index.js';
import { uniformMatrix } from '../../../src/random.js';
import { type ClosedFormCase, expectClosedForms } from '../../helpers/activations.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { expectClose } from '../../helpers/close.js';
import { loadFixture } from '../../helpers/fixtures.js';

const { abRelus } = await loadFixture<{ abRelus: Required<ClosedFormCase>[] }>('numerics');

describeEachBackend('abRelu', () => {
  it("matches 60-digit values of neural-tangents' ABRelu to 1e-12: slopes from 1e-150 to 1e150, either sign, inputs from 1e-6 to 30, correlations −1 … 1", () => {
    expect(abRelus.length).toBeGreaterThan(100);
    // Where the kernel is 0 (relu's at opposite inputs), to 1e-12 of the output's scale.
    expectClosedForms(
      abRelus,
      (c) => abRelu({ a: c.a, b: c.b }),
      (c) => `abRelu(a=${c.a}, b=${c.b})`,
      () => 1e-12,
      (c) => Math.max(c.a ** 2, c.b ** 2) * 1.5 ** 4 * ((Math.hypot(...c.x) * Math.hypot(...c.z)) / 2),
    );
  });

  const finite = (activation: Layer) =>
    network(serial(dense(16, { wStd: 1.5 }), activation, dense(16), activation, dense(2, { bStd: 0 })), { inputShape: [3], seed: 4 });
  const x = uniformMatrix(7, 3, 5);

  it('is relu, leaky relu and abs at their slopes, at finite and infinite width', () => {
    for (const [a, b, same] of [
      [0, 1, relu()],
      [0.1, 1, leakyRelu(0.1)],
      [-1, 1, abs()],
    ] as const) {
      const label = `abRelu({ a: ${a}, b: ${b} })`;
      expectClose(finite(abRelu({ a, b })).apply(x).data, finite(same).apply(x).data, 1e-15, `${label} apply`);
      expectClose(empiricalNtk(finite(abRelu({ a, b })), x).data, empiricalNtk(finite(same), x).data, 1e-14, `${label} empirical NTK`);
      const model = (activation: Layer) =>
        infinite(serial(dense(8, { wStd: 1.5, bStd: 0.1 }), activation, dense(8), activation, dense(1)), { inputShape: [3] });
      const [mine, theirs] = [model(abRelu({ a, b })).kernels(x), model(same).kernels(x)];
      expectClose(mine.nngp.data, theirs.nngp.data, 1e-14, `${label} nngp`);
      expectClose(mine.ntk.data, theirs.ntk.data, 1e-14, `${label} ntk`);
    }
  });

  it('scales: abRelu({ a: 2a, b: 2b }) doubles the output of a network without readout bias, and |a| > |b| mirrors', () => {
    expectClose(
      finite(abRelu({ a: 0.2, b: 2 }))
        .apply(x)
        .data.map((v) => v / 4),
      finite(leakyRelu(0.1)).apply(x).data,
      1e-15,
      'two abRelu layers, each doubling',
    );
    // a·min(z, 0) + b·max(z, 0) at −z is −(b·min(z, 0) + a·max(z, 0)): the kernels of (a, b) are those of (b, a).
    const model = (a: number, b: number) => infinite(serial(dense(4, { wStd: 1.5, bStd: 0 }), abRelu({ a, b }), dense(1)), { inputShape: [3] }).kernels(x);
    const [ab, ba] = [model(3, -0.5), model(-0.5, 3)];
    expectClose(ab.nngp.data, ba.nngp.data, 1e-14, 'nngp of (3, −0.5) against (−0.5, 3)');
    expectClose(ab.ntk.data, ba.ntk.data, 1e-14, 'ntk of (3, −0.5) against (−0.5, 3)');
  });

  it('refuses missing, non-finite and unknown options, naming abRelu', () => {
    expect(() => abRelu({ a: 1 } as never)).toThrow(new TypeError('abRelu: b is required'));
    expect(() => abRelu(undefined as never)).toThrow(/abRelu: a is required/);
    expect(() => abRelu({ a: Number.NaN, b: 1 })).toThrow(new TypeError('abRelu: a must be a number, got NaN'));
    expect(() => abRelu({ a: 0, b: Infinity })).toThrow(new TypeError('abRelu: b must be finite, got Infinity'));
    expect(() => abRelu({ a: 0, b: 1, c: 2 } as never)).toThrow(/abRelu: unknown option 'c'/);
  });
});
