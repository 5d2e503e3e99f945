// The concatenation of branches (neural-tangents' FanInConcat) along the channels or a spatial axis, lowered to one
// op per extra branch. Infinite width: along the channels the branches' Σ and Θ are averaged, weighted by their
// channel counts (the result is not Gaussian, so an affine layer must come before the next nonlinearity); along a
// spatial axis each branch's Σ and Θ is a diagonal block of the result and the blocks between branches are zero
// (neural-tangents takes the branches as independent). Its WASM passes are in assembly/ops/fanInConcat.ts.
import { type Instruction, type Program, SLOTS } from '../core/layout.js';
import { channelsOf, describeShape, sizeOf, spatialOf } from '../core/shapes.js';
import { checkOptions, numberOption } from '../errors.js';
import { type LayerUnit, type OpUnit, pairEachDirection, forEachDirection, type Value, linearTangent } from './unit.js';

/** Concatenates its branches along one axis (neural-tangents' `FanInConcat`). */
export interface FanInConcatLayer {
  /** The layer's type tag. */
  readonly kind: 'fanInConcat';
  /** The axis, counted as neural-tangents counts it with the batch first: -1 (the channels, default), 1 to 3 (spatial). */
  readonly axis: number;
}

/** Options of {@link fanInConcat}. */
export interface FanInConcatOptions {
  /** The axis of the (batch, spatial…, channels) activations to concatenate along; -1, the channels, by default. */
  axis?: number;
}

/**
 * Concatenates the branches along `axis` (neural-tangents' `FanInConcat`): the channels by default, which may
 * differ between branches; every other axis must agree. At infinite width the channels' concatenation averages the
 * branches' kernels weighted by their channel counts, and is not Gaussian: a dense or conv layer must follow before
 * an activation (as neural-tangents requires).
 *
 * @example
 * ```ts
 * const model = serial(fanOut(2), parallel(dense(3), dense(5)), fanInConcat(), dense(1));
 * const { ntk } = infinite(model, { inputShape: [2] }).kernels([[1, 0], [0.5, 2]]);
 * ```
 */
export function fanInConcat(options: FanInConcatOptions = {}): FanInConcatLayer {
  const opts = checkOptions('fanInConcat', options, ['axis']);
  return Object.freeze({ kind: 'fanInConcat', axis: numberOption('fanInConcat', 'axis', opts.axis ?? -1, undefined, { integer: true }) });
}

/** The axis of the value's shape (no batch) that `axis` names, or a RangeError; rank: the shape's length. */
function axisOf(fn: string, where: string, axis: number, rank: number): number {
  const ndim = rank + 1;
  if (axis < -ndim || axis >= ndim) throw new RangeError(`${fn}: ${where} has axis ${axis}, outside the ${ndim} axes of its inputs (batch first)`);
  const a = (axis + ndim) % ndim;
  if (a === 0) throw new RangeError(`${fn}: ${where} cannot concatenate along the batch axis (axis ${axis})`);
  return a - 1;
}

export const fanInConcatLayer: LayerUnit<FanInConcatLayer> = {
  kind: 'fanInConcat',
  rebuild: (l) => fanInConcat({ axis: l.axis }),
  lower(lowering, layer, flow, where) {
    const [first, ...rest] = flow.values;
    const rank = first.shape.length;
    const axis = axisOf(lowering.fn, where, layer.axis, rank);
    const channels = axis === rank - 1;
    for (const value of rest) {
      const agree = value.shape.length === rank && value.shape.every((size, d) => d === axis || size === first.shape[d]);
      if (!agree) {
        throw new RangeError(
          `${lowering.fn}: ${where} concatenates along axis ${layer.axis} branches whose other axes differ: ` +
            flow.values.map((v) => describeShape(v.shape)).join(', '),
        );
      }
    }
    if (rest.length === 0) return { values: [first], branched: false };
    // Along a spatial axis the result is Gaussian only when every branch is (neural-tangents refuses otherwise).
    if (!channels) flow.values.forEach((value) => lowering.gaussian(value, where));
    let joined: Value = first;
    for (const value of rest) {
      const shape = joined.shape.map((size, d) => (d === axis ? size + value.shape[d] : size));
      const attributes: number[] = [];
      attributes[SLOTS.fanInConcat.axis] = channels ? -1 : axis;
      // Along the channels each input's kernel counts by its share of the output's channels.
      const total = joined.shape[axis] + value.shape[axis];
      attributes[SLOTS.fanInConcat.firstWeight] = channels ? joined.shape[axis] / total : 1;
      attributes[SLOTS.fanInConcat.secondWeight] = channels ? value.shape[axis] / total : 1;
      joined = { id: lowering.define(fanInConcatOp, [joined.id, value.id], shape, attributes), shape, gaussian: !channels };
    }
    return { values: [joined], branched: false };
  },
};

/** Where each input lands in the output: its positions' places among the output's, and its first channel there. */
function partsOf(program: Program, { a, b, out, attrs }: Instruction): { value: number; places: Int32Array; channel: number }[] {
  const axis = attrs[SLOTS.fanInConcat.axis];
  const [, o1, o2] = spatialOf(program, out);
  const first = spatialOf(program, a);
  return [a, b].map((value, part) => {
    const [s0, s1, s2] = spatialOf(program, value);
    const places = new Int32Array(s0 * s1 * s2);
    // The second input starts after the first along the axis (the channels: at the first's channel count).
    const shift = [0, 1, 2].map((d) => (part === 1 && axis === d ? first[d] : 0));
    let at = 0;
    for (let x0 = 0; x0 < s0; x0++) {
      for (let x1 = 0; x1 < s1; x1++) {
        for (let x2 = 0; x2 < s2; x2++) places[at++] = ((x0 + shift[0]) * o1 + x1 + shift[1]) * o2 + x2 + shift[2];
      }
    }
    return { value, places, channel: part === 1 && axis === -1 ? channelsOf(program, a) : 0 };
  });
}

/** The weights of the two inputs' kernels along the channels: their shares of the output's channels. */
const weightsOf = (attrs: Float64Array): [number, number] => [attrs[SLOTS.fanInConcat.firstWeight], attrs[SLOTS.fanInConcat.secondWeight]];

export const fanInConcatOp: OpUnit = {
  name: 'fanInConcat',
  forward({ program, n, values }, ins) {
    const z = new Float64Array(n * sizeOf(program, ins.out));
    const outChannels = channelsOf(program, ins.out);
    const outSize = sizeOf(program, ins.out);
    for (const { value, places, channel } of partsOf(program, ins)) {
      const h = values[value];
      const c = channelsOf(program, value);
      const size = sizeOf(program, value);
      for (let i = 0; i < n; i++) {
        for (let p = 0; p < places.length; p++) z.set(h.subarray(i * size + p * c, i * size + (p + 1) * c), i * outSize + places[p] * outChannels + channel);
      }
    }
    return z;
  },
  backward({ program, rows, cotangent }, ins, g) {
    const outChannels = channelsOf(program, ins.out);
    const outSize = sizeOf(program, ins.out);
    for (const { value, places, channel } of partsOf(program, ins)) {
      const target = cotangent(value);
      const c = channelsOf(program, value);
      const size = sizeOf(program, value);
      for (let r = 0; r < rows; r++) {
        for (let p = 0; p < places.length; p++) {
          for (let ch = 0; ch < c; ch++) target[r * size + p * c + ch] += g[r * outSize + places[p] * outChannels + channel + ch];
        }
      }
    }
  },
  tangent: (pass, ins) => linearTangent(fanInConcatOp, pass, ins),
  // Along a spatial axis the positions move, which only the pass over positions follows.
  needsPositions: (_program, { attrs }) => attrs[SLOTS.fanInConcat.axis] !== -1,
  fullSpatial(_program, { a, b, out }, full, set) {
    const flag = full[a] | full[b] | full[out];
    [a, b, out].forEach((v) => set(v, flag));
  },
  // On vectors only along the channels (a spatial concatenation runs on positions).
  variance: (_program, { attrs }, v, second) => {
    const [wa, wb] = weightsOf(attrs);
    return wa * v + wb * second;
  },
  varianceTangent: (program, ins, _v, dv, _second, dSecond, _dAttrs, rule) => fanInConcatOp.variance!(program, ins, dv, dSecond, rule),
  vectorTangent: (pass, ins, rule) => forEachDirection(pass, ins, fanInConcatOp, rule),
  vector({ n1, rowEnd, sigma, theta }, { a, b, out, attrs }) {
    const [wa, wb] = weightsOf(attrs);
    const [sA, tA, sB, tB, sOut, tOut] = [sigma(a), theta(a), sigma(b), theta(b), sigma(out), theta(out)];
    const n2 = sA.length / n1;
    for (let i = 0; i < n1; i++) {
      for (let o = i * n2, end = o + rowEnd(i); o < end; o++) {
        sOut[o] = wa * sA[o] + wb * sB[o];
        tOut[o] = wa * tA[o] + wb * tB[o];
      }
    }
  },
  prepare: () => null,
  pairTangent: (pass, ins, prepared) => pairEachDirection(pass, ins, fanInConcatOp, prepared),
  pair(pass, ins) {
    const target = pass.state(ins.out);
    if (ins.attrs[SLOTS.fanInConcat.axis] === -1) {
      const [wa, wb] = weightsOf(ins.attrs);
      const [sa, sb] = [pass.state(ins.a), pass.state(ins.b)];
      for (let e = 0; e < pass.size(ins.out); e++) {
        target.sigma[e] = wa * sa.sigma[e] + wb * sb.sigma[e];
        target.theta[e] = wa * sa.theta[e] + wb * sb.theta[e];
      }
      return;
    }
    // Each input's state is a diagonal block of the output's, the blocks between inputs zero; built in scratch, as
    // the output may take an input's storage.
    const outPositions = pass.positions(ins.out);
    const full = pass.full(ins.out);
    const size = pass.size(ins.out);
    const { sigma, theta } = pass.scratch;
    sigma.fill(0, 0, size);
    theta.fill(0, 0, size);
    for (const { value, places } of partsOf(pass.program, ins)) {
      const source = pass.state(value);
      const s = places.length;
      for (let p = 0; p < s; p++) {
        for (let q = full ? 0 : p; q < (full ? s : p + 1); q++) {
          const from = full ? p * s + q : p;
          const to = full ? places[p] * outPositions + places[q] : places[p];
          sigma[to] = source.sigma[from];
          theta[to] = source.theta[from];
        }
      }
    }
    target.sigma.set(sigma.subarray(0, size));
    target.theta.set(theta.subarray(0, size));
  },
  cost: { entryFlops: () => 4 },
};
