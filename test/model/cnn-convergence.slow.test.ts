// The empirical NTK of a random CNN tends to the analytic CNTK as the channels grow (both readouts: flatten,
// whose kernel keeps only same-position covariances, and globalAvgPool, which needs every pair of positions).
// Slow (wide convolutions, several networks per width): the 'slow' project (`npm run test:slow`).
import { expect, it } from 'vitest';
import { conv, dense, empiricalNtk, flatten, globalAvgPool, infinite, network, relu, serial, type Layer } from '../../src/index.js';
import { uniformMatrix } from '../../src/random.js';
import { describeEachBackend } from '../helpers/backends.js';

describeEachBackend('CNN width → ∞', () => {
  const x = uniformMatrix(5, 5 * 5 * 2, 9, -1, 1);
  const inputShape = [5, 5, 2];
  const cnn = (channels: number, readout: Layer) =>
    serial(conv(channels, [3, 3], { padding: 'SAME', bStd: 0.1 }), relu(), conv(channels, [2, 2], { bStd: 0.1 }), relu(), readout, dense(1, { bStd: 0.1 }));

  for (const [name, readout] of [
    ['flatten', flatten()],
    ['globalAvgPool', globalAvgPool()],
  ] as const) {
    it(`${name}: the error falls like channels^(−1/2) from 16 to 1024, to under 8%`, () => {
      const analytic = infinite(cnn(1, readout), { inputShape }).ntk(x);
      const relativeError = (m: { data: Float64Array }) =>
        Math.sqrt(m.data.reduce((s, v, i) => s + (v - analytic.data[i]) ** 2, 0) / analytic.data.reduce((s, v) => s + v * v, 0));
      const widths = [16, 64, 256, 1024];
      const seeds = [1, 2, 3, 4];
      const errors = widths.map((c) =>
        Math.sqrt(seeds.reduce((s, seed) => s + relativeError(empiricalNtk(network(cnn(c, readout), { inputShape, seed }), x)) ** 2, 0) / seeds.length),
      );
      console.log(`CNN ${name}: relative NTK error at ${widths.join(', ')} channels: ${errors.map((e) => e.toFixed(4)).join(', ')}`);
      const logW = widths.map(Math.log);
      const logE = errors.map(Math.log);
      const meanW = logW.reduce((s, v) => s + v, 0) / widths.length;
      const meanE = logE.reduce((s, v) => s + v, 0) / widths.length;
      const slope = logW.reduce((s, v, i) => s + (v - meanW) * (logE[i] - meanE), 0) / logW.reduce((s, v) => s + (v - meanW) ** 2, 0);
      expect(slope, `errors ${errors.map((e) => e.toFixed(4)).join(', ')}`).toBeGreaterThan(-0.7);
      expect(slope, `errors ${errors.map((e) => e.toFixed(4)).join(', ')}`).toBeLessThan(-0.3);
      // 64 times the channels: about 8 times closer.
      expect(errors[widths.length - 1], `errors ${errors.map((e) => e.toFixed(4)).join(', ')}`).toBeLessThan(errors[0] / 4);
      expect(errors[widths.length - 1]).toBeLessThan(0.08);
    });
  }
});
