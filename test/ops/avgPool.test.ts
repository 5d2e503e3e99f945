// sumPool and avgPool's normalizeEdges (src/ops/avgPool.ts): neural-tangents' SumPool is the window's size times its
// AvgPool (padded positions count as zeros in both), so at finite width the outputs scale by the size and at infinite
// width the kernels by its square; AvgPool(normalize_edges=True) means over the positions inside the input. Values
// against neural-tangents' rules are in test/model/conv.test.ts (test/fixtures/make_conv.py, make_conv_networks.py).
import { expect, it } from 'vitest';
import { avgPool, conv, dense, flatten, infinite, network, relu, serial, sumPool } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

const x = [
  [0.3, -1, 2, 0.5, 1.5, -0.7, 0.2, 1],
  [1, 0.5, -0.5, 2, 0, 1, -1, 0.4],
];

describeEachBackend('sumPool', () => {
  for (const [window, padding] of [
    [[3], 'SAME'],
    [[2], 'VALID'],
    [[3], 'CIRCULAR'],
  ] as const) {
    it(`is ${window[0]} times avgPool at finite width and ${window[0] ** 2} times at infinite width (${padding}, stride 2)`, () => {
      const model = (pool: typeof avgPool | typeof sumPool) =>
        serial(conv(3, [2], { padding: 'SAME' }), relu(), pool([...window], { strides: 2, padding }), flatten(), dense(2));
      const [summed, averaged] = [model(sumPool), model(avgPool)].map((m) => network(m, { inputShape: [4, 2], seed: 5 }).apply(x).data);
      expectClose(
        summed,
        averaged.map((v) => window[0] * v),
        1e-14,
        `apply [2, 4, 2]`,
      );
      const [kSum, kAvg] = [model(sumPool), model(avgPool)].map((m) => infinite(m, { inputShape: [4, 2] }).kernels(x));
      // Every later layer is linear in the pooled covariance, NNGP and NTK alike.
      expectClose(
        kSum.nngp.data,
        kAvg.nngp.data.map((v) => window[0] ** 2 * v),
        1e-14,
        'nngp 2 × 2',
      );
      expectClose(
        kSum.ntk.data,
        kAvg.ntk.data.map((v) => window[0] ** 2 * v),
        1e-14,
        'ntk 2 × 2',
      );
    });
  }

  it('checks its window and options as avgPool does, and names itself', () => {
    expect(() => sumPool([0])).toThrow(/^sumPool: window\[0\]/);
    expect(() => sumPool([2], { padding: 'FULL' as never })).toThrow(/^sumPool: padding/);
    expect(() => sumPool([2], { stride: 2 } as never)).toThrow(/^sumPool: unknown option/);
    expect(() => sumPool([2], { normalizeEdges: true } as never)).toThrow(/^sumPool: unknown option 'normalizeEdges'/);
    expect(() => infinite(serial(conv(2, [2]), sumPool([4]), flatten(), dense(1)), { inputShape: [4, 1] }).kernels([[1, 2, 3, 4]])).toThrow(/sumPool/);
  });
});

describeEachBackend('avgPool normalizeEdges', () => {
  it('averages a constant input to itself at every position, edges included (SAME, window 3, stride 2)', () => {
    const model = (normalizeEdges: boolean) => serial(avgPool([3], { strides: 2, padding: 'SAME', normalizeEdges }), flatten());
    const ones = [new Array(7).fill(2)];
    // Output positions read input windows [−1, 1], [1, 3], [3, 5], [5, 7]: the first and last have one padded tap.
    expectClose(network(model(true), { inputShape: [7, 1] }).apply(ones).data, [2, 2, 2, 2], 1e-15, 'apply [1, 4]');
    expectClose(network(model(false), { inputShape: [7, 1] }).apply(ones).data, [4 / 3, 2, 2, 4 / 3], 1e-15, 'apply [1, 4]');
    expect(() => avgPool([2], { normalizeEdges: 1 } as never)).toThrow(new TypeError('avgPool: normalizeEdges must be a boolean, got 1'));
  });
});
