// fanInConcat (src/ops/fanInConcat.ts): neural-tangents' FanInConcat. Along the channels the branches' kernels average,
// weighted by their channel counts, and the result is not Gaussian; along a spatial axis each branch is a diagonal
// block. Values against neural-tangents' rules are in test/model/conv.test.ts and test/finite/network.test.ts
// (test/fixtures/make_conv.py, make_conv_networks.py, make_layer_networks.py); here the closed form on vectors and the
// checks.
import { expect, it } from 'vitest';
import { conv, dense, fanInConcat, fanOut, flatten, identity, infinite, network, parallel, relu, serial } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

const x = [
  [1, -0.5, 2],
  [0.3, 1.2, -1],
];

describeEachBackend('fanInConcat', () => {
  it('averages the branches kernels by their channel counts (3 and 5) on vectors, as neural-tangents', () => {
    const model = serial(
      fanOut(2),
      parallel(dense(3, { wStd: 1.3, bStd: 0.2 }), dense(5, { wStd: 0.7, bStd: 0.5 })),
      fanInConcat(),
      dense(1, { wStd: 1.1, bStd: 0.1 }),
    );
    const { nngp, ntk } = infinite(model, { inputShape: [3] }).kernels(x);
    const k0 = (i: number, j: number) => x[i].reduce((s, v, p) => s + v * x[j][p], 0) / 3;
    const expected = [0, 1].flatMap((i) =>
      [0, 1].map((j) => {
        const [a, b] = [1.3 ** 2 * k0(i, j) + 0.2 ** 2, 0.7 ** 2 * k0(i, j) + 0.5 ** 2];
        const sigma = (3 * a + 5 * b) / 8;
        const out = 1.1 ** 2 * sigma + 0.1 ** 2;
        return [out, out + 1.1 ** 2 * sigma];
      }),
    );
    expectClose(
      nngp.data,
      expected.map(([v]) => v),
      1e-14,
      'nngp 2 × 2',
    );
    expectClose(
      ntk.data,
      expected.map(([, v]) => v),
      1e-14,
      'ntk 2 × 2',
    );
  });

  it("concatenates at finite width: a branch's outputs keep their place", () => {
    const net = network(serial(fanOut(2), parallel(identity(), relu()), fanInConcat({ axis: 1 }), flatten(), dense(1, { bStd: 0.5 })), {
      inputShape: [3, 1],
      seed: 1,
    });
    const w = net.params.subarray(0, 6);
    const b = net.params[6];
    // dense 'ntk' reads the 6 concatenated positions: z = (1/√6)·h·W + 0.5·b.
    const expected = x.map((row) => 0.5 * b + [...row, ...row.map((v) => Math.max(v, 0))].reduce((s, v, p) => s + v * w[p], 0) / Math.sqrt(6));
    expectClose(net.apply(x).data, expected, 1e-14, 'apply [2, 6, 1] → [2, 1]');
  });

  it('checks its axis and its branches, and refuses what neural-tangents refuses at infinite width', () => {
    expect(() => fanInConcat({ axis: 0.5 })).toThrow(/^fanInConcat: axis must be an integer/);
    expect(() => fanInConcat({ axes: 1 } as never)).toThrow(/^fanInConcat: unknown option/);
    const pair = (axis: number, a = conv(2, [2], { padding: 'SAME' }), b = conv(3, [2], { padding: 'SAME' })) =>
      serial(fanOut(2), parallel(a, b), fanInConcat({ axis }), flatten(), dense(1));
    expect(() => infinite(pair(0), { inputShape: [4, 1] })).toThrow('infinite: model.serial[2] (fanInConcat) cannot concatenate along the batch axis (axis 0)');
    expect(() => infinite(pair(3), { inputShape: [4, 1] })).toThrow(
      'infinite: model.serial[2] (fanInConcat) has axis 3, outside the 3 axes of its inputs (batch first)',
    );
    expect(() => infinite(pair(1), { inputShape: [4, 1] })).toThrow(
      'infinite: model.serial[2] (fanInConcat) concatenates along axis 1 branches whose other axes differ: [4, 2], [4, 3]',
    );
    // Along the channels the result is a mixture, not a Gaussian: an activation needs an affine layer first.
    const activated = serial(fanOut(2), parallel(dense(2), dense(3)), fanInConcat(), relu(), dense(1));
    expect(() => infinite(activated, { inputShape: [3] })).toThrow(/fanInConcat|relu|Gaussian/);
    expect(network(activated, { inputShape: [3], seed: 0 }).apply(x).rows).toBe(2);
    // Along a spatial axis every branch must be Gaussian.
    expect(() =>
      infinite(serial(conv(2, [2]), fanOut(2), parallel(identity(), relu()), fanInConcat({ axis: 1 }), flatten(), dense(1)), { inputShape: [4, 1] }),
    ).toThrow(/Gaussian|relu/);
  });
});
