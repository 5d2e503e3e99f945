// Pooling over windows of positions, per channel: the window's mean (neural-tangents' AvgPool) or its sum (SumPool),
// one op whose sum divides by the window size or by 1; infinite width Σ ← BΣBᵀ with B the window sum over that
// divisor. Its WASM passes are in assembly/ops/avgPool.ts.
import { type Instruction, type Program, SLOTS, WINDOW } from '../core/layout.js';
import { type Padding, channelsOf, describeShape, positionsOf, sizeOf, spatialOf, windowOf } from '../core/shapes.js';
import { booleanOption, checkOptions } from '../errors.js';
import { type LayerUnit, type OpUnit, pairEachDirection, linearTangent } from './unit.js';
import { type Taps, paddingOption, sizesOption, tapsOf } from './window.js';

/** Pooling over windows of positions, per channel: {@link avgPool} (the window mean) or {@link sumPool} (the window sum). */
export interface PoolLayer<K extends 'avgPool' | 'sumPool' = 'avgPool' | 'sumPool'> {
  /** The layer's type tag. */
  readonly kind: K;
  /** Window size per spatial axis. */
  readonly window: readonly number[];
  /** Stride per spatial axis. */
  readonly strides: readonly number[];
  /** How the window meets the edges; padded positions count as zeros (a mean divides by the window size unless normalizeEdges). */
  readonly padding: Padding;
  /** avgPool only, present when true: a mean over the positions inside the input only (with 'SAME' padding, fewer at the edges). */
  readonly normalizeEdges?: true;
}

/** Average pooling over windows of positions, per channel (neural-tangents' `AvgPool`). */
export type AvgPoolLayer = PoolLayer<'avgPool'>;

/** Sum pooling over windows of positions, per channel (neural-tangents' `SumPool`). */
export type SumPoolLayer = PoolLayer<'sumPool'>;

/** Options of {@link avgPool} and {@link sumPool}. */
export interface PoolOptions {
  /** Stride: one number for every axis, or one per axis. Default 1 (neural-tangents' `strides=None`). */
  strides?: number | readonly number[];
  /** 'VALID' (default), 'SAME', 'CIRCULAR', or zeros [before, after] per spatial axis (`[[1, 2], [0, 1]]`). */
  padding?: Padding;
}

/** Options of {@link avgPool}. */
export interface AvgPoolOptions extends PoolOptions {
  /**
   * Divide each window's sum by the number of its positions inside the input rather than by the window size (so
   * with 'SAME' padding the means at the edges are over fewer positions; neural-tangents' `normalize_edges`). Default false.
   */
  normalizeEdges?: boolean;
}

/** Options of {@link sumPool}. */
export type SumPoolOptions = PoolOptions;

function poolLayer<K extends 'avgPool' | 'sumPool'>(kind: K, window: readonly number[], options: AvgPoolOptions): PoolLayer<K> {
  const opts = checkOptions(kind, options, kind === 'avgPool' ? ['strides', 'padding', 'normalizeEdges'] : ['strides', 'padding']);
  const sizes = sizesOption(kind, 'window', window);
  const normalizeEdges = booleanOption(kind, 'normalizeEdges', opts.normalizeEdges, false);
  return Object.freeze({
    kind,
    window: Object.freeze(sizes),
    strides: Object.freeze(sizesOption(kind, 'strides', opts.strides ?? 1, sizes.length)),
    padding: paddingOption(kind, opts.padding, sizes.length),
    ...(normalizeEdges ? { normalizeEdges: true as const } : {}),
  });
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
  return poolLayer('avgPool', window, options);
}

/**
 * Sum pooling over `window` positions per channel (neural-tangents' `SumPool`): the window's size times
 * {@link avgPool}, so at infinite width its kernels are the average's times the size squared.
 *
 * @example
 * ```ts
 * const model = serial(conv(8, [3], { padding: 'SAME' }), relu(), sumPool([2], { strides: 2 }), flatten(), dense(1));
 * const { ntk } = infinite(model, { inputShape: [6, 1] }).kernels([[0, 1, 2, 3, 4, 5], [1, 0, 1, 0, 1, 0]]);
 * ```
 */
export function sumPool(window: readonly number[], options: SumPoolOptions = {}): SumPoolLayer {
  return poolLayer('sumPool', window, options);
}

/** A pooling layer's unit: its window, and what each window's sum divides by. */
function poolLayerUnit<K extends 'avgPool' | 'sumPool'>(
  kind: K,
  build: (window: readonly number[], options: PoolOptions) => PoolLayer<K>,
  divisor: (window: readonly number[]) => number,
): LayerUnit<PoolLayer<K>> {
  return {
    kind,
    rebuild: (l) => build(l.window, { strides: l.strides, padding: l.padding, ...(l.normalizeEdges ? { normalizeEdges: true } : {}) }),
    lower(lowering, layer, flow, where) {
      const input = lowering.single(flow, where);
      const { spatial, window } = lowering.windowed(input, layer.window, layer.strides, layer.padding, 'window', where);
      const shape = [...spatial, input.shape[input.shape.length - 1]];
      if (layer.normalizeEdges && typeof layer.padding !== 'string') {
        // A mean over the positions inside the input needs some: explicit padding may leave a window none.
        spatial.forEach((out, axis) => {
          const [size, k, stride, before] = [input.shape[axis], layer.window[axis], layer.strides[axis], (layer.padding as [number, number][])[axis][0]];
          const empty = Array.from({ length: out }, (_, o) => o).find((o) => o * stride - before + k <= 0 || o * stride - before >= size);
          if (empty !== undefined) {
            throw new RangeError(
              `${lowering.fn}: ${where} has normalizeEdges, but its window at output ${empty} along axis ${axis} lies in the padding ` +
                `${JSON.stringify(layer.padding)} only (input ${describeShape(input.shape)})`,
            );
          }
        });
      }
      const attributes = [...new Array<number>(WINDOW).fill(0), ...window];
      attributes[SLOTS.avgPool.divisor] = divisor(layer.window);
      attributes[SLOTS.avgPool.normalizeEdges] = layer.normalizeEdges ? 1 : 0;
      const id = lowering.define(avgPoolOp, [input.id], shape, attributes);
      return { values: [{ id, shape, gaussian: input.gaussian }], branched: false };
    },
  };
}

export const avgPoolLayer = poolLayerUnit('avgPool', avgPool, (window) => window.reduce((product, size) => product * size, 1));
export const sumPoolLayer = poolLayerUnit('sumPool', sumPool, () => 1);

/**
 * Pooling taps of an avgPool instruction, and what each output position's sum divides by: the divisor, or with
 * normalizeEdges the number of its taps inside the input.
 */
function poolTaps(program: Program, { a, out, attrs }: Instruction): Pooling {
  const taps = tapsOf(windowOf(attrs), ...spatialOf(program, a), ...spatialOf(program, out));
  const divisors = new Float64Array(taps.outPositions).fill(attrs[SLOTS.avgPool.divisor]);
  if (attrs[SLOTS.avgPool.normalizeEdges] === 1) {
    divisors.fill(0);
    for (let t = 0; t < taps.taps; t++) for (let p = 0; p < taps.outPositions; p++) if (taps.sources[t * taps.outPositions + p] >= 0) divisors[p]++;
  }
  return { ...taps, divisors };
}

interface Pooling extends Taps {
  /** Per output position. */
  divisors: Float64Array;
}

/** One example: out[p][ch] = Σ_t h[source][ch] / divisors[p] (padding counts as zero). */
function poolInto({ sources, taps, outPositions, divisors }: Pooling, h: Float64Array, hOffset: number, c: number, out: Float64Array, outOffset: number): void {
  out.fill(0, outOffset, outOffset + outPositions * c);
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const source = sources[t * outPositions + p];
      if (source < 0) continue;
      for (let ch = 0; ch < c; ch++) out[outOffset + p * c + ch] += h[hOffset + source * c + ch] / divisors[p];
    }
  }
}

/** The transpose of poolInto: adds g[p][ch]/divisors[p] onto every position output p read. */
function addPooledInto(
  { sources, taps, outPositions, divisors }: Pooling,
  g: Float64Array,
  gOffset: number,
  c: number,
  target: Float64Array,
  targetOffset: number,
): void {
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const source = sources[t * outPositions + p];
      if (source < 0) continue;
      for (let ch = 0; ch < c; ch++) target[targetOffset + source * c + ch] += g[gOffset + p * c + ch] / divisors[p];
    }
  }
}

/** B·M·Bᵀ for the window sum B of an avgPool over its divisors (M full); the same-position entries only when !outputFull. */
function pool({ sources, taps, outPositions, divisors }: Pooling, input: Float64Array, inPositions: number, outputFull: boolean, out: Float64Array): void {
  const half = new Float64Array(inPositions * outPositions); // M·Bᵀ
  for (let t = 0; t < taps; t++) {
    for (let q = 0; q < outPositions; q++) {
      const b = sources[t * outPositions + q];
      if (b < 0) continue;
      for (let a = 0; a < inPositions; a++) half[a * outPositions + q] += input[a * inPositions + b] / divisors[q];
    }
  }
  out.fill(0, 0, outputFull ? outPositions * outPositions : outPositions);
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const a = sources[t * outPositions + p];
      if (a < 0) continue;
      if (outputFull) for (let q = 0; q < outPositions; q++) out[p * outPositions + q] += half[a * outPositions + q] / divisors[p];
      else out[p] += half[a * outPositions + p] / divisors[p];
    }
  }
}

export const avgPoolOp: OpUnit = {
  name: 'avgPool',
  forward({ program, n, values }, instruction) {
    const { a, out } = instruction;
    const taps = poolTaps(program, instruction);
    const size = sizeOf(program, out);
    const z = new Float64Array(n * size);
    for (let i = 0; i < n; i++) poolInto(taps, values[a], i * sizeOf(program, a), channelsOf(program, a), z, i * size);
    return z;
  },
  backward({ program, rows, cotangent }, instruction, g) {
    const { a, out } = instruction;
    const taps = poolTaps(program, instruction);
    const target = cotangent(a);
    const size = sizeOf(program, out);
    for (let r = 0; r < rows; r++) addPooledInto(taps, g, r * size, channelsOf(program, a), target, r * sizeOf(program, a));
  },
  tangent: (pass, ins) => linearTangent(avgPoolOp, pass, ins),
  needsPositions: () => true,
  // Pooling reads the covariance between positions.
  fullSpatial: (_program, { a }, _full, set) => set(a, 1),
  prepare: poolTaps,
  pairTangent: (pass, ins, prepared) => pairEachDirection(pass, ins, avgPoolOp, prepared),
  pair(pass, { a, out }, taps) {
    const source = pass.state(a);
    const target = pass.state(out);
    const size = pass.size(out);
    pool(taps as Pooling, source.sigma, pass.positions(a), pass.full(out), pass.scratch.sigma);
    pool(taps as Pooling, source.theta, pass.positions(a), pass.full(out), pass.scratch.theta);
    target.sigma.set(pass.scratch.sigma.subarray(0, size));
    target.theta.set(pass.scratch.theta.subarray(0, size));
  },
  cost: {
    entryFlops: (_program, { attrs }) => 4 * windowOf(attrs).kh * windowOf(attrs).kw,
    passDoubles: (program, { attrs, out }) => (windowOf(attrs).kh * windowOf(attrs).kw * positionsOf(program, out)) / 2,
    // The tap table for the call; the product M·Bᵀ (input × output positions) while it runs.
    pairScratch: (program, { a, out, attrs }) => ({
      prepared: (windowOf(attrs).kh * windowOf(attrs).kw * positionsOf(program, out)) / 2,
      work: positionsOf(program, a) * positionsOf(program, out),
    }),
  },
};
