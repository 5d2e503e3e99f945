// index(axes) (the gather op): against PyTorch autograd and neural-tangents' Kernel indexing in numpy in
// test/model/conv.test.ts (the "index: …" cases of conv-networks.json and conv.json); here, identities and the checks.
import { expect, it } from 'vitest';
import { Matrix, conv, dense, flatten, index, infinite, network, relu, serial } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectSameBits } from '../helpers/close.js';

const images = Matrix.from(Array.from({ length: 3 }, (_, i) => Array.from({ length: 4 * 3 * 2 }, (_, j) => Math.cos(0.7 * i + 1.3 * j))));

describeEachBackend('index', () => {
  it("is the identity with ':' everywhere, and picks features of vectors at finite width", () => {
    const head = () => [conv(3, [2, 2], { padding: 'SAME' }), relu()];
    const whole = serial(...head(), index([':', ':', ':']), flatten(), dense(1));
    const plain = serial(...head(), flatten(), dense(1));
    const [a, b] = [whole, plain].map((model) => infinite(model, { inputShape: [4, 3, 2] }).kernels(images));
    expectSameBits(a.ntk.data, b.ntk.data, 'ntk');
    const net = network(serial(index([{ start: 1, step: 2 }]), dense(1, { parameterization: 'standard', bStd: null })), { inputShape: [5], seed: 1 });
    net.params = Float64Array.from([1, 10]);
    expect(net.apply([[0, 1, 2, 3, 4]]).get(0, 0)).toBe(1 + 30);
  });

  it('checks its axes, and refuses to slice or remove the channels where it cannot, naming the layer and the shapes', () => {
    const model = (layer: ReturnType<typeof index>) => serial(conv(2, [2, 2], { padding: 'SAME' }), layer, flatten(), dense(1));
    expect(() => infinite(model(index([':', ':', { stop: 1 }])), { inputShape: [4, 3, 2] })).toThrow(
      new RangeError('infinite: model.serial[1] (index) slices the channels, which are the infinite axis at infinite width (as neural-tangents)'),
    );
    expect(() => network(model(index([':', ':', 0])), { inputShape: [4, 3, 2] })).toThrow(
      new RangeError('network: model.serial[1] (index) removes the channels (an integer on the last axis); slice them instead'),
    );
    expect(() => network(model(index([4])), { inputShape: [4, 3, 2] })).toThrow(
      new RangeError('network: model.serial[1] (index): axis 0 of [4, 3, 2]: index 4 is outside 0 … 3'),
    );
    expect(() => network(model(index([{ start: 3, stop: 1 }])), { inputShape: [4, 3, 2] })).toThrow(
      new RangeError('network: model.serial[1] (index): axis 0 of [4, 3, 2]: the slice {"start":3,"stop":1} selects nothing of 4'),
    );
    expect(() => network(model(index([':', ':', ':', ':'] as never)), { inputShape: [4, 3, 2] })).toThrow(/index: axes must be an array of 1 to 3 entries/);
    expect(() => index([{ step: 0 }])).toThrow(new RangeError('index: axes[0].step must not be 0'));
    expect(() => index([1.5])).toThrow(new RangeError("index: axes[0] must be an integer, ':' or { start, stop, step }, got 1.5"));
    expect(() => index([{ begin: 1 } as never])).toThrow(new TypeError("index: axes[0] has an unknown field 'begin'; its fields are 'start', 'stop', 'step'"));
    expect(() => index(['::' as never])).toThrow(/index: axes\[0\] must be an integer, ':' or \{ start, stop, step \}, got "::"/);
  });
});
