// Explicit padding pairs of windowed layers (conv, avgPool, sumPool: src/ops/window.ts paddingOption, the output size in
// src/core/shapes.ts windowAxis): PyTorch autograd and the numpy kernels check them in test/model/conv.test.ts
// (the "padding [[…]]" cases of conv.json and conv-networks.json); here, their meaning as identities at both widths,
// and the checks.
import { expect, it } from 'vitest';
import { Matrix, avgPool, conv, dense, flatten, infinite, network, relu, serial, sumPool } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

// Three examples of 4 × 3 positions and 2 channels, channels last.
const images = Matrix.from(Array.from({ length: 3 }, (_, i) => Array.from({ length: 24 }, (_, j) => Math.sin(1.7 * i + 0.9 * j) + 0.1 * j)));

/** Examples of `height × width × channels` zero-padded by [top, bottom] and [left, right]. */
function padded(x: Matrix, [height, width, channels]: number[], [[top, bottom], [left, right]]: number[][]): Matrix {
  const [h, w] = [top + height + bottom, left + width + right];
  return Matrix.from(
    Array.from({ length: x.rows }, (_, i) => {
      const row = new Array<number>(h * w * channels).fill(0);
      for (let y = 0; y < height; y++) {
        for (let z = 0; z < width; z++) {
          for (let c = 0; c < channels; c++) row[((y + top) * w + z + left) * channels + c] = x.get(i, (y * width + z) * channels + c);
        }
      }
      return row;
    }),
  );
}

describeEachBackend('explicit padding', () => {
  const pairs: [number, number][] = [
    [1, 2],
    [0, 1],
  ];
  const head = () => [relu(), flatten(), dense(1, { bStd: 0.1 })];

  it('is a VALID window over the input with those zeros around it, at finite and infinite width', () => {
    const byPairs = serial(conv(3, [2, 2], { padding: pairs, bStd: 0.2 }), ...head());
    const byHand = serial(conv(3, [2, 2], { bStd: 0.2 }), ...head());
    const x = padded(images, [4, 3, 2], pairs);
    const a = network(byPairs, { inputShape: [4, 3, 2], seed: 3 });
    const b = network(byHand, { inputShape: [7, 4, 2], seed: 3 });
    expect(Array.from(b.params)).toEqual(Array.from(a.params));
    expectClose(a.apply(images), b.apply(x), 1e-14, 'apply');
    const infiniteA = infinite(byPairs, { inputShape: [4, 3, 2] }).kernels(images);
    const infiniteB = infinite(byHand, { inputShape: [7, 4, 2] }).kernels(x);
    expectClose(infiniteA.nngp, infiniteB.nngp, 1e-14, 'nngp');
    expectClose(infiniteA.ntk, infiniteB.ntk, 1e-14, 'ntk');
  });

  it("is 'SAME' when the pairs are SAME's: one before and after a 3-wide window", () => {
    for (const pool of [
      () =>
        avgPool([3, 3], {
          padding: [
            [1, 1],
            [1, 1],
          ],
        }),
      () =>
        sumPool([3, 1], {
          padding: [
            [1, 1],
            [0, 0],
          ],
        }),
    ]) {
      const same = <L extends { padding: unknown }>(layer: L) => ({ ...layer, padding: 'SAME' as const });
      const withPairs = serial(
        conv(3, [3, 3], {
          padding: [
            [1, 1],
            [1, 1],
          ],
          bStd: 0.1,
        }),
        relu(),
        pool(),
        flatten(),
        dense(1),
      );
      const withSame = serial(conv(3, [3, 3], { padding: 'SAME', bStd: 0.1 }), relu(), same(pool()), flatten(), dense(1));
      const [k1, k2] = [withPairs, withSame].map((model) => infinite(model, { inputShape: [4, 3, 2] }).kernels(images));
      expectClose(k1.nngp, k2.nngp, 1e-14, 'nngp');
      expectClose(k1.ntk, k2.ntk, 1e-14, 'ntk');
    }
  });

  it('checks the pairs, and refuses windows larger than the padded input or empty means, naming the layer and shapes', () => {
    expect(() => conv(3, [2, 2], { padding: [[1, 1]] })).toThrow(
      new TypeError("conv: padding must be 'VALID', 'SAME', 'CIRCULAR' or 2 pairs [before, after] (one per spatial axis), got [[1,1]]"),
    );
    expect(() => conv(3, [2], { padding: [[1, -1]] })).toThrow(new RangeError('conv: padding[0][1] must be ≥ 0, got -1'));
    expect(() => avgPool([2], { padding: [[0.5, 1]] })).toThrow(new RangeError('avgPool: padding[0][0] must be an integer, got 0.5'));
    expect(() => sumPool([2], { padding: [1, 1] as never })).toThrow(/sumPool: padding must be 'VALID', 'SAME', 'CIRCULAR' or 1 pairs/);
    expect(() => conv(3, [2], { padding: 'same' as never })).toThrow(/conv: padding must be one of 'VALID', 'SAME', 'CIRCULAR', got "same"/);
    expect(() => infinite(serial(conv(2, [6], { padding: [[1, 0]] }), flatten(), dense(1)), { inputShape: [4, 1] })).toThrow(
      new RangeError('infinite: model.serial[0] (conv) has a filter [6] larger than its input [4] padded by [[1,0]]'),
    );
    expect(() =>
      infinite(serial(conv(2, [2]), avgPool([2], { padding: [[2, 0]], normalizeEdges: true }), flatten(), dense(1)), { inputShape: [4, 1] }),
    ).toThrow(
      new RangeError(
        'infinite: model.serial[1] (avgPool) has normalizeEdges, but its window at output 0 along axis 0 lies in the padding [[2,0]] only (input [3, 2])',
      ),
    );
    expect(Object.isFrozen(conv(3, [2], { padding: [[1, 0]] }).padding[0])).toBe(true);
  });
});
