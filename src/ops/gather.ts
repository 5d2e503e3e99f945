// Indexing a value as numpy indexes an array (neural-tangents' Index): per spatial axis a slice (start, stop, step) or
// an integer, which removes the axis, and a slice of the channels. The op gathers: output position (i₀, i₁, i₂) reads input
// position (start_d + step_d·i_d per axis d), channel k reads channel start_c + step_c·k; at infinite width the
// covariance of the positions kept (the channels must stay whole: they are the infinite axis). Its WASM passes are in
// assembly/ops/gather.ts.
import { type Instruction, type Program, SLOTS, SPATIAL_AXES } from '../core/layout.js';
import { channelsOf, describeShape, positionsOf, spatialOf } from '../core/shapes.js';
import { type LayerUnit, type OpUnit, pairEachDirection, forEachDirection, linearTangent } from './unit.js';

/** A slice of one axis, as numpy's `start:stop:step`. */
export interface IndexSlice {
  /** The first index (negative counts from the end). Default: the axis' first (last for a negative step). */
  start?: number;
  /** Where it stops, excluded. Default: past the axis' end (before its beginning for a negative step). */
  stop?: number;
  /** Not 0; negative walks backwards. Default 1. */
  step?: number;
}

/** One axis of {@link index}: an integer (negative counts from the end), ':' (all), or a slice as numpy's. */
export type IndexAxis = number | ':' | IndexSlice;

/** A numpy-style index into every example's value. */
export interface IndexLayer {
  /** The layer's type tag. */
  readonly kind: 'index';
  /** One entry per axis after the batch axis, in order (positions, then channels); missing trailing ones are ':'. */
  readonly axes: readonly IndexAxis[];
}

/**
 * Indexes every example's value as numpy would index it without the batch axis (neural-tangents' `Index`, whose
 * `stax.Slice[:, a:b:c, …]` is `index([{ start: a, stop: b, step: c }, …])` here): one entry per axis, spatial axes
 * then channels, each an integer (which removes a spatial axis), ':' or `{ start, stop, step }` (negative indices
 * and steps as numpy's). At infinite width the channels must stay whole, as neural-tangents requires.
 *
 * @example
 * ```ts
 * // The upper-left 4 × 4 corner of each feature map, then its first row: an image becomes a sequence.
 * const model = serial(conv(16, [3, 3], { padding: 'SAME' }), relu(), index([{ stop: 4 }, { stop: 4 }]), index([0]), conv(16, [2]), flatten(), dense(1));
 * ```
 */
export function index(axes: readonly IndexAxis[]): IndexLayer {
  const fn = 'index';
  if (!Array.isArray(axes) || axes.length === 0 || axes.length > 3) {
    throw new TypeError(`${fn}: axes must be an array of 1 to 3 entries (positions, then channels), got ${JSON.stringify(axes)}`);
  }
  axes.forEach((axis, i) => checkAxis(fn, axis, i));
  return Object.freeze({ kind: 'index', axes: Object.freeze(axes.map((axis) => (typeof axis === 'object' ? Object.freeze({ ...axis }) : axis))) });
}

function checkAxis(fn: string, axis: unknown, i: number): void {
  if (axis === ':') return;
  if (typeof axis === 'number') {
    if (!Number.isInteger(axis)) throw new RangeError(`${fn}: axes[${i}] must be an integer, ':' or { start, stop, step }, got ${axis}`);
    return;
  }
  if (axis === null || typeof axis !== 'object' || Array.isArray(axis)) {
    throw new TypeError(`${fn}: axes[${i}] must be an integer, ':' or { start, stop, step }, got ${JSON.stringify(axis)}`);
  }
  for (const [key, value] of Object.entries(axis)) {
    if (!['start', 'stop', 'step'].includes(key))
      throw new TypeError(`${fn}: axes[${i}] has an unknown field '${key}'; its fields are 'start', 'stop', 'step'`);
    if (value !== undefined && (typeof value !== 'number' || !Number.isInteger(value)))
      throw new RangeError(`${fn}: axes[${i}].${key} must be an integer, got ${String(value)}`);
  }
  if ((axis as { step?: number }).step === 0) throw new RangeError(`${fn}: axes[${i}].step must not be 0`);
}

/** numpy's slice or integer along an axis of `size`: the first index, the step and how many (a removed axis: one). */
function resolve(axis: IndexAxis, size: number): { start: number; step: number; count: number; removed: boolean } | string {
  if (axis === ':') return { start: 0, step: 1, count: size, removed: false };
  if (typeof axis === 'number') {
    const at = axis < 0 ? axis + size : axis;
    return at >= 0 && at < size ? { start: at, step: 1, count: 1, removed: true } : `index ${axis} is outside 0 … ${size - 1}`;
  }
  const step = axis.step ?? 1;
  // Python's slice.indices(size).
  const clamp = (v: number | undefined, fallback: number, low: number, high: number) =>
    v === undefined ? fallback : v < 0 ? Math.max(v + size, low) : Math.min(v, high);
  const start = step > 0 ? clamp(axis.start, 0, 0, size) : clamp(axis.start, size - 1, -1, size - 1);
  const stop = step > 0 ? clamp(axis.stop, size, 0, size) : clamp(axis.stop, -1, -1, size - 1);
  const count = Math.max(0, Math.ceil((stop - start) / step));
  return count > 0 ? { start, step, count, removed: false } : `the slice ${JSON.stringify(axis)} selects nothing of ${size}`;
}

const S = SLOTS.gather;

export const indexLayer: LayerUnit<IndexLayer> = {
  kind: 'index',
  rebuild: (l) => index(l.axes),
  lower(lowering, layer, flow, where) {
    const input = lowering.single(flow, where);
    const spatial = input.shape.slice(0, -1);
    const channels = input.shape[input.shape.length - 1];
    if (layer.axes.length > input.shape.length) {
      throw new RangeError(`${lowering.fn}: ${where} indexes ${layer.axes.length} axes of an input ${describeShape(input.shape)}`);
    }
    const full = (i: number) => layer.axes[i] ?? ':';
    const resolved = [...spatial, channels].map((size, i) => {
      const r = resolve(full(i), size);
      if (typeof r === 'string') throw new RangeError(`${lowering.fn}: ${where}: axis ${i} of ${describeShape(input.shape)}: ${r}`);
      return r;
    });
    const channel = resolved[spatial.length];
    if (channel.removed) throw new RangeError(`${lowering.fn}: ${where} removes the channels (an integer on the last axis); slice them instead`);
    if (lowering.infinite && (channel.start !== 0 || channel.step !== 1 || channel.count !== channels)) {
      throw new RangeError(`${lowering.fn}: ${where} slices the channels, which are the infinite axis at infinite width (as neural-tangents)`);
    }
    const whole = { start: 0, step: 1, count: 1, removed: false };
    const shape = [
      ...resolved
        .slice(0, spatial.length)
        .filter((r) => !r.removed)
        .map((r) => r.count),
      channel.count,
    ];
    const attributes: number[] = [];
    for (let d = 0; d < SPATIAL_AXES; d++) {
      const axis = d < spatial.length ? resolved[d] : whole;
      [attributes[S.axes + 3 * d], attributes[S.axes + 3 * d + 1], attributes[S.axes + 3 * d + 2]] = [axis.start, axis.step, axis.count];
    }
    [attributes[S.cStart], attributes[S.cStep]] = [channel.start, channel.step];
    return { values: [{ id: lowering.define(gatherOp, [input.id], shape, attributes), shape, gaussian: input.gaussian }], branched: false };
  },
};

/** For every output position, the input position it reads. */
function positionSources(program: Program, { a, attrs }: Instruction): Int32Array {
  const [, i1, i2] = spatialOf(program, a);
  // Per axis: first index, step, count.
  const [[f0, d0, c0], [f1, d1, c1], [f2, d2, c2]] = [0, 1, 2].map((d) => Array.from(attrs.subarray(S.axes + 3 * d, S.axes + 3 * d + 3)));
  const sources = new Int32Array(c0 * c1 * c2);
  let at = 0;
  for (let x0 = 0; x0 < c0; x0++) {
    for (let x1 = 0; x1 < c1; x1++) {
      for (let x2 = 0; x2 < c2; x2++) sources[at++] = ((f0 + d0 * x0) * i1 + f1 + d1 * x1) * i2 + f2 + d2 * x2;
    }
  }
  return sources;
}

export const gatherOp: OpUnit = {
  name: 'gather',
  forward({ program, values, n }, ins) {
    const { a, out, attrs } = ins;
    const sources = positionSources(program, ins);
    const [cIn, cOut] = [channelsOf(program, a), channelsOf(program, out)];
    const [sizeIn, sizeOut] = [positionsOf(program, a) * cIn, sources.length * cOut];
    const h = values[a];
    const z = new Float64Array(n * sizeOut);
    for (let r = 0; r < n; r++) {
      for (let p = 0; p < sources.length; p++) {
        for (let k = 0; k < cOut; k++) z[r * sizeOut + p * cOut + k] = h[r * sizeIn + sources[p] * cIn + attrs[S.cStart] + attrs[S.cStep] * k];
      }
    }
    return z;
  },
  backward({ program, rows, cotangent }, ins, g) {
    const { a, out, attrs } = ins;
    const sources = positionSources(program, ins);
    const [cIn, cOut] = [channelsOf(program, a), channelsOf(program, out)];
    const [sizeIn, sizeOut] = [positionsOf(program, a) * cIn, sources.length * cOut];
    const target = cotangent(a);
    for (let r = 0; r < rows; r++) {
      for (let p = 0; p < sources.length; p++) {
        for (let k = 0; k < cOut; k++) target[r * sizeIn + sources[p] * cIn + attrs[S.cStart] + attrs[S.cStep] * k] += g[r * sizeOut + p * cOut + k];
      }
    }
  },
  tangent: (pass, ins) => linearTangent(gatherOp, pass, ins),
  needsPositions: () => false,
  // The kept positions' covariance: whole where the output's is.
  fullSpatial(_program, { a, out }, full, set) {
    set(a, full[out]);
  },
  // On vectors (at infinite width the channels stay whole) it is the identity.
  variance: (_program, _ins, v) => v,
  varianceTangent: (_program, _ins, _v, dv) => dv,
  vectorTangent: (pass, ins, rule) => forEachDirection(pass, ins, gatherOp, rule),
  vector({ n1, rowEnd, sigma, theta }, { a, out }) {
    const [sIn, tIn, sOut, tOut] = [sigma(a), theta(a), sigma(out), theta(out)];
    const n2 = sIn.length / n1;
    for (let i = 0; i < n1; i++) for (let o = i * n2, end = o + rowEnd(i); o < end; o++) [sOut[o], tOut[o]] = [sIn[o], tIn[o]];
  },
  prepare: (program, ins) => positionSources(program, ins),
  pairTangent: (pass, ins, prepared) => pairEachDirection(pass, ins, gatherOp, prepared),
  pair(pass, { a, out }, prepared) {
    const sources = prepared as Int32Array;
    const [source, target] = [pass.state(a), pass.state(out)];
    const positionsIn = pass.positions(a);
    const size = pass.size(out);
    // Into the scratch first: the output may share its slot with the input.
    for (let e = 0; e < size; e++) {
      const from = pass.full(out)
        ? sources[Math.floor(e / sources.length)] * positionsIn + sources[e % sources.length]
        : pass.full(a)
          ? sources[e] * (positionsIn + 1)
          : sources[e];
      pass.scratch.sigma[e] = source.sigma[from];
      pass.scratch.theta[e] = source.theta[from];
    }
    target.sigma.set(pass.scratch.sigma.subarray(0, size));
    target.theta.set(pass.scratch.theta.subarray(0, size));
  },
  cost: { entryFlops: () => 1 },
};
