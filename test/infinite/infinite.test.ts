// Infinite-width kernels of models built from layers, against neural-tangents' values (V5, V6 of
// test/fixtures/REFERENCE_VALUES.md) and an independent numpy implementation (test/fixtures/make_layers.py).
import { expect, it } from 'vitest';
import {
  KernelRidge,
  Matrix,
  dense,
  erf,
  fanInSum,
  fanOut,
  identity,
  infinite,
  infiniteMlp,
  layerNorm,
  parallel,
  relu,
  residual,
  serial,
} from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectRelative } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';
import { type KernelCase, type ModelJson, buildModel, expectKernelCase } from '../helpers/models.js';

const { cases } = await loadFixture<{ cases: (KernelCase & { model: ModelJson })[] }>('layers');

const expectMatrix = (actual: { get(i: number, j: number): number }, expected: Rows, tol: number, label: string) =>
  expected.forEach((row, i) => row.forEach((v, j) => expectRelative(actual.get(i, j), v, tol, `${label}[${i}][${j}]`)));

// neural-tangents' inputs a, b, c.
const abc = [
  [1, 2, 3],
  [0.5, -1, 0],
  [1, 0, -1],
];

describeEachBackend('infinite(model)', () => {
  it('V5: a residual ReLU block reproduces neural-tangents', () => {
    const model = serial(dense(8, { wStd: 1.2, bStd: 0.1 }), residual(relu(), dense(8, { wStd: 1.5, bStd: 0.1 })), relu(), dense(1, { wStd: 1.2, bStd: 0.1 }));
    const k = infinite(model, { inputShape: [3] }).kernels(abc);
    expectMatrix(
      k.nngp,
      [
        [10.3141, 0.8854123, 1.0845966],
        [0.8854123, 0.9505, 0.669407],
        [1.0845966, 0.669407, 1.5013],
      ],
      1e-6,
      'nngp',
    );
    expectMatrix(
      k.ntk,
      [
        [26.0695, 0.6671566, 0.7793258],
        [0.6671566, 2.3851, 1.0648965],
        [0.7793258, 1.0648965, 3.7783],
      ],
      1e-6,
      'ntk',
    );
  });

  it('V6: layerNorm before erf reproduces neural-tangents', () => {
    const model = serial(dense(8, { wStd: 1.1, bStd: 0.3 }), layerNorm(), erf(), dense(1, { wStd: 1.1, bStd: 0.3 }));
    const k = infinite(model, { inputShape: [3] }).kernels(abc);
    expectMatrix(
      k.nngp,
      [
        [0.6521165, -0.0540897, -0.0734978],
        [-0.0540897, 0.6521165, 0.2977147],
        [-0.0734978, 0.2977147, 0.6521165],
      ],
      1e-6,
      'nngp',
    );
    expectMatrix(
      k.ntk,
      [
        [1.3411026, -0.1998839, -0.2394958],
        [-0.1998839, 1.3411026, 0.5106147],
        [-0.2394958, 0.5106147, 1.3411026],
      ],
      1e-6,
      'ntk',
    );
  });

  it('residual, layerNorm and three-branch models match an independent numpy implementation to 1e-12', () => {
    for (const c of cases) expectKernelCase(infinite(buildModel(c.model), { inputShape: [3] }), c, 1e-12);
  });

  it('equals infiniteMlp for the same layers, and its kernels serve KernelRidge', () => {
    const model = serial(dense(1, { wStd: 1.5, bStd: 0.1 }), erf(), dense(1, { wStd: 1.5, bStd: 0.1 }), erf(), dense(1, { wStd: 1.5, bStd: 0.1 }));
    const viaLayers = infinite(model, { inputShape: [3] }).kernels(abc);
    const viaMlp = infiniteMlp({ depth: 2, activation: 'erf', wStd: 1.5, bStd: 0.1 }).kernels(abc);
    expect(Array.from(viaLayers.ntk.data)).toEqual(Array.from(viaMlp.ntk.data));
    const fit = new KernelRidge(infinite(model, { inputShape: [3] }).ntk, { ridge: 1e-3 }).fit(abc, [[1], [0], [-1]]);
    expect(fit.predict(abc).data.every(Number.isFinite)).toBe(true);
  });

  it('a model of identities gives the input kernel and a zero NTK', () => {
    const k = infinite(serial(identity(), fanOut(1), parallel(identity()), fanInSum()), { inputShape: [3] }).kernels(abc);
    expectMatrix(
      k.nngp,
      abc.map((p) => abc.map((q) => (p[0] * q[0] + p[1] * q[1] + p[2] * q[2]) / 3)),
      1e-15,
      'nngp',
    );
    expect(Array.from(k.ntk.data)).toEqual(new Array(9).fill(0));
  });

  it('names the layer and the shapes when a model cannot take its input', () => {
    const shape = { inputShape: [3] };
    expect(() => infinite(serial(relu(), dense(1)), shape)).toThrow(
      new RangeError('infinite: model.serial[0] (activation) needs a Gaussian input at infinite width: put a dense or conv layer before it'),
    );
    expect(() => infinite(serial(dense(4), fanOut(2), dense(1)), shape)).toThrow(
      new RangeError('infinite: model.serial[2] (dense) takes one input but receives 2 branches (close them with fanInSum())'),
    );
    expect(() => infinite(serial(dense(4), fanOut(2), parallel(identity())), shape)).toThrow(/serial\[2\] \(parallel\) has 1 layers but receives 2 branches/);
    expect(() => infinite(serial(dense(4), fanOut(2), parallel(dense(3), dense(4)), fanInSum()), shape)).toThrow(
      new RangeError('infinite: model.serial[3] (fanInSum) sums branches of different shapes: [3], [4]'),
    );
    expect(() => infinite(serial(dense(4), fanOut(2)), shape)).toThrow(/the model takes one input but receives 2 branches/);
    expect(() => infinite(dense(1), { inputShape: [3] }).kernels([[1, 2]])).toThrow(/the inputs have 2 features but inputShape is \[3\]/);
    expect(() => infinite(dense(1), { inputShape: [0] })).toThrow(/inputShape\[0\] must be a positive integer, got 0/);
    expect(() => infinite(dense(1), { inputShape: [3], seed: 1 } as never)).toThrow(/unknown option/);
    expect(() => infinite({} as never, shape)).toThrow(/model must be a layer/);
    expect(() => dense(2.5)).toThrow(/dense: out must be an integer, got 2.5/);
    expect(() => dense(2, { wStd: Number.NaN })).toThrow(/dense: wStd must be a number/);
    expect(() => layerNorm({ axis: 'rows' as never })).toThrow(/layerNorm: axis must be one of 'channels', 'all'/);
    expect(() => fanOut(0)).toThrow(/fanOut: count must be ≥ 1/);
    expect(() => serial()).toThrow(/serial: at least one layer is required/);
    expect(() => serial(dense(1), 3 as never)).toThrow(/serial: argument 1 is not a layer/);
  });
});

describeEachBackend('infinite kernels with out', () => {
  it('write NNGP and NTK into the matrices given, with or without progress, and check them', () => {
    const model = serial(dense(8, { bStd: 0.1 }), relu(), dense(1));
    const kernel = infinite(model, { inputShape: [3] });
    const x = [
      [1, 2, 3],
      [0.5, -1, 0],
      [2, 0, 1],
    ];
    const z = [
      [0, 1, 0],
      [1, 1, 1],
    ];
    const fresh = kernel.kernels(x, z);
    for (const options of [{}, { onProgress: () => {} }]) {
      const nngp = new Matrix(3, 2);
      const ntk = new Matrix(3, 2);
      const both = kernel.kernels(x, z, { ...options, out: { nngp, ntk } });
      expect(both.nngp).toBe(nngp);
      expect(both.ntk).toBe(ntk);
      expect(Array.from(nngp.data)).toEqual(Array.from(fresh.nngp.data));
      expect(Array.from(ntk.data)).toEqual(Array.from(fresh.ntk.data));
      const alone = new Matrix(3, 2);
      expect(kernel.ntk(x, z, { ...options, out: alone })).toBe(alone);
      expect(Array.from(alone.data)).toEqual(Array.from(fresh.ntk.data));
    }
    expect(() => kernel.kernels(x, z, { out: { nngp: new Matrix(2, 3) } })).toThrow(new RangeError('infinite: out.nngp is 2x3 but the result is 3x2'));
    const same = new Matrix(3, 2);
    expect(() => kernel.kernels(x, z, { out: { nngp: same, ntk: same } })).toThrow(/infinite: out\.ntk shares its entries with an input/);
  });
});
