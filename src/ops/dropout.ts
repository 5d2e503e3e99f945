// Dropout (neural-tangents' Dropout, after jax.example_libraries.stax): `rate` is the probability of keeping a unit.
// 'test' mode is the identity and lowers to nothing. 'train' mode at finite width keeps each entry with probability
// rate and divides it by rate, masks drawn from a counter-based hash of (the network's seed, the layer, the training
// step, the example's row, the unit), the same on both backends and any thread count; at infinite width it scales by
// 1/rate the variance of every input and, where a pair is one input twice, its kernel entries (the same position);
// its output is not Gaussian. Its WASM passes are in assembly/ops/dropout.ts.
import { type Instruction, SLOTS } from '../core/layout.js';
import { checkOptions, enumOption, numberOption } from '../errors.js';
import { activationOp } from './activation.js';
import { type LayerUnit, type OpUnit, pairEachDirection, forEachDirection, adjointTangent } from './unit.js';

/** Options of {@link dropout}. */
export interface DropoutOptions {
  /** 'train' (default): random masks at finite width, the diagonal scaled at infinite width; 'test': the identity. */
  mode?: 'train' | 'test';
}

/** Dropout with keep probability `rate`. */
export interface DropoutLayer {
  /** The layer's type tag. */
  readonly kind: 'dropout';
  /** The probability of keeping a unit, in (0, 1]. */
  readonly rate: number;
  /** 'train' (masks, the diagonal scaled) or 'test' (the identity). */
  readonly mode: 'train' | 'test';
}

/**
 * Dropout with keep probability `rate` (neural-tangents' `Dropout(rate, mode)`; `rate = 1` keeps everything). In
 * 'train' mode a finite network keeps each unit of each example with probability `rate` and scales it by 1/rate,
 * with masks that follow from the network's seed (new ones at every step of `train`, the same for every call
 * otherwise); at infinite width the kernel of an input with itself grows by 1/rate on its diagonal, as
 * neural-tangents computes it, so a layer after it sees a non-Gaussian input. 'test' mode is the identity.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), relu(), dropout(0.9), dense(1));
 * const kernels = infinite(model, { inputShape: [3] });
 * ```
 */
export function dropout(rate: number, options: DropoutOptions = {}): DropoutLayer {
  const fn = 'dropout';
  const opts = checkOptions(fn, options, ['mode']);
  const keep = numberOption(fn, 'rate', rate, undefined, { above: 0, max: 1 });
  return Object.freeze({ kind: 'dropout', rate: keep, mode: enumOption(fn, 'mode', opts.mode, ['train', 'test'] as const, 'train') });
}

const S = SLOTS.dropout;

export const dropoutLayer: LayerUnit<DropoutLayer> = {
  kind: 'dropout',
  rebuild: (l) => dropout(l.rate, { mode: l.mode }),
  lower(lowering, layer, flow, where) {
    const input = lowering.single(flow, where);
    if (layer.mode === 'test') return { values: [input], branched: false };
    if (lowering.infinite && input.id === 0)
      throw new RangeError(`${lowering.fn}: ${where} acts on the input, which neural-tangents refuses at infinite width`);
    const attributes = [];
    attributes[S.rate] = layer.rate;
    attributes[S.seed] = 0;
    return { values: [{ id: lowering.define(dropoutOp, [input.id], input.shape, attributes), shape: input.shape, gaussian: false }], branched: false };
  },
};

/** A 32-bit integer hash (MurmurHash3's finalizer), as assembly/ops/dropout.ts computes it. */
function mix(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}

/** The hash of h followed by v. */
const combine = (h: number, v: number): number => mix((h ^ Math.imul(v, 0x9e3779b1)) + 0x7f4a7c15);

/** The hash of a row's masks: the network's seed (its low and high 32 bits), the layer (its value), the step, the row. */
function rowKey(seed: number, value: number, step: number, row: number): number {
  const low = seed >>> 0;
  const high = Math.floor(seed / 4294967296) >>> 0;
  return combine(combine(combine(combine(mix(low), high), value), step), row);
}

/** Whether unit `unit` of the row with key `key` is kept, with probability rate. */
const kept = (key: number, unit: number, rate: number): boolean => combine(key, unit) >>> 0 < rate * 4294967296;

export const dropoutOp: OpUnit = {
  name: 'dropout',
  forward({ values, kept: slopes, n, firstRow, step }, { a, out, attrs }) {
    const h = values[a];
    const size = h.length / n;
    const [rate, seed] = [attrs[S.rate], attrs[S.seed]];
    const z = new Float64Array(h.length);
    const scale = new Float64Array(h.length);
    for (let r = 0; r < n; r++) {
      const key = rowKey(seed, out, step, firstRow + r);
      for (let u = 0; u < size; u++) {
        if (!kept(key, u, rate)) continue;
        z[r * size + u] = h[r * size + u] / rate;
        scale[r * size + u] = 1 / rate;
      }
    }
    slopes[out] = scale;
    return z;
  },
  // Cotangents times the kept scale (1/rate or 0), as an activation's times φ′.
  backward: activationOp.backward,
  tangent: (pass, ins) => adjointTangent(dropoutOp, pass, ins),
  needsPositions: () => false,
  fullSpatial: activationOp.fullSpatial,
  selfPairs: true,
  variance: (_program, { attrs }, v) => v / attrs[S.rate],
  varianceTangent: (_program, { attrs }, _v, dv) => dv / attrs[S.rate],
  vectorTangent: (pass, ins, rule) => forEachDirection(pass, ins, dropoutOp, rule),
  vector({ n1, rowEnd, sigma, theta, q1, q2 }, { a, out, attrs }) {
    const [sIn, tIn, sOut, tOut] = [sigma(a), theta(a), sigma(out), theta(out)];
    const n2 = sIn.length / n1;
    for (let i = 0; i < n1; i++) {
      for (let o = i * n2, end = o + rowEnd(i); o < end; o++) [sOut[o], tOut[o]] = [sIn[o], tIn[o]];
      // q1 and q2 are one table when x2 is x1: entry (i, i) is an input with itself.
      if (q1 === q2) [sOut[i * n2 + i], tOut[i * n2 + i]] = [sIn[i * n2 + i] / attrs[S.rate], tIn[i * n2 + i] / attrs[S.rate]];
    }
  },
  prepare: () => null,
  pairTangent: (pass, ins, prepared) => pairEachDirection(pass, ins, dropoutOp, prepared),
  pair(pass, { a, out, attrs }: Instruction) {
    const [source, target] = [pass.state(a), pass.state(out)];
    const size = pass.size(out);
    target.sigma.set(source.sigma.subarray(0, size));
    target.theta.set(source.theta.subarray(0, size));
    if (pass.q1 !== pass.q2 || pass.i !== pass.j) return;
    // One input with itself: its same-position entries.
    for (let e = 0; e < size; e++) {
      if (pass.row(out, e) !== pass.column(out, e)) continue;
      target.sigma[e] /= attrs[S.rate];
      target.theta[e] /= attrs[S.rate];
    }
  },
  reseed(attrs, seed) {
    attrs[S.seed] = seed;
  },
  cost: { entryFlops: () => 2 },
};
