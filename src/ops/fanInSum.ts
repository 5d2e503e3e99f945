// The sum of branches (neural-tangents' FanInSum): lowered to one sum op per extra branch; at infinite width the
// branches' Σ and Θ add. Its WASM passes are in assembly/ops/fanInSum.ts.
import { sizeOf } from '../core/shapes.js';
import { lowerFanIn } from './fanIn.js';
import { type LayerUnit, type OpUnit, pairEachDirection, forEachDirection, linearTangent } from './unit.js';

/** Sums its branches (which must have equal shapes). */
export interface FanInSumLayer {
  /** The layer's type tag. */
  readonly kind: 'fanInSum';
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

export const fanInSumLayer: LayerUnit<FanInSumLayer> = {
  kind: 'fanInSum',
  rebuild: () => fanInSum(),
  lower: (lowering, _layer, flow, where) => lowerFanIn(lowering, flow, where, fanInSumOp, 'sums', true),
};

export const fanInSumOp: OpUnit = {
  name: 'fanInSum',
  forward({ values }, { a, b }) {
    const [h, second] = [values[a], values[b]];
    const z = new Float64Array(h.length);
    for (let i = 0; i < z.length; i++) z[i] = h[i] + second[i];
    return z;
  },
  backward({ program, rows, cotangent }, { a, b, out }, g) {
    for (const input of [a, b]) {
      const target = cotangent(input);
      for (let i = 0; i < rows * sizeOf(program, out); i++) target[i] += g[i];
    }
  },
  tangent: (pass, ins) => linearTangent(fanInSumOp, pass, ins),
  needsPositions: () => false,
  fullSpatial(_program, { a, b, out }, full, set) {
    const flag = full[a] | full[b] | full[out];
    [a, b, out].forEach((v) => set(v, flag));
  },
  variance: (_program, _ins, v, second) => v + second,
  varianceTangent: (_program, _ins, _v, dv, _second, dSecond) => dv + dSecond,
  vectorTangent: (pass, ins, rule) => forEachDirection(pass, ins, fanInSumOp, rule),
  vector({ n1, rowEnd, sigma, theta }, { a, b, out }) {
    const [sIn, tIn, sB, tB, sOut, tOut] = [sigma(a), theta(a), sigma(b), theta(b), sigma(out), theta(out)];
    const n2 = sIn.length / n1;
    for (let i = 0; i < n1; i++) {
      for (let o = i * n2, end = o + rowEnd(i); o < end; o++) {
        sOut[o] = sIn[o] + sB[o];
        tOut[o] = tIn[o] + tB[o];
      }
    }
  },
  prepare: () => null,
  pairTangent: (pass, ins, prepared) => pairEachDirection(pass, ins, fanInSumOp, prepared),
  pair(pass, { a, b, out }) {
    const [source, other, target] = [pass.state(a), pass.state(b), pass.state(out)];
    for (let e = 0; e < pass.size(out); e++) {
      target.sigma[e] = source.sigma[e] + other.sigma[e];
      target.theta[e] = source.theta[e] + other.theta[e];
    }
  },
  cost: { entryFlops: () => 4 },
};
