// Finite networks built from layers, against PyTorch autograd with explicit weights
// (test/fixtures/make_layer_networks.py), and the MLP as the special case it is.
import { expect, it } from 'vitest';
import {
  Matrix,
  Network,
  conv,
  dense,
  empiricalNtk,
  erf,
  flatten,
  getBackend,
  infinite,
  linearize,
  mlp,
  monteCarloNtk,
  network,
  relu,
  residual,
  serial,
  tanh,
  trainWithNtkChange,
} from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectEntries } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';
import { type ModelJson, type NetworkValues, buildModel, expectNetworkCase } from '../helpers/models.js';

interface NetworkCase extends NetworkValues {
  model: ModelJson;
  weights: { W: Rows; b?: number[] }[];
}
const { cases } = await loadFixture<{ cases: NetworkCase[] }>('layer-networks');

const residualModel = serial(dense(16, { wStd: 1.3, bStd: 0.1 }), residual(tanh(), dense(16, { wStd: 1.4, bStd: 0.1 })), relu(), dense(2, { bStd: 0.1 }));
const x = [
  [0.5, -1, 2],
  [1, 0.25, -0.5],
  [-1.5, 1, 0],
  [0.2, 0.3, 0.4],
];

describeEachBackend('network(model)', () => {
  it('residual, layerNorm and three-branch networks match PyTorch autograd: outputs, Jacobians and empirical NTKs', () => {
    for (const c of cases) expectNetworkCase(Network.fromWeights(buildModel(c.model), { inputShape: [3], weights: c.weights }), c, 1e-12, 1e-11);
  });

  it('jvp: J(x)·v by forward mode, checked where a direction is bad, and the network unchanged after', () => {
    const net = network(residualModel, { inputShape: [3], seed: 5 });
    const v = Array.from({ length: net.numParams }, (_, i) => Math.cos(3 * i));
    const j = net.jacobian(x);
    const expected = x.map((_, i) => [0, 1].map((o) => v.reduce((sum, value, p) => sum + j.get(2 * i + o, p) * value, 0)));
    expectEntries(net.jvp(x, v), expected, 1e-12, 'jvp 4 × 2');
    const before = net.params.slice();
    expect(() => net.jvp(x, v.slice(1))).toThrow(
      new RangeError(`Network.jvp: v has ${net.numParams - 1} entries but the network has ${net.numParams} parameters`),
    );
    expect(() =>
      net.jvp(
        x,
        v.map((value, i) => (i === 7 ? Number.NaN : value)),
      ),
    ).toThrow(/^Network\.jvp: v\[7\] is NaN; a direction must be finite$/);
    expect(() => net.jvp(x, 3 as never)).toThrow(/^Network\.jvp: v must be an array of \d+ numbers/);
    expect(() => net.jvp([[1, 2]], v)).toThrow(/^Network\.jvp: x is 1x2 but the network takes 3 inputs/);
    expect(Array.from(net.params)).toEqual(Array.from(before));
    expectEntries(net.jvp(x, v), expected, 1e-12, 'jvp after the errors');
  });

  it('an MLP is the serial model of its layers, with the same parameters for the same seed, bit for bit', () => {
    const spec = { inputDim: 3, widths: [8, 5], outputDim: 2, activation: 'erf' as const, wStd: 1.5, bStd: 0.2, seed: 11 };
    const dense1 = { wStd: 1.5, bStd: 0.2 };
    const net = network(serial(dense(8, dense1), erf(), dense(5, dense1), erf(), dense(2, dense1)), { inputShape: [3], seed: 11 });
    const reference = mlp(spec);
    expect(Array.from(net.params)).toEqual(Array.from(reference.params));
    expect(Array.from(net.apply(x).data)).toEqual(Array.from(reference.apply(x).data));
    const standard = network(serial(dense(4, { parameterization: 'standard', wStd: 2 }), relu(), dense(1, { parameterization: 'standard', bStd: null })), {
      inputShape: [3],
      seed: 2,
    });
    expect(standard.numParams).toBe(3 * 4 + 4 + 4);
  });

  it('trains a residual network (loss falls; a failed run leaves θ as it was) and supports linearize, trainWithNtkChange and monteCarloNtk', () => {
    const y = [
      [1, 0],
      [0, 1],
      [-1, 0],
      [0.5, 0.5],
    ];
    const net = network(residualModel, { inputShape: [3], seed: 3 });
    const before = net.params.slice();
    const progress: number[] = [];
    const { loss } = net.train(x, y, { learningRate: 0.5, steps: 50, onProgress: (done) => progress.push(done) });
    expect(loss[50]).toBeLessThan(0.5 * loss[0]);
    expect(progress.at(-1)).toBe(50);
    const trained = net.params.slice();
    expect(() => net.train(x, y, { learningRate: 1e6, steps: 20 })).toThrow(/Network\.train: the loss became .* at step \d+/);
    expect(Array.from(net.params)).toEqual(Array.from(trained));
    expect(Array.from(trained)).not.toEqual(Array.from(before));

    const lin = linearize(network(residualModel, { inputShape: [3], seed: 3 }));
    const fresh = network(residualModel, { inputShape: [3], seed: 3 });
    expectEntries(lin.apply(x), fresh.apply(x).toArray(), 1e-14, `linearized apply at θ0 (${getBackend()})`);
    const change = trainWithNtkChange(network(residualModel, { inputShape: [3], seed: 4 }), x, y, { learningRate: 0.5, steps: 10 });
    expect(change.relativeChange).toBeGreaterThan(0);
    const average = monteCarloNtk(residualModel, x, undefined, { inputShape: [3], samples: 3, seed: 5 });
    const sum = [5, 6, 7].map((seed) => empiricalNtk(network(residualModel, { inputShape: [3], seed }), x));
    expectEntries(
      average,
      sum[0].toArray().map((row, i) => row.map((v, j) => (v + sum[1].get(i, j) + sum[2].get(i, j)) / 3)),
      1e-13,
      'monteCarloNtk',
    );
  });

  it('names the function, the layer and the shapes for weights and inputs that do not fit', () => {
    const model = serial(dense(2), relu(), dense(1, { bStd: null }));
    const ok = {
      W: [
        [1, 0],
        [0, 1],
        [1, 1],
      ],
      b: [0, 0],
    };
    expect(() => Network.fromWeights(model, { inputShape: [3], weights: [ok] })).toThrow(
      new RangeError('Network.fromWeights: weights has 1 entries but the model has 2 dense layers'),
    );
    expect(() =>
      Network.fromWeights(model, {
        inputShape: [3],
        weights: [
          {
            W: [
              [1, 0],
              [0, 1],
            ],
            b: [0, 0],
          },
          { W: [[1], [1]] },
        ],
      }),
    ).toThrow(new RangeError('Network.fromWeights: weights[0].W is 2x2 but dense layer 0 needs 3x2'));
    expect(() => Network.fromWeights(model, { inputShape: [3], weights: [ok, { W: [[1], [1]], b: [0] }] })).toThrow(
      /weights\[1\] has b but dense layer 1 has no bias/,
    );
    expect(() => Network.fromWeights(model, { inputShape: [3], weights: [{ W: ok.W }, { W: [[1], [1]] }] })).toThrow(
      /weights\[0\]\.b has no entries but dense layer 0 has 2 outputs/,
    );
    expect(() => Network.fromWeights(model, { inputShape: [3], weights: [{ ...ok, b: [0, Number.NaN] }, { W: [1, 1] }] })).toThrow(
      /weights\[0\]\.b\[1\] is NaN/,
    );
    const net = Network.fromWeights(model, { inputShape: [3], weights: [ok, { W: [1, 1] }] });
    // ntk parameterization: (1/√2)·relu((1/√3)·x·W) summed: (4 + 5)/√6.
    expect(net.apply([[1, 2, 3]]).get(0, 0)).toBeCloseTo(9 / Math.sqrt(6), 12);
    expect(() => net.apply([[1, 2]])).toThrow(new RangeError('Network.apply: x is 1x2 but the network takes 3 inputs'));
    expect(() => network(model, { inputShape: [3], seeds: 1 } as never)).toThrow(/network: unknown option/);
    expect(() => network(model, { inputShape: [3], seed: 0.5 })).toThrow(/network: seed must be an integer/);
    expect(() => network(dense(1 << 15), { inputShape: [1 << 14] })).toThrow(/network: the network would have .* parameters/);
    expect(() => monteCarloNtk(model, x, undefined, { samples: 1 })).toThrow(/monteCarloNtk: inputShape is required with a model/);
  });

  it('refuses ragged nested examples and ragged weights, naming the argument and the index where the nesting breaks', () => {
    const image = serial(flatten(), dense(1));
    const ragged = [[[[1], [2]], [[3, 4]]]]; // one example of inputShape [2, 2, 1] whose second row holds one pixel of two channels
    const message = 'x[0][1] has 1 entries where inputShape [2, 2, 1] needs an array of 2: the nesting is ragged';
    const net = network(image, { inputShape: [2, 2, 1] });
    expect(() => net.apply(ragged as never)).toThrow(new RangeError(`Network.apply: ${message}`));
    expect(() => empiricalNtk(net, ragged as never)).toThrow(new RangeError(`empiricalNtk: x1: ${message}`.replace('x1: x', 'x1')));
    expect(() => infinite(serial(dense(2), flatten(), dense(1)), { inputShape: [2, 2, 1] }).nngp(ragged as never)).toThrow(
      new RangeError(`infinite: ${message.replace('x[0]', 'x1[0]')}`),
    );
    expect(() =>
      net.apply([
        [
          [[1], [2]],
          [[3], [[4]]],
        ],
      ] as never),
    ).toThrow(new TypeError('Network.apply: x[0][1][1][0] is an array; entries must be finite numbers'));
    const twoByTwo = serial(dense(2, { bStd: null }));
    expect(() => Network.fromWeights(twoByTwo, { inputShape: [3], weights: [{ W: [[1, 2], [3, 4, 5], [6]] }] })).toThrow(
      new RangeError('Network.fromWeights: weights[0].W[1] has 3 entries where dense layer 0 (3x2) needs an array of 2: the nesting is ragged'),
    );
    const conv2 = serial(conv(2, [2, 2], { bStd: null }), flatten(), dense(1, { bStd: null }));
    const hwio = [
      [[[1, 2]], [[3, 4]]],
      [[[5, 6]], [[7]]],
    ]; // [kh][kw][in][out] with one output missing at the last tap
    expect(() => Network.fromWeights(conv2, { inputShape: [2, 2, 1], weights: [{ W: hwio }, { W: [1, 1] }] })).toThrow(
      new RangeError('Network.fromWeights: weights[0].W[1][1][0] has 1 entries where conv layer 0 (2x2x1x2) needs an array of 2: the nesting is ragged'),
    );
  });

  it('takes a Matrix as W, as its type allows, and checks its shape', () => {
    const model = serial(dense(2, { bStd: null, parameterization: 'standard' }));
    const fromMatrix = Network.fromWeights(model, {
      inputShape: [3],
      weights: [
        {
          W: Matrix.from([
            [1, 2],
            [3, 4],
            [5, 6],
          ]),
        },
      ],
    });
    expect(Array.from(fromMatrix.apply([[1, 1, 1]]).data)).toEqual([9, 12]);
    expect(() =>
      Network.fromWeights(model, {
        inputShape: [3],
        weights: [
          {
            W: Matrix.from([
              [1, 2, 3],
              [4, 5, 6],
            ]),
          },
        ],
      }),
    ).toThrow(new RangeError('Network.fromWeights: weights[0].W is 2x3 but dense layer 0 needs 3x2'));
  });
});
