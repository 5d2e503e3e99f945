// dropout(rate, { mode }): at infinite width against neural-tangents' Dropout kernel_fn re-implemented in numpy (the
// "dropout …" models of test/fixtures/make_conv.py, in test/model/conv.test.ts); here its masks against the hash
// re-implemented in Python (test/fixtures/make_dropout.py), the finite network's passes against the network without
// it times those masks, the kernel of one input twice, and the checks.
import { expect, it } from 'vitest';
import { Matrix, Network, dense, dropout, empiricalNtk, infinite, network, relu, serial } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose, expectSameBits, naiveMatmul } from '../helpers/close.js';
import { loadFixture } from '../helpers/fixtures.js';

const { cases, networkMask, fractionKept } = await loadFixture<{
  cases: { seed: number; value: number; step: number; rate: number; mask: number[][] }[];
  networkMask: number[][];
  fractionKept: number;
}>('dropout');

/** The masks a network of `dense(8) → dropout(rate)` with identity weights draws on 6 rows of ones (its seed's). */
function drawnMasks(rate: number, seed: number): number[][] {
  const identity = Array.from({ length: 8 }, (_, i) => Array.from({ length: 8 }, (_, j) => (i === j ? 1 : 0)));
  const model = serial(dense(8, { parameterization: 'standard', bStd: null }), dropout(rate));
  const net = network(model, { inputShape: [8], seed });
  net.params = Float64Array.from(identity.flat());
  const out = net.apply(Array.from({ length: 6 }, () => new Array<number>(8).fill(1)));
  return out.toArray().map((row) => row.map((v) => (v === 0 ? 0 : v === 1 / rate ? 1 : NaN)));
}

const x = Matrix.from([
  [0.3, -1.2, 0.8],
  [1.1, 0.4, -0.5],
  [-0.7, 0.9, 0.2],
  [0.5, 0.5, -1.4],
]);

describeEachBackend('dropout', () => {
  it('draws the masks of the documented hash (Python), keeping a fraction rate of the units', () => {
    expect(cases.length).toBe(8);
    for (const c of cases) expect(drawnMasks(c.rate, c.seed), `seed ${c.seed} rate ${c.rate}`).toEqual(c.mask);
    expect(Math.abs(fractionKept - 0.3)).toBeLessThan(0.01);
  });

  it('is the network without it times the mask / rate: outputs, Jacobians and both empirical NTKs', () => {
    const rate = 0.7;
    const withDropout = network(serial(dense(6, { bStd: 0.1 }), relu(), dropout(rate), dense(2, { bStd: 0.3 })), { inputShape: [3], seed: 4 });
    const hidden = network(serial(dense(6, { bStd: 0.1 }), relu()), { inputShape: [3], seed: 4 });
    hidden.params = withDropout.params.slice(0, 24);
    // ntk parameterization: the readout is W/√6 and 0.3·b; W is 6 × 2 after the hidden layer's 24 parameters.
    const p = withDropout.params;
    const expected = hidden
      .apply(x)
      .toArray()
      .map((row, r) =>
        [0, 1].map((o) => row.reduce((sum, v, u) => sum + ((v * networkMask[r][u]) / rate) * (p[24 + 2 * u + o] / Math.sqrt(6)), 0.3 * p[36 + o])),
      );
    expectClose(withDropout.apply(x), expected, 1e-14, 'apply');
    const structured = empiricalNtk(withDropout, x, undefined, { implementation: 'structured', outputs: 'full' });
    const jacobian = empiricalNtk(withDropout, x, undefined, { implementation: 'jacobian', outputs: 'full' });
    expectClose(structured, jacobian, 1e-13, 'structured vs jacobian NTK');
    // Forward mode along the Jacobian rows carries the same masks.
    expectClose(
      empiricalNtk(withDropout, x, undefined, { implementation: 'ntkVectorProducts', outputs: 'full' }),
      jacobian,
      1e-13,
      'ntkVectorProducts vs jacobian NTK',
    );
    const j = withDropout.jacobian(x);
    expectClose(jacobian, naiveMatmul(j, j.transpose()), 1e-13, 'J·Jᵀ');
    // The masked units have zero derivative in the hidden layer's parameters of that unit.
    const dropped = networkMask[0].findIndex((kept) => kept === 0);
    expect(dropped).toBeGreaterThanOrEqual(0);
    expect(j.get(0, dropped)).toBe(0);
  });

  it("computes neural-tangents' kernel of one input twice when x2 is omitted or equal to x1, and not for other inputs", () => {
    const model = serial(dense(4, { bStd: 0.1 }), relu(), dropout(0.5), dense(1));
    const kernels = infinite(model, { inputShape: [3] });
    const without = infinite(serial(dense(4, { bStd: 0.1 }), relu(), dense(1)), { inputShape: [3] });
    const self = kernels.kernels(x);
    const again = kernels.kernels(x, Matrix.from(x.toArray()));
    expectSameBits(again.nngp.data, self.nngp.data, 'nngp with x2 = x1');
    const plain = without.kernels(x);
    // relu → dropout → dense: the output's NNGP is w²·Σ + b², with Σ's diagonal doubled and the rest unchanged.
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        const factor = i === j ? 2 : 1;
        expect(self.nngp.get(i, j)).toBeCloseTo(plain.nngp.get(i, j) * factor, 14);
      }
    }
    const other = kernels.kernels(x, Matrix.from(x.toArray().map((row) => row.map((v) => v + 1e-9))));
    expect(other.nngp.get(1, 1)).toBeCloseTo(plain.nngp.get(1, 1), 6);
    const progress: number[] = [];
    const blocked = kernels.kernels(x, undefined, { onProgress: (done) => progress.push(done) });
    expectSameBits(blocked.nngp.data, self.nngp.data, 'nngp in blocks with progress');
    expectSameBits(blocked.ntk.data, self.ntk.data, 'ntk in blocks with progress');
    expect(progress.at(-1)).toBe(4);
  });

  it("is the identity in 'test' mode, draws new masks each training step, and checks its arguments", () => {
    const model = (mode: 'train' | 'test') => serial(dense(8), relu(), dropout(0.6, { mode }), dense(1));
    const test = network(model('test'), { inputShape: [3], seed: 2 });
    const plain = network(serial(dense(8), relu(), dense(1)), { inputShape: [3], seed: 2 });
    expectSameBits(test.apply(x).data, plain.apply(x).data, "'test' mode");
    expect(infinite(model('test'), { inputShape: [3] }).nngp(x).data).toEqual(infinite(serial(dense(8), relu(), dense(1)), { inputShape: [3] }).nngp(x).data);
    const train = network(model('train'), { inputShape: [3], seed: 2 });
    const y = [[1], [0], [-1], [0.5]];
    const first = train.apply(x).toArray();
    const { loss } = train.clone().train(x, y, { learningRate: 0.1, steps: 3 });
    expect(loss[0]).toBeCloseTo(first.reduce((sum, [f], i) => sum + (f - y[i][0]) ** 2, 0) / 8, 14);
    // With a step too small to move θ, the losses still change from step to step: each step draws new masks.
    const { loss: still } = train.clone().train(x, y, { learningRate: 1e-15, steps: 4 });
    expect(new Set(Array.from(still, (v) => v.toPrecision(8))).size).toBe(5);
    expect(() => dropout(0)).toThrow(new RangeError('dropout: rate must be > 0, got 0'));
    expect(() => dropout(1.5)).toThrow(new RangeError('dropout: rate must be ≤ 1, got 1.5'));
    expect(() => dropout(NaN)).toThrow(new TypeError('dropout: rate must be a number, got NaN'));
    expect(() => dropout(0.5, { mode: 'eval' as never })).toThrow(/dropout: mode must be one of 'train', 'test', got "eval"/);
    expect(() => dropout(0.5, { seed: 1 } as never)).toThrow(/dropout: unknown option 'seed'/);
    expect(() => infinite(serial(dropout(0.5), dense(1)), { inputShape: [3] })).toThrow(
      new RangeError('infinite: model.serial[0] (dropout) acts on the input, which neural-tangents refuses at infinite width'),
    );
    expect(() => infinite(serial(dense(2), dropout(0.5), relu(), dense(1)), { inputShape: [3] })).toThrow(/needs a Gaussian input at infinite width/);
    expect(
      Network.fromWeights(serial(dropout(0.5), dense(1, { parameterization: 'standard' })), { inputShape: [1], weights: [{ W: [[1]], b: [0] }] })
        .apply([[2]])
        .get(0, 0),
    ).toBeOneOf([0, 4]);
  });
});
