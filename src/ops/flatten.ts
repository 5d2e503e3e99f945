// Positions and channels as one vector (neural-tangents' Flatten): infinite width the mean of the same-position
// entries. Its WASM passes are in assembly/ops/flatten.ts.
import { sizeOf } from '../core/shapes.js';
import { type LayerUnit, type OpUnit, pairEachDirection, forEachDirection, linearTangent } from './unit.js';

/** Positions and channels as one feature vector, in channels-last order (neural-tangents' `Flatten`). */
export interface FlattenLayer {
  /** The layer's type tag. */
  readonly kind: 'flatten';
}

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

export const flattenLayer: LayerUnit<FlattenLayer> = {
  kind: 'flatten',
  rebuild: () => flatten(),
  lower(lowering, _layer, flow, where) {
    const input = lowering.single(flow, where);
    const shape = [input.shape.reduce((p, v) => p * v, 1)];
    // As neural-tangents: the flattened value is not treated as Gaussian (a dense layer must follow before an activation).
    return { values: [{ id: lowering.define(flattenOp, [input.id], shape, []), shape, gaussian: false }], branched: false };
  },
};

export const flattenOp: OpUnit = {
  name: 'flatten',
  forward: ({ values }, { a }) => values[a].slice(),
  backward({ program, rows, cotangent }, { a, out }, g) {
    const target = cotangent(a);
    for (let i = 0; i < rows * sizeOf(program, out); i++) target[i] += g[i];
  },
  tangent: (pass, ins) => linearTangent(flattenOp, pass, ins),
  needsPositions: () => false,
  // Reads the same-position entries.
  fullSpatial: () => {},
  variance: (_program, _ins, v) => v,
  varianceTangent: (_program, _ins, _v, dv) => dv,
  vectorTangent: (pass, ins, rule) => forEachDirection(pass, ins, flattenOp, rule),
  vector({ n1, rowEnd, sigma, theta }, { a, out }) {
    // One position: the flattened vector has the same kernel.
    const [sIn, tIn, sOut, tOut] = [sigma(a), theta(a), sigma(out), theta(out)];
    const n2 = sIn.length / n1;
    for (let i = 0; i < n1; i++) {
      for (let o = i * n2, end = o + rowEnd(i); o < end; o++) {
        sOut[o] = sIn[o];
        tOut[o] = tIn[o];
      }
    }
  },
  prepare: () => null,
  pairTangent: (pass, ins, prepared) => pairEachDirection(pass, ins, flattenOp, prepared),
  pair(pass, { a, out }) {
    const source = pass.state(a);
    const target = pass.state(out);
    const sa = pass.positions(a);
    const stride = pass.full(a) ? sa + 1 : 1;
    const trace = (m: Float64Array) => {
      let sum = 0;
      for (let p = 0; p < sa; p++) sum += m[p * stride];
      return sum / sa;
    };
    [target.sigma[0], target.theta[0]] = [trace(source.sigma), trace(source.theta)];
  },
  cost: { entryFlops: () => 4 },
};
