// Resizing the spatial axes (neural-tangents' ImageResize, JAX's jax.image.resize) with the methods whose kernels
// neural-tangents computes: 'linear' (a triangle filter, widened by the downsampling factor when antialiased) and
// 'nearest'. Each axis is a matrix R (outputs × inputs) built as JAX builds it; the op is the position map R_h ⊗ R_w
// (src/ops/positionMap.ts): finite width y = (R_h ⊗ R_w)·x per channel, infinite width Σ ← BΣBᵀ. Its WASM passes are in
// assembly/ops/imageResize.ts.
import { type Instruction, type Program, SLOTS, SPATIAL_AXES, WINDOW } from '../core/layout.js';
import { describeShape, positionsOf, spatialOf } from '../core/shapes.js';
import { booleanOption, checkOptions, enumOption } from '../errors.js';
import { type PositionMap, positionMapOp } from './positionMap.js';
import type { LayerUnit, OpUnit } from './unit.js';

/** The methods, as jax.image.resize names them ('bilinear', 'trilinear' and 'triangle' are 'linear'). */
const METHODS = ['linear', 'bilinear', 'trilinear', 'triangle', 'nearest'] as const;

/** A resize of every example's spatial axes (neural-tangents' `ImageResize`). */
export interface ImageResizeLayer {
  /** The layer's type tag. */
  readonly kind: 'imageResize';
  /** The output's size per axis of an example (spatial axes, then channels); −1 keeps the input's. */
  readonly shape: readonly number[];
  /** 'linear' or 'nearest'. */
  readonly method: 'linear' | 'nearest';
  /** Whether downsampling with 'linear' widens the triangle filter by the factor (an antialiasing low-pass). */
  readonly antialias: boolean;
}

/** Options of {@link imageResize}. */
export interface ImageResizeOptions {
  /** The output's size per axis of an example: its spatial axes then its channels, −1 to keep one (the channels must be kept). Required. */
  shape: readonly number[];
  /** 'linear' (or its aliases 'bilinear', 'trilinear', 'triangle') or 'nearest'. Required. */
  method: (typeof METHODS)[number];
  /** Low-pass filter when 'linear' downsamples (JAX's default). Default true. */
  antialias?: boolean;
}

/**
 * Resizes the spatial axes of every example (neural-tangents' `ImageResize(shape, method, antialias)`, JAX's
 * `jax.image.resize`): `shape` gives the output's sizes of an example's axes, spatial then channels, −1 keeping one.
 * 'linear' interpolates between the nearest input positions (half-pixel centres; with `antialias`, downsampling averages
 * over the factor's width), 'nearest' takes the input position whose cell holds the output's centre. Both are linear in
 * the input, so at infinite width Σ ← BΣBᵀ; neural-tangents computes the kernels of these two methods only, and the
 * channels must keep their size (resizing them is not defined at infinite width).
 *
 * @example
 * ```ts
 * // 8 × 8 images down to 4 × 4 with the antialiased triangle filter, then a CNN.
 * const model = serial(imageResize({ shape: [4, 4, -1], method: 'linear' }), conv(16, [3, 3]), relu(), flatten(), dense(1));
 * ```
 */
export function imageResize(options: ImageResizeOptions): ImageResizeLayer {
  const fn = 'imageResize';
  const opts = checkOptions(fn, options, ['shape', 'method', 'antialias']) as Partial<ImageResizeOptions>;
  const { shape } = opts;
  if (!Array.isArray(shape) || shape.length < 2 || shape.length > SPATIAL_AXES + 1) {
    throw new TypeError(`${fn}: shape must be an array of 2 to ${SPATIAL_AXES + 1} sizes (spatial axes, then channels), got ${JSON.stringify(shape)}`);
  }
  shape.forEach((size, i) => {
    if (typeof size !== 'number' || !Number.isInteger(size) || (size < 1 && size !== -1)) {
      throw new RangeError(`${fn}: shape[${i}] must be a positive integer or -1 (keep), got ${JSON.stringify(size)}`);
    }
  });
  if (opts.method === undefined) throw new TypeError(`${fn}: method is required: one of ${METHODS.map((m) => `'${m}'`).join(', ')}`);
  const method = enumOption(fn, 'method', opts.method, METHODS, 'linear');
  return Object.freeze({
    kind: 'imageResize',
    shape: Object.freeze([...shape]),
    method: method === 'nearest' ? 'nearest' : 'linear',
    antialias: booleanOption(fn, 'antialias', opts.antialias, true),
  });
}

const S = SLOTS.imageResize;

export const imageResizeLayer: LayerUnit<ImageResizeLayer> = {
  kind: 'imageResize',
  rebuild: (l) => imageResize({ shape: l.shape, method: l.method, antialias: l.antialias }),
  lower(lowering, layer, flow, where) {
    const input = lowering.single(flow, where);
    if (layer.shape.length !== input.shape.length) {
      throw new RangeError(
        `${lowering.fn}: ${where} has shape ${describeShape(layer.shape)} for an input ${describeShape(input.shape)}: one size per axis (spatial axes, then channels)`,
      );
    }
    const channels = input.shape[input.shape.length - 1];
    const last = layer.shape[layer.shape.length - 1];
    if (last !== -1 && last !== channels) {
      throw new RangeError(`${lowering.fn}: ${where} resizes the channels (${channels} to ${last}); keep them with -1, as neural-tangents requires`);
    }
    const shape = layer.shape.map((size, i) => (size === -1 ? input.shape[i] : size));
    const attributes = new Array<number>(WINDOW).fill(0);
    attributes[S.nearest] = layer.method === 'nearest' ? 1 : 0;
    attributes[S.antialias] = layer.antialias ? 1 : 0;
    const id = lowering.define(imageResizeOp, [input.id], shape, attributes);
    return { values: [{ id, shape, gaussian: input.gaussian }], branched: false };
  },
};

/**
 * One axis's resampling matrix as JAX computes it, outputs × inputs. 'nearest': output o takes input ⌊(o + ½)·in/out⌋.
 * 'linear' (jax.image's compute_weight_mat at scale out/in): the triangle max(0, 1 − |x|) at x = |s − i|/w between the
 * sample s = (o + ½)·in/out − ½ and input i, widened by w = max(in/out, 1) when antialiased (else 1), each output's
 * weights normalized to sum 1 (0 when their sum is below 1000 float32 epsilons), and 0 where s lies outside [−½, in − ½].
 */
export function resizeMatrix(inSize: number, outSize: number, nearest: boolean, antialias: boolean): Float64Array {
  const matrix = new Float64Array(outSize * inSize);
  const inverseScale = inSize / outSize;
  for (let o = 0; o < outSize; o++) {
    if (nearest) {
      matrix[o * inSize + Math.floor(((o + 0.5) * inSize) / outSize)] = 1;
      continue;
    }
    const sample = (o + 0.5) * inverseScale - 0.5;
    if (sample < -0.5 || sample > inSize - 0.5) continue;
    const width = antialias ? Math.max(inverseScale, 1) : 1;
    let total = 0;
    for (let i = 0; i < inSize; i++) total += matrix[o * inSize + i] = Math.max(0, 1 - Math.abs(sample - i) / width);
    for (let i = 0; i < inSize; i++) matrix[o * inSize + i] = Math.abs(total) > FLOAT32_FLOOR ? matrix[o * inSize + i] / total : 0;
  }
  return matrix;
}

/** 1000 float32 epsilons: JAX's floor for a row's weight sum. */
const FLOAT32_FLOOR = 1000 * 2 ** -23;

/** The position map R₀ ⊗ R₁ ⊗ R₂: each output position reads, tap by tap, the products of its axes' nonzero inputs. */
function resizeMap(program: Program, { a, out, attrs }: Instruction): PositionMap {
  const [nearest, antialias] = [attrs[S.nearest] !== 0, attrs[S.antialias] !== 0];
  const [inSpatial, outSpatial] = [spatialOf(program, a), spatialOf(program, out)];
  // Per axis and output, its inputs of nonzero weight; an axis's taps are the most any output has.
  const supports = inSpatial.map((inSize, d) => {
    const outSize = outSpatial[d];
    const matrix = resizeMatrix(inSize, outSize, nearest, antialias);
    return Array.from({ length: outSize }, (_, o) =>
      Array.from({ length: inSize }, (_, i) => i)
        .filter((i) => matrix[o * inSize + i] !== 0)
        .map((i) => ({ i, weight: matrix[o * inSize + i] })),
    );
  });
  const [k0, k1, k2] = supports.map((axis) => Math.max(1, ...axis.map((inputs) => inputs.length)));
  const [o0, o1, o2] = outSpatial;
  const [, i1, i2] = inSpatial;
  const outPositions = o0 * o1 * o2;
  const sources = new Int32Array(k0 * k1 * k2 * outPositions).fill(-1);
  const weights = new Float64Array(k0 * k1 * k2 * outPositions);
  let e = 0;
  for (let t0 = 0; t0 < k0; t0++) {
    for (let t1 = 0; t1 < k1; t1++) {
      for (let t2 = 0; t2 < k2; t2++) {
        for (let p0 = 0; p0 < o0; p0++) {
          for (let p1 = 0; p1 < o1; p1++) {
            for (let p2 = 0; p2 < o2; p2++, e++) {
              const [x0, x1, x2] = [supports[0][p0][t0], supports[1][p1][t1], supports[2][p2][t2]];
              if (x0 === undefined || x1 === undefined || x2 === undefined) continue;
              sources[e] = (x0.i * i1 + x1.i) * i2 + x2.i;
              weights[e] = x0.weight * x1.weight * x2.weight;
            }
          }
        }
      }
    }
  }
  return { sources, weights, taps: k0 * k1 * k2, outPositions };
}

/** Doubles an instruction's map takes in WASM memory: its i32 sources and f64 weights and their header, and the axes' matrices. */
const mapDoubles = (program: Program, ins: Instruction) => {
  const { taps, outPositions } = resizeMap(program, ins);
  const [inSpatial, outSpatial] = [spatialOf(program, ins.a), spatialOf(program, ins.out)];
  return 1.5 * taps * outPositions + 2 + inSpatial.reduce((sum, size, d) => sum + size * outSpatial[d], 0);
};

export const imageResizeOp: OpUnit = positionMapOp('imageResize', resizeMap, {
  entryFlops: (program, { a, out }) => 16 * Math.max(1, positionsOf(program, a) / positionsOf(program, out)),
  passDoubles: mapDoubles,
  // The map for the call; the product M·Bᵀ (input × output positions) while it runs.
  pairScratch: (program, ins) => ({ prepared: mapDoubles(program, ins), work: positionsOf(program, ins.a) * positionsOf(program, ins.out) }),
});
