// Layer descriptions, as neural-tangents' stax: pure data, no parameters and no numbers computed. A model is
// a tree of them; shapes.ts infers what flows through it and program.ts lowers it for the backends.
import { checkOptions, enumOption, numberOption } from '../errors.js';
import {
  ACTIVATIONS, ACTIVATION_IDS, ACTIVATION_UNITS, type Activation, type ActivationLayer, activationUnit,
} from '../ops/activations/index.js';
import { activationLayer } from '../ops/activations/unit.js';
import type { Padding } from '../core/shapes.js';

/** How weights are scaled, as in neural-tangents' `Dense`. */
export type Parameterization = 'ntk' | 'standard';

/** A dense (fully connected) layer: `z = (wStd/√fanIn)·h·W + bStd·b` ('ntk') or `h·W + b` ('standard'). */
export interface DenseLayer {
  /** The layer's type tag. */
  readonly kind: 'dense';
  /** Output units (channels). */
  readonly out: number;
  /** Weight standard deviation. */
  readonly wStd: number;
  /** Bias standard deviation; null: no bias. */
  readonly bStd: number | null;
  /** 'ntk' or 'standard'. */
  readonly parameterization: Parameterization;
}

/** A convolution (neural-tangents' `Conv`): weights shared over positions, HWIO layout, fan-in = taps × channels. */
export interface ConvLayer {
  /** The layer's type tag. */
  readonly kind: 'conv';
  /** Output channels. */
  readonly out: number;
  /** Filter size per spatial axis: [k] for sequences, [kh, kw] for images. */
  readonly filter: readonly number[];
  /** Stride per spatial axis. */
  readonly strides: readonly number[];
  /** How the filter meets the edges. */
  readonly padding: Padding;
  /** Weight standard deviation. */
  readonly wStd: number;
  /** Bias standard deviation; null: no bias. */
  readonly bStd: number | null;
  /** 'ntk' or 'standard'. */
  readonly parameterization: Parameterization;
}

/** Average pooling over windows of positions, per channel (neural-tangents' `AvgPool`). */
export interface AvgPoolLayer {
  /** The layer's type tag. */
  readonly kind: 'avgPool';
  /** Window size per spatial axis. */
  readonly window: readonly number[];
  /** Stride per spatial axis. */
  readonly strides: readonly number[];
  /** How the window meets the edges; padded positions count as zeros and the mean divides by the window size. */
  readonly padding: Padding;
}

/** The mean over all positions, per channel (neural-tangents' `GlobalAvgPool`). */
export interface GlobalAvgPoolLayer {
  /** The layer's type tag. */
  readonly kind: 'globalAvgPool';
}

/** Positions and channels as one feature vector, in channels-last order (neural-tangents' `Flatten`). */
export interface FlattenLayer {
  /** The layer's type tag. */
  readonly kind: 'flatten';
}

/** The identity: passes its input through (neural-tangents' `Identity`). */
export interface IdentityLayer {
  /** The layer's type tag. */
  readonly kind: 'identity';
}

/**
 * Layer normalization: `(h − mean)/√(eps + var)` over the channels at every position ('channels') or over all
 * axes, positions and channels together ('all').
 */
export interface LayerNormLayer {
  /** The layer's type tag. */
  readonly kind: 'layerNorm';
  /** The axes normalized over. */
  readonly axis: 'channels' | 'all';
  /** Added to the variance. */
  readonly eps: number;
}

/** Layers applied one after the other. */
export interface SerialLayer {
  /** The layer's type tag. */
  readonly kind: 'serial';
  /** The layers, in order. */
  readonly layers: readonly Layer[];
}

/** Layers applied to the branches of a fanned-out input, one each. */
export interface ParallelLayer {
  /** The layer's type tag. */
  readonly kind: 'parallel';
  /** One layer per branch. */
  readonly layers: readonly Layer[];
}

/** Copies its input into `count` branches. */
export interface FanOutLayer {
  /** The layer's type tag. */
  readonly kind: 'fanOut';
  /** Number of branches. */
  readonly count: number;
}

/** Sums its branches (which must have equal shapes). */
export interface FanInSumLayer {
  /** The layer's type tag. */
  readonly kind: 'fanInSum';
}

/** Any layer or combination of layers: a model. */
export type Layer =
  | DenseLayer
  | ConvLayer
  | AvgPoolLayer
  | GlobalAvgPoolLayer
  | FlattenLayer
  | ActivationLayer
  | IdentityLayer
  | LayerNormLayer
  | SerialLayer
  | ParallelLayer
  | FanOutLayer
  | FanInSumLayer;

/** Options of {@link dense}. */
export interface DenseOptions {
  /** Weight standard deviation. Default 1. */
  wStd?: number;
  /** Bias standard deviation; null: no bias. Default 0 (a bias initialized to zero, still trained). */
  bStd?: number | null;
  /** 'ntk' (default) or 'standard'. */
  parameterization?: Parameterization;
}

/**
 * A dense layer with `out` units (neural-tangents' `Dense(out, W_std, b_std, parameterization)`); on spatial
 * inputs it acts on the channels at every position.
 *
 * @example
 * ```ts
 * const model = serial(dense(512, { wStd: 1.5, bStd: 0.1 }), relu(), dense(1, { wStd: 1.5, bStd: 0.1 }));
 * ```
 */
export function dense(out: number, options: DenseOptions = {}): DenseLayer {
  const fn = 'dense';
  return Object.freeze({ kind: 'dense', ...affineOptions(fn, out, checkOptions(fn, options, ['wStd', 'bStd', 'parameterization'])) });
}

/** The output size and the weight options shared by dense and conv layers, checked. */
function affineOptions(fn: string, out: number, opts: DenseOptions) {
  return {
    out: numberOption(fn, 'out', out, undefined, { integer: true, min: 1 }),
    wStd: numberOption(fn, 'wStd', opts.wStd, 1, { min: 0 }),
    bStd: opts.bStd === null ? null : numberOption(fn, 'bStd', opts.bStd, 0, { min: 0 }),
    parameterization: enumOption<Parameterization>(fn, 'parameterization', opts.parameterization, ['ntk', 'standard'], 'ntk'),
  };
}

/** Options of {@link conv}. */
export interface ConvOptions extends DenseOptions {
  /** Stride: one number for every axis, or one per axis. Default 1. */
  strides?: number | readonly number[];
  /** 'VALID' (default), 'SAME' or 'CIRCULAR' (periodic). */
  padding?: Padding;
}

const PADDINGS: readonly Padding[] = ['VALID', 'SAME', 'CIRCULAR'];

/** A list of one or two positive integers (a window), or, with `rank`, a number that fills it. */
function sizesOption(fn: string, name: string, value: unknown, rank?: number): number[] {
  const list = typeof value === 'number' && rank !== undefined ? new Array<number>(rank).fill(value) : value;
  const expected = rank === undefined ? 'an array of 1 or 2 positive integers' : `a positive integer or an array of ${rank}`;
  if (!Array.isArray(list) || list.length < 1 || list.length > 2 || (rank !== undefined && list.length !== rank)) {
    throw new TypeError(`${fn}: ${name} must be ${expected}, got ${JSON.stringify(value)}`);
  }
  return list.map((v, i) => numberOption(fn, `${name}[${i}]`, v, undefined, { integer: true, min: 1 }));
}

/**
 * A convolution with `out` channels (neural-tangents' `Conv(out, filter, strides, padding, W_std, b_std,
 * parameterization)`): `filter` is `[k]` for sequences (inputs `[length, channels]`) and `[kh, kw]` for images
 * (inputs `[height, width, channels]`). Its weights are HWIO, `[kh][kw][in][out]`, and its fan-in is
 * `kh·kw·in`, so 'ntk' scales by `wStd/√(kh·kw·in)`.
 *
 * @example
 * ```ts
 * const cnn = serial(conv(64, [3, 3], { padding: 'SAME' }), relu(), conv(64, [3, 3], { padding: 'SAME' }), relu(),
 *   globalAvgPool(), dense(10));
 * ```
 */
export function conv(out: number, filter: readonly number[], options: ConvOptions = {}): ConvLayer {
  const fn = 'conv';
  const opts = checkOptions(fn, options, ['strides', 'padding', 'wStd', 'bStd', 'parameterization']);
  const sizes = sizesOption(fn, 'filter', filter);
  return Object.freeze({
    kind: 'conv', ...affineOptions(fn, out, opts), filter: Object.freeze(sizes),
    strides: Object.freeze(sizesOption(fn, 'strides', opts.strides ?? 1, sizes.length)),
    padding: enumOption<Padding>(fn, 'padding', opts.padding, PADDINGS, 'VALID'),
  });
}

/** Options of {@link avgPool}. */
export interface AvgPoolOptions {
  /** Stride: one number for every axis, or one per axis. Default 1 (neural-tangents' `strides=None`). */
  strides?: number | readonly number[];
  /** 'VALID' (default), 'SAME' or 'CIRCULAR'. */
  padding?: Padding;
}

/**
 * Average pooling over `window` positions per channel (neural-tangents' `AvgPool` with its defaults: stride 1,
 * padded positions count as zeros and every mean divides by the window size).
 *
 * @example
 * ```ts
 * const model = serial(conv(32, [3, 3], { padding: 'SAME' }), relu(), avgPool([2, 2], { strides: 2 }), flatten(), dense(1));
 * ```
 */
export function avgPool(window: readonly number[], options: AvgPoolOptions = {}): AvgPoolLayer {
  const fn = 'avgPool';
  const opts = checkOptions(fn, options, ['strides', 'padding']);
  const sizes = sizesOption(fn, 'window', window);
  return Object.freeze({
    kind: 'avgPool', window: Object.freeze(sizes), strides: Object.freeze(sizesOption(fn, 'strides', opts.strides ?? 1, sizes.length)),
    padding: enumOption<Padding>(fn, 'padding', opts.padding, PADDINGS, 'VALID'),
  });
}

/**
 * The mean over all positions of every channel (neural-tangents' `GlobalAvgPool`): `[h, w, c]` becomes `[c]`.
 *
 * @example
 * ```ts
 * const model = serial(conv(64, [3, 3], { padding: 'SAME' }), relu(), globalAvgPool(), dense(10));
 * ```
 */
export function globalAvgPool(): GlobalAvgPoolLayer {
  return GLOBAL_AVG_POOL;
}
const GLOBAL_AVG_POOL: GlobalAvgPoolLayer = Object.freeze({ kind: 'globalAvgPool' });

/**
 * Positions and channels as one vector, channels last (neural-tangents' `Flatten`): `[h, w, c]` becomes `[h·w·c]`.
 *
 * @example
 * ```ts
 * const model = serial(conv(64, [3, 3], { padding: 'SAME' }), relu(), flatten(), dense(10));
 * ```
 */
export function flatten(): FlattenLayer {
  return FLATTEN;
}
const FLATTEN: FlattenLayer = Object.freeze({ kind: 'flatten' });

/** Options of {@link activation}: the activation's parameters (leaky_relu's leak, …). */
export interface ActivationOptions {
  /** Negative slope for 'leaky_relu'. Default 0.01. */
  leak?: number;
  /** The parameters of other activations, by name. */
  [parameter: string]: number | undefined;
}

/**
 * The activation layer of the given name, with its parameters as options (`leak` for 'leaky_relu', default
 * 0.01); `activation('identity')` is {@link identity}.
 *
 * @example
 * ```ts
 * const model = serial(dense(64), activation('leaky_relu', { leak: 0.1 }), dense(1));
 * ```
 */
export function activation(name: Activation, options: ActivationOptions = {}): ActivationLayer | IdentityLayer {
  const fn = 'activation';
  if (name === undefined) throw new TypeError(`${fn}: a name is required (one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')})`);
  const kind = enumOption<Activation>(fn, 'name', name, ACTIVATIONS, 'relu');
  const unit = activationUnit(ACTIVATION_IDS[kind]);
  if (options !== null && typeof options === 'object') {
    for (const key of Object.keys(options)) {
      const owners = ACTIVATION_UNITS.filter((other) => other.parameters.some(([parameter]) => parameter === key)).map((other) => `'${other.name}'`);
      if (owners.length > 0 && !owners.includes(`'${kind}'`)) throw new TypeError(`${fn}: ${key} applies to ${owners.join(', ')} only`);
    }
  }
  if (kind === 'identity') return identity();
  return activationLayer(fn, unit, options) as ActivationLayer;
}

/**
 * The identity layer (neural-tangents' `Identity`): the skip branch of a residual block.
 *
 * @example
 * ```ts
 * const block = serial(fanOut(2), parallel(identity(), serial(relu(), dense(64))), fanInSum());
 * ```
 */
export function identity(): IdentityLayer {
  return IDENTITY;
}
const IDENTITY: IdentityLayer = Object.freeze({ kind: 'identity' });

/** Options of {@link layerNorm}. */
export interface LayerNormOptions {
  /** 'channels' (default): at every position, over its channels; 'all': over positions and channels. For vector inputs both mean the feature axis. */
  axis?: 'channels' | 'all';
  /** Added to the variance, > 0 (an input constant over the normalized axes then normalizes to 0). Default 1e-12. */
  eps?: number;
}

/**
 * Layer normalization (neural-tangents' `LayerNorm`): subtracts the mean and divides by `√(eps + variance)`.
 * At infinite width it needs a Gaussian input (a dense layer before it).
 *
 * @example
 * ```ts
 * const model = serial(dense(512, { wStd: 1.1, bStd: 0.3 }), layerNorm(), erf(), dense(1));
 * ```
 */
export function layerNorm(options: LayerNormOptions = {}): LayerNormLayer {
  const fn = 'layerNorm';
  const opts = checkOptions(fn, options, ['axis', 'eps']);
  return Object.freeze({
    kind: 'layerNorm',
    axis: enumOption(fn, 'axis', opts.axis, ['channels', 'all'] as const, 'channels'),
    // Above 0, so that an input constant over the normalized axes gives 0, not 0/0.
    eps: numberOption(fn, 'eps', opts.eps, 1e-12, { above: 0 }),
  });
}

function layerList(fn: string, layers: readonly Layer[]): readonly Layer[] {
  if (layers.length === 0) throw new TypeError(`${fn}: at least one layer is required`);
  layers.forEach((layer, i) => {
    if (layer === null || typeof layer !== 'object' || typeof (layer as { kind?: unknown }).kind !== 'string') {
      throw new TypeError(`${fn}: argument ${i} is not a layer (use dense(), relu(), serial(), …)`);
    }
  });
  return Object.freeze([...layers]);
}

/**
 * Layers one after the other.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), relu(), dense(512), relu(), dense(1));
 * ```
 */
export function serial(...layers: Layer[]): SerialLayer {
  return Object.freeze({ kind: 'serial', layers: layerList('serial', layers) });
}

/**
 * One layer per branch of a fanned-out input.
 *
 * @example
 * ```ts
 * const twoBranches = serial(fanOut(2), parallel(dense(64), serial(dense(64), relu(), dense(64))), fanInSum());
 * ```
 */
export function parallel(...layers: Layer[]): ParallelLayer {
  return Object.freeze({ kind: 'parallel', layers: layerList('parallel', layers) });
}

/**
 * Copies the input into `count` branches.
 *
 * @example
 * ```ts
 * const block = serial(fanOut(2), parallel(identity(), dense(64)), fanInSum());
 * ```
 */
export function fanOut(count: number): FanOutLayer {
  return Object.freeze({ kind: 'fanOut', count: numberOption('fanOut', 'count', count, undefined, { integer: true, min: 1 }) });
}

/**
 * Sums the branches, which must have equal shapes.
 *
 * @example
 * ```ts
 * const block = serial(fanOut(2), parallel(identity(), dense(64)), fanInSum());
 * ```
 */
export function fanInSum(): FanInSumLayer {
  return FAN_IN_SUM;
}
const FAN_IN_SUM: FanInSumLayer = Object.freeze({ kind: 'fanInSum' });

/**
 * A residual block `x + branch(x)`: `serial(fanOut(2), parallel(identity(), serial(...branch)), fanInSum())`.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), residual(relu(), dense(512)), relu(), dense(1));
 * ```
 */
export function residual(...branch: Layer[]): SerialLayer {
  return serial(fanOut(2), parallel(identity(), serial(...layerList('residual', branch))), fanInSum());
}

/** Each kind of layer rebuilt from its fields by its factory, so that a layer built by hand is checked as the factory checks. */
const REBUILD: { [K in Layer['kind']]: (layer: Extract<Layer, { kind: K }>) => Layer } = {
  dense: (l) => dense(l.out, { wStd: l.wStd, bStd: l.bStd, parameterization: l.parameterization }),
  conv: (l) => conv(l.out, l.filter, { strides: l.strides, padding: l.padding, wStd: l.wStd, bStd: l.bStd, parameterization: l.parameterization }),
  avgPool: (l) => avgPool(l.window, { strides: l.strides, padding: l.padding }),
  globalAvgPool: () => globalAvgPool(),
  flatten: () => flatten(),
  activation: (l) => activation(l.activation as Activation, { ...(l.leak === 0 || l.leak === undefined ? {} : { leak: l.leak }), ...l.parameters }),
  identity: () => identity(),
  layerNorm: (l) => layerNorm({ axis: l.axis, eps: l.eps }),
  serial: (l) => Object.freeze({ kind: 'serial', layers: layerList('serial', l.layers) }),
  parallel: (l) => Object.freeze({ kind: 'parallel', layers: layerList('parallel', l.layers) }),
  fanOut: (l) => fanOut(l.count),
  fanInSum: () => fanInSum(),
};

/** The kinds of layer, for messages. */
const LAYER_KINDS = Object.keys(REBUILD) as Layer['kind'][];

/**
 * @internal `layer` (one node of a model, `where` in it) checked as its factory checks its arguments, with every
 * field present and none unknown; the children of serial and parallel are checked when they are reached. Errors
 * keep the factory's type and name the node: `network: model.serial[2] (dense): out must be an integer, got 1.5`.
 */
export function checkLayer(fn: string, layer: unknown, where: string): Layer {
  const kind = (layer as { kind?: unknown } | null)?.kind;
  if (layer === null || typeof layer !== 'object' || !LAYER_KINDS.includes(kind as Layer['kind'])) {
    const found = layer === null || typeof layer !== 'object' ? String(layer) : `kind ${JSON.stringify(kind)}`;
    throw new TypeError(`${fn}: ${where} is not a layer (${found}); a layer's kind is one of ${LAYER_KINDS.map((k) => `'${k}'`).join(', ')}`);
  }
  const label = `${fn}: ${where} (${kind as string})`;
  let rebuilt: Layer;
  try {
    rebuilt = (REBUILD[kind as Layer['kind']] as (l: Layer) => Layer)(layer as Layer);
  } catch (error) {
    if (!(error instanceof TypeError || error instanceof RangeError)) throw error;
    throw new (error.constructor as typeof TypeError)(`${label}: ${error.message.replace(/^[A-Za-z]+: /, '')}`);
  }
  const fields = Object.keys(rebuilt);
  for (const key of Object.keys(layer)) {
    if (!fields.includes(key)) throw new TypeError(`${label} has an unknown field '${key}'; its fields are ${fields.map((f) => `'${f}'`).join(', ')}`);
  }
  for (const key of fields) {
    if (!(key in layer)) throw new TypeError(`${label} lacks the field '${key}'; build layers with their functions (dense(), conv(), …)`);
  }
  return rebuilt;
}
