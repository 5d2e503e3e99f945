// The sum over all positions per channel over a divisor: the number of positions for the mean (neural-tangents'
// GlobalAvgPool), 1 for the sum (GlobalSumPool); infinite width the sum of every entry of the position-pair covariance
// over the divisor squared. Its WASM passes are in assembly/ops/globalAvgPool.ts.
import { SLOTS } from '../core/layout.js';
import { positionsOf, sizeOf } from '../core/shapes.js';
import { type LayerUnit, type OpUnit, pairEachDirection, linearTangent } from './unit.js';

/** The mean over all positions, per channel (neural-tangents' `GlobalAvgPool`). */
export interface GlobalAvgPoolLayer {
  /** The layer's type tag. */
  readonly kind: 'globalAvgPool';
}

/** The sum over all positions, per channel (neural-tangents' `GlobalSumPool`). */
export interface GlobalSumPoolLayer {
  /** The layer's type tag. */
  readonly kind: 'globalSumPool';
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
 * The sum over all positions of every channel (neural-tangents' `GlobalSumPool`): `[h, w, c]` becomes `[c]`, the
 * positions' count times {@link globalAvgPool}, so at infinite width its kernels are the mean's times the count squared.
 *
 * @example
 * ```ts
 * const model = serial(conv(8, [3], { padding: 'SAME' }), relu(), globalSumPool(), dense(1));
 * const { nngp } = infinite(model, { inputShape: [5, 1] }).kernels([[1, 2, 3, 4, 5], [0, 1, 0, 1, 0]]);
 * ```
 */
export function globalSumPool(): GlobalSumPoolLayer {
  return GLOBAL_SUM_POOL;
}
const GLOBAL_SUM_POOL: GlobalSumPoolLayer = Object.freeze({ kind: 'globalSumPool' });

/** A global pooling layer's unit: what the sum over the positions divides by. */
function globalPoolLayer<L extends GlobalAvgPoolLayer | GlobalSumPoolLayer>(layer: L, divisor: (positions: number) => number): LayerUnit<L> {
  return {
    kind: layer.kind,
    rebuild: () => layer,
    lower(lowering, _layer, flow, where) {
      const input = lowering.single(flow, where);
      if (input.shape.length === 1) throw new RangeError(`${lowering.fn}: ${where} needs a spatial input but receives [${input.shape.join(', ')}]`);
      const shape = [input.shape[input.shape.length - 1]];
      const attributes: number[] = [];
      attributes[SLOTS.globalAvgPool.divisor] = divisor(input.shape.slice(0, -1).reduce((product, size) => product * size, 1));
      return { values: [{ id: lowering.define(globalAvgPoolOp, [input.id], shape, attributes), shape, gaussian: input.gaussian }], branched: false };
    },
  };
}

export const globalAvgPoolLayer = globalPoolLayer(GLOBAL_AVG_POOL, (positions) => positions);
export const globalSumPoolLayer = globalPoolLayer(GLOBAL_SUM_POOL, () => 1);

export const globalAvgPoolOp: OpUnit = {
  name: 'globalAvgPool',
  forward({ program, n, values }, { a, out, attrs }) {
    const h = values[a];
    const size = sizeOf(program, out);
    const z = new Float64Array(n * size);
    const positions = positionsOf(program, a);
    const divisor = attrs[SLOTS.globalAvgPool.divisor];
    for (let i = 0; i < n; i++) {
      for (let p = 0; p < positions; p++) for (let ch = 0; ch < size; ch++) z[i * size + ch] += h[(i * positions + p) * size + ch] / divisor;
    }
    return z;
  },
  backward({ program, rows, cotangent }, { a, out, attrs }, g) {
    const target = cotangent(a);
    const size = sizeOf(program, out);
    const positions = positionsOf(program, a);
    const divisor = attrs[SLOTS.globalAvgPool.divisor];
    for (let r = 0; r < rows; r++) {
      for (let p = 0; p < positions; p++) for (let ch = 0; ch < size; ch++) target[(r * positions + p) * size + ch] += g[r * size + ch] / divisor;
    }
  },
  tangent: (pass, ins) => linearTangent(globalAvgPoolOp, pass, ins),
  needsPositions: () => true,
  // The mean of every pair of positions.
  fullSpatial: (_program, { a }, _full, set) => set(a, 1),
  prepare: () => null,
  pairTangent: (pass, ins, prepared) => pairEachDirection(pass, ins, globalAvgPoolOp, prepared),
  pair(pass, { a, out, attrs }) {
    const source = pass.state(a);
    const target = pass.state(out);
    const sa = pass.positions(a);
    const divisor = attrs[SLOTS.globalAvgPool.divisor];
    const total = (m: Float64Array) => m.subarray(0, sa * sa).reduce((s, v) => s + v, 0) / (divisor * divisor);
    [target.sigma[0], target.theta[0]] = [total(source.sigma), total(source.theta)];
  },
  cost: { entryFlops: () => 4 },
};
