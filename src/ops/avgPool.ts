// Pooling over windows of positions, per channel: the window's mean (neural-tangents' AvgPool) or its sum (SumPool),
// one op whose sum divides by the window size or by 1; infinite width Σ ← BΣBᵀ with B the window sum over that
// divisor. Its WASM passes are in assembly/ops/avgPool.ts.
import { type Instruction, type Program, SLOTS, WINDOW } from '../core/layout.js';
import { type Padding, describeShape, positionsOf, spatialOf, tapCount, windowOf } from '../core/shapes.js';
import { booleanOption, checkOptions } from '../errors.js';
import { type PositionMap, positionMapOp } from './positionMap.js';
import type { LayerUnit, OpUnit } from './unit.js';
import { paddingOption, sizesOption, tapsOf } from './window.js';

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
 * The position map of an avgPool instruction: each tap inside the input weighs 1/divisor, or with normalizeEdges 1/(the
 * number of its output position's taps inside the input).
 */
function poolMap(program: Program, { a, out, attrs }: Instruction): PositionMap {
  const { sources, taps, outPositions } = tapsOf(windowOf(attrs), spatialOf(program, a), spatialOf(program, out));
  const divisors = new Float64Array(outPositions).fill(attrs[SLOTS.avgPool.divisor]);
  if (attrs[SLOTS.avgPool.normalizeEdges] === 1) {
    divisors.fill(0);
    for (let t = 0; t < taps; t++) for (let p = 0; p < outPositions; p++) if (sources[t * outPositions + p] >= 0) divisors[p]++;
  }
  const weights = Float64Array.from(sources, (source, e) => (source < 0 ? 0 : 1 / divisors[e % outPositions]));
  return { sources, weights, taps, outPositions };
}

/** Doubles of an instruction's map in WASM memory: its i32 sources and f64 weights, and their header. */
const mapDoubles = (program: Program, { attrs, out }: Instruction) => 1.5 * tapCount(windowOf(attrs)) * positionsOf(program, out) + 2;

export const avgPoolOp: OpUnit = positionMapOp('avgPool', poolMap, {
  entryFlops: (_program, { attrs }) => 4 * tapCount(windowOf(attrs)),
  passDoubles: (program, ins) => mapDoubles(program, ins),
  // The map for the call; the product M·Bᵀ (input × output positions) while it runs.
  pairScratch: (program, ins) => ({ prepared: mapDoubles(program, ins), work: positionsOf(program, ins.a) * positionsOf(program, ins.out) }),
});
