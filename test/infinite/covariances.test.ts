// infinite(model).kernelsFromCovariances({ nngp, ntk, cov1, cov2 }), inputIsGaussian and kernelsPerLayer: against neural-tangents'
// kernel_fn on a Kernel re-implemented in numpy (test/fixtures/make_conv.py, "covarianceCases"), the inputs' own
// kernels as an identity, and the checks.
import { expect, it } from 'vitest';
import { Matrix, conv, dense, erf, flatten, infinite, relu, residual, serial } from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';
import { type ModelJson, buildModel } from '../helpers/models.js';

interface CovarianceCase {
  name: string;
  model: ModelJson;
  inputIsGaussian: boolean;
  input: { nngp: Rows; cov1: number[]; cov2?: number[]; ntk?: Rows };
  nngp: Rows;
  ntk: Rows;
}
const { covarianceCases } = await loadFixture<{ covarianceCases: CovarianceCase[] }>('conv');

describeEachBackend('kernelsFromCovariances', () => {
  it("matches neural-tangents' kernel_fn on a Kernel: a deep erf network from a correlation, Gaussian inputs with an NTK", () => {
    expect(covarianceCases.length).toBe(2);
    for (const c of covarianceCases) {
      const kernels = infinite(buildModel(c.model), { inputShape: [1], inputIsGaussian: c.inputIsGaussian }).kernelsFromCovariances(c.input);
      expectClose(kernels.nngp, c.nngp, 1e-13, `${c.name} nngp`);
      expectClose(kernels.ntk, c.ntk, 1e-13, `${c.name} ntk`);
    }
  });

  it('from the inputs’ own kernels (x·x′/d and their variances) gives what the inputs give', () => {
    const x = Matrix.from([
      [0.3, -1.2, 0.8],
      [1.1, 0.4, -0.5],
      [-0.7, 0.9, 0.2],
    ]);
    const z = Matrix.from([[0.5, 0.5, -1]]);
    const model = serial(dense(8, { wStd: 1.3, bStd: 0.2 }), relu(), dense(4, { bStd: 0.1 }), erf(), dense(1));
    const kernels = infinite(model, { inputShape: [3] });
    const dot = (a: number[], b: number[]) => a.reduce((sum, v, i) => sum + v * b[i], 0) / 3;
    const rows = x.toArray();
    const self = kernels.kernelsFromCovariances({ nngp: rows.map((a) => rows.map((b) => dot(a, b))), cov1: rows.map((a) => dot(a, a)) });
    const direct = kernels.kernels(x);
    expectClose(self.nngp, direct.nngp, 1e-14, 'nngp');
    expectClose(self.ntk, direct.ntk, 1e-14, 'ntk');
    const [w] = z.toArray();
    const cross = kernels.kernelsFromCovariances({ nngp: rows.map((a) => [dot(a, w)]), cov1: rows.map((a) => dot(a, a)), cov2: [dot(w, w)] });
    expectClose(cross.nngp, kernels.kernels(x, z).nngp, 1e-14, 'cross nngp');
  });

  it('checks the covariances and the model, naming them', () => {
    const kernels = infinite(serial(dense(2), relu(), dense(1)), { inputShape: [2] });
    expect(() =>
      kernels.kernelsFromCovariances({
        nngp: [
          [1, 2],
          [2, 1],
        ],
        cov1: [1, 1],
      }),
    ).toThrow(new RangeError('kernelsFromCovariances: nngp[1][0] = 2 is not within ±√(cov1[1]·cov1[0]) = ±1: no Gaussian inputs have it'));
    expect(() => kernels.kernelsFromCovariances({ nngp: [[1, 0]], cov1: [1] })).toThrow(
      new RangeError("kernelsFromCovariances: without cov2 the columns are the rows' inputs, but nngp is 1x2"),
    );
    expect(() => kernels.kernelsFromCovariances({ nngp: [[1, 0]], cov1: [1], cov2: [1] })).toThrow(
      new RangeError('kernelsFromCovariances: cov2 has 1 variances but the kernel needs 2'),
    );
    expect(() => kernels.kernelsFromCovariances({ nngp: [[1]], cov1: [-1] })).toThrow(
      new RangeError('kernelsFromCovariances: cov1[0] is -1; variances are finite and ≥ 0'),
    );
    expect(() => kernels.kernelsFromCovariances({ nngp: [[1]], cov1: [1], ntk: [[1, 2]] })).toThrow(
      new RangeError('kernelsFromCovariances: ntk is 1x2 but nngp is 1x1'),
    );
    expect(() => kernels.kernelsFromCovariances({ cov1: [1] } as never)).toThrow(new TypeError('kernelsFromCovariances: nngp and cov1 are required'));
    expect(
      kernels.kernelsFromCovariances({
        nngp: [
          [2, 0.5],
          [0.5, 1],
        ],
        cov1: [
          [2, 0.5],
          [0.5, 1],
        ],
      }).nngp.rows,
    ).toBe(2);
    const cnn = infinite(serial(conv(2, [2]), relu(), flatten(), dense(1)), { inputShape: [3, 1] });
    expect(() => cnn.kernelsFromCovariances({ nngp: [[1]], cov1: [1] })).toThrow(/kernelsFromCovariances: the model works on positions/);
    expect(() => infinite(serial(relu(), dense(1)), { inputShape: [2] })).toThrow(/needs a Gaussian input at infinite width/);
    expect(() => infinite(serial(relu(), dense(1)), { inputShape: [2], inputIsGaussian: 'yes' as never })).toThrow(
      new TypeError('infinite: inputIsGaussian must be a boolean, got "yes"'),
    );
  });

  it('gives the kernels after each layer: the last is the model’s, each is the prefix model’s', () => {
    const x = Matrix.from([
      [0.3, -1.2, 0.8],
      [1.1, 0.4, -0.5],
    ]);
    const z = Matrix.from([[0.5, 0.5, -1]]);
    const layers = [dense(6, { wStd: 1.3, bStd: 0.2 }), relu(), dense(4, { bStd: 0.1 }), erf(), dense(4), residual(relu(), dense(4)), dense(1)];
    const perLayer = infinite(serial(...layers), { inputShape: [3] }).kernelsPerLayer(x, z);
    expect(perLayer.map((k) => k.layer)).toEqual([
      'model.serial[0] (dense)',
      'model.serial[1] (activation)',
      'model.serial[2] (dense)',
      'model.serial[3] (activation)',
      'model.serial[4] (dense)',
      'model.serial[5] (serial)',
      'model.serial[6] (dense)',
    ]);
    layers.forEach((_, i) => {
      const prefix = infinite(serial(...layers.slice(0, i + 1)), { inputShape: [3] }).kernels(x, z);
      expectClose(perLayer[i].nngp, prefix.nngp, 1e-14, `after layer ${i} nngp`);
      expectClose(perLayer[i].ntk, prefix.ntk, 1e-14, `after layer ${i} ntk`);
    });
    const self = infinite(serial(...layers), { inputShape: [3] }).kernelsPerLayer(x);
    expectClose(self.at(-1)!.ntk, infinite(serial(...layers), { inputShape: [3] }).kernels(x).ntk, 1e-14, 'x with itself');
    expect(() => infinite(serial(conv(2, [2]), relu(), flatten(), dense(1)), { inputShape: [3, 1] }).kernelsPerLayer([[1, 2, 3]])).toThrow(
      new RangeError('kernelsPerLayer: the model works on positions; the kernels per layer are for models on vectors'),
    );
  });
});
