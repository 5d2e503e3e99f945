// Convolutional models: infinite-width kernels against neural-tangents' values (V1–V4, V7, V8 of
// test/fixtures/REFERENCE_VALUES.md) and an independent numpy implementation on position-pair covariances
// (test/fixtures/make_conv.py); finite networks against PyTorch conv autograd with explicit weights
// (test/fixtures/make_conv_networks.py).
import { expect, it } from 'vitest';
import {
  KernelRidge,
  Network,
  avgPool,
  conv,
  convTranspose,
  imageResize,
  dense,
  empiricalNtk,
  erf,
  flatten,
  globalAvgPool,
  infinite,
  layerNorm,
  network,
  relu,
  serial,
} from '../../src/index.js';
import { TERM } from '../../src/core/layout.js';
import { termForm } from '../../src/core/shapes.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose, expectEntries } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';
import { type KernelCase, type ModelJson, type NetworkValues, buildModel, expectKernelCase, expectNetworkCase } from '../helpers/models.js';

interface ConvKernelCase extends KernelCase {
  model: ModelJson;
  inputShape: number[];
}
interface ConvNetworkCase extends NetworkValues {
  model: ModelJson;
  inputShape: number[];
  weights: { W: unknown; b?: number[] }[];
}
const kernelCases = (await loadFixture<{ cases: ConvKernelCase[] }>('conv')).cases;
const networkCases = (await loadFixture<{ cases: ConvNetworkCase[] }>('conv-networks')).cases;

// neural-tangents' inputs: sequences (2, 4, 2) and 3×3 images with one channel, as nested arrays.
const s1 = [
  [1, 0],
  [0, 1],
  [1, 1],
  [-1, 0.5],
];
const s2 = [
  [0.5, -1],
  [1, 0],
  [0, 0],
  [2, 1],
];
const images = [
  [
    [[1], [0], [-1]],
    [[0.5], [2], [0]],
    [[0], [1], [1]],
  ],
  [
    [[0], [1], [0]],
    [[1], [-1], [0.5]],
    [[2], [0], [-0.5]],
  ],
];

describeEachBackend('convolutional models', () => {
  it('V1–V4 and V7: conv 1-D and 2-D, strides, SAME/VALID/CIRCULAR, avgPool, globalAvgPool, flatten reproduce neural-tangents', () => {
    const reference: [string, ReturnType<typeof serial>, number[], unknown[], Rows, Rows][] = [
      [
        'V1',
        serial(conv(3, [2], { padding: 'SAME', wStd: 1.5, bStd: 0.1 }), relu(), flatten(), dense(1, { wStd: 1.5, bStd: 0.1 })),
        [4, 2],
        [s1, s2],
        [
          [1.5241797, 0.3844093],
          [0.3844093, 2.1174414],
        ],
        [
          [3.0383594, 0.2735242],
          [0.2735242, 4.2248828],
        ],
      ],
      [
        'V2',
        serial(
          conv(4, [2, 2], { padding: 'SAME', wStd: 1.4, bStd: 0.2 }),
          erf(),
          conv(4, [2, 2], { wStd: 1.4, bStd: 0.2 }),
          relu(),
          globalAvgPool(),
          dense(1, { wStd: 1.4, bStd: 0.2 }),
        ),
        [3, 3, 1],
        images,
        [
          [0.7241791, 0.3601953],
          [0.3601953, 0.4122252],
        ],
        [
          [1.758809, 0.4597855],
          [0.4597855, 0.8438708],
        ],
      ],
      [
        'V3',
        serial(
          conv(4, [2, 2], { padding: 'SAME', wStd: 1.2, bStd: 0.1 }),
          relu(),
          avgPool([2, 2], { padding: 'SAME' }),
          flatten(),
          dense(1, { wStd: 1.2, bStd: 0.1 }),
        ),
        [3, 3, 1],
        images,
        [
          [0.3040825, 0.1226933],
          [0.1226933, 0.1228883],
        ],
        [
          [0.5175191, 0.1558307],
          [0.1558307, 0.1943032],
        ],
      ],
      [
        'V4',
        serial(conv(4, [2, 2], { strides: 2, padding: 'CIRCULAR', wStd: 1.3, bStd: 0 }), relu(), flatten(), dense(1, { wStd: 1.3, bStd: 0 })),
        [3, 3, 1],
        images,
        [
          [1.1156641, 0.2960237],
          [0.2960237, 1.2049172],
        ],
        [
          [2.2313281, 0.2518976],
          [0.2518976, 2.4098344],
        ],
      ],
      [
        'V7',
        serial(
          conv(5, [2], { padding: 'SAME', wStd: 1, bStd: 0.1, parameterization: 'standard' }),
          relu(),
          globalAvgPool(),
          dense(1, { wStd: 1, bStd: 0.1, parameterization: 'standard' }),
        ),
        [4, 2],
        [s1, s2],
        [
          [0.177895, 0.1577571],
          [0.1577571, 0.2496736],
        ],
        [
          [2.5712747, 2.2235989],
          [2.2235989, 3.1810343],
        ],
      ],
    ];
    for (const [name, model, inputShape, x, nngp, ntk] of reference) {
      const k = infinite(model, { inputShape }).kernels(x as Rows);
      expectEntries(k.nngp, nngp, 1e-6, `${name} nngp`);
      expectEntries(k.ntk, ntk, 1e-6, `${name} ntk`);
    }
  });

  it('V8: a finite conv network with explicit HWIO weights reproduces neural-tangents (apply, structured and Jacobian NTK)', () => {
    const model = serial(conv(2, [2], { padding: 'SAME', wStd: 1, bStd: 0.5 }), relu(), flatten(), dense(1, { wStd: 1, bStd: 0.5 }));
    const net = Network.fromWeights(model, {
      inputShape: [4, 2],
      weights: [
        {
          W: [
            [
              [0.5, -1.0],
              [1.0, 0.25],
            ],
            [
              [-0.5, 0.5],
              [0.75, -0.25],
            ],
          ],
          b: [0.1, -0.2],
        },
        { W: [0.3, -0.6, 0.9, 0.2, -0.4, 0.5, 0.7, -0.1], b: [0.05] },
      ],
    });
    expectEntries(net.apply([s1, s2]), [[0.1429984], [0.4289347]], 1e-6, 'apply');
    for (const implementation of ['structured', 'jacobian', 'ntkVectorProducts'] as const) {
      expectEntries(
        empiricalNtk(net, [s1, s2], undefined, { implementation }),
        [
          [0.7859766, 0.3289062],
          [0.3289062, 0.7160156],
        ],
        1e-6,
        implementation,
      );
    }
  });

  it('every case of an independent numpy implementation to 1e-12: strides, paddings, pooling, gelu, standard, no bias, layerNorm, residual', () => {
    for (const c of kernelCases) expectKernelCase(infinite(buildModel(c.model), { inputShape: c.inputShape }), c, 1e-12);
  });

  it('finite conv networks match PyTorch autograd: outputs, Jacobians, structured and Jacobian NTKs, mean and full', () => {
    for (const c of networkCases) {
      expectNetworkCase(Network.fromWeights(buildModel(c.model), { inputShape: c.inputShape, weights: c.weights as never }), c, 1e-12, 1e-11);
    }
  });

  it('trains a CNN (the loss falls; the gradient is the Jacobian contracted with the residual)', () => {
    const model = serial(conv(4, [2, 2], { padding: 'SAME' }), relu(), avgPool([2, 2], { strides: 2 }), flatten(), dense(2));
    const net = network(model, { inputShape: [4, 4, 1], seed: 5 });
    const x = Array.from({ length: 6 }, (_, i) => Array.from({ length: 16 }, (_, p) => Math.sin(i + 0.7 * p)));
    const y = x.map((row) => [row[0], row[5] - row[10]]);
    const before = net.clone();
    const { loss } = net.train(x, y, { learningRate: 0.5, steps: 1 });
    // One step of θ ← θ − η·Jᵀ(f − y)/N.
    const jacobian = before.jacobian(x);
    const residual = before.apply(x).data.map((v, i) => v - y[Math.floor(i / 2)][i % 2]);
    const expected = before.params.map((v, p) => v - (0.5 / 12) * residual.reduce((sum, r, row) => sum + r * jacobian.get(row, p), 0));
    expectEntries({ rows: 1, cols: expected.length, get: (_, j) => net.params[j] }, [Array.from(expected)], 1e-12, 'one step');
    expect(net.train(x, y, { learningRate: 0.5, steps: 40 }).loss[40]).toBeLessThan(loss[0]);
  });

  it('inputs come as flat rows or nested [n][h][w][c]; infinite kernels of CNNs serve KernelRidge', () => {
    const model = serial(conv(3, [2, 2], { padding: 'SAME' }), relu(), flatten(), dense(1));
    const net = network(model, { inputShape: [3, 3, 1], seed: 1 });
    const flat = images.map((image) => image.flat(2));
    expect(Array.from(net.apply(images).data)).toEqual(Array.from(net.apply(flat).data));
    const kernel = infinite(model, { inputShape: [3, 3, 1] });
    expect(Array.from(kernel.ntk(images).data)).toEqual(Array.from(kernel.ntk(flat).data));
    const fit = new KernelRidge(kernel.ntk, { ridge: 1e-3 }).fit(flat, [[1], [-1]]);
    expectEntries(fit.predict(flat), [[1], [-1]], 1e-2, 'ridge fit');
    expect(() => net.apply([[[1, 2]]] as never)).toThrow(new RangeError('Network.apply: x[0] has shape [1, 2] but inputShape is [3, 3, 1]'));
  });

  it('volumes come as flat rows or nested [n][d][h][w][c]; a ragged volume is named where it breaks', () => {
    const volume = (seed: number) => [0, 1].map((d) => [0, 1, 2].map((h) => [0, 1].map((w) => [Math.sin(seed + 7 * d + 3 * h + w)])));
    const volumes = [volume(1), volume(2)];
    const model = serial(conv(2, [2, 2, 2], { padding: 'SAME' }), relu(), avgPool([1, 2, 1]), flatten(), dense(1));
    const net = network(model, { inputShape: [2, 3, 2, 1], seed: 2 });
    const flat = volumes.map((v) => v.flat(3));
    expect(Array.from(net.apply(volumes).data)).toEqual(Array.from(net.apply(flat).data));
    const kernel = infinite(model, { inputShape: [2, 3, 2, 1] });
    expect(Array.from(kernel.ntk(volumes).data)).toEqual(Array.from(kernel.ntk(flat).data));
    const ragged = [volume(1), [volume(2)[0], [[[1], [2]], [[3]], [[4], [5]]]]];
    expect(() => kernel.ntk(ragged)).toThrow(
      new RangeError('infinite: x1[1][1][1] has 1 entries where inputShape [2, 3, 2, 1] needs an array of 2: the nesting is ragged'),
    );
    expect(Array.from(kernel.ntk(volumes).data)).toEqual(Array.from(kernel.ntk(flat).data));
  });

  it('layerNorm over all axes and over channels differ on images and agree on vectors', () => {
    const shape = { inputShape: [3, 3, 1] };
    const over = (axis: 'all' | 'channels') =>
      infinite(serial(conv(2, [2, 2], { padding: 'SAME' }), layerNorm({ axis }), relu(), flatten(), dense(1)), shape).ntk(images);
    expect(Math.abs(over('all').get(0, 1) - over('channels').get(0, 1))).toBeGreaterThan(1e-3);
    const vector = (axis: 'all' | 'channels') =>
      infinite(serial(dense(3), layerNorm({ axis }), relu(), dense(1)), { inputShape: [2] }).ntk([
        [1, 2],
        [3, -1],
      ]);
    expect(Array.from(vector('all').data)).toEqual(Array.from(vector('channels').data));
  });

  it('names the layer position and the shapes for models that cannot take their input, before any work', () => {
    const image = { inputShape: [3, 3, 1] };
    expect(() => infinite(serial(conv(2, [4, 4]), relu(), flatten(), dense(1)), image)).toThrow(
      new RangeError("infinite: model.serial[0] (conv) has a filter [4, 4] larger than its input [3, 3] with 'VALID' padding"),
    );
    expect(() => network(serial(conv(2, [2]), flatten(), dense(1)), image)).toThrow(
      new RangeError('network: model.serial[0] (conv) has a 1-D filter [2] but its input [3, 3, 1] has 2 spatial axes'),
    );
    expect(() => infinite(serial(conv(2, [2, 2]), relu()), image)).toThrow(
      new RangeError("infinite: the model's output [2, 2, 2] is not flat: end it with flatten() or globalAvgPool() (and a dense layer)"),
    );
    expect(() => infinite(serial(dense(2), globalAvgPool()), { inputShape: [3] })).toThrow(
      new RangeError('infinite: model.serial[1] (globalAvgPool) needs a spatial input but receives [2]'),
    );
    expect(() => infinite(serial(conv(2, [2, 2]), flatten(), relu(), dense(1)), image)).toThrow(
      /model.serial\[2\] \(activation\) needs a Gaussian input at infinite width/,
    );
    expect(() => infinite(serial(avgPool([2, 2], { padding: 'VALID' }), conv(1, [3, 3]), flatten(), dense(1)), image)).toThrow(
      /serial\[1\] \(conv\) has a filter \[3, 3\] larger than its input \[2, 2\]/,
    );
    expect(() => infinite(serial(conv(1, [2, 2]), flatten()), { inputShape: [3, 3, 3, 1] })).toThrow(
      /serial\[0\] \(conv\) has a 2-D filter \[2, 2\] but its input \[3, 3, 3, 1\] has 3 spatial axes/,
    );
    expect(() => infinite(dense(1), { inputShape: [2, 2, 2, 2, 1] })).toThrow(/inputShape \[2, 2, 2, 2, 1\] has 5 axes; at most 4/);
    expect(() => infinite(serial(conv(1, [2, 2]), flatten(), dense(1)), image).ntk([[1, 2, 3]])).toThrow(
      /the inputs have 3 features but inputShape is \[3, 3, 1\] \(9 per row\)/,
    );
    expect(() => infinite(serial(conv(1, [3, 3], { padding: 'SAME' }), relu(), globalAvgPool(), dense(1)), { inputShape: [96, 96, 1] })).toThrow(
      /^infinite: the kernel of one pair of inputs needs the covariance of every pair of positions \(9216² = 84934656 entries per value, 3\.8 GiB per thread\); at most 1 GiB fits/,
    );
    expect(() => infinite(serial(conv(1, [3, 3], { padding: 'SAME' }), relu(), flatten(), dense(1)), { inputShape: [96, 96, 1] })).not.toThrow();
    expect(() => conv(2, [0, 2])).toThrow(new RangeError('conv: filter[0] must be ≥ 1, got 0'));
    expect(() => conv(2, [2.5])).toThrow(new RangeError('conv: filter[0] must be an integer, got 2.5'));
    expect(() => conv(2, [2, 2], { strides: [1] })).toThrow(/conv: strides must be a positive integer or an array of 2, got \[1\]/);
    expect(() => conv(2, [2, 2], { strides: 0 })).toThrow(/conv: strides\[0\] must be ≥ 1, got 0/);
    expect(() => conv(2, [2, 2, 2, 2])).toThrow(/conv: filter must be an array of 1 to 3 positive integers/);
    expect(() => conv(2, [2], { padding: 'same' as never })).toThrow(/conv: padding must be one of 'VALID', 'SAME', 'CIRCULAR'/);
    expect(() => conv(2, [2], { dilation: 2 } as never)).toThrow(/conv: unknown option 'dilation'/);
    expect(() => avgPool([2, 2], { strides: 1.5 })).toThrow(/avgPool: strides\[0\] must be an integer, got 1.5/);
    expect(() => avgPool([] as never)).toThrow(/avgPool: window must be an array of 1 to 3 positive integers/);
    expect(() => convTranspose(2, [2], { padding: [[1, 0]] as never })).toThrow(
      new TypeError("convTranspose: padding must be one of 'VALID', 'SAME', 'CIRCULAR', got an array"),
    );
    expect(() => convTranspose(2, [2, 2], { strides: [2] })).toThrow(/convTranspose: strides must be a positive integer or an array of 2, got \[2\]/);
    expect(() => convTranspose(0, [2])).toThrow(/convTranspose: out must be ≥ 1, got 0/);
    expect(() => network(serial(convTranspose(2, [2]), flatten(), dense(1)), image)).toThrow(
      new RangeError('network: model.serial[0] (convTranspose) has a 1-D filter [2] but its input [3, 3, 1] has 2 spatial axes'),
    );
  });

  it("imageResize: JAX's sizes and methods, a resize to the same size changes nothing, and bad shapes or methods are refused", () => {
    const x = [
      [1, 0.5, -1, 2, 0, 1, 0.5, 0.25, -0.5, 1, 1.5, -1],
      [0.5, -0.5, 1, 1, -1, 0, 2, -1, 0.5, 0.5, 0, 1],
    ];
    const head = [relu(), flatten(), dense(1)] as const;
    const plain = infinite(serial(conv(2, [2, 2], { padding: 'SAME', bStd: 0.1 }), ...head), { inputShape: [3, 2, 2] });
    const same = infinite(serial(conv(2, [2, 2], { padding: 'SAME', bStd: 0.1 }), imageResize({ shape: [-1, 2, -1], method: 'linear' }), ...head), {
      inputShape: [3, 2, 2],
    });
    expectClose(same.kernels(x).ntk, plain.kernels(x).ntk, 0, 'imageResize to the same size [2 × 3 × 2 × 2]');
    const net = network(serial(imageResize({ shape: [6, 5, -1], method: 'nearest' }), flatten()), { inputShape: [3, 2, 2] });
    expect(net.outputDim).toBe(6 * 5 * 2);
    // 'nearest' doubling a sequence repeats every position twice.
    const doubled = network(serial(imageResize({ shape: [6, -1], method: 'nearest' }), flatten()), { inputShape: [3, 2] }).apply([[1, 2, 3, 4, 5, 6]]);
    expect(Array.from(doubled.data)).toEqual([1, 2, 1, 2, 3, 4, 3, 4, 5, 6, 5, 6]);
    const image = { inputShape: [4, 4, 2] };
    expect(() => network(serial(imageResize({ shape: [2, 2, 3], method: 'linear' }), flatten()), image)).toThrow(
      new RangeError('network: model.serial[0] (imageResize) resizes the channels (2 to 3); keep them with -1, as neural-tangents requires'),
    );
    expect(() => network(serial(imageResize({ shape: [2, -1], method: 'linear' }), flatten()), image)).toThrow(
      /network: model.serial\[0\] \(imageResize\) has shape \[2, -1\] for an input \[4, 4, 2\]: one size per axis/,
    );
    expect(() => imageResize({ shape: [2, 2, -1], method: 'cubic' as never })).toThrow(
      /imageResize: method must be one of 'linear', 'bilinear', 'trilinear', 'triangle', 'nearest', got "cubic"/,
    );
    expect(() => imageResize({ shape: [0, 2, -1], method: 'linear' })).toThrow(
      new RangeError('imageResize: shape[0] must be a positive integer or -1 (keep), got 0'),
    );
    expect(() => imageResize({ shape: [2, 2, -1] } as never)).toThrow(/imageResize: method is required/);
    expect(() => imageResize({ shape: [2, 2, -1], method: 'linear', antialias: 1 as never })).toThrow(/imageResize: antialias must be a boolean/);
  });

  it('convTranspose grows the positions by the stride as JAX does, and a stride-1 transposed convolution is a fully padded one', () => {
    const cases: [number[], number, number, 'VALID' | 'SAME' | 'CIRCULAR', number][] = [
      [[4, 2], 3, 2, 'VALID', 9],
      [[4, 2], 2, 3, 'VALID', 12],
      [[4, 2], 3, 2, 'SAME', 8],
      [[4, 2], 4, 2, 'CIRCULAR', 8],
    ];
    for (const [inputShape, k, s, padding, length] of cases) {
      const net = network(serial(convTranspose(3, [k], { strides: s, padding }), flatten()), { inputShape, seed: 1 });
      expect(net.outputDim, `convTranspose([${k}], stride ${s}, ${padding}) on [4, 2]`).toBe(3 * length);
    }
    // Stride 1, 'VALID': output o at tap t reads input o + t − (k − 1), as a convolution over k − 1 zeros each side with
    // the filter reversed; the kernels agree.
    const x = [
      [1, 0.5, -1, 2, 0, 1],
      [0.5, -0.5, 1, 1, -1, 0],
    ];
    const transposed = infinite(serial(convTranspose(2, [3], { wStd: 1.3, bStd: 0.1 }), relu(), flatten(), dense(1)), { inputShape: [3, 2] });
    const padded = infinite(serial(conv(2, [3], { wStd: 1.3, bStd: 0.1, padding: [[2, 2]] }), relu(), flatten(), dense(1)), { inputShape: [3, 2] });
    expectClose(transposed.kernels(x).ntk, padded.kernels(x).ntk, 1e-15, 'stride-1 convTranspose against conv padded [[2, 2]] [2 × 3 × 2]');
  });

  it('checks HWIO weights: shape, size and the layer they belong to', () => {
    const model = serial(conv(2, [2, 2]), relu(), flatten(), dense(1, { bStd: null }));
    const inputShape = [3, 3, 1];
    const w1 = [
      [[[1, 2]], [[3, 4]]],
      [[[5, 6]], [[7, 8]]],
    ];
    const ok = Network.fromWeights(model, { inputShape, weights: [{ W: w1, b: [0, 0] }, { W: new Array(8).fill(0.5) }] });
    expect(ok.numParams).toBe(8 + 2 + 8);
    // The same W as fanIn × out rows, or flat, gives the same network.
    const rows = Network.fromWeights(model, {
      inputShape,
      weights: [
        {
          W: [
            [1, 2],
            [3, 4],
            [5, 6],
            [7, 8],
          ],
          b: [0, 0],
        },
        { W: new Array(8).fill(0.5) },
      ],
    });
    expect(Array.from(rows.params)).toEqual(Array.from(ok.params));
    expect(() => Network.fromWeights(model, { inputShape, weights: [{ W: [[[1, 2]], [[3, 4]]], b: [0, 0] }, { W: new Array(8).fill(0.5) }] })).toThrow(
      new RangeError('Network.fromWeights: weights[0].W is 2x1x2 but conv layer 0 needs 2x2x1x2'),
    );
    expect(() => Network.fromWeights(model, { inputShape, weights: [{ W: w1 }, { W: new Array(8).fill(0.5) }] })).toThrow(
      /weights\[0\].b has no entries but conv layer 0 has 2 outputs/,
    );
    expect(() => Network.fromWeights(model, { inputShape, weights: [{ W: w1, b: [0, 0] }] })).toThrow(
      /weights has 1 entries but the model has 2 dense and conv layers/,
    );
  });
});

describeEachBackend('CNTK evaluation by blocks of rows', () => {
  const model = serial(conv(2, [2, 2], { padding: 'SAME' }), relu(), conv(2, [2, 2]), relu(), globalAvgPool(), dense(1));
  const kernel = infinite(model, { inputShape: [3, 3, 1] });
  const x = Array.from({ length: 23 }, (_, i) => Array.from({ length: 9 }, (_, p) => Math.cos(0.3 * i + p)));
  const z = x.slice(0, 5).map((row) => row.map((v) => -v));

  it('reports progress, gives the same kernels (exactly symmetric), and stops when aborted', () => {
    const whole = kernel.kernels(x);
    const progress: number[] = [];
    const blocks = kernel.kernels(x, undefined, { onProgress: (done, total) => progress.push(done / total) });
    expect(progress.length).toBeGreaterThan(5);
    expect(progress[progress.length - 1]).toBe(1);
    expectEntries(blocks.ntk, whole.ntk.toArray(), 1e-14, 'ntk by blocks');
    expectEntries(blocks.nngp, whole.nngp.toArray(), 1e-14, 'nngp by blocks');
    for (let i = 0; i < x.length; i++) for (let j = 0; j < i; j++) expect(blocks.ntk.get(i, j)).toBe(blocks.ntk.get(j, i));
    expectEntries(kernel.ntk(x, z, { onProgress: () => {} }), kernel.ntk(x, z).toArray(), 1e-14, 'ntk(x, z) by blocks');
    const controller = new AbortController();
    expect(() => kernel.ntk(x, undefined, { signal: controller.signal, onProgress: (done) => done > 5 && controller.abort() })).toThrow(/abort/i);
    expect(() => kernel.ntk(x, undefined, { every: 2 } as never)).toThrow(/infinite: unknown option 'every'/);
  });
});

describeEachBackend('structured empirical NTK of weight-sharing layers: both forms', () => {
  // The second conv has 2×2 output positions and wide channels: the position-pair form is the cheaper one
  // there, the per-example gradients for the first (src/core/shapes.ts termForm).
  const model = serial(
    conv(8, [3, 3], { padding: 'SAME', bStd: 0.2 }),
    relu(),
    conv(32, [3, 3], { strides: 2, padding: 'SAME', bStd: 0.1 }),
    relu(),
    flatten(),
    dense(2, { bStd: 0.1 }),
  );
  const net = network(model, { inputShape: [4, 4, 16], seed: 3 });
  const x = Array.from({ length: 5 }, (_, i) => Array.from({ length: 256 }, (_, p) => Math.sin(1.3 * i + 0.37 * p)));
  const z = x.slice(0, 3).map((row) => row.map((v, p) => v * Math.cos(p)));

  it('the form is chosen by cost, and the structured NTK equals the Jacobian contraction, mean and full', () => {
    expect(termForm(4, 72, 32, 2, false)).toBe(TERM.pairs);
    expect(termForm(16, 144, 8, 2, false)).toBe(TERM.jacobian);
    expect(termForm(1, 144, 8, 2, true)).toBe(TERM.dense);
    for (const outputs of ['mean', 'full'] as const) {
      for (const second of [undefined, z]) {
        const structured = empiricalNtk(net, x, second, { outputs });
        const reference = empiricalNtk(net, x, second, { outputs, implementation: 'jacobian' });
        expectEntries(structured, reference.toArray(), 1e-11, `${outputs}${second ? ' (x, z)' : ''}`);
      }
    }
  });
});
