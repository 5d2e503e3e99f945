// Models are plain data, so a user can build layer objects by hand: every one that reaches network() or
// infinite() is checked as its factory checks its arguments, with the node's place in the model in the message.
import { expect, it } from 'vitest';
import { type Layer, dense, flatten, infinite, layerNorm, network, relu, serial } from '../../src/index.js';
import { ACTIVATIONS } from '../../src/ops/activations/index.js';
import { describeEachBackend } from '../helpers/backends.js';

const asLayer = (value: unknown) => value as Layer;
const denseFields = { kind: 'dense', out: 2, wStd: 1, bStd: 0, parameterization: 'ntk' };

describeEachBackend('layers built by hand', () => {
  it("are refused with the factory's check and the node's place: unknown kind, bad sizes, unknown activation, missing or extra fields", () => {
    const build =
      (node: unknown, inputShape = [2]) =>
      () =>
        network(serial(dense(2), asLayer(node), flatten(), dense(1)), { inputShape });
    const cases: [unknown, Error][] = [
      [
        { kind: 'swish' },
        new TypeError(
          "network: model.serial[1] is not a layer (kind \"swish\"); a layer's kind is one of 'dense', 'conv', 'convTranspose', " +
            "'convLocal', 'avgPool', 'sumPool', 'globalAvgPool', 'globalSumPool', 'flatten', 'activation', 'identity', 'layerNorm', 'fanInSum', 'fanInConcat', 'fanInProd', 'elementwise', 'dropout', 'index', 'imageResize', 'aggregate', 'globalSelfAttention', 'serial', " +
            "'parallel', 'fanOut', 'repeat'",
        ),
      ],
      [{ ...denseFields, out: 1.5 }, new RangeError('network: model.serial[1] (dense): out must be an integer, got 1.5')],
      [{ ...denseFields, wStd: Number.NaN }, new TypeError('network: model.serial[1] (dense): wStd must be a number, got NaN')],
      [
        { kind: 'activation', activation: 'swish', leak: 0 },
        new TypeError(`network: model.serial[1] (activation): name must be one of ${ACTIVATIONS.map((name) => `'${name}'`).join(', ')}, got "swish"`),
      ],
      [{ kind: 'activation', activation: 'relu', leak: 0.3 }, new TypeError("network: model.serial[1] (activation): leak applies to 'leaky_relu' only")],
      [
        { kind: 'dense', out: 2, bStd: 0, parameterization: 'ntk' },
        new TypeError("network: model.serial[1] (dense) lacks the field 'wStd'; build layers with their functions (dense(), conv(), …)"),
      ],
      [
        { ...denseFields, foo: 1 },
        new TypeError("network: model.serial[1] (dense) has an unknown field 'foo'; its fields are 'kind', 'out', 'wStd', 'bStd', 'parameterization'"),
      ],
      [{ kind: 'layerNorm', axis: 'channels', eps: 0 }, new RangeError('network: model.serial[1] (layerNorm): eps must be > 0, got 0')],
      [{ kind: 'serial', layers: [] }, new TypeError('network: model.serial[1] (serial): at least one layer is required')],
      [{ kind: 'fanOut', count: 0 }, new RangeError('network: model.serial[1] (fanOut): count must be ≥ 1, got 0')],
    ];
    for (const [node, error] of cases) expect(build(node), JSON.stringify(node)).toThrow(error);
    expect(() => network(asLayer({ kind: 'serial', layers: [dense(2), null] }), { inputShape: [2] })).toThrow(
      new TypeError('network: model (serial): argument 1 is not a layer (use dense(), relu(), serial(), …)'),
    );
    expect(() =>
      infinite(serial(asLayer({ kind: 'avgPool', window: [0], strides: [1], padding: 'VALID' }), flatten(), dense(1)), { inputShape: [3, 2] }),
    ).toThrow(new RangeError('infinite: model.serial[0] (avgPool): window[0] must be ≥ 1, got 0'));
    expect(() =>
      infinite(serial(dense(2), asLayer({ kind: 'avgPool', window: [2], strides: [1], padding: 'same' }), flatten(), dense(1)), { inputShape: [3, 2] }),
    ).toThrow(new TypeError("infinite: model.serial[1] (avgPool): padding must be one of 'VALID', 'SAME', 'CIRCULAR', got \"same\""));
  });

  it("that are well formed compute what the factories' layers compute, at both widths", () => {
    const x = [
      [0.5, -1],
      [1, 2],
      [-0.3, 0.7],
    ];
    const byHand = serial(asLayer(denseFields), asLayer({ kind: 'activation', activation: 'leaky_relu', leak: 0.2 }), asLayer({ ...denseFields, out: 1 }));
    const factories = serial(dense(2), asLayer({ kind: 'activation', activation: 'leaky_relu', leak: 0.2 }), dense(1));
    expect(Array.from(network(byHand, { inputShape: [2], seed: 3 }).apply(x).data)).toEqual(
      Array.from(network(factories, { inputShape: [2], seed: 3 }).apply(x).data),
    );
    expect(Array.from(infinite(byHand, { inputShape: [2] }).ntk(x).data)).toEqual(Array.from(infinite(factories, { inputShape: [2] }).ntk(x).data));
  });

  it('layerNorm refuses eps = 0, where an input constant over its axes would be 0/0; a tiny eps normalizes it to 0 at both widths', () => {
    expect(() => layerNorm({ eps: 0 })).toThrow(new RangeError('layerNorm: eps must be > 0, got 0'));
    const model = serial(dense(3, { wStd: 1, bStd: 0 }), layerNorm({ eps: 1e-300 }), relu(), dense(1, { bStd: 0.5 }));
    const net = network(model, { inputShape: [2], seed: 1 });
    // x = 0 makes the pre-activations 0 at every unit: the normalized value is 0, and the output the bias term.
    expect(Array.from(net.apply([[0, 0]]).data)).toEqual([0.5 * net.params[net.params.length - 1]]);
    const { nngp } = infinite(model, { inputShape: [2] }).kernels([
      [0, 0],
      [1, 2],
    ]);
    expect(nngp.get(0, 0)).toBe(0.25);
    expect(nngp.get(0, 1)).toBe(0.25);
  });
});
