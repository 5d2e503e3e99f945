// exp({ a, b }), a·exp(b·z): at infinite width against neural-tangents' Exp kernel_fn re-implemented at 60 digits
// (test/fixtures/make_numerics.py, "exps"); at finite width against φ and φ′ written out here (a network of one hidden
// layer with given weights).
import { expect, it } from 'vitest';
import { Network, dense, empiricalNtk, exp, infinite, serial } from '../../../src/index.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { expectRelative } from '../../helpers/close.js';
import { loadFixture } from '../../helpers/fixtures.js';

interface ExpCase {
  a: number;
  b: number;
  x: number[];
  z: number[];
  pair: string;
  nngp: number;
  ntk: number;
}
const { exps } = await loadFixture<{ exps: ExpCase[] }>('numerics');
const layer = { wStd: 1.5, bStd: 0 };

describeEachBackend('exp', () => {
  it("matches 60-digit values of neural-tangents' Exp to 1e-12: either sign of a and b, inputs from 1e-6 to 1, correlations −1 … 1", () => {
    expect(exps.length).toBeGreaterThan(40);
    for (const c of exps) {
      const k = infinite(serial(dense(8, layer), exp({ a: c.a, b: c.b }), dense(1, layer)), { inputShape: [2] }).kernels([c.x], [c.z]);
      const label = `exp(a=${c.a}, b=${c.b}) |x|=${Math.hypot(...c.x).toExponential(1)} ${c.pair}`;
      expectRelative(k.nngp.get(0, 0), c.nngp, 1e-12, `${label} nngp`);
      expectRelative(k.ntk.get(0, 0), c.ntk, 1e-12, `${label} ntk`);
    }
  });

  it('computes a·exp(b·z) and its derivative at finite width (standard parameterization: the weights as given)', () => {
    const [a, b] = [0.7, -1.3];
    const standard = { parameterization: 'standard' as const };
    const w1 = [
      [1, 0.5],
      [-0.3, 2],
    ];
    const [b1, w2, b2] = [[0.1, -0.2], [0.7, -1.1], 0.05];
    const net = Network.fromWeights(serial(dense(2, standard), exp({ a, b }), dense(1, standard)), {
      inputShape: [2],
      weights: [
        { W: w1, b: b1 },
        { W: w2.map((v) => [v]), b: [b2] },
      ],
    });
    const x = [0.4, -0.9];
    const hidden = [0, 1].map((j) => x[0] * w1[0][j] + x[1] * w1[1][j] + b1[j]);
    const expected = hidden.reduce((sum, h, j) => sum + a * Math.exp(b * h) * w2[j], b2);
    expectRelative(net.apply([x]).get(0, 0), expected, 1e-14, 'apply');
    // Σ of the squared derivatives in each parameter: φ(h_j) for W2, 1 for b2, w2_j·φ′(h_j)·(x, 1) for W1 and b1.
    const slope = (h: number) => a * b * Math.exp(b * h);
    const ntk = hidden.reduce((sum, h, j) => sum + (a * Math.exp(b * h)) ** 2 + (w2[j] * slope(h)) ** 2 * (x[0] ** 2 + x[1] ** 2 + 1), 1);
    expectRelative(empiricalNtk(net, [x]).get(0, 0), ntk, 1e-14, 'empirical NTK');
  });

  it('reports an overflowing kernel as an error instead of a number', () => {
    const kernel = infinite(serial(dense(8, layer), exp({ b: 2 }), dense(1, layer)), { inputShape: [2] });
    expect(() => kernel.kernels([[30, 40]])).toThrow(/overflow/);
    expect(() => exp({ b: Number.NaN })).toThrow(new TypeError('exp: b must be a number, got NaN'));
    expect(() => exp({ c: 1 } as never)).toThrow(/exp: unknown option 'c'/);
  });
});
