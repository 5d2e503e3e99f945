// The product of branches (neural-tangents' FanInProd): lowered to one product op per extra branch. At infinite
// width, for independent centred branches (each starting with its own dense or conv layer, as neural-tangents
// takes them), E[(a·b)(a′·b′)] = Σa·Σb, and the tangent kernel follows the product rule, Θ = Θa·Σb + Σa·Θb; the
// product is not Gaussian. Its WASM passes are in assembly/ops/fanInProd.ts.
import type { Instruction } from '../core/layout.js';
import { sizeOf } from '../core/shapes.js';
import { lowerFanIn } from './fanIn.js';
import { type LayerUnit, type OpUnit, type TangentEntries, pairEntries, vectorEntries } from './unit.js';

/** Multiplies its branches entry by entry (which must have equal shapes). */
export interface FanInProdLayer {
  /** The layer's type tag. */
  readonly kind: 'fanInProd';
}

/**
 * Multiplies the branches entry by entry (neural-tangents' `FanInProd`); they must have equal shapes. At infinite
 * width the branches are taken as independent, which holds when each starts with its own dense or conv layer; the
 * product is not Gaussian, so a dense or conv layer must come before the next nonlinearity.
 *
 * @example
 * ```ts
 * const model = serial(dense(64), fanOut(2), parallel(dense(64), serial(relu(), dense(64))), fanInProd(), dense(1));
 * ```
 */
export function fanInProd(): FanInProdLayer {
  return FAN_IN_PROD;
}
const FAN_IN_PROD: FanInProdLayer = Object.freeze({ kind: 'fanInProd' });

// As neural-tangents: any branches (no Gaussian input required), and a product of several is not Gaussian.
export const fanInProdLayer: LayerUnit<FanInProdLayer> = {
  kind: 'fanInProd',
  rebuild: () => fanInProd(),
  lower: (lowering, _layer, flow, where) => lowerFanIn(lowering, flow, where, fanInProdOp, 'multiplies', false),
};

export const fanInProdOp: OpUnit = {
  name: 'fanInProd',
  // Keeps both factors, a then b, for the backward pass.
  forward({ values, kept }, { a, b, out }) {
    const [h, second] = [values[a], values[b]];
    const z = new Float64Array(h.length);
    for (let i = 0; i < z.length; i++) z[i] = h[i] * second[i];
    const factors = new Float64Array(2 * h.length);
    factors.set(h);
    factors.set(second, h.length);
    kept[out] = factors;
    return z;
  },
  backward({ program, rows, m, forward, cotangent }, { a, b, out }, g) {
    const size = sizeOf(program, out);
    const factors = forward.kept[out];
    const half = factors.length / 2;
    const [targetA, targetB] = [cotangent(a), cotangent(b)];
    for (let r = 0; r < rows; r++) {
      const base = Math.floor(r / m) * size;
      for (let j = 0; j < size; j++) {
        targetA[r * size + j] += g[r * size + j] * factors[half + base + j];
        targetB[r * size + j] += g[r * size + j] * factors[base + j];
      }
    }
  },
  // The product rule: t_a ⊙ b + a ⊙ t_b, each factor on the rows of its example.
  tangent({ program, rows, m, tangents, forward }, { a, b, out }) {
    const size = sizeOf(program, out);
    const [h, second, tA, tB] = [forward.values[a], forward.values[b], tangents[a], tangents[b]];
    const z = new Float64Array(rows * size);
    for (let r = 0; r < rows; r++) {
      const base = Math.floor(r / m) * size;
      for (let j = 0; j < size; j++) z[r * size + j] = tA[r * size + j] * second[base + j] + h[base + j] * tB[r * size + j];
    }
    return z;
  },
  needsPositions: () => false,
  fullSpatial(_program, { a, b, out }, full, set) {
    const flag = full[a] | full[b] | full[out];
    [a, b, out].forEach((v) => set(v, flag));
  },
  variance: (_program, _ins, v, second) => v * second,
  varianceTangent: (_program, _ins, v, dv, second, dSecond) => dv * second + v * dSecond,
  vectorTangent: (pass, ins) => entryTangents(vectorEntries(pass), ins),
  vector({ n1, rowEnd, sigma, theta }, { a, b, out }) {
    const [sIn, tIn, sB, tB, sOut, tOut] = [sigma(a), theta(a), sigma(b), theta(b), sigma(out), theta(out)];
    const n2 = sIn.length / n1;
    for (let i = 0; i < n1; i++) {
      for (let o = i * n2, end = o + rowEnd(i); o < end; o++) {
        tOut[o] = tIn[o] * sB[o] + sIn[o] * tB[o];
        sOut[o] = sIn[o] * sB[o];
      }
    }
  },
  prepare: () => null,
  pair(pass, { a, b, out }) {
    const [source, other, target] = [pass.state(a), pass.state(b), pass.state(out)];
    for (let e = 0; e < pass.size(out); e++) {
      target.theta[e] = source.theta[e] * other.sigma[e] + source.sigma[e] * other.theta[e];
      target.sigma[e] = source.sigma[e] * other.sigma[e];
    }
  },
  pairTangent: (pass, ins) => entryTangents(pairEntries(pass), ins),
  cost: { entryFlops: () => 6 },
};

// The product rule on Σ′ = Σa·Σb and Θ′ = Θa·Σb + Σa·Θb.
function entryTangents(entries: TangentEntries, { a, b, out }: Instruction): void {
  const [sA, tA, sB, tB] = [entries.sigma(a), entries.theta(a), entries.sigma(b), entries.theta(b)];
  for (let h = 0; h < entries.directions; h++) {
    const [dsA, dtA, dsB, dtB] = [entries.dSigma(a, h), entries.dTheta(a, h), entries.dSigma(b, h), entries.dTheta(b, h)];
    const [dsOut, dtOut] = [entries.dSigma(out, h), entries.dTheta(out, h)];
    entries.forEach(out, (o) => {
      const ds = dsA[o] * sB[o] + sA[o] * dsB[o];
      dtOut[o] = dtA[o] * sB[o] + tA[o] * dsB[o] + dsA[o] * tB[o] + sA[o] * dtB[o];
      dsOut[o] = ds;
    });
  }
}
