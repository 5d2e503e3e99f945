// Dense and conv layers: one affine op, z = c·patches(h)·W + s·b at every output position, a dense layer being a
// pointwise (1×1) convolution. Its WASM passes are in assembly/ops/dense.ts.
//   finite width:   forward and backward by gemm on patches (im2col); the Jacobian blocks and the term of the
//                   structured NTK (src/core/shapes.ts, termForm)
//   infinite width: Σ ← wStd²·U(Σ) + bStd², Θ ← Σ′ + wStd²·U(Θ) ('ntk') or fanIn·U(Σ) + [bias] + wStd²·U(Θ)
//                   ('standard'), with U the tap average of the window (the identity for a dense layer)
import { type Instruction, type Program, SLOTS, SPATIAL_AXES, TERM, WINDOW, WINDOW_MODE } from '../core/layout.js';
import { channelsOf, isPointwise, type Padding, positionsOf, sizeOf, spatialOf, tapCount, termForm, windowOf } from '../core/shapes.js';
import { checkOptions, enumOption, numberOption } from '../errors.js';
import { type Strided, dense as strided, gemmInto } from '../backend/ts/linalg/gemm.js';
import { syrkLowerInto } from '../backend/ts/linalg/syrk.js';
import type { Flow, LayerUnit, Lowering, OpUnit, PairPass, PairState, ParameterPasses, Value } from './unit.js';
import { PADDINGS, type Taps, addPatchesInto, paddingOption, patchesInto, sizesOption, tapsOf } from './window.js';

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

/** The fields of a convolution over windows of positions, weights shared ({@link ConvLayer}) or not ({@link ConvLocalLayer}). */
export interface WindowedAffineFields {
  /** Output channels. */
  readonly out: number;
  /** Filter size per spatial axis: [k] for sequences, [kh, kw] for images, [kd, kh, kw] for volumes. */
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

/** A convolution (neural-tangents' `Conv`): weights shared over positions, HWIO layout, fan-in = taps × channels. */
export interface ConvLayer extends WindowedAffineFields {
  /** The layer's type tag. */
  readonly kind: 'conv';
}

/**
 * A locally connected layer (neural-tangents' `ConvLocal`): a convolution whose every output position has weights and a
 * bias of its own; fan-in = taps × channels, as {@link ConvLayer}'s.
 */
export interface ConvLocalLayer extends WindowedAffineFields {
  /** The layer's type tag. */
  readonly kind: 'convLocal';
}

/**
 * A transposed convolution (neural-tangents' `ConvTranspose`): the input dilated by the stride, padded, then convolved;
 * HWIO weights, fan-in = taps × input channels, as {@link ConvLayer}'s.
 */
export interface ConvTransposeLayer {
  /** The layer's type tag. */
  readonly kind: 'convTranspose';
  /** Output channels. */
  readonly out: number;
  /** Filter size per spatial axis: [k] for sequences, [kh, kw] for images, [kd, kh, kw] for volumes. */
  readonly filter: readonly number[];
  /** Stride per spatial axis: the factor the positions grow by. */
  readonly strides: readonly number[];
  /** How the filter meets the edges: 'VALID', 'SAME' or 'CIRCULAR'. */
  readonly padding: 'VALID' | 'SAME' | 'CIRCULAR';
  /** Weight standard deviation. */
  readonly wStd: number;
  /** Bias standard deviation; null: no bias. */
  readonly bStd: number | null;
  /** 'ntk' or 'standard'. */
  readonly parameterization: Parameterization;
}

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
  /** 'VALID' (default), 'SAME', 'CIRCULAR' (periodic), or zeros [before, after] per spatial axis (`[[1, 2], [0, 1]]`). */
  padding?: Padding;
}

/**
 * A convolution with `out` channels (neural-tangents' `Conv(out, filter, strides, padding, W_std, b_std,
 * parameterization)`): `filter` is `[k]` for sequences (inputs `[length, channels]`), `[kh, kw]` for images
 * (inputs `[height, width, channels]`) and `[kd, kh, kw]` for volumes (inputs `[depth, height, width, channels]`).
 * Its weights are HWIO, `[kh][kw][in][out]` (`[kd][kh][kw][in][out]` in 3-D), and its fan-in is the filter's taps
 * times `in`, so 'ntk' scales by `wStd/√(kh·kw·in)`.
 *
 * @example
 * ```ts
 * const cnn = serial(conv(64, [3, 3], { padding: 'SAME' }), relu(), conv(64, [3, 3], { padding: 'SAME' }), relu(),
 *   globalAvgPool(), dense(10));
 * // On volumes: inputShape [depth, height, width, channels].
 * const cnn3d = serial(conv(16, [3, 3, 3], { padding: 'SAME' }), relu(), globalAvgPool(), dense(1));
 * ```
 */
export function conv(out: number, filter: readonly number[], options: ConvOptions = {}): ConvLayer {
  return windowedAffine('conv', out, filter, options);
}

/** A conv or convLocal layer, its options checked under its own name. */
function windowedAffine<K extends 'conv' | 'convLocal'>(kind: K, out: number, filter: readonly number[], options: ConvOptions) {
  const opts = checkOptions(kind, options, ['strides', 'padding', 'wStd', 'bStd', 'parameterization']);
  const sizes = sizesOption(kind, 'filter', filter);
  return Object.freeze({
    kind,
    ...affineOptions(kind, out, opts),
    filter: Object.freeze(sizes),
    strides: Object.freeze(sizesOption(kind, 'strides', opts.strides ?? 1, sizes.length)),
    padding: paddingOption(kind, opts.padding, sizes.length),
  });
}

/**
 * A locally connected layer with `out` channels (neural-tangents' `ConvLocal(out, filter, strides, padding, W_std, b_std,
 * parameterization)`): a convolution without weight sharing, each output position p reading its window of the input
 * through weights and a bias of its own. Its parameters are, per output position (row-major), the weights as
 * neural-tangents lays them out, `[c·taps][out]` with the input channel the slower index of the rows (`[oh][ow][c·kh·kw][out]`
 * for images), then the biases `[oh][ow][out]`; the fan-in is taps × c, as {@link conv}'s. At infinite width the
 * positions' weights are independent, so the kernels between different positions vanish and a position's own are the
 * convolution's: Σ′(p, p) = wStd²·mean over the taps of Σ(source, source) + bStd².
 *
 * @example
 * ```ts
 * // A locally connected layer on 8 × 8 images, then a readout.
 * const model = serial(convLocal(16, [3, 3], { padding: 'SAME' }), relu(), flatten(), dense(1));
 * ```
 */
export function convLocal(out: number, filter: readonly number[], options: ConvOptions = {}): ConvLocalLayer {
  return windowedAffine('convLocal', out, filter, options);
}

/** Options of {@link convTranspose}. */
export interface ConvTransposeOptions extends DenseOptions {
  /** Stride: one number for every axis, or one per axis; each output axis is about this many times its input's. Default 1. */
  strides?: number | readonly number[];
  /**
   * 'VALID' (default: size·stride + max(k − stride, 0) outputs), 'SAME' (size·stride) or 'CIRCULAR' ('VALID' folded
   * periodically onto size·stride outputs), as JAX's `conv_transpose` and neural-tangents' `ConvTranspose`.
   */
  padding?: 'VALID' | 'SAME' | 'CIRCULAR';
}

/**
 * A transposed convolution with `out` channels (neural-tangents' `ConvTranspose(out, filter, strides, padding, W_std,
 * b_std, parameterization)`, JAX's `conv_transpose`): every input position is spread over the output through the filter,
 * `stride` outputs apart, so the positions grow by the stride (a decoder's upsampling). Output o along an axis reads, at
 * tap t, input (o + t − before)/stride where that is whole. Its weights are HWIO, `[kh][kw][in][out]`, and its fan-in is
 * `kh·kw·in`, as {@link conv}'s; both widths and both backends.
 *
 * @example
 * ```ts
 * // 4 × 4 feature maps up to 8 × 8, then a per-pixel readout.
 * const decoder = serial(convTranspose(16, [3, 3], { strides: 2, padding: 'SAME' }), relu(), conv(1, [1, 1]), flatten());
 * ```
 */
export function convTranspose(out: number, filter: readonly number[], options: ConvTransposeOptions = {}): ConvTransposeLayer {
  const fn = 'convTranspose';
  const opts = checkOptions(fn, options, ['strides', 'padding', 'wStd', 'bStd', 'parameterization']);
  const sizes = sizesOption(fn, 'filter', filter);
  return Object.freeze({
    kind: 'convTranspose',
    ...affineOptions(fn, out, opts),
    filter: Object.freeze(sizes),
    strides: Object.freeze(sizesOption(fn, 'strides', opts.strides ?? 1, sizes.length)),
    padding: enumOption(fn, 'padding', opts.padding, PADDINGS, 'VALID'),
  });
}

const S = SLOTS.dense;

/** The attribute slots of an affine instruction (see SLOTS.dense in src/core/layout.ts), then its window. */
function affineAttributes(layer: DenseLayer | ConvLayer | ConvTransposeLayer | ConvLocalLayer, fanIn: number, window: readonly number[]): number[] {
  const standard = layer.parameterization === 'standard';
  const slots: number[] = [];
  slots[S.weightVariance] = layer.wStd * layer.wStd;
  slots[S.biasVariance] = (layer.bStd ?? 0) ** 2;
  slots[S.standardFanIn] = standard ? fanIn : 0;
  slots[S.hasBias] = layer.bStd !== null ? 1 : 0;
  slots[S.standard] = standard ? 1 : 0;
  slots[S.weightScale] = standard ? 1 : layer.wStd / Math.sqrt(fanIn);
  slots[S.biasScale] = standard ? 1 : (layer.bStd ?? 0);
  return [...slots, ...new Array<number>(WINDOW - slots.length).fill(0), ...window];
}

/** wStd and bStd (when the layer has a bias) as hyperparameters: their squares are the variance slots. */
function affineHyperparameters(lowering: Lowering, layer: DenseLayer | ConvLayer | ConvTransposeLayer | ConvLocalLayer, path: string, id: number): void {
  lowering.hyperparameter(`${path}.wStd`, layer.wStd, id, S.weightVariance, true);
  if (layer.bStd !== null) lowering.hyperparameter(`${path}.bStd`, layer.bStd, id, S.biasVariance, true);
}

/** A dense layer's window: filter 1 and stride 1 along every spatial axis, no padding, not circular. */
const POINTWISE = [...new Array<number>(2 * SPATIAL_AXES).fill(1), ...new Array<number>(SPATIAL_AXES + 1).fill(0)];

export const denseLayer: LayerUnit<DenseLayer> = {
  kind: 'dense',
  rebuild: (l) => dense(l.out, { wStd: l.wStd, bStd: l.bStd, parameterization: l.parameterization }),
  lower(lowering, layer, flow, where, path) {
    const output = lowerDense(lowering, lowering.single(flow, where), layer);
    affineHyperparameters(lowering, layer, path, output.id);
    return { values: [output], branched: false };
  },
};

/** A dense layer on `input` (its parameters placed in θ), without naming its hyperparameters: its output value. */
export function lowerDense(lowering: Lowering, input: Value, layer: DenseLayer): Value {
  const spatial = input.shape.slice(0, -1);
  const fanIn = input.shape[input.shape.length - 1];
  const offset = lowering.parameters(fanIn * layer.out + (layer.bStd !== null ? layer.out : 0));
  const id = lowering.define(denseOp, [input.id], [...spatial, layer.out], affineAttributes(layer, fanIn, POINTWISE), offset);
  return { id, shape: [...spatial, layer.out], gaussian: true };
}

/** A convolution, transposed, shared or not: the dense op over its window. */
function lowerConv(lowering: Lowering, layer: ConvLayer | ConvTransposeLayer | ConvLocalLayer, flow: Flow, where: string, path: string): Flow {
  const input = lowering.single(flow, where);
  const transposed = layer.kind === 'convTranspose';
  const { spatial, window } = lowering.windowed(input, layer.filter, layer.strides, layer.padding, 'filter', where, transposed);
  const fanIn = layer.filter.reduce((p, k) => p * k, 1) * input.shape[input.shape.length - 1];
  // Unshared: weights and a bias per output position.
  const copies = layer.kind === 'convLocal' ? spatial.reduce((p, size) => p * size, 1) : 1;
  if (layer.kind === 'convLocal') window[window.length - 1] |= WINDOW_MODE.unshared;
  const offset = lowering.parameters(copies * (fanIn * layer.out + (layer.bStd !== null ? layer.out : 0)));
  const id = lowering.define(denseOp, [input.id], [...spatial, layer.out], affineAttributes(layer, fanIn, window), offset);
  affineHyperparameters(lowering, layer, path, id);
  return { values: [{ id, shape: [...spatial, layer.out], gaussian: true }], branched: false };
}

export const convLayer: LayerUnit<ConvLayer> = {
  kind: 'conv',
  rebuild: (l) => conv(l.out, l.filter, { strides: l.strides, padding: l.padding, wStd: l.wStd, bStd: l.bStd, parameterization: l.parameterization }),
  lower: lowerConv,
};

export const convLocalLayer: LayerUnit<ConvLocalLayer> = {
  kind: 'convLocal',
  rebuild: (l) => convLocal(l.out, l.filter, { strides: l.strides, padding: l.padding, wStd: l.wStd, bStd: l.bStd, parameterization: l.parameterization }),
  lower: lowerConv,
};

export const convTransposeLayer: LayerUnit<ConvTransposeLayer> = {
  kind: 'convTranspose',
  rebuild: (l) => convTranspose(l.out, l.filter, { strides: l.strides, padding: l.padding, wStd: l.wStd, bStd: l.bStd, parameterization: l.parameterization }),
  lower: lowerConv,
};

/** An affine instruction with its sizes: z = c·patches(h)·W + s·b at every output position. */
export interface Affine {
  offset: number;
  inChannels: number;
  outChannels: number;
  inSize: number;
  outPositions: number;
  /** Taps × input channels: the rows of W. */
  fanIn: number;
  weightScale: number;
  biasScale: number;
  hasBias: boolean;
  /** 'standard' (else 'ntk'), and the standard deviations, for the initialization. */
  standard: boolean;
  wStd: number;
  bStd: number;
  /** null for a pointwise layer, whose patches are its input rows. */
  taps: Taps | null;
  /** Weights and a bias per output position (convLocal), its patches' rows channel-major; copies: how many sets (else 1). */
  unshared: boolean;
  copies: number;
}

/** The sizes and scales of an affine instruction. */
export function affineOf(program: Program, { a, out, offset, attrs }: Instruction): Affine {
  const window = windowOf(attrs);
  const inChannels = channelsOf(program, a);
  return {
    offset,
    inChannels,
    outChannels: channelsOf(program, out),
    inSize: sizeOf(program, a),
    outPositions: positionsOf(program, out),
    fanIn: tapCount(window) * inChannels,
    weightScale: attrs[S.weightScale],
    biasScale: attrs[S.biasScale],
    hasBias: attrs[S.hasBias] !== 0,
    standard: attrs[S.standard] !== 0,
    wStd: Math.sqrt(attrs[S.weightVariance]),
    bStd: Math.sqrt(attrs[S.biasVariance]),
    taps: isPointwise(window) ? null : tapsOf(window, spatialOf(program, a), spatialOf(program, out)),
    unshared: window.unshared,
    copies: window.unshared ? positionsOf(program, out) : 1,
  };
}

/** The patches of example i (outPositions × fanIn): its own rows for a pointwise layer, else built in `buffer`. */
function patchesOf(layer: Affine, h: Float64Array, i: number, buffer: Float64Array): Strided {
  if (layer.taps === null) return { data: h, offset: i * layer.inSize, ld: layer.fanIn };
  patchesInto(layer.taps, h, i * layer.inSize, layer.inChannels, buffer, layer.unshared);
  return strided(buffer, layer.fanIn);
}

/** Row p of a strided matrix. */
const rowOf = (m: Strided, p: number): Strided => ({ data: m.data, offset: m.offset + p * m.ld, ld: m.ld });

/** Output position p's weights (fanIn × out) within a layer's weights `w`: its own when unshared, else `w` itself. */
const positionWeights = (layer: Affine, w: Strided, p: number): Strided =>
  layer.unshared ? { data: w.data, offset: w.offset + p * layer.fanIn * layer.outChannels, ld: w.ld } : w;

/** z ← c·patches·W + beta·z on one example (outPositions × fanIn patches, outPositions × out z): each position by its own W when unshared. */
function productInto(layer: Affine, patches: Strided, w: Strided, beta: number, z: Strided): void {
  const { outPositions, outChannels, fanIn, weightScale } = layer;
  if (!layer.unshared) {
    gemmInto(false, false, outPositions, outChannels, fanIn, weightScale, patches, w, beta, z);
    return;
  }
  for (let p = 0; p < outPositions; p++)
    gemmInto(false, false, 1, outChannels, fanIn, weightScale, rowOf(patches, p), positionWeights(layer, w, p), beta, rowOf(z, p));
}

/** target ← c·patchesᵀ·g + beta·target on one example: the weights' gradient (or Jacobian block), per position when unshared. */
function weightGradientInto(layer: Affine, patches: Strided, g: Strided, beta: number, target: Strided): void {
  const { outPositions, outChannels, fanIn, weightScale } = layer;
  if (!layer.unshared) {
    gemmInto(true, false, fanIn, outChannels, outPositions, weightScale, patches, g, beta, target);
    return;
  }
  for (let p = 0; p < outPositions; p++)
    gemmInto(true, false, fanIn, outChannels, 1, weightScale, rowOf(patches, p), rowOf(g, p), beta, positionWeights(layer, target, p));
}

/** out ← c·g·Wᵀ + beta·out on one example: the patches' cotangents, per position when unshared. */
function patchCotangentsInto(layer: Affine, g: Strided, w: Strided, beta: number, out: Strided): void {
  const { outPositions, outChannels, fanIn, weightScale } = layer;
  if (!layer.unshared) {
    gemmInto(false, true, outPositions, fanIn, outChannels, weightScale, g, w, beta, out);
    return;
  }
  for (let p = 0; p < outPositions; p++)
    gemmInto(false, true, 1, fanIn, outChannels, weightScale, rowOf(g, p), positionWeights(layer, w, p), beta, rowOf(out, p));
}

/** Where a layer's biases start in θ (after every copy of its weights); output position p's at + p·out when unshared. */
const biasOffset = (layer: Affine) => layer.offset + layer.copies * layer.fanIn * layer.outChannels;

const weightsOf = (layer: Affine, params: Float64Array): Strided => ({ data: params, offset: layer.offset, ld: layer.outChannels });

/** An affine instruction's sizes without its tap table: W's rows (taps × input channels), output channels and positions. */
function sizesOf(program: Program, { a, out, attrs }: Instruction) {
  const window = windowOf(attrs);
  const fanIn = tapCount(window) * channelsOf(program, a);
  const width = channelsOf(program, out);
  const positions = positionsOf(program, out);
  const copies = window.unshared ? positions : 1;
  return {
    fanIn,
    width,
    positions,
    params: copies * (fanIn * width + (attrs[S.hasBias] !== 0 ? width : 0)),
    pointwise: isPointwise(window) && !window.unshared,
    unshared: window.unshared,
  };
}

const layerParams = (layer: Affine) => layer.copies * (layer.fanIn * layer.outChannels + (layer.hasBias ? layer.outChannels : 0));

/** The structured NTK's form for an affine layer: an unshared one over several positions takes its Jacobian block. */
const affineTermForm = (positions: number, fanIn: number, width: number, k: number, full: boolean, unshared: boolean) =>
  unshared && positions > 1 ? TERM.jacobian : termForm(positions, fanIn, width, k, full);

/** One affine layer's block of Jacobian rows: ∂f_o(x_i)/∂W = c·patchesᵀ·G and ∂f_o(x_i)/∂b = s·Σ_positions G. */
function layerJacobianInto(layer: Affine, h: Float64Array, g: Float64Array, n: number, k: number, out: Float64Array, ld: number, column: number): void {
  const { outPositions, outChannels, fanIn } = layer;
  const buffer = new Float64Array(outPositions * fanIn);
  const gSize = outPositions * outChannels;
  for (let i = 0; i < n; i++) {
    const patches = patchesOf(layer, h, i, buffer);
    for (let o = 0; o < k; o++) {
      const r = i * k + o;
      weightGradientInto(layer, patches, { data: g, offset: r * gSize, ld: outChannels }, 0, { data: out, offset: r * ld + column, ld: outChannels });
      if (!layer.hasBias) continue;
      const bias = r * ld + column + layer.copies * fanIn * outChannels;
      out.fill(0, bias, bias + layer.copies * outChannels);
      for (let p = 0; p < outPositions; p++) {
        const at = bias + (layer.unshared ? p * outChannels : 0);
        for (let j = 0; j < outChannels; j++) out[at + j] += layer.biasScale * g[r * gSize + p * outChannels + j];
      }
    }
  }
}

/**
 * One affine layer's part of the structured NTK (src/core/shapes.ts, termForm). dense (one output position):
 * its patches H (n × fanIn) and signals G ((n·k) × out). jacobian: its per-example weight gradients (the
 * layer's Jacobian block, (n·k) × its parameters). pairs: every example's patches (S × fanIn), its signals
 * ('mean': S × k·out, the outputs side by side at each position; 'full': (k·S) × out) and their sums over
 * positions ((n·k) × out, for the bias).
 */
type LayerTerm =
  | { form: typeof TERM.dense; layer: Affine; h: Float64Array; g: Float64Array }
  | { form: typeof TERM.jacobian; layer: Affine; jacobian: Float64Array }
  | { form: typeof TERM.pairs; layer: Affine; patches: Float64Array; signals: Float64Array; sums: Float64Array };

function layerTerm(layer: Affine, h: Float64Array, g: Float64Array, n: number, k: number, full: boolean): LayerTerm {
  const { outPositions: positions, outChannels: channels, fanIn } = layer;
  const form = affineTermForm(positions, fanIn, channels, k, full, layer.unshared);
  if (form === TERM.jacobian) {
    const p = layerParams(layer);
    const jacobian = new Float64Array(n * k * p);
    layerJacobianInto(layer, h, g, n, k, jacobian, p, 0);
    return { form, layer, jacobian };
  }
  if (form === TERM.pairs) {
    const patches = new Float64Array(n * positions * fanIn);
    const buffer = new Float64Array(positions * fanIn);
    const sums = new Float64Array(n * k * channels);
    const signalsOf = full ? g : new Float64Array(g.length);
    for (let i = 0; i < n; i++) {
      const rows = patchesOf(layer, h, i, buffer);
      patches.set(rows.data.subarray(rows.offset, rows.offset + positions * fanIn), i * positions * fanIn);
      for (let o = 0; o < k; o++) {
        for (let p = 0; p < positions; p++) {
          for (let ch = 0; ch < channels; ch++) {
            const v = g[((i * k + o) * positions + p) * channels + ch];
            sums[(i * k + o) * channels + ch] += v;
            if (!full) signalsOf[((i * positions + p) * k + o) * channels + ch] = v;
          }
        }
      }
    }
    return { form, layer, patches, signals: signalsOf, sums };
  }
  if (layer.taps === null) return { form: TERM.dense, layer, h, g };
  // One output position reading a window of the input: its patches are the layer's inputs.
  const patches = new Float64Array(n * fanIn);
  for (let i = 0; i < n; i++) patchesInto(layer.taps, h, i * layer.inSize, layer.inChannels, patches.subarray(i * fanIn));
  return { form: TERM.dense, layer, h: patches, g };
}

/**
 * The position-pair form of a weight-sharing layer's term, added into out (lower triangle when symmetric):
 * c²·Σ_{p,p′}(PᵢPⱼᵀ)(GᵢGⱼᵀ) + s²·⟨1ᵀGᵢ, 1ᵀGⱼ⟩ per pair of examples (and of outputs for 'full'; 'mean' sums the
 * outputs inside GᵢGⱼᵀ, then divides by k).
 */
function addPositionPairs(
  t1: Extract<LayerTerm, { form: 2 }>,
  t2: Extract<LayerTerm, { form: 2 }>,
  n1: number,
  n2: number,
  k: number,
  full: boolean,
  symmetric: boolean,
  out: Float64Array,
): void {
  const { outPositions: positions, outChannels: channels, fanIn, weightScale, biasScale, hasBias } = t1.layer;
  const outCols = full ? n2 * k : n2;
  const c2 = weightScale ** 2;
  const s2 = hasBias ? biasScale ** 2 : 0;
  const patchProduct = new Float64Array(positions * positions);
  const signalProduct = new Float64Array(positions * positions);
  const sumsDot = (r: number, q: number) => {
    let sum = 0;
    for (let ch = 0; ch < channels; ch++) sum += t1.sums[r * channels + ch] * t2.sums[q * channels + ch];
    return sum;
  };
  const weightTerm = () => patchProduct.reduce((sum, v, e) => sum + v * signalProduct[e], 0);
  const block = positions * (full ? channels : k * channels);
  const columns = full ? channels : k * channels;
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < (symmetric ? i + 1 : n2); j++) {
      gemmInto(
        false,
        true,
        positions,
        positions,
        fanIn,
        1,
        { data: t1.patches, offset: i * positions * fanIn, ld: fanIn },
        { data: t2.patches, offset: j * positions * fanIn, ld: fanIn },
        0,
        strided(patchProduct, positions),
      );
      if (!full) {
        gemmInto(
          false,
          true,
          positions,
          positions,
          columns,
          1,
          { data: t1.signals, offset: i * block, ld: columns },
          { data: t2.signals, offset: j * block, ld: columns },
          0,
          strided(signalProduct, positions),
        );
        let bias = 0;
        for (let o = 0; o < k; o++) bias += sumsDot(i * k + o, j * k + o);
        out[i * outCols + j] += (c2 * weightTerm() + s2 * bias) / k;
        continue;
      }
      for (let o = 0; o < k; o++) {
        for (let o2 = 0; o2 < (symmetric && j === i ? o + 1 : k); o2++) {
          gemmInto(
            false,
            true,
            positions,
            positions,
            channels,
            1,
            { data: t1.signals, offset: (i * k + o) * block, ld: channels },
            { data: t2.signals, offset: (j * k + o2) * block, ld: channels },
            0,
            strided(signalProduct, positions),
          );
          out[(i * k + o) * outCols + j * k + o2] += c2 * weightTerm() + s2 * sumsDot(i * k + o, j * k + o2);
        }
      }
    }
  }
}

/** Adds a layer's term (t1 on the rows' inputs, t2 on the columns') into the NTK (lower triangle when symmetric). */
function addTerm(t1: LayerTerm, t2: LayerTerm, n1: number, n2: number, k: number, full: boolean, symmetric: boolean, out: Float64Array): void {
  if (t1.form === TERM.pairs) {
    addPositionPairs(t1, t2 as typeof t1, n1, n2, k, full, symmetric, out);
    return;
  }
  const outRows = full ? n1 * k : n1;
  const outCols = full ? n2 * k : n2;
  const products = new Float64Array(outRows * outCols);
  const outputWeight = full ? 1 : 1 / k;
  // 'mean' views (n·k)-row blocks as n × (k·columns); 'full' as (n·k) × columns.
  const productInto = (a: Float64Array, b: Float64Array, columns: number, target: Float64Array) => {
    const cols = full ? columns : k * columns;
    if (symmetric) syrkLowerInto(a, outRows, cols, target);
    else gemmInto(false, true, outRows, outCols, cols, 1, strided(a, cols), strided(b, cols), 0, strided(target, outCols));
  };
  if (t1.form === TERM.jacobian) {
    productInto(t1.jacobian, (t2 as typeof t1).jacobian, layerParams(t1.layer), products);
    for (let r = 0; r < outRows; r++) {
      for (let q = 0, last = symmetric ? r + 1 : outCols; q < last; q++) out[r * outCols + q] += outputWeight * products[r * outCols + q];
    }
    return;
  }
  const { fanIn, outChannels, weightScale, biasScale, hasBias } = t1.layer;
  const inner = new Float64Array(n1 * n2);
  if (symmetric) syrkLowerInto(t1.h, n1, fanIn, inner);
  else gemmInto(false, true, n1, n2, fanIn, 1, strided(t1.h, fanIn), strided((t2 as typeof t1).h, fanIn), 0, strided(inner, n2));
  productInto(t1.g, (t2 as typeof t1).g, outChannels, products);
  const c2 = weightScale ** 2;
  const s2 = hasBias ? biasScale ** 2 : 0;
  for (let r = 0; r < outRows; r++) {
    const i = full ? Math.floor(r / k) : r;
    for (let q = 0, last = symmetric ? r + 1 : outCols; q < last; q++) {
      const j = full ? Math.floor(q / k) : q;
      out[r * outCols + q] += outputWeight * (c2 * inner[i * n2 + j] + s2) * products[r * outCols + q];
    }
  }
}

/** The passes of the affine op's parameters: W (fanIn × out, row-major; HWIO for conv) then b. */
const affineParameters: ParameterPasses = {
  count: (program, ins) => layerParams(affineOf(program, ins)),
  initialize(program, ins, normal, into) {
    const { offset, fanIn, outChannels, hasBias, standard, wStd, bStd, copies } = affineOf(program, ins);
    const wScale = standard ? wStd / Math.sqrt(fanIn) : 1;
    let p = offset;
    for (let i = 0; i < copies * fanIn * outChannels; i++) into[p++] = wScale * normal();
    if (!hasBias) return;
    const bScale = standard ? bStd : 1;
    for (let i = 0; i < copies * outChannels; i++) into[p++] = bScale * normal();
  },
  jacobianInto: (program, ins, h, g, n, k, out, ld, column) => layerJacobianInto(affineOf(program, ins), h, g, n, k, out, ld, column),
  term: (program, ins, h, g, n, k, full) => layerTerm(affineOf(program, ins), h, g, n, k, full),
  termLayout(program, ins, k, full) {
    const { fanIn, width, positions, params, pointwise, unshared } = sizesOf(program, ins);
    const form = affineTermForm(positions, fanIn, width, k, full, unshared);
    const widths: [number, number, number] =
      form === TERM.jacobian ? [k * params, 0, 0] : form === TERM.pairs ? [positions * fanIn, k * positions * width, k * width] : [fanIn, k * width, 0];
    return {
      form,
      widths,
      input: form === TERM.dense && ins.a === 0 && pointwise,
      signalFlops: 2 * positions * width * (fanIn + k) + (form === TERM.jacobian ? 2 * k * params * positions : 0),
      pairFlops: form === TERM.pairs ? (positions ** 2 * (fanIn + k * width)) / k : form === TERM.jacobian ? k * params : fanIn + k * width,
      pairScratch: 2 * positions ** 2,
    };
  },
  addTerm: (t1, t2, n1, n2, k, full, symmetric, out) => addTerm(t1 as LayerTerm, t2 as LayerTerm, n1, n2, k, full, symmetric, out),
};

/** U(M): the tap average of a convolution window (full: every position pair; else same positions). */
function convolve(
  { sources, taps, outPositions }: Taps,
  input: Float64Array,
  inPositions: number,
  inputFull: boolean,
  outputFull: boolean,
  out: Float64Array,
): void {
  const diagonalStride = inputFull ? inPositions + 1 : 1;
  out.fill(0, 0, outputFull ? outPositions * outPositions : outPositions);
  for (let t = 0; t < taps; t++) {
    const row = sources.subarray(t * outPositions, (t + 1) * outPositions);
    for (let p = 0; p < outPositions; p++) {
      const a = row[p];
      if (a < 0) continue;
      if (!outputFull) {
        out[p] += input[a * diagonalStride] / taps;
        continue;
      }
      for (let q = 0; q < outPositions; q++) if (row[q] >= 0) out[p * outPositions + q] += input[a * inPositions + row[q]] / taps;
    }
  }
}

/**
 * Entries of the largest state between two of the WASM convolution's axis passes (assembly/ops/dense.ts, which does the
 * moving axes last to first: after axis d, the axes before it keep the input's sizes, the others have the output's).
 */
function intermediateEntries(program: Program, { a, out, attrs }: Instruction): number {
  const window = windowOf(attrs);
  const [inSpatial, outSpatial] = [spatialOf(program, a), spatialOf(program, out)];
  const moving = window.filter
    .map((_, d) => d)
    .filter((d) => window.filter[d] !== 1 || window.strides[d] !== 1 || window.before[d] !== 0 || inSpatial[d] !== outSpatial[d]);
  // Every pass but the last (the first moving axis) writes an intermediate; the pair state is full when the output is.
  const full = program.fullSpatial[out] !== 0;
  return Math.max(
    0,
    ...moving.slice(1).map((d) => {
      const positions = inSpatial.reduce((p, size, e) => p * (e < d ? size : outSpatial[e]), 1);
      return full ? positions ** 2 : positions;
    }),
  );
}

/**
 * Unshared weights (convLocal): the same-position entries of a window's tap average of Σ and Θ into `into` (one per
 * output position), read from the input's own same-position entries; a 1×1 window copies them.
 */
function sameWindow(pass: PairPass, a: number, taps: Taps | null, state: PairState, into: PairState): PairState {
  const [positions, full] = [pass.positions(a), pass.full(a)];
  if (taps !== null) {
    convolve(taps, state.sigma, positions, full, false, into.sigma);
    convolve(taps, state.theta, positions, full, false, into.theta);
    return into;
  }
  for (let p = 0; p < positions; p++) {
    into.sigma[p] = state.sigma[full ? p * (positions + 1) : p];
    into.theta[p] = state.theta[full ? p * (positions + 1) : p];
  }
  return into;
}

/** Same-position entries (one per position of value v) into v's state: its diagonal, zeros elsewhere when it is full. */
function onDiagonal(pass: PairPass, v: number, entries: PairState, target: PairState): void {
  const positions = pass.positions(v);
  if (!pass.full(v)) {
    target.sigma.set(entries.sigma.subarray(0, positions));
    target.theta.set(entries.theta.subarray(0, positions));
    return;
  }
  target.sigma.fill(0, 0, positions * positions);
  target.theta.fill(0, 0, positions * positions);
  for (let p = 0; p < positions; p++) {
    target.sigma[p * (positions + 1)] = entries.sigma[p];
    target.theta[p * (positions + 1)] = entries.theta[p];
  }
}

/** The dense rules on `size` entries of Σ and Θ (affineRule in assembly/ops/dense.ts). */
function affineRule(
  attrs: Float64Array,
  size: number,
  sigmaIn: Float64Array,
  thetaIn: Float64Array,
  sigmaOut: Float64Array,
  thetaOut: Float64Array,
  first = 0,
): void {
  const w2 = attrs[S.weightVariance];
  const b2 = attrs[S.biasVariance];
  const fanIn = attrs[S.standardFanIn];
  const hasBias = attrs[S.hasBias];
  const standard = attrs[S.standard];
  for (let e = first; e < size; e++) {
    const k = sigmaIn[e];
    const next = w2 * k + b2;
    thetaOut[e] = (standard ? fanIn * k + hasBias : next) + w2 * thetaIn[e];
    sigmaOut[e] = next;
  }
}

/** The product rule on the affine rule, entries [first, end): wStd² and bStd² carry their own tangents (dAttrs). */
function affineTangent(
  attrs: Float64Array,
  dAttrs: Float64Array,
  end: number,
  sIn: Float64Array,
  tIn: Float64Array,
  dsIn: Float64Array,
  dtIn: Float64Array,
  dsOut: Float64Array,
  dtOut: Float64Array,
  first = 0,
): void {
  const [w2, fanIn, standard] = [attrs[S.weightVariance], attrs[S.standardFanIn], attrs[S.standard] !== 0];
  const [dw2, db2] = [dAttrs[S.weightVariance], dAttrs[S.biasVariance]];
  for (let o = first; o < end; o++) {
    const ds = w2 * dsIn[o] + dw2 * sIn[o] + db2;
    dtOut[o] = (standard ? fanIn * dsIn[o] : ds) + w2 * dtIn[o] + dw2 * tIn[o];
    dsOut[o] = ds;
  }
}

/** z = scale·patches(h)·W on `n` rows of the input (no bias). */
function linearInto(layer: Affine, h: Float64Array, n: number, w: Strided, z: Float64Array): void {
  const { outPositions, outChannels, fanIn, weightScale } = layer;
  if (layer.taps === null && !layer.unshared) {
    gemmInto(false, false, n * outPositions, outChannels, fanIn, weightScale, strided(h, fanIn), w, 0, strided(z, outChannels));
    return;
  }
  const buffer = new Float64Array(outPositions * fanIn);
  const size = outPositions * outChannels;
  for (let i = 0; i < n; i++) productInto(layer, patchesOf(layer, h, i, buffer), w, 0, { data: z, offset: i * size, ld: outChannels });
}

/** Adds the bias scale times the biases found in `source` (shifted by shift(row) from where θ keeps them) to every row of z. */
function addBias(layer: Affine, source: Float64Array, z: Float64Array, shift: (row: number) => number): void {
  const { outPositions, outChannels, biasScale } = layer;
  const size = outPositions * outChannels;
  for (let r = 0; r < z.length / size; r++) {
    const bias = biasOffset(layer) + shift(r);
    for (let e = 0; e < size; e++) z[r * size + e] += biasScale * source[bias + (layer.unshared ? e : e % outChannels)];
  }
}

export const denseOp: OpUnit = {
  name: 'dense',
  forward({ program, params, n, values }, instruction) {
    const layer = affineOf(program, instruction);
    const z = new Float64Array(n * sizeOf(program, instruction.out));
    linearInto(layer, values[instruction.a], n, weightsOf(layer, params), z);
    if (layer.hasBias) addBias(layer, params, z, () => 0);
    return z;
  },
  // W·t_h + Δw·h + Δb: the input's tangent through the weights, and each direction's weights and bias on the example.
  tangent({ program, params, forward, n, m, rows, directions, tangents }, instruction) {
    const layer = affineOf(program, instruction);
    const { outPositions, outChannels, fanIn, weightScale } = layer;
    const size = sizeOf(program, instruction.out);
    const z = new Float64Array(rows * size);
    // The network's input has no tangent.
    if (instruction.a !== 0) linearInto(layer, tangents[instruction.a], rows, weightsOf(layer, params), z);
    const p = params.length;
    const h = forward.values[instruction.a];
    const moved = (d: number): Strided => ({ data: directions, offset: d * p + layer.offset, ld: outChannels });
    if (layer.taps === null && outPositions === 1 && !layer.unshared) {
      // Example i's row of direction d is row i·m + d: one product per direction over every example.
      for (let d = 0; d < m; d++)
        gemmInto(false, false, n, outChannels, fanIn, weightScale, strided(h, fanIn), moved(d), 1, { data: z, offset: d * size, ld: m * size });
    } else {
      const buffer = new Float64Array(outPositions * fanIn);
      for (let i = 0; i < n; i++) {
        const patches = patchesOf(layer, h, i, buffer);
        for (let d = 0; d < m; d++) productInto(layer, patches, moved(d), 1, { data: z, offset: (i * m + d) * size, ld: outChannels });
      }
    }
    if (layer.hasBias) addBias(layer, directions, z, (r) => (r % m) * p);
    return z;
  },
  backward({ program, params, forward, n, rows, cotangent, gradient }, instruction, g) {
    const { a, out } = instruction;
    const layer = affineOf(program, instruction);
    const w = weightsOf(layer, params);
    const size = sizeOf(program, out);
    const inSize = sizeOf(program, a);
    const { outPositions, outChannels, fanIn, weightScale } = layer;
    const buffer = new Float64Array(outPositions * fanIn);
    if (gradient) {
      const gradientW = { data: gradient, offset: layer.offset, ld: outChannels };
      if (layer.taps === null && !layer.unshared) {
        gemmInto(true, false, fanIn, outChannels, n * outPositions, weightScale, strided(forward.values[a], fanIn), strided(g, outChannels), 1, gradientW);
      } else {
        for (let i = 0; i < n; i++)
          weightGradientInto(layer, patchesOf(layer, forward.values[a], i, buffer), { data: g, offset: i * size, ld: outChannels }, 1, gradientW);
      }
      if (layer.hasBias) {
        const bias = biasOffset(layer);
        for (let r = 0; r < n * outPositions; r++) {
          const at = bias + (layer.unshared ? (r % outPositions) * outChannels : 0);
          for (let j = 0; j < outChannels; j++) gradient[at + j] += layer.biasScale * g[r * outChannels + j];
        }
      }
    }
    // The input's cotangent is needed only if something below it carries parameters.
    if (a === 0) return;
    const target = cotangent(a);
    if (layer.taps === null && !layer.unshared) {
      gemmInto(false, true, rows * outPositions, fanIn, outChannels, weightScale, strided(g, outChannels), w, 1, strided(target, fanIn));
    } else if (layer.taps === null) {
      for (let r = 0; r < rows; r++)
        patchCotangentsInto(layer, { data: g, offset: r * size, ld: outChannels }, w, 1, { data: target, offset: r * inSize, ld: fanIn });
    } else {
      for (let r = 0; r < rows; r++) {
        patchCotangentsInto(layer, { data: g, offset: r * size, ld: outChannels }, w, 0, strided(buffer, fanIn));
        addPatchesInto(layer.taps, buffer, layer.inChannels, target, r * inSize, layer.unshared);
      }
    }
  },
  needsPositions: (_program, { attrs }) => !isPointwise(windowOf(attrs)) || windowOf(attrs).unshared,
  fullSpatial(_program, { a, out, attrs }, full, set) {
    // A pointwise layer acts entry by entry; a window reads, for output positions (p, p′), input positions
    // displaced by the same tap, so it needs whole input covariances only when its output is kept whole. Unshared
    // weights leave only same-position entries, read from the input's own.
    if (windowOf(attrs).unshared) return;
    if (isPointwise(windowOf(attrs))) {
      const flag = full[a] | full[out];
      set(a, flag);
      set(out, flag);
    } else set(a, full[out]);
  },
  variance: (_program, { attrs }, v) => attrs[S.weightVariance] * v + attrs[S.biasVariance],
  varianceTangent: (_program, { attrs }, v, dv, _second, _dSecond, dAttrs) =>
    attrs[S.weightVariance] * dv + dAttrs[S.weightVariance] * v + dAttrs[S.biasVariance],
  vectorTangent({ n1, rowEnd, sigma, theta, directions, dSigma, dTheta, dAttrs }, { a, out, attrs }) {
    const [sIn, tIn] = [sigma(a), theta(a)];
    const n2 = sIn.length / n1;
    for (let h = 0; h < directions; h++) {
      const [dsIn, dtIn, dsOut, dtOut] = [dSigma(a, h), dTheta(a, h), dSigma(out, h), dTheta(out, h)];
      for (let i = 0; i < n1; i++) affineTangent(attrs, dAttrs(h), i * n2 + rowEnd(i), sIn, tIn, dsIn, dtIn, dsOut, dtOut, i * n2);
    }
  },
  vector({ n1, rowEnd, sigma, theta }, { a, out, attrs }) {
    const [sIn, tIn, sOut, tOut] = [sigma(a), theta(a), sigma(out), theta(out)];
    for (let i = 0; i < n1; i++) {
      const start = i * (sIn.length / n1);
      affineRule(attrs, start + rowEnd(i), sIn, tIn, sOut, tOut, start);
    }
  },
  prepare: (program, { a, out, attrs }) => (isPointwise(windowOf(attrs)) ? null : tapsOf(windowOf(attrs), spatialOf(program, a), spatialOf(program, out))),
  pair(pass: PairPass, { a, out, attrs }, taps) {
    if (windowOf(attrs).unshared) {
      if (pass.windowed !== out) sameWindow(pass, a, taps as Taps | null, pass.state(a), pass.scratch);
      pass.windowed = -1;
      affineRule(attrs, pass.positions(out), pass.scratch.sigma, pass.scratch.theta, pass.scratch.sigma, pass.scratch.theta);
      onDiagonal(pass, out, pass.scratch, pass.state(out));
      return;
    }
    const source = pass.state(a);
    const target = pass.state(out);
    let [sigmaIn, thetaIn] = [source.sigma, source.theta];
    if (taps !== null) {
      // The pairTangent right before may have left the window of the input in scratch.
      if (pass.windowed !== out) {
        convolve(taps as Taps, source.sigma, pass.positions(a), pass.full(a), pass.full(out), pass.scratch.sigma);
        convolve(taps as Taps, source.theta, pass.positions(a), pass.full(a), pass.full(out), pass.scratch.theta);
      }
      pass.windowed = -1;
      [sigmaIn, thetaIn] = [pass.scratch.sigma, pass.scratch.theta];
    }
    affineRule(attrs, pass.size(out), sigmaIn, thetaIn, target.sigma, target.theta);
  },
  // A window's tap average is linear: the tangents' average is the average of the tangents.
  pairTangent(pass, { a, out, attrs }, taps) {
    if (windowOf(attrs).unshared) {
      const positions = pass.positions(out);
      const input = sameWindow(pass, a, taps as Taps | null, pass.state(a), pass.scratch);
      pass.windowed = out;
      for (let h = 0; h < pass.directions; h++) {
        const tangent = sameWindow(pass, a, taps as Taps | null, pass.dState(a, h), pass.tangentScratch);
        affineTangent(attrs, pass.dAttrs(h), positions, input.sigma, input.theta, tangent.sigma, tangent.theta, tangent.sigma, tangent.theta);
        onDiagonal(pass, out, tangent, pass.dState(out, h));
      }
      return;
    }
    const size = pass.size(out);
    const window = (state: PairState, into: PairState) => {
      convolve(taps as Taps, state.sigma, pass.positions(a), pass.full(a), pass.full(out), into.sigma);
      convolve(taps as Taps, state.theta, pass.positions(a), pass.full(a), pass.full(out), into.theta);
      return into;
    };
    const input = taps === null ? pass.state(a) : window(pass.state(a), pass.scratch);
    // pair, run next, takes the input's window from scratch.
    if (taps !== null) pass.windowed = out;
    for (let h = 0; h < pass.directions; h++) {
      const tangent = taps === null ? pass.dState(a, h) : window(pass.dState(a, h), pass.tangentScratch);
      const target = pass.dState(out, h);
      affineTangent(attrs, pass.dAttrs(h), size, input.sigma, input.theta, tangent.sigma, tangent.theta, target.sigma, target.theta);
    }
  },
  parameters: affineParameters,
  cost: {
    entryFlops: (_program, { attrs }) => 4 * tapCount(windowOf(attrs)),
    pairScratch: (program, ins) => ({ prepared: 0, work: 4 * intermediateEntries(program, ins) }),
    // W·t_h and Δw·h: two products of the forward's size.
    tangentFlops(program, ins) {
      const { fanIn, width, positions } = sizesOf(program, ins);
      return 4 * positions * fanIn * width;
    },
    // One example's patches and its tap table, the patches of every example, and a weight-sharing layer's term.
    passDoubles(program, ins, n, k) {
      const { fanIn, width, positions, params } = sizesOf(program, ins);
      const term = positions > 1 ? Math.max(n * k * params, n * positions * (fanIn + k * width) + n * k * width) : 0;
      return positions * fanIn * 1.5 + n * fanIn + term;
    },
  },
};
