// Hyperparameter derivatives of the infinite-width kernels (src/infinite/gradients.ts) against central finite
// differences of the kernels themselves, Richardson-extrapolated (error O(h⁴)), on both backends: every op with a
// tangent rule and every activation with partials, x with itself and with z, correlations of exactly ±1 (a point and a
// multiple of it), large and small variances.
import { expect, it } from 'vitest';
import {
  type InfiniteModel,
  type Layer,
  abRelu,
  abs,
  avgPool,
  conv,
  convLocal,
  convTranspose,
  dense,
  dropout,
  elementwise,
  erf,
  expNormalized,
  fanInConcat,
  fanInProd,
  fanOut,
  flatten,
  gabor,
  globalAvgPool,
  globalSumPool,
  identity,
  imageResize,
  index,
  infinite,
  layerNorm,
  leakyRelu,
  monomial,
  parallel,
  polynomial,
  randomMatrix,
  relu,
  repeat,
  residual,
  serial,
  sigmoid,
  cos,
  exp,
  gaussian,
  gelu,
  hermite,
  rbf,
  rectifiedMonomial,
  sign,
  sumPool,
  sin,
  tanh,
} from '../../src/index.js';
import { describeEachBackend } from '../helpers/backends.js';
import { expectClose } from '../helpers/close.js';

/**
 * ∂K/∂θ by central differences at steps h and h/2, extrapolated; `rounding`: what the kernels' own rounding leaves in
 * them (a few ulps of the largest kernel entry over h), below which a derivative cannot be told from its reference.
 */
function finiteDifference(model: InfiniteModel, name: string, x: number[][], z: number[][] | undefined) {
  const value = model.hyperparameters()[name];
  const central = (h: number) => {
    const plus = model.withHyperparameters({ [name]: value + h }).kernels(x, z);
    const minus = model.withHyperparameters({ [name]: value - h }).kernels(x, z);
    return { nngp: plus.nngp.data.map((v, i) => (v - minus.nngp.data[i]) / (2 * h)), ntk: plus.ntk.data.map((v, i) => (v - minus.ntk.data[i]) / (2 * h)) };
  };
  const h = 1e-3 * value;
  const step = Math.abs(h);
  const [coarse, fine] = [central(h), central(h / 2)];
  const extrapolate = (a: Float64Array, b: Float64Array) => b.map((v, i) => (4 * v - a[i]) / 3);
  const kernels = model.kernels(x, z);
  const largest = (m: { data: Float64Array }) => m.data.reduce((s, v) => Math.max(s, Math.abs(v)), 0);
  const rounding = { nngp: (64 * Number.EPSILON * largest(kernels.nngp)) / step, ntk: (64 * Number.EPSILON * largest(kernels.ntk)) / step };
  return { nngp: extrapolate(coarse.nngp, fine.nngp), ntk: extrapolate(coarse.ntk, fine.ntk), rounding };
}

/** Every entry within 1e-7 of the largest reference entry, or within the differences' rounding. */
function expectDerivative(actual: Float64Array, reference: Float64Array, rounding: number, label: string) {
  const bound = 1e-7 * reference.reduce((s, v) => Math.max(s, Math.abs(v)), 0) + rounding;
  actual.forEach((v, i) => {
    if (!Number.isFinite(v) || !(Math.abs(v - reference[i]) <= bound)) {
      throw new Error(`${label} (${actual.length} entries): entry ${i} is ${v} but its finite difference is ${reference[i]} (bound ${bound.toExponential(2)})`);
    }
  });
}

const MODELS: Record<string, Layer> = {
  'relu, depth 3': serial(dense(8, { wStd: 1.4, bStd: 0.3 }), relu(), dense(8, { wStd: 1.2, bStd: 0.2 }), relu(), dense(1, { wStd: 0.9, bStd: 0.4 })),
  'erf with parameters, standard': serial(
    dense(6, { wStd: 1.3, bStd: 0.2, parameterization: 'standard' }),
    erf({ a: 1.5, b: 0.7, c: 0.2 }),
    dense(1, { wStd: 1.1, bStd: 0.4 }),
  ),
  'tanh and sigmoid (scale mixtures)': serial(
    dense(4, { wStd: 1.3, bStd: 0.2 }),
    tanh(),
    dense(4, { wStd: 1.2, bStd: 0.1 }),
    sigmoid(),
    dense(1, { wStd: 1.1, bStd: 0.4 }),
  ),
  'gelu, polynomial, gabor': serial(
    dense(4, { wStd: 1.4, bStd: 0.3 }),
    gelu(),
    dense(4, { wStd: 1.2, bStd: 0.2 }),
    polynomial({ coef: [0.3, -0.5, 0.8, 0.2] }),
    dense(4, { wStd: 0.8, bStd: 0.1 }),
    gelu(),
    dense(4, { wStd: 1.3, bStd: 0.2 }),
    gabor(),
    dense(1, { wStd: 0.9, bStd: 0.1 }),
  ),
  'sin, cos, exp, rbf, gaussian': serial(
    dense(4, { wStd: 1.1, bStd: 0.2 }),
    sin({ a: 1.2, b: 0.8, c: 0.3 }),
    dense(4, { wStd: 0.9, bStd: 0.3 }),
    cos({ b: 0.7, c: -0.4 }),
    dense(4, { wStd: 1.3, bStd: 0.1 }),
    exp({ a: 0.5, b: 0.3 }),
    dense(4, { wStd: 1.2, bStd: 0.2 }),
    rbf({ gamma: 0.4 }),
    dense(4, { wStd: 1.4, bStd: 0.25 }),
    gaussian({ a: 1.1, b: -0.6 }),
    dense(1, { wStd: 0.8, bStd: 0.3 }),
  ),
  monomials: serial(
    dense(4, { wStd: 0.9, bStd: 0.3 }),
    monomial({ degree: 3 }),
    dense(4, { wStd: 0.8, bStd: 0.2 }),
    rectifiedMonomial({ degree: 2 }),
    dense(4, { wStd: 1.1, bStd: 0.1 }),
    rectifiedMonomial({ degree: 0 }),
    dense(4, { wStd: 1.2, bStd: 0.3 }),
    rectifiedMonomial({ degree: 3 }),
    dense(1, { wStd: 0.7, bStd: 0.2 }),
  ),
  'sign, hermite, exp_normalized': serial(
    dense(4, { wStd: 1.3, bStd: 0.4 }),
    sign(),
    dense(4, { wStd: 0.9, bStd: 0.2 }),
    layerNorm(),
    hermite({ degree: 3 }),
    dense(4, { wStd: 1.1, bStd: 0.3 }),
    expNormalized({ gamma: 0.8, shift: -0.5 }),
    dense(4, { wStd: 1.2, bStd: 0.2 }),
    expNormalized({ gamma: 1.3, shift: -1, doClip: true }),
    dense(1, { wStd: 1.2, bStd: 0.1 }),
  ),
  'branches, products, layerNorm, dropout, repeat': serial(
    dense(4, { wStd: 1.3, bStd: 0.2 }),
    abs(),
    dense(4, { wStd: 1.2, bStd: 0.1 }),
    layerNorm(),
    leakyRelu(0.2),
    dense(4, { wStd: 1.05, bStd: 0.15 }),
    residual(abRelu({ a: -0.4, b: 1.3 }), dense(4, { wStd: 0.7, bStd: 0.3 })),
    repeat(serial(relu(), dense(4, { wStd: 1.1, bStd: 0.25 })), 2),
    fanOut(2),
    parallel(serial(identity(), dense(3, { wStd: 1.4, bStd: 0.05 })), dense(3, { wStd: 0.8, bStd: 0.5 })),
    fanInProd(),
    fanOut(2),
    parallel(dense(2, { wStd: 0.6, bStd: 0.2 }), dense(3, { wStd: 0.9, bStd: 0.1 })),
    fanInConcat(),
    dropout(0.8),
    dense(1, { wStd: 1.1, bStd: 0.4 }),
  ),
};

// Models on positions (the pair interpreters' tangents): inputs of 5 positions × 2 channels, or 4 × 3 × 2 images.
const MODELS_ON_POSITIONS: Record<string, { layers: Layer; inputShape: number[] }> = {
  '1-D CNN: conv, relu, convTranspose, avgPool, flatten': {
    layers: serial(
      conv(3, [2], { wStd: 1.3, bStd: 0.2 }),
      relu(),
      convTranspose(3, [3], { wStd: 1.2, bStd: 0.15, strides: 2, padding: 'CIRCULAR' }),
      gelu(),
      conv(3, [2], { wStd: 1.1, bStd: 0.3, padding: 'SAME', parameterization: 'standard' }),
      erf({ a: 1.2, b: 0.8, c: 0.1 }),
      avgPool([2], { padding: 'SAME', normalizeEdges: true }),
      flatten(),
      dense(1, { wStd: 0.9, bStd: 0.4 }),
    ),
    inputShape: [5, 2],
  },
  '2-D CNN: circular conv, layerNorm over all axes, imageResize, sumPool, globalAvgPool': {
    layers: serial(
      conv(3, [2, 2], { wStd: 1.2, bStd: 0.25, padding: 'CIRCULAR' }),
      layerNorm({ axis: 'all' }),
      gelu(),
      conv(3, [2, 1], {
        wStd: 0.9,
        bStd: 0.1,
        strides: [1, 2],
        padding: [
          [1, 0],
          [0, 1],
        ],
      }),
      layerNorm(),
      imageResize({ shape: [3, 3, -1], method: 'linear' }),
      sumPool([2, 2], { padding: 'SAME' }),
      sin({ a: 1.1, b: 0.9, c: 0.2 }),
      globalAvgPool(),
      dense(1, { wStd: 1.1, bStd: 0.3 }),
    ),
    inputShape: [4, 3, 2],
  },
  '3-D CNN: strided conv, convTranspose, convLocal, layerNorm, imageResize, avgPool normalizeEdges, flatten': {
    layers: serial(
      conv(3, [2, 2, 2], { wStd: 1.2, bStd: 0.2, strides: [1, 2, 1], padding: 'SAME' }),
      erf({ a: 1.1, b: 0.8, c: 0.1 }),
      convTranspose(2, [2, 1, 2], { wStd: 0.9, bStd: 0.15, strides: [1, 1, 2], padding: 'CIRCULAR' }),
      convLocal(2, [2, 2, 1], { wStd: 1.1, bStd: 0.2, padding: 'SAME' }),
      layerNorm({ axis: 'all' }),
      relu(),
      imageResize({ shape: [2, 3, 3, -1], method: 'linear' }),
      avgPool([2, 2, 2], { padding: 'SAME', normalizeEdges: true }),
      flatten(),
      dense(1, { wStd: 1.1, bStd: 0.3 }),
    ),
    inputShape: [3, 3, 2, 1],
  },
  'on positions: branches, products, concatenation, index, dropout, globalSumPool': {
    layers: serial(
      conv(3, [2], { wStd: 1.2, bStd: 0.2, padding: 'SAME' }),
      fanOut(3),
      parallel(
        serial(conv(2, [3], { wStd: 1.1, bStd: 0.1, padding: 'SAME' }), leakyRelu(0.1)),
        serial(dense(2, { wStd: 0.8, bStd: 0.3 }), abs()),
        serial(identity(), conv(2, [1], { wStd: 1.3, bStd: 0.05 }), relu()),
      ),
      fanInConcat({ axis: -1 }),
      fanOut(2),
      parallel(conv(2, [2], { wStd: 0.9, bStd: 0.2 }), conv(2, [2], { wStd: 1.05, bStd: 0.15 })),
      fanInProd(),
      conv(2, [2], { wStd: 1.2, bStd: 0.1, padding: 'SAME' }),
      fanOut(2),
      parallel(index([{ stop: 2 }]), index([{ start: 2 }])),
      fanInConcat({ axis: 1 }),
      residual(serial(tanh(), conv(2, [2], { wStd: 1.1, bStd: 0.2, padding: 'SAME' }))),
      dropout(0.7),
      globalSumPool(),
      dense(1, { wStd: 0.7, bStd: 0.5 }),
    ),
    inputShape: [5, 2],
  },
};

describeEachBackend('infinite(…).kernelGradients', () => {
  const x = randomMatrix(6, 3, { seed: 1 }).toArray();
  // A multiple of the first point (correlation exactly 1) and its negative (−1).
  x.push(
    x[0].map((v) => 3 * v),
    x[0].map((v) => -0.5 * v),
  );
  const z = randomMatrix(4, 3, { seed: 2 }).toArray();

  for (const [label, layers] of Object.entries(MODELS)) {
    it(`${label}: every derivative equals its finite difference, x with itself and with z`, () => {
      const model = infinite(layers, { inputShape: [3] });
      const names = Object.keys(model.hyperparameters());
      for (const second of [undefined, z]) {
        const { nngp, ntk, gradients } = model.kernelGradients(x, second);
        const kernels = model.kernels(x, second);
        expectClose(nngp, kernels.nngp, 1e-13, `${label}: NNGP`);
        expectClose(ntk, kernels.ntk, 1e-13, `${label}: NTK`);
        expect(Object.keys(gradients)).toEqual(names);
        for (const name of names) {
          const reference = finiteDifference(model, name, x, second);
          const shape = second === undefined ? 'x·x' : 'x·z';
          expectDerivative(gradients[name].nngp.data, reference.nngp, reference.rounding.nngp, `${label}: ∂NNGP/∂${name} (${shape})`);
          expectDerivative(gradients[name].ntk.data, reference.ntk, reference.rounding.ntk, `${label}: ∂NTK/∂${name} (${shape})`);
        }
      }
    });
  }

  for (const [label, { layers, inputShape }] of Object.entries(MODELS_ON_POSITIONS)) {
    it(`${label}: every derivative equals its finite difference, x with itself and with z`, () => {
      const model = infinite(layers, { inputShape });
      const names = Object.keys(model.hyperparameters());
      const size = inputShape.reduce((p, v) => p * v, 1);
      const images = randomMatrix(4, size, { seed: 5 }).toArray();
      images.push(images[0].map((v) => -2 * v));
      const others = randomMatrix(3, size, { seed: 6 }).toArray();
      for (const second of [undefined, others]) {
        const { nngp, ntk, gradients } = model.kernelGradients(images, second);
        const kernels = model.kernels(images, second);
        expectClose(nngp, kernels.nngp, 1e-13, `${label}: NNGP`);
        expectClose(ntk, kernels.ntk, 1e-13, `${label}: NTK`);
        for (const name of names) {
          const reference = finiteDifference(model, name, images, second);
          const shape = second === undefined ? 'x·x' : 'x·z';
          expectDerivative(gradients[name].nngp.data, reference.nngp, reference.rounding.nngp, `${label}: ∂NNGP/∂${name} (${shape})`);
          expectDerivative(gradients[name].ntk.data, reference.ntk, reference.rounding.ntk, `${label}: ∂NTK/∂${name} (${shape})`);
        }
      }
    });
  }

  it('at large and small input scales the derivatives keep their relative accuracy', () => {
    for (const scale of [1e-6, 1e6]) {
      const model = infinite(serial(dense(8, { wStd: 1.4, bStd: 0.3 * scale }), relu(), dense(1, { wStd: 0.9, bStd: 0.4 * scale })), { inputShape: [3] });
      const scaled = x.map((row) => row.map((v) => v * scale));
      const { gradients } = model.kernelGradients(scaled);
      for (const name of Object.keys(gradients)) {
        const reference = finiteDifference(model, name, scaled, undefined);
        expectDerivative(gradients[name].ntk.data, reference.ntk, reference.rounding.ntk, `scale ${scale}: ∂NTK/∂${name}`);
      }
    }
  });

  it('reports progress by blocks of rows, equal to one call, and stops when its signal is aborted', () => {
    const model = infinite(MODELS['relu, depth 3'], { inputShape: [3] });
    const big = randomMatrix(45, 3, { seed: 3 });
    const z = randomMatrix(31, 3, { seed: 4 });
    for (const second of [undefined, z]) {
      const seen: number[] = [];
      const blocked = model.kernelGradients(big, second, { onProgress: (done, rows) => seen.push(done / rows) });
      const whole = model.kernelGradients(big, second);
      expect(seen.length).toBeGreaterThan(5);
      expect(seen.at(-1)).toBe(1);
      expectClose(blocked.nngp, whole.nngp, 1e-13, 'NNGP by blocks');
      for (const name of Object.keys(whole.gradients)) {
        expectClose(blocked.gradients[name].nngp, whole.gradients[name].nngp, 1e-12, `∂NNGP/∂${name} by blocks`, 'normwise');
        expectClose(blocked.gradients[name].ntk, whole.gradients[name].ntk, 1e-12, `∂NTK/∂${name} by blocks`, 'normwise');
      }
    }
    const controller = new AbortController();
    const stopped = () => model.kernelGradients(big, undefined, { onProgress: () => controller.abort(), signal: controller.signal });
    expect(stopped).toThrow(/aborted/);
  });

  it("lists activations' parameters as hyperparameters, held as themselves", () => {
    const model = infinite(serial(dense(4, { bStd: 0.5 }), erf({ a: 2, b: 0.5, c: -0.3 }), dense(4), abRelu({ a: -0.5, b: 2 }), dense(1)), { inputShape: [3] });
    expect(model.hyperparameters()).toEqual({
      'model.serial[0].wStd': 1,
      'model.serial[0].bStd': 0.5,
      'model.serial[1].a': 2,
      'model.serial[1].b': 0.5,
      'model.serial[1].c': -0.3,
      'model.serial[2].wStd': 1,
      'model.serial[2].bStd': 0,
      'model.serial[3].a': -0.5,
      'model.serial[3].b': 2,
      'model.serial[4].wStd': 1,
      'model.serial[4].bStd': 0,
    });
    const moved = model.withHyperparameters({ 'model.serial[1].c': 0.4, 'model.serial[3].a': 0.25 });
    const same = infinite(serial(dense(4, { bStd: 0.5 }), erf({ a: 2, b: 0.5, c: 0.4 }), dense(4), abRelu({ a: 0.25, b: 2 }), dense(1)), { inputShape: [3] });
    expectClose(moved.nngp(x), same.nngp(x), 0, 'the model at other activation parameters');
    expect(() => model.withHyperparameters({ 'model.serial[1].b': Infinity })).toThrow(/withHyperparameters: model.serial\[1\].b must be finite/);
    // A polynomial's coefficients up to its degree (those of 'gelu, polynomial, gabor' are checked above).
    const cubic = infinite(serial(dense(4), polynomial({ coef: [0.5, 0, -1, 0.25, 0] }), dense(1)), { inputShape: [3] });
    expect(Object.keys(cubic.hyperparameters()).filter((name) => name.startsWith('model.serial[1]'))).toEqual([
      'model.serial[1].coef0',
      'model.serial[1].coef1',
      'model.serial[1].coef2',
      'model.serial[1].coef3',
    ]);
  });

  it('names the hyperparameters by place (a repeated layer once), takes a subset, and a bStd of 0 has derivative 0', () => {
    const model = infinite(serial(dense(4, { wStd: 1.5 }), repeat(serial(relu(), dense(4, { bStd: null })), 3), relu(), dense(1)), { inputShape: [3] });
    expect(model.hyperparameters()).toEqual({
      'model.serial[0].wStd': 1.5,
      'model.serial[0].bStd': 0,
      'model.serial[1].repeat.serial[1].wStd': 1,
      'model.serial[3].wStd': 1,
      'model.serial[3].bStd': 0,
    });
    const { gradients } = model.kernelGradients(x, undefined, { hyperparameters: ['model.serial[0].bStd', 'model.serial[1].repeat.serial[1].wStd'] });
    expect(Object.keys(gradients)).toEqual(['model.serial[0].bStd', 'model.serial[1].repeat.serial[1].wStd']);
    expect(gradients['model.serial[0].bStd'].nngp.data.every((v) => v === 0)).toBe(true);
    const shared = finiteDifference(model, 'model.serial[1].repeat.serial[1].wStd', x, undefined);
    expectDerivative(gradients['model.serial[1].repeat.serial[1].wStd'].ntk.data, shared.ntk, shared.rounding.ntk, '∂NTK/∂(the repeated wStd)');
    const changed = model.withHyperparameters({ 'model.serial[0].wStd': 2 });
    expect(changed.hyperparameters()['model.serial[0].wStd']).toBe(2);
    expect(model.hyperparameters()['model.serial[0].wStd']).toBe(1.5);
  });

  it('refuses, before any work, what it cannot differentiate, naming it; and keeps working', () => {
    const mlp = infinite(serial(dense(4), relu(), dense(1)), { inputShape: [3] });
    expect(() => mlp.kernelGradients(x, undefined, { hyperparameters: ['model.serial[1].wStd'] })).toThrow(
      /kernelGradients: 'model.serial\[1\].wStd' is not a hyperparameter of the model; it has 'model.serial\[0\].wStd'/,
    );
    expect(() => mlp.kernelGradients(x, undefined, { hyperparameters: [] })).toThrow(TypeError);
    expect(() => mlp.kernelGradients(x, undefined, { hyperparameters: ['model.serial[0].wStd', 'model.serial[0].wStd'] })).toThrow(/names one twice/);
    expect(() => mlp.kernelGradients(x, undefined, { wrt: [] } as never)).toThrow(/unknown option 'wrt'/);
    expect(() => mlp.kernelGradients([[1, 2]])).toThrow(/kernelGradients: the inputs have 2 features but inputShape is \[3\]/);
    expect(() => mlp.kernelGradients([[1, NaN, 2]])).toThrow(/kernelGradients/);
    const custom = elementwise((v: number) => v * v, { nngpFn: (q1: number, q2: number, c: number) => q1 * q2 + 2 * c * c });
    expect(() => infinite(serial(dense(4), custom, dense(1)), { inputShape: [3] }).kernelGradients(x)).toThrow(
      /kernelGradients: the model's elementwise layer/,
    );
    expect(() => mlp.withHyperparameters({ 'model.serial[0].wStd': -1 })).toThrow(/withHyperparameters: model.serial\[0\].wStd must be ≥ 0/);
    expect(() => mlp.withHyperparameters({ nope: 1 })).toThrow(/withHyperparameters: 'nope' is not a hyperparameter/);
    expect(mlp.kernelGradients(x).gradients['model.serial[0].wStd'].nngp.rows).toBe(x.length);
  });
});
