// repeat(layer, n): n applications in a row, each with its own parameters, equal to serial of n copies at both
// widths and in the weights' order; the checks.
import { expect, it } from 'vitest';
import { Matrix, Network, conv, dense, flatten, infinite, network, relu, repeat, serial, tanh } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectSameBits } from '../helpers/close.js';

const x = Matrix.from([
  [0.3, -1.2, 0.8],
  [1.1, 0.4, -0.5],
]);

describeEachBackend('repeat', () => {
  it('is serial of n copies: the same parameters for the same seed, outputs, and infinite-width kernels', () => {
    const block = serial(relu(), dense(5, { bStd: 0.1 }));
    const repeated = serial(dense(5), repeat(block, 3), tanh(), dense(1));
    const unrolled = serial(dense(5), block, block, block, tanh(), dense(1));
    const [a, b] = [repeated, unrolled].map((model) => network(model, { inputShape: [3], seed: 9 }));
    expectSameBits(a.params, b.params, 'parameters');
    expectSameBits(a.apply(x).data, b.apply(x).data, 'outputs');
    const [k1, k2] = [repeated, unrolled].map((model) => infinite(model, { inputShape: [3] }).kernels(x));
    expectSameBits(k1.ntk.data, k2.ntk.data, 'ntk');
    const weights = Array.from({ length: 5 }, (_, l) => ({
      W: new Array(l === 0 ? 3 * 5 : l === 4 ? 5 : 25).fill(0.1 * (l + 1)),
      b: new Array(l === 4 ? 1 : 5).fill(0),
    }));
    const [w1, w2] = [repeated, unrolled].map((model) => Network.fromWeights(model, { inputShape: [3], weights }).apply(x));
    expectSameBits(w1.data, w2.data, 'fromWeights');
  });

  it('refuses a layer that changes the shape, and a count that is not a positive integer', () => {
    expect(() => network(serial(dense(4), repeat(dense(3), 2), dense(1)), { inputShape: [3] })).toThrow(
      new RangeError('network: model.serial[1] (repeat) repeats a layer that changes its input [4] into [3]; a repeated layer must keep the shape'),
    );
    expect(() => infinite(serial(repeat(conv(2, [2]), 2), flatten(), dense(1)), { inputShape: [4, 2] })).toThrow(/changes its input \[4, 2\] into \[3, 2\]/);
    expect(() => repeat(dense(2), 0)).toThrow(new RangeError('repeat: n must be ≥ 1, got 0'));
    expect(() => repeat(dense(2), 1.5)).toThrow(new RangeError('repeat: n must be an integer, got 1.5'));
    expect(() => repeat(3 as never, 2)).toThrow(/repeat: argument 0 is not a layer/);
  });
});
