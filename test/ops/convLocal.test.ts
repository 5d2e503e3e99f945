// convLocal (src/ops/dense.ts, the dense op with an unshared window): with every position's weights equal it is the
// convolution; its parameters and their layout (neural-tangents' [oh][ow][c·taps][out], then [oh][ow][out]); its
// gradient against central differences; its same-position kernels are the convolution's; bad weights refused. Values against neural-tangents' ConvLocal
// rules and PyTorch are in test/model/conv.test.ts (test/fixtures/make_conv.py, make_conv_networks.py).
import { expect, it } from 'vitest';
import { Network, conv, convLocal, dense, flatten, infinite, network, relu, serial } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

const inputShape = [4, 3, 2];
const x = [0, 1, 2].map((i) => Array.from({ length: 24 }, (_, j) => Math.sin(1 + 3 * i + 0.7 * j)));
const [filter, channels, out] = [[2, 2], 2, 3];
const options = { strides: [1, 2], padding: 'SAME' as const, wStd: 1.3, bStd: 0.2 };
// Output 4 × 2 positions; a filter's rows: channels × taps.
const [positions, rows] = [8, 8];

describeEachBackend('convLocal', () => {
  it('is the convolution when every position has the same weights and bias (the rows reordered channel-major)', () => {
    const shared = network(serial(conv(out, filter, options), relu(), flatten(), dense(1)), { inputShape, seed: 4 });
    const [w, b, w2, b2] = [
      shared.params.slice(0, rows * out),
      shared.params.slice(rows * out, rows * out + out),
      shared.params.slice(rows * out + out, -1),
      shared.params.slice(-1),
    ];
    // HWIO rows (tap, channel) → convLocal's (channel, tap).
    const local = Array.from({ length: rows * out }, (_, e) => {
      const [row, o] = [Math.floor(e / out), e % out];
      const [channel, tap] = [Math.floor(row / 4), row % 4];
      return w[(tap * channels + channel) * out + o];
    });
    const net = Network.fromWeights(serial(convLocal(out, filter, options), relu(), flatten(), dense(1)), {
      inputShape,
      weights: [
        { W: Array.from({ length: positions }, () => local).flat(), b: Array.from({ length: positions }, () => Array.from(b)).flat() },
        { W: w2, b: b2 },
      ],
    });
    expect(net.numParams).toBe(positions * (rows * out + out) + w2.length + 1);
    expectClose(net.apply(x).data, shared.apply(x).data, 1e-14, `apply [3, 4, 3, 2]`);
  });

  it("takes neural-tangents' nested layout and names a wrong shape", () => {
    const model = serial(convLocal(out, filter, options), flatten(), dense(1));
    const nested = Array.from({ length: 4 }, (_, i) =>
      Array.from({ length: 2 }, (_, j) => Array.from({ length: rows }, (_, r) => Array.from({ length: out }, (_, o) => Math.cos(i + 2 * j + 3 * r + o)))),
    );
    const biases = Array.from({ length: 4 }, (_, i) => Array.from({ length: 2 }, (_, j) => Array.from({ length: out }, (_, o) => 0.1 * (i - j + o))));
    const readout = { W: new Array(positions * out).fill(0.5) };
    const net = Network.fromWeights(model, {
      inputShape,
      weights: [
        { W: nested, b: biases },
        { ...readout, b: [0] },
      ],
    });
    const flat = Network.fromWeights(model, {
      inputShape,
      weights: [
        { W: nested.flat(3), b: biases.flat(2) },
        { ...readout, b: [0] },
      ],
    });
    expect(Array.from(net.params)).toEqual(Array.from(flat.params));
    expect(() =>
      Network.fromWeights(model, {
        inputShape,
        weights: [
          { W: nested.slice(1), b: biases },
          { ...readout, b: [0] },
        ],
      }),
    ).toThrow(/weights\[0\]\.W is 3x2x8x3 but convLocal layer 0 needs 4x2x8x3/);
    expect(() =>
      Network.fromWeights(model, {
        inputShape,
        weights: [
          { W: nested, b: [1, 2, 3] },
          { ...readout, b: [0] },
        ],
      }),
    ).toThrow(/weights\[0\]\.b has 3 entries but convLocal layer 0 has 24 biases \(4x2x3\)/);
  });

  it("has its central differences' gradient, and the convolution's same-position kernels", () => {
    const model = serial(convLocal(2, [2, 2], { padding: 'CIRCULAR', bStd: 0.3 }), relu(), flatten(), dense(1));
    const net = network(model, { inputShape, seed: 9 });
    const y = [[0.5], [-1], [0.25]];
    const loss = (params: Float64Array) => {
      const f = net.apply(x, params).data;
      return f.reduce((sum, v, i) => sum + (v - y[i][0]) ** 2, 0) / 6;
    };
    const jacobian = net.jacobian(x);
    const gradient = new Float64Array(net.numParams);
    const f = net.apply(x).data;
    for (let i = 0; i < 3; i++) for (let p = 0; p < net.numParams; p++) gradient[p] += ((f[i] - y[i][0]) / 3) * jacobian.get(i, p);
    const step = 1e-5;
    const differences = Float64Array.from(gradient, (_, p) => {
      const [up, down] = [net.params.slice(), net.params.slice()];
      up[p] += step;
      down[p] -= step;
      return (loss(up) - loss(down)) / (2 * step);
    });
    expectClose(gradient, differences, 1e-7, `gradient of ${net.numParams} parameters`, 'normwise');
    // Its same-position kernels are the convolution's, which is all that flatten reads.
    const local = infinite(serial(convLocal(2, [2, 2], { padding: 'SAME' }), relu(), flatten(), dense(1)), { inputShape }).kernels(x);
    const shared = infinite(serial(conv(2, [2, 2], { padding: 'SAME' }), relu(), flatten(), dense(1)), { inputShape }).kernels(x);
    expectClose(local.nngp.data, shared.nngp.data, 1e-14, 'convLocal vs conv read out by flatten: nngp 3 × 3');
    expectClose(local.ntk.data, shared.ntk.data, 1e-14, 'convLocal vs conv read out by flatten: ntk 3 × 3');
  });
});
