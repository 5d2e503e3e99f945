// Average pooling over windows of positions, per channel (neural-tangents' AvgPool): finite width the window
// mean; infinite width Σ ← BΣBᵀ with B the window mean. Its WASM passes are in assembly/ops/avgPool.ts.
import { type Instruction, type Program, SLOTS, WINDOW } from '../core/layout.js';
import { type Padding, channelsOf, positionsOf, sizeOf, spatialOf, windowOf } from '../core/shapes.js';
import { checkOptions, enumOption } from '../errors.js';
import type { LayerUnit, OpUnit } from './unit.js';
import { PADDINGS, type Taps, sizesOption, tapsOf } from './window.js';

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

export const avgPoolLayer: LayerUnit<AvgPoolLayer> = {
  kind: 'avgPool',
  rebuild: (l) => avgPool(l.window, { strides: l.strides, padding: l.padding }),
  lower(lowering, layer, flow, where) {
    const input = lowering.single(flow, where);
    const { spatial, window } = lowering.windowed(input, layer.window, layer.strides, layer.padding, 'window', where);
    const shape = [...spatial, input.shape[input.shape.length - 1]];
    const attributes = [...new Array<number>(WINDOW).fill(0), ...window];
    attributes[SLOTS.avgPool.divisor] = layer.window.reduce((product, size) => product * size, 1);
    const id = lowering.define(avgPoolOp, [input.id], shape, attributes);
    return { values: [{ id, shape, gaussian: input.gaussian }], branched: false };
  },
};

/** Pooling taps of an avgPool instruction, and what its sums divide by. */
const poolTaps = (program: Program, { a, out, attrs }: Instruction): Pooling =>
  ({ ...tapsOf(windowOf(attrs), ...spatialOf(program, a), ...spatialOf(program, out)), divisor: attrs[SLOTS.avgPool.divisor] });

interface Pooling extends Taps {
  divisor: number;
}

/** One example: out[p][ch] = Σ_t h[source][ch] / divisor (padding counts as zero). */
function poolInto({ sources, taps, outPositions, divisor }: Pooling, h: Float64Array, hOffset: number, c: number, out: Float64Array, outOffset: number): void {
  out.fill(0, outOffset, outOffset + outPositions * c);
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const source = sources[t * outPositions + p];
      if (source < 0) continue;
      for (let ch = 0; ch < c; ch++) out[outOffset + p * c + ch] += h[hOffset + source * c + ch] / divisor;
    }
  }
}

/** The transpose of poolInto: adds g[p][ch]/divisor onto every position output p read. */
function addPooledInto({ sources, taps, outPositions, divisor }: Pooling, g: Float64Array, gOffset: number, c: number, target: Float64Array, targetOffset: number): void {
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const source = sources[t * outPositions + p];
      if (source < 0) continue;
      for (let ch = 0; ch < c; ch++) target[targetOffset + source * c + ch] += g[gOffset + p * c + ch] / divisor;
    }
  }
}

/** B·M·Bᵀ for the window sum B of an avgPool over its divisor (M full); the same-position entries only when !outputFull. */
function pool({ sources, taps, outPositions, divisor }: Pooling, input: Float64Array, inPositions: number, outputFull: boolean, out: Float64Array): void {
  const half = new Float64Array(inPositions * outPositions); // M·Bᵀ
  for (let t = 0; t < taps; t++) {
    for (let q = 0; q < outPositions; q++) {
      const b = sources[t * outPositions + q];
      if (b < 0) continue;
      for (let a = 0; a < inPositions; a++) half[a * outPositions + q] += input[a * inPositions + b] / divisor;
    }
  }
  out.fill(0, 0, outputFull ? outPositions * outPositions : outPositions);
  for (let t = 0; t < taps; t++) {
    for (let p = 0; p < outPositions; p++) {
      const a = sources[t * outPositions + p];
      if (a < 0) continue;
      if (outputFull) for (let q = 0; q < outPositions; q++) out[p * outPositions + q] += half[a * outPositions + q] / divisor;
      else out[p] += half[a * outPositions + p] / divisor;
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
  needsPositions: () => true,
  // Pooling reads the covariance between positions.
  fullSpatial: (_program, { a }, _full, set) => set(a, 1),
  prepare: poolTaps,
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
      prepared: (windowOf(attrs).kh * windowOf(attrs).kw * positionsOf(program, out)) / 2, work: positionsOf(program, a) * positionsOf(program, out),
    }),
  },
};
