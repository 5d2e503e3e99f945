// globalSumPool (src/ops/globalAvgPool.ts): neural-tangents' GlobalSumPool is the number of positions times its
// GlobalAvgPool, so at finite width the outputs scale by the positions and at infinite width the kernels by their
// square. Values against neural-tangents' rule are in test/model/conv.test.ts (test/fixtures/make_conv.py).
import { expect, it } from 'vitest';
import { conv, dense, erf, globalAvgPool, globalSumPool, infinite, network, serial } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

const images = [Array.from({ length: 12 }, (_, i) => Math.sin(i)), Array.from({ length: 12 }, (_, i) => Math.cos(2 * i))];

describeEachBackend('globalSumPool', () => {
  it('is the positions (6) times globalAvgPool at finite width and their square at infinite width', () => {
    const model = (pool: typeof globalAvgPool | typeof globalSumPool) => serial(conv(3, [2, 2], { padding: 'SAME' }), erf(), pool(), dense(2));
    const [summed, averaged] = [model(globalSumPool), model(globalAvgPool)].map((m) => network(m, { inputShape: [2, 3, 2], seed: 7 }));
    expectClose(
      summed.apply(images).data,
      averaged.apply(images).data.map((v) => 6 * v),
      1e-14,
      'apply [2, 2, 3, 2]',
    );
    const [kSum, kAvg] = [model(globalSumPool), model(globalAvgPool)].map((m) => infinite(m, { inputShape: [2, 3, 2] }).kernels(images));
    expectClose(
      kSum.nngp.data,
      kAvg.nngp.data.map((v) => 36 * v),
      1e-14,
      'nngp 2 × 2',
    );
    expectClose(
      kSum.ntk.data,
      kAvg.ntk.data.map((v) => 36 * v),
      1e-14,
      'ntk 2 × 2',
    );
  });

  it('needs a spatial input, as globalAvgPool does', () => {
    expect(() => infinite(serial(dense(2), globalSumPool(), dense(1)), { inputShape: [3] })).toThrow(
      'infinite: model.serial[1] (globalSumPool) needs a spatial input but receives [2]',
    );
  });
});
