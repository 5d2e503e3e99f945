// Random small architectures for the fuzz tests (test/hardening/fuzz*.test.ts): every layer of the library, inputs
// with one position or several, windows that reach into the padding, residual branches, both readouts. Models
// are built valid for infinite width (an activation or layerNorm after a dense or conv layer), so every seed
// must give kernels on every backend and thread count; the generator is seeded, so a failure names its seed.
import {
  type Activation,
  type ActivationOptions,
  type Layer,
  Random,
  activation,
  aggregate,
  globalSelfAttention,
  avgPool,
  conv,
  convLocal,
  dense,
  fanInConcat,
  dropout,
  index,
  fanInProd,
  fanInSum,
  fanOut,
  flatten,
  globalAvgPool,
  globalSumPool,
  identity,
  layerNorm,
  parallel,
  serial,
  sumPool,
} from '../../src/index.js';

// Every activation with a finite-width form, with parameters that keep a few layers' kernels finite (leaky_relu's
// leak is drawn).
const ACTIVATIONS: readonly [Activation, ActivationOptions][] = [
  ['relu', {}],
  ['leaky_relu', {}],
  ['abs', {}],
  ['erf', {}],
  ['erf', { a: 1.5, b: 0.7, c: 0.2 }],
  ['tanh', {}],
  ['sigmoid', {}],
  ['gelu', {}],
  ['sin', { b: 1.5, c: 0.3 }],
  ['cos', {}],
  ['ab_relu', { a: -0.3, b: 1 }],
  ['exp', { b: 0.3 }],
  ['gaussian', {}],
  ['sign', {}],
  ['rbf', { gamma: 0.5 }],
  ['gabor', {}],
  ['monomial', { degree: 2 }],
  ['rectified_monomial', { degree: 2 }],
  ['hermite', { degree: 2 }],
  ['polynomial', { coef0: 0.1, coef1: 1, coef2: 0.3 }],
];
const PADDINGS = ['VALID', 'SAME', 'CIRCULAR'] as const;

/** One random model, its input shape and a description to name it by. */
export interface Architecture {
  model: Layer;
  inputShape: number[];
  description: string;
  /** The vertices of its aggregate layer's graphs (absent without one): each example takes a pattern of V × V. */
  vertices?: number;
}

export function randomArchitecture(seed: number): Architecture {
  const random = new Random(seed);
  const int = (lo: number, hi: number) => lo + Math.floor(random.uniform() * (hi - lo + 1));
  const pick = <T>(items: readonly T[]): T => items[int(0, items.length - 1)];
  const std = () => Math.round((0.5 + 1.5 * random.uniform()) * 100) / 100;
  // Every seventh seed a volume (three spatial axes); the others draw as they always have.
  const rank = seed % 7 === 6 ? 3 : int(0, 2);
  const spatial = Array.from({ length: rank }, () => int(1, 4));
  const inputShape = [...spatial, int(1, 3)];
  const words: string[] = [];
  let shape = [...spatial];
  let channels = inputShape[inputShape.length - 1];

  // An affine layer (dense, or conv on spatial inputs), its output marked Gaussian.
  const affine = (): Layer => {
    const width = int(1, 4);
    const options = {
      wStd: std(),
      bStd: random.uniform() < 0.2 ? null : Math.round(random.uniform() * 50) / 100,
      parameterization: pick(['ntk', 'standard'] as const),
    };
    channels = width;
    if (shape.length === 0 || random.uniform() < 0.4) {
      words.push(`dense(${width})`);
      return dense(width, options);
    }
    const padding = pick(PADDINGS);
    const filter = shape.map((size) => int(1, padding === 'VALID' ? size : 3));
    const strides = shape.map(() => int(1, 2));
    shape = shape.map((size, i) => (padding === 'VALID' ? Math.floor((size - filter[i]) / strides[i]) + 1 : Math.ceil(size / strides[i])));
    // Every fifth seed's windows have weights per position (convLocal), with no draw of its own.
    const local = seed % 5 === 4;
    words.push(`${local ? 'convLocal' : 'conv'}(${width}, [${filter}], ${padding}, strides [${strides}])`);
    return (local ? convLocal : conv)(width, filter, { ...options, padding, strides });
  };
  const nonlinearity = (): Layer => {
    if (random.uniform() < 0.2) {
      const axis = pick(['channels', 'all'] as const);
      words.push(`layerNorm(${axis})`);
      // eps of the order of the variances: with eps → 0 a layerNorm over two values outputs ±1 whatever its input,
      // so its derivative is 0 computed as rounding divided by √eps, which the backends round apart.
      return layerNorm({ axis, eps: pick([0.01, 0.1, 1]) });
    }
    const [name, options] = pick(ACTIVATIONS);
    words.push(`${name}(${JSON.stringify(options)})`);
    return activation(name, name === 'leaky_relu' ? { leak: Math.round(random.uniform() * 50) / 100 } : options);
  };
  const pool = (): Layer => {
    const padding = pick(PADDINGS);
    const window = shape.map((size) => int(1, padding === 'VALID' ? size : 3));
    shape = shape.map((size, i) => (padding === 'VALID' ? size - window[i] + 1 : size));
    const pooling = pick([avgPool, sumPool]);
    words.push(`${pooling === avgPool ? 'avgPool' : 'sumPool'}([${window}], ${padding})`);
    return pooling(window, { padding });
  };

  const layers: Layer[] = [affine()];
  // Every eleventh seed on positions aggregates over every spatial axis after its first affine layer (one graph per
  // example, whose vertices are the positions there), with no draw of its own.
  const vertices = shape.length > 0 && seed % 11 === 10 ? shape.reduce((p, size) => p * size, 1) : undefined;
  if (vertices !== undefined) {
    words.push(`aggregate(${vertices} vertices)`);
    layers.push(aggregate());
  }
  // Every thirteenth seed on positions attends over them next, its sizes and mechanism from the seed (no draw of its own).
  if (shape.length > 0 && seed % 13 === 12) {
    const mechanism = (['SOFTMAX', 'IDENTITY', 'ABS', 'RELU'] as const)[Math.floor(seed / 13) % 4];
    const [out, heads] = [1 + (seed % 3), 1 + (Math.floor(seed / 3) % 2)];
    words.push(`globalSelfAttention(${out}, 2, 2, ${heads}, ${mechanism})`);
    layers.push(globalSelfAttention(out, 2, 2, heads, { attentionMechanism: mechanism, bStd: seed % 2 === 0 ? 0.1 : null }));
    channels = out;
  }
  for (let block = int(1, 3); block > 0; block--) {
    const roll = random.uniform();
    if (roll < 0.25) {
      // A residual block keeps the shape: dense per position on the branch.
      words.push('residual[');
      const branch = [
        nonlinearity(),
        ((width) => {
          words.push(`dense(${width})`);
          return dense(width, { wStd: std(), bStd: 0.1 });
        })(channels),
      ];
      words.push(']');
      layers.push(serial(fanOut(2), parallel(identity(), serial(...branch)), fanInSum()));
    } else if (roll < 0.4) {
      // Concatenated branches: along the channels a mixture, which an affine layer must follow; along a spatial
      // axis (the branches' other axes equal) the positions double.
      const axis = shape.length > 0 && random.uniform() < 0.5 ? 1 : -1;
      const width = axis === -1 ? int(1, 4) : channels;
      words.push(`fanInConcat(identity, dense(${width}), axis ${axis})`);
      layers.push(serial(fanOut(2), parallel(identity(), dense(width, { wStd: std(), bStd: 0.1 })), fanInConcat({ axis })));
      if (axis === -1) {
        channels += width;
        layers.push(affine());
      } else shape[0] *= 2;
    } else if (roll < 0.5) {
      // A product of branches is not Gaussian: an affine layer must follow it.
      words.push(`fanInProd(identity, dense(${channels}))`);
      layers.push(serial(fanOut(2), parallel(identity(), dense(channels, { wStd: std(), bStd: 0.1 })), fanInProd()));
      layers.push(affine());
    } else {
      layers.push(nonlinearity());
      if (random.uniform() < 0.2) {
        // Not Gaussian after it: the affine layer below follows.
        const rate = pick([0.5, 0.8, 1]);
        words.push(`dropout(${rate})`);
        layers.push(dropout(rate));
      }
      if (shape.length > 0 && random.uniform() < 0.3) layers.push(pool());
      if (shape.length > 0 && random.uniform() < 0.15) {
        // Every step-th position of the first spatial axis from start (the channels stay whole).
        const [start, step] = [int(0, shape[0] - 1), int(1, 2)];
        words.push(`index([{ start: ${start}, step: ${step} }])`);
        layers.push(index([{ start, step }]));
        shape[0] = Math.ceil((shape[0] - start) / step);
      }
      layers.push(affine());
    }
  }
  layers.push(nonlinearity());
  if (shape.length > 0) {
    const readout = pick(['flatten', 'globalAvgPool', 'globalSumPool'] as const);
    words.push(readout);
    layers.push({ flatten, globalAvgPool, globalSumPool }[readout]());
  }
  const outputs = int(1, 2);
  words.push(`dense(${outputs})`);
  layers.push(dense(outputs, { wStd: std(), bStd: 0.1 }));
  return { model: serial(...layers), inputShape, description: `seed ${seed}: [${inputShape}] ${words.join(' ')}`, vertices };
}
