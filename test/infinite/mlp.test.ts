import { describe, expect, it } from 'vitest';
import { checkMercer, gpInference, gradientDescentMse, infiniteMlp, maxLearningRate, ready, setBackend } from '../../src/index.js';
import { logisticRule } from '../../src/infinite/logistic.js';
import { uniformMatrix } from '../../src/random.js';
import { BACKENDS, describeEachBackend } from '../helpers/backends.js';
import { expectClose, expectRelative } from '../helpers/close.js';
import { type Rows, loadFixture } from '../helpers/fixtures.js';

// Inputs of the neural-tangents reference values (neural-tangents 0.6.6; copied into test/fixtures/REFERENCE_VALUES.md).
const a = [1, 2, 3];
const b = [0.5, -1, 0];
const c = [1, 0, -1];
const e = [-2, 0.5, 1];
const g = [0.3, 0.3, 0.3];

/** Relative agreement with values quoted to six significant digits. */
const quoted = (actual: number, expected: number) => expect(Math.abs(actual - expected)).toBeLessThanOrEqual(2e-6 * Math.max(1, Math.abs(expected)));

// tanh and sigmoid Gram matrices by nested adaptive quadrature (test/fixtures/make_infinite.py).
const { grams } = await loadFixture<{ grams: { activation: 'tanh' | 'sigmoid'; depth: number; wStd: number; bStd: number; x: Rows; nngp: Rows; ntk: Rows }[] }>(
  'infinite',
);

describeEachBackend('infiniteMlp reproduces neural-tangents', () => {
  it('TV1: one ReLU layer, W = 1, no bias: 1/(4π) off the diagonal; nngp 0.25, ntk 0.5 on it', () => {
    const { nngp, ntk } = infiniteMlp({ depth: 1, activation: 'relu', bStd: null }).kernels([
      [1, 0],
      [0, 1],
    ]);
    expectClose(
      nngp,
      [
        [0.25, 1 / (4 * Math.PI)],
        [1 / (4 * Math.PI), 0.25],
      ],
      1e-15,
    );
    expectClose(
      ntk,
      [
        [0.5, 1 / (4 * Math.PI)],
        [1 / (4 * Math.PI), 0.5],
      ],
      1e-15,
    );
  });

  it('TV2: one Erf layer, d = 1', () => {
    const k = infiniteMlp({ depth: 1, activation: 'erf', bStd: null });
    const { nngp, ntk } = k.kernels([[1]], [[1], [-0.5]]);
    quoted(nngp.get(0, 0), 0.464559);
    quoted(ntk.get(0, 0), 1.033969);
    quoted(nngp.get(0, 1), -0.312506);
    quoted(ntk.get(0, 1), -0.652793);
  });

  it("TV-A: Dense(1.5, 0.1) → Relu → Dense, in 'ntk' and 'standard' (width 512)", () => {
    const ntkParam = infiniteMlp({ depth: 1, activation: 'relu', wStd: 1.5, bStd: 0.1 });
    const standard = infiniteMlp({ depth: 1, activation: 'relu', wStd: 1.5, bStd: 0.1, parameterization: 'standard', widths: [512] });
    const pairs: [number[], number[], number, number, number][] = [
      [a, c, 0.699441, 0.0658544, 157.460925],
      [a, e, 3.229614, 4.206943, 735.58268],
      [b, e, 0.194029, -0.187809, 42.705608],
      [a, a, 11.83375, 23.6575, 2708.435],
    ];
    for (const [x, y, nngp, ntk, ntkStandard] of pairs) {
      const k = ntkParam.kernels([x], [y]);
      quoted(k.nngp.get(0, 0), nngp);
      quoted(k.ntk.get(0, 0), ntk);
      quoted(standard.ntk([x], [y]).get(0, 0), ntkStandard);
      quoted(standard.nngp([x], [y]).get(0, 0), nngp);
    }
  });

  it('TV-B: three ReLU layers, W = √2, b = 0.5', () => {
    const k = infiniteMlp({ depth: 3, activation: 'relu', wStd: Math.SQRT2, bStd: 0.5 });
    quoted(k.nngp([a], [c]).get(0, 0), 2.939196);
    quoted(k.ntk([a], [c]).get(0, 0), 4.545661);
    quoted(k.nngp([b], [g]).get(0, 0), 1.18208);
    quoted(k.ntk([b], [g]).get(0, 0), 2.181088);
    const standard = infiniteMlp({ depth: 3, activation: 'relu', wStd: Math.SQRT2, bStd: 0.5, parameterization: 'standard', widths: [512, 512, 512] });
    quoted(standard.ntk([a], [c]).get(0, 0), 1078.431137);
  });

  it('TV-C: two Erf layers', () => {
    const k = infiniteMlp({ depth: 2, activation: 'erf', wStd: 1.2, bStd: 0.3 }).kernels([a], [c]);
    quoted(k.nngp.get(0, 0), -0.00375704);
    quoted(k.ntk.get(0, 0), -0.252036);
  });

  it("TV-E: 'standard', width 4: a zero-variance bias still adds its gradient term", () => {
    const spec = { depth: 1, activation: 'relu', parameterization: 'standard', widths: [4] } as const;
    quoted(
      infiniteMlp({ ...spec, bStd: null })
        .nngp([a], [c])
        .get(0, 0),
      0.134358,
    );
    quoted(
      infiniteMlp({ ...spec, bStd: null })
        .ntk([a], [c])
        .get(0, 0),
      0.160806,
    );
    quoted(
      infiniteMlp({ ...spec, bStd: 0 })
        .ntk([a], [c])
        .get(0, 0),
      1.349118,
    );
  });

  it('TV-F: Gelu, LeakyRelu(0.1), Abs', () => {
    const cases = [
      ['gelu', 0.568692, 0.777495],
      ['leaky_relu', 0.639099, 0.87527],
      ['abs', 1.942875, 2.053515],
    ] as const;
    for (const [activation, nngp, ntk] of cases) {
      const k = infiniteMlp({ depth: 1, activation, wStd: 1, bStd: 0.2, ...(activation === 'leaky_relu' ? { leak: 0.1 } : {}) }).kernels([a], [e]);
      quoted(k.nngp.get(0, 0), nngp);
      quoted(k.ntk.get(0, 0), ntk);
    }
  });

  it('predictions of the reference net: gradient_descent_mse, gp_inference, max_learning_rate', () => {
    const k = infiniteMlp({ depth: 2, activation: 'relu', wStd: Math.SQRT2, bStd: 0.5 });
    const xTrain = [a, b, c, e];
    const xTest = [g, [2, -1, 0.5]];
    const yTrain = [
      [1, -1],
      [0.5, 0],
      [-0.5, 2],
      [0, 1],
    ];
    const train = k.kernels(xTrain);
    expectClose(
      [0, 1, 2, 3].map((i) => train.ntk.get(i, i)),
      [29.5, 4, 5.5, 12],
      1e-12,
      'NTK diagonal',
    );
    const testTrain = k.kernels(xTest, xTrain);
    const fxTrain0 = [
      [0.1, 0.2],
      [-0.3, 0],
      [0.05, 0.1],
      [0.2, -0.2],
    ];
    const fxTest0 = [
      [0, 0.1],
      [0.3, -0.1],
    ];
    const flow = gradientDescentMse(train.ntk, yTrain, { learningRate: 2, diagReg: 1e-2 });
    const at = (t: number) => flow.predict({ t, fxTrain0, fxTest0, kTestTrain: testTrain.ntk }).test!;
    const expectQuoted = (m: { get(i: number, j: number): number }, rows: number[][]) =>
      rows.forEach((row, i) => row.forEach((v, j) => quoted(m.get(i, j), v)));
    expectQuoted(at(0.5), [
      [0.110222, 0.211985],
      [0.595915, 0.253357],
    ]);
    expectQuoted(at(Infinity), [
      [0.132238, 0.310501],
      [1.018703, 0.211012],
    ]);

    const testTest = k.kernels(xTest);
    const gp = gpInference(train, yTrain, { diagReg: 1e-4 });
    const nngp = gp.predict('nngp', testTrain, testTest);
    expectQuoted(nngp.mean, [
      [0.130984, 0.305395],
      [0.601931, 0.150803],
    ]);
    expectQuoted(nngp.covariance!, [
      [0.243731, -0.0641623],
      [-0.0641623, 0.889973],
    ]);
    const ntk = gp.predict('ntk', testTrain, testTest);
    expectQuoted(ntk.mean, [
      [0.114586, 0.241856],
      [0.471605, 0.362608],
    ]);
    expectQuoted(ntk.covariance!, [
      [0.258629, -0.0516523],
      [-0.0516523, 0.929103],
    ]);

    quoted(maxLearningRate(train.ntk), 0.247895);
    quoted(maxLearningRate(train.ntk, { outputs: 2 }), 0.49579);
  });

  it('tanh and sigmoid Gram matrices at depth 1 and 2 match nested adaptive quadrature to 1e-10', () => {
    for (const q of grams) {
      const k = infiniteMlp({ depth: q.depth, activation: q.activation, wStd: q.wStd, bStd: q.bStd }).kernels(q.x);
      for (const [name, m, expected] of [
        ['nngp', k.nngp, q.nngp],
        ['ntk', k.ntk, q.ntk],
      ] as const) {
        expected.forEach((row, i) => row.forEach((v, j) => expectRelative(m.get(i, j), v, 1e-10, `${q.activation} depth ${q.depth} ${name}[${i}][${j}]`)));
      }
    }
  });

  it('gives symmetric PSD kernels for x1 = x2, finite values at depth 50, and in-range maps at correlation ±1', () => {
    const x = uniformMatrix(30, 4, 2);
    for (const activation of ['relu', 'erf', 'tanh', 'abs'] as const) {
      const { nngp, ntk } = infiniteMlp({ depth: 3, activation, bStd: 0.1 }).kernels(x);
      expect(checkMercer(nngp, { tol: 1e-9 })).toMatchObject({ symmetric: true, psd: true });
      expect(checkMercer(ntk, { tol: 1e-9 })).toMatchObject({ symmetric: true, psd: true });
    }
    const deep = infiniteMlp({ depth: 50, activation: 'relu', wStd: Math.SQRT2, bStd: 0.1 }).kernels(x);
    expect(deep.ntk.data.every(Number.isFinite)).toBe(true);
    // x and −x, and x with itself: correlation exactly ±1.
    const k = infiniteMlp({ depth: 2, activation: 'erf' }).kernels([
      [1, 2],
      [-1, -2],
      [1, 2],
    ]);
    expect(k.nngp.data.every(Number.isFinite) && k.ntk.data.every(Number.isFinite)).toBe(true);
    quoted(k.nngp.get(0, 1), -k.nngp.get(0, 0));
  });

  it('rejects bad options with clear messages', () => {
    expect(() => infiniteMlp({ depth: -1, activation: 'relu' })).toThrow(/depth must be ≥ 0/);
    expect(() => infiniteMlp({ depth: 1, activation: 'softplus' as never })).toThrow(/activation must be one of/);
    expect(() => infiniteMlp({ depth: 1, activation: 'relu', parameterization: 'standard' })).toThrow(/'standard' needs widths/);
    expect(() => infiniteMlp({ depth: 2, activation: 'relu', parameterization: 'standard', widths: [8] })).toThrow(/widths has 1 entries but depth is 2/);
    expect(() => infiniteMlp({ depth: 1, activation: 'relu', widths: [8] })).toThrow(/widths apply to parameterization 'standard' only/);
    expect(() => infiniteMlp({ depth: 1, activation: 'relu' }).ntk([[1, 2]], [[1]])).toThrow(/x1 is 1x2 but x2 is 1x1/);
  });
});

describe('the scale-mixture rule of tanh', () => {
  it('has the moments of the Kolmogorov law that make tanh(x) = E[erf(x/(√2K))] to third order', () => {
    const { scales, weights } = logisticRule();
    const moment = (p: number) => scales.reduce((s, k2, i) => s + weights[i] * k2 ** (p / 2), 0);
    expectRelative(moment(0), 1, 1e-15, 'E[1]: tanh(±∞) = ±1');
    // tanh′(0) = 1 and tanh‴(0) = −2 give E[1/K] = √(π/2) and E[1/K³] = √(2π); the logistic variance π²/3 gives E[K²] = π²/12.
    expectRelative(moment(-1), Math.sqrt(Math.PI / 2), 1e-14, 'E[1/K]');
    expectRelative(moment(-3), Math.sqrt(2 * Math.PI), 1e-13, 'E[1/K³]');
    expectRelative(moment(2), Math.PI ** 2 / 12, 1e-13, 'E[K²]');
  });
});

describe('infiniteMlp: wasm and ts agree', () => {
  it.each(['relu', 'erf', 'gelu', 'tanh', 'sigmoid'] as const)('%s to 1e-12', async (activation) => {
    await ready();
    const x1 = uniformMatrix(23, 5, 3);
    const x2 = uniformMatrix(7, 5, 4);
    const results = BACKENDS.map((backend) => {
      setBackend(backend);
      const k = infiniteMlp({ depth: 2, activation, wStd: 1.4, bStd: 0.2 });
      return [k.kernels(x1), k.kernels(x1, x2)];
    });
    for (const part of [0, 1]) {
      expectClose(results[0][part].nngp, results[1][part].nngp, 1e-12, 'nngp');
      expectClose(results[0][part].ntk, results[1][part].ntk, 1e-12, 'ntk');
    }
  });
});
