// sign(): at infinite width against neural-tangents' Sign kernel_fn re-implemented at 60 digits
// (test/fixtures/make_numerics.py, "signs"); at finite width against sign written out here, with a zero gradient.
import { expect, it } from 'vitest';
import { Network, dense, empiricalNtk, infinite, serial, sign } from '../../../src/index.js';
import { describeEachBackend } from '../../helpers/backends.js';
import { expectRelative } from '../../helpers/close.js';
import { loadFixture } from '../../helpers/fixtures.js';

interface SignCase {
  x: number[];
  z: number[];
  pair: string;
  nngp: number;
  ntk: number;
}
const { signs } = await loadFixture<{ signs: SignCase[] }>('numerics');
const layer = { wStd: 1.5, bStd: 0 };

describeEachBackend('sign', () => {
  it("matches 60-digit values of neural-tangents' Sign to 1e-12 (near ±1 to its conditioning): inputs from 1e-6 to 30, correlations −1 … 1 and within 1e-14 of ±1", () => {
    expect(signs.length).toBeGreaterThan(15);
    for (const c of signs) {
      const k = infinite(serial(dense(8, layer), sign(), dense(1, layer)), { inputShape: [2] }).kernels([c.x], [c.z]);
      const label = `sign |x|=${Math.hypot(...c.x).toExponential(1)} ${c.pair}`;
      // asin is ill-conditioned near ±1: the inputs' rounding in the dense layer (a few ulps of c) moves the kernel
      // by ε/√(1 − ρ²), 7e-10 at 1 − ρ = 1e-14. Orthogonal inputs: 0, to 1e-12 of the output scale w².
      const rho = (c.x[0] * c.z[0] + c.x[1] * c.z[1]) / (Math.hypot(...c.x) * Math.hypot(...c.z));
      // Exactly ±1 (z = ±x) is exact: the determinant of the same products is 0.
      const tol = 1e-12 + (Math.abs(rho) < 1 ? (4 * Number.EPSILON) / Math.sqrt(1 - rho * rho) : 0);
      expectRelative(k.nngp.get(0, 0), c.nngp, tol, `${label} nngp`, 2.25);
      expectRelative(k.ntk.get(0, 0), c.ntk, tol, `${label} ntk`, 2.25);
    }
  });

  it('computes sign(z) at finite width, and no gradient passes it', () => {
    const standard = { parameterization: 'standard' as const };
    const w1 = [
      [1, 0.5],
      [-0.3, 2],
    ];
    const [b1, w2, b2] = [[0.1, -0.2], [0.7, -1.1], 0.05];
    const net = Network.fromWeights(serial(dense(2, standard), sign(), dense(1, standard)), {
      inputShape: [2],
      weights: [
        { W: w1, b: b1 },
        { W: w2.map((v) => [v]), b: [b2] },
      ],
    });
    const x = [0.4, -0.9];
    const signs = [0, 1].map((j) => Math.sign(x[0] * w1[0][j] + x[1] * w1[1][j] + b1[j]));
    expect(net.apply([x]).get(0, 0)).toBe(signs.reduce((sum, s, j) => sum + s * w2[j], b2));
    // Only the readout's parameters move the output: Σ sign(h_j)² + 1.
    expectRelative(
      empiricalNtk(net, [x]).get(0, 0),
      signs.reduce((sum, s) => sum + s * s, 1),
      1e-15,
      'empirical NTK',
    );
  });
});
