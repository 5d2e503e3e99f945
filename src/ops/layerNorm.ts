// Layer normalization (neural-tangents' LayerNorm): finite width (h − mean)/√(eps + var) per group (the channels at
// every position, or all axes); infinite width Σ, Θ and the variances divided by √(eps + q1)·√(eps + q2) (per
// position, or their spatial mean). Its WASM passes are in assembly/ops/layerNorm.ts.
import { type Instruction, type Program, SLOTS } from '../core/layout.js';
import { channelsOf, positionsOf, sizeOf } from '../core/shapes.js';
import { checkOptions, enumOption, numberOption } from '../errors.js';
import { type LayerUnit, type OpUnit, type TangentEntries, adjointTangent, pairEntries, vectorEntries } from './unit.js';

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

const S = SLOTS.layerNorm;

export const layerNormLayer: LayerUnit<LayerNormLayer> = {
  kind: 'layerNorm',
  rebuild: (l) => layerNorm({ axis: l.axis, eps: l.eps }),
  lower(lowering, layer, flow, where) {
    const input = lowering.single(flow, where);
    lowering.gaussian(input, where);
    const slots: number[] = [];
    slots[S.eps] = layer.eps;
    slots[S.allAxes] = layer.axis === 'all' && input.shape.length > 1 ? 1 : 0;
    return { values: [{ id: lowering.define(layerNormOp, [input.id], input.shape, slots), shape: input.shape, gaussian: true }], branched: false };
  },
};

/** layerNorm divides Σ and Θ by √(eps + q1)·√(eps + q2), and the variances by the same expression. */
export function normScale(eps: number, q1: number, q2: number): number {
  return 1 / (Math.sqrt(eps + q1) * Math.sqrt(eps + q2));
}

/** A layerNorm's groups per example (1 over all axes, else one per position) and the numbers in each. */
const normGroups = (program: Program, { a, attrs }: Instruction) =>
  attrs[S.allAxes] !== 0 ? { groups: 1, groupSize: sizeOf(program, a) } : { groups: positionsOf(program, a), groupSize: channelsOf(program, a) };

export const layerNormOp: OpUnit = {
  name: 'layerNorm',
  forward({ program, n, values, kept }, instruction) {
    const { a, out, attrs } = instruction;
    const h = values[a];
    const z = new Float64Array(h.length);
    const { groups, groupSize } = normGroups(program, instruction);
    const inverse = new Float64Array(n * groups);
    for (let g = 0; g < n * groups; g++) {
      const group = h.subarray(g * groupSize, (g + 1) * groupSize);
      const mean = group.reduce((sum, v) => sum + v, 0) / groupSize;
      const variance = group.reduce((sum, v) => sum + (v - mean) * (v - mean), 0) / groupSize;
      inverse[g] = 1 / Math.sqrt(attrs[S.eps] + variance);
      for (let j = 0; j < groupSize; j++) z[g * groupSize + j] = (group[j] - mean) * inverse[g];
    }
    kept[out] = inverse;
    return z;
  },
  backward({ program, forward, rows, m, cotangent }, instruction, g) {
    // y = (h − mean)/σ per group: ∂h = (g − mean(g) − y·mean(g ⊙ y))/σ.
    const { a, out } = instruction;
    const target = cotangent(a);
    const y = forward.values[out];
    const inverse = forward.kept[out];
    const size = sizeOf(program, out);
    const { groups, groupSize } = normGroups(program, instruction);
    for (let r = 0; r < rows; r++) {
      for (let q = 0; q < groups; q++) {
        const at = r * size + q * groupSize;
        const yAt = Math.floor(r / m) * size + q * groupSize;
        let meanG = 0;
        let meanGy = 0;
        for (let j = 0; j < groupSize; j++) {
          meanG += g[at + j];
          meanGy += g[at + j] * y[yAt + j];
        }
        meanG /= groupSize;
        meanGy /= groupSize;
        const scale = inverse[Math.floor(r / m) * groups + q];
        for (let j = 0; j < groupSize; j++) target[at + j] += scale * (g[at + j] - meanG - y[yAt + j] * meanGy);
      }
    }
  },
  tangent: (pass, ins) => adjointTangent(layerNormOp, pass, ins),
  needsPositions: () => false,
  fullSpatial(_program, { a, out }, full, set) {
    const flag = full[a] | full[out];
    set(a, flag);
    set(out, flag);
  },
  variance: (_program, { attrs }, v) => v * normScale(attrs[S.eps], v, v),
  // d(q/(eps + q)) = eps·dq/(eps + q)².
  varianceTangent: (_program, { attrs }, v, dv) => (attrs[S.eps] * dv) / ((attrs[S.eps] + v) * (attrs[S.eps] + v)),
  vectorTangent: (pass, ins) => entryTangents(vectorEntries(pass), ins),
  vector({ n1, rowEnd, sigma, theta, q1, q2 }, { a, out, attrs }) {
    const eps = attrs[S.eps];
    const [sIn, tIn, sOut, tOut] = [sigma(a), theta(a), sigma(out), theta(out)];
    const n2 = sIn.length / n1;
    for (let i = 0; i < n1; i++) {
      for (let j = 0; j < rowEnd(i); j++) {
        const o = i * n2 + j;
        const scale = normScale(eps, q1[a][i], q2[a][j]);
        sOut[o] = sIn[o] * scale;
        tOut[o] = tIn[o] * scale;
      }
    }
  },
  prepare: () => null,
  pair(pass, { a, out, attrs }) {
    const source = pass.state(a);
    const target = pass.state(out);
    const sa = pass.positions(a);
    const [q1, q2] = [pass.q1[a], pass.q2[a]];
    const mean = (q: Float64Array, example: number) => q.subarray(example * sa, (example + 1) * sa).reduce((s, v) => s + v, 0) / sa;
    const all = attrs[S.allAxes] !== 0;
    const [mean1, mean2] = all ? [mean(q1, pass.i), mean(q2, pass.j)] : [0, 0];
    for (let e = 0; e < pass.size(out); e++) {
      const scale = normScale(attrs[S.eps], all ? mean1 : q1[pass.i * sa + pass.row(out, e)], all ? mean2 : q2[pass.j * sa + pass.column(out, e)]);
      target.sigma[e] = source.sigma[e] * scale;
      target.theta[e] = source.theta[e] * scale;
    }
  },
  // 'all' scales by the variances' mean over the positions: the entries read one mean per example, and its tangent.
  pairTangent(pass, ins) {
    const entries = pairEntries(pass);
    if (ins.attrs[S.allAxes] === 0) return entryTangents(entries, ins);
    const s = pass.positions(ins.a);
    const mean = (q: Float64Array, example: number) => Float64Array.of(q.subarray(example * s, (example + 1) * s).reduce((sum, v) => sum + v, 0) / s);
    entryTangents(
      {
        ...entries,
        q1: (v) => mean(pass.q1[v], pass.i),
        q2: (v) => mean(pass.q2[v], pass.j),
        dq1: (v, h) => mean(pass.dq1[h][v], pass.i),
        dq2: (v, h) => mean(pass.dq2[h][v], pass.j),
        forEach: (v, visit) => entries.forEach(v, (o) => visit(o, 0, 0)),
      },
      ins,
    );
  },
  cost: { entryFlops: () => 4 },
};

// Σ′ = Σ·s with s = 1/√((eps + q1)(eps + q2)): ds = −s·(dq1/(eps + q1) + dq2/(eps + q2))/2.
function entryTangents(entries: TangentEntries, { a, out, attrs }: Instruction): void {
  const eps = attrs[S.eps];
  const [sIn, tIn, q1, q2] = [entries.sigma(a), entries.theta(a), entries.q1(a), entries.q2(a)];
  for (let h = 0; h < entries.directions; h++) {
    const [dq1, dq2] = [entries.dq1(a, h), entries.dq2(a, h)];
    const [dsIn, dtIn, dsOut, dtOut] = [entries.dSigma(a, h), entries.dTheta(a, h), entries.dSigma(out, h), entries.dTheta(out, h)];
    entries.forEach(out, (o, r, c) => {
      const scale = normScale(eps, q1[r], q2[c]);
      const dScale = -0.5 * scale * (dq1[r] / (eps + q1[r]) + dq2[c] / (eps + q2[c]));
      dsOut[o] = dsIn[o] * scale + sIn[o] * dScale;
      dtOut[o] = dtIn[o] * scale + tIn[o] * dScale;
    });
  }
}
