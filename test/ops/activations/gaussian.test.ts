// gaussian({ a, b }), a·exp(b·z²): at infinite width against neural-tangents' Gaussian kernel_fn re-implemented at
// 60 digits (test/fixtures/make_numerics.py, "gaussians"); at finite width against φ and φ′ written out here (a
// network of one hidden layer with given weights).
import { expect, it } from 'vitest';
import { Network, dense, empiricalNtk, gaussian, infinite, serial } from '../../../src/index.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { expectRelative } from '../../helpers/close.js';
import { loadFixture } from '../../helpers/fixtures.js';

interface GaussianCase {
  a: number;
  b: number;
  x: number[];
  z: number[];
  pair: string;
  nngp: number;
  ntk: number;
}
const { gaussians } = await loadFixture<{ gaussians: GaussianCase[] }>('numerics');
const layer = { wStd: 1.5, bStd: 0 };

describeEachBackend('gaussian', () => {
  it("matches 60-digit values of neural-tangents' Gaussian to 1e-12: b from −2 to 0.1, inputs from 1e-6 to 30, correlations −1 … 1", () => {
    expect(gaussians.length).toBeGreaterThan(40);
    for (const c of gaussians) {
      const k = infinite(serial(dense(8, layer), gaussian({ a: c.a, b: c.b }), dense(1, layer)), { inputShape: [2] }).kernels([c.x], [c.z]);
      const label = `gaussian(a=${c.a}, b=${c.b}) |x|=${Math.hypot(...c.x).toExponential(1)} ${c.pair}`;
      expectRelative(k.nngp.get(0, 0), c.nngp, 1e-12, `${label} nngp`);
      expectRelative(k.ntk.get(0, 0), c.ntk, 1e-12, `${label} ntk`);
    }
  });

  it('computes a·exp(b·z²) and its derivative at finite width (standard parameterization: the weights as given)', () => {
    const [a, b] = [1.3, -0.6];
    const standard = { parameterization: 'standard' as const };
    const w1 = [
      [1, 0.5],
      [-0.3, 2],
    ];
    const [b1, w2, b2] = [[0.1, -0.2], [0.7, -1.1], 0.05];
    const net = Network.fromWeights(serial(dense(2, standard), gaussian({ a, b }), dense(1, standard)), {
      inputShape: [2],
      weights: [
        { W: w1, b: b1 },
        { W: w2.map((v) => [v]), b: [b2] },
      ],
    });
    const x = [0.4, -0.9];
    const hidden = [0, 1].map((j) => x[0] * w1[0][j] + x[1] * w1[1][j] + b1[j]);
    const phi = (h: number) => a * Math.exp(b * h * h);
    const slope = (h: number) => 2 * a * b * h * Math.exp(b * h * h);
    expectRelative(
      net.apply([x]).get(0, 0),
      hidden.reduce((sum, h, j) => sum + phi(h) * w2[j], b2),
      1e-14,
      'apply',
    );
    // Σ of the squared derivatives in each parameter: φ(h_j) for W2, 1 for b2, w2_j·φ′(h_j)·(x, 1) for W1 and b1.
    const ntk = hidden.reduce((sum, h, j) => sum + phi(h) ** 2 + (w2[j] * slope(h)) ** 2 * (x[0] ** 2 + x[1] ** 2 + 1), 1);
    expectRelative(empiricalNtk(net, [x]).get(0, 0), ntk, 1e-14, 'empirical NTK');
  });

  it('reports a growing Gaussian whose kernel does not exist (b > 0, large inputs) as an error instead of a number', () => {
    const kernel = infinite(serial(dense(8, layer), gaussian({ b: 0.5 }), dense(1, layer)), { inputShape: [2] });
    expect(() => kernel.kernels([[3, 4]])).toThrow(/overflow/);
    expect(() => gaussian({ a: Infinity })).toThrow(new TypeError('gaussian: a must be finite, got Infinity'));
    expect(() => gaussian({ c: 1 } as never)).toThrow(/gaussian: unknown option 'c'/);
  });
});
