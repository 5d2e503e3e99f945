// The activation layer: an elementwise nonlinearity, whatever its unit (src/ops/activations/<name>.ts holds φ, φ′
// and the dual map). Finite width φ and φ′ per entry; infinite width the dual map per entry of Σ (with the
// inputs' variances), Θ times its slope. Its WASM passes are in assembly/ops/activation.ts.
import { type Instruction, SLOTS } from '../core/layout.js';
import { enumOption } from '../errors.js';
import { ACTIVATIONS, ACTIVATION_IDS, ACTIVATION_UNITS, type Activation, type ActivationLayer, activationUnit } from './activations/index.js';
import { type ActivationUnit, type DualMap, type MixtureRule, activationLayer, parametersOf } from './activations/unit.js';
import { type IdentityLayer, identity } from './identity.js';
import { type LayerUnit, type OpUnit, type TangentEntries, adjointTangent, pairEntries, vectorEntries } from './unit.js';

/** Options of {@link activation}: the activation's parameters (leaky_relu's leak, …). */
export interface ActivationOptions {
  /** Negative slope for 'leaky_relu'. Default 0.01. */
  leak?: number;
  /** The parameters of other activations, by name. */
  [parameter: string]: number | boolean | undefined;
}

/**
 * The activation layer of the given name, with its parameters as options (`leak` for 'leaky_relu', default
 * 0.01); `activation('identity')` is {@link identity}.
 *
 * @example
 * ```ts
 * const model = serial(dense(64), activation('leaky_relu', { leak: 0.1 }), dense(1));
 * ```
 */
export function activation(name: Activation, options: ActivationOptions = {}): ActivationLayer | IdentityLayer {
  const fn = 'activation';
  if (name === undefined) throw new TypeError(`${fn}: a name is required (one of ${ACTIVATIONS.map((a) => `'${a}'`).join(', ')})`);
  const kind = enumOption<Activation>(fn, 'name', name, ACTIVATIONS, 'relu');
  const unit = activationUnit(ACTIVATION_IDS[kind]);
  if (options !== null && typeof options === 'object') {
    for (const key of Object.keys(options)) {
      const owners = ACTIVATION_UNITS.filter((other) => other.parameters.some(([parameter]) => parameter === key)).map((other) => `'${other.name}'`);
      if (owners.length > 0 && !owners.includes(`'${kind}'`)) throw new TypeError(`${fn}: ${key} applies to ${owners.join(', ')} only`);
    }
  }
  if (kind === 'identity') return identity();
  return activationLayer(fn, unit, options) as ActivationLayer;
}

export const activationLayerUnit: LayerUnit<ActivationLayer> = {
  kind: 'activation',
  rebuild: (l) => activation(l.activation as Activation, { ...(l.leak === 0 || l.leak === undefined ? {} : { leak: l.leak }), ...l.parameters }),
  lower(lowering, layer, flow, where, path) {
    const input = lowering.single(flow, where);
    lowering.gaussian(input, where);
    const id = ACTIVATION_IDS[layer.activation];
    const unit = ACTIVATION_UNITS[id];
    if (!lowering.infinite && unit.phi === undefined) {
      throw new RangeError(`${lowering.fn}: ${where} is a kernel map with no function behind it, for infinite width only (infinite())`);
    }
    const values = parametersOf(unit, layer);
    const out = lowering.define(activationOp, [input.id], input.shape, [id, ...values]);
    // Its parameters that are the kernels' hyperparameters, held as themselves.
    for (const name of unit.hyperparametersOf?.(Float64Array.from(values)) ?? unit.hyperparameters ?? []) {
      const index = unit.parameters.findIndex(([parameter]) => parameter === name);
      lowering.hyperparameter(`${path}.${name}`, values[index], out, SLOTS.activation.firstParameter + index, false);
    }
    return { values: [{ id: out, shape: input.shape, gaussian: false }], branched: false };
  },
};

/** Which of a unit's hyperparameters (by their index in its `hyperparameters`) the attributes' tangent moves, and by how much. */
function movedParameters(unit: ActivationUnit, dAttrs: Float64Array): { index: number; tangent: number }[] {
  return (unit.hyperparameters ?? [])
    .map((name, index) => ({ index, tangent: dAttrs[SLOTS.activation.firstParameter + unit.parameters.findIndex(([parameter]) => parameter === name)] }))
    .filter(({ tangent }) => tangent !== 0);
}

/** The unit and parameters of an activation instruction's attributes. */
const unitOf = (attrs: Float64Array) => ({ unit: activationUnit(attrs[SLOTS.activation.id]), parameters: attrs.subarray(SLOTS.activation.firstParameter) });

export const activationOp: OpUnit = {
  name: 'activation',
  forward({ values, kept }, { a, out, attrs }) {
    const { unit, parameters } = unitOf(attrs);
    // The lowering keeps units without φ out of finite programs.
    if (unit.phi === undefined || unit.slope === undefined) throw new Error(`activation '${unit.name}' has no finite-width form`);
    const h = values[a];
    const slope = unit.slope(parameters);
    const phi = unit.phi(parameters);
    kept[out] = h.map((v) => slope(v));
    const z = new Float64Array(h.length);
    for (let i = 0; i < z.length; i++) z[i] = phi(h[i]);
    return z;
  },
  backward({ forward, rows, m, cotangent }, { a, out }, g) {
    const target = cotangent(a);
    const slope = forward.kept[out];
    const size = g.length / rows;
    for (let r = 0; r < rows; r++) {
      const base = Math.floor(r / m) * size;
      for (let j = 0; j < size; j++) target[r * size + j] += g[r * size + j] * slope[base + j];
    }
  },
  tangent: (pass, ins) => adjointTangent(activationOp, pass, ins),
  needsPositions: () => false,
  fullSpatial(_program, { a, out }, full, set) {
    const flag = full[a] | full[out];
    set(a, flag);
    set(out, flag);
  },
  variance: (_program, { attrs }, v, _second, rule) => {
    const { unit, parameters } = unitOf(attrs);
    return unit.dual(parameters, rule)(v, v, v)[0];
  },
  vector({ n1, rowEnd, sigma, theta, q1, q2 }, { a, out, attrs }, rule) {
    const { unit, parameters } = unitOf(attrs);
    const map: DualMap = unit.dual(parameters, rule);
    const [sIn, tIn, sOut, tOut] = [sigma(a), theta(a), sigma(out), theta(out)];
    const n2 = sIn.length / n1;
    for (let i = 0; i < n1; i++) {
      for (let j = 0; j < rowEnd(i); j++) {
        const o = i * n2 + j;
        const [k, slope] = map(q1[a][i], q2[a][j], sIn[o]);
        tOut[o] = tIn[o] * slope;
        sOut[o] = k;
      }
    }
  },
  varianceTangent(_program, { attrs }, v, dv, _second, _dSecond, dAttrs, rule) {
    const { unit, parameters } = unitOf(attrs);
    const partials = new Float64Array(6);
    const [k, slope] = unit.dual(parameters, rule)(v, v, v);
    unit.partials(parameters, rule)(v, v, v, k, slope, partials);
    let dk = (partials[0] + partials[1] + partials[2]) * dv;
    const moved = movedParameters(unit, dAttrs);
    if (moved.length > 0) {
      const byParameter = new Float64Array(2 * unit.hyperparameters!.length);
      unit.parameterPartials!(parameters, rule)(v, v, v, k, slope, partials, byParameter);
      for (const { index, tangent } of moved) dk += tangent * byParameter[2 * index];
    }
    return dk;
  },
  vectorTangent: (pass, ins, rule) => entryTangents(vectorEntries(pass), ins, rule),
  prepare: (_program, { attrs }, rule) => {
    const { unit, parameters } = unitOf(attrs);
    return unit.dual(parameters, rule);
  },
  pair(pass, { a, out }, map) {
    const source = pass.state(a);
    const target = pass.state(out);
    const sa = pass.positions(a);
    const [q1, q2] = [pass.q1[a], pass.q2[a]];
    for (let e = 0; e < pass.size(out); e++) {
      const [k, slope] = (map as DualMap)(q1[pass.i * sa + pass.row(out, e)], q2[pass.j * sa + pass.column(out, e)], source.sigma[e]);
      target.theta[e] = source.theta[e] * slope;
      target.sigma[e] = k;
    }
  },
  pairTangent: (pass, ins) => entryTangents(pairEntries(pass), ins, pass.rule),
  // A closed form per entry (tens of flops), or for tanh and sigmoid a sum over the mixture rule's pairs (an atan each).
  cost: { entryFlops: (_program, { attrs }, ruleSize) => (unitOf(attrs).unit.rule === 'mixture' ? 40 * ruleSize * ruleSize : 30) },
};

// Σ′ = K(q1, q2, Σ), Θ′ = Θ·K̇: the chain rule through the map's partials, once per entry for every direction.
function entryTangents(entries: TangentEntries, { a, out, attrs }: Instruction, rule: MixtureRule): void {
  const { directions, dAttrs } = entries;
  const { unit, parameters } = unitOf(attrs);
  const map = unit.dual(parameters, rule);
  const partialsAt = unit.partials(parameters, rule);
  const partials = new Float64Array(6);
  // The directions that move this layer's own parameters, and how.
  const moves = Array.from({ length: directions }, (_, h) => movedParameters(unit, dAttrs(h)));
  const parameterPartialsAt = moves.some((m) => m.length > 0) ? unit.parameterPartials!(parameters, rule) : null;
  const byParameter = new Float64Array(2 * (unit.hyperparameters?.length ?? 0));
  const [sIn, tIn, q1, q2] = [entries.sigma(a), entries.theta(a), entries.q1(a), entries.q2(a)];
  const tangents = Array.from({ length: directions }, (_, h) => ({
    dq1: entries.dq1(a, h),
    dq2: entries.dq2(a, h),
    dsIn: entries.dSigma(a, h),
    dtIn: entries.dTheta(a, h),
    dsOut: entries.dSigma(out, h),
    dtOut: entries.dTheta(out, h),
  }));
  entries.forEach(out, (o, r, c) => {
    const [k, slope] = map(q1[r], q2[c], sIn[o]);
    partialsAt(q1[r], q2[c], sIn[o], k, slope, partials);
    parameterPartialsAt?.(q1[r], q2[c], sIn[o], k, slope, partials, byParameter);
    const [kq1, kq2, kc, sq1, sq2, sc] = partials;
    for (let h = 0; h < directions; h++) {
      const { dq1, dq2, dsIn, dtIn, dsOut, dtOut } = tangents[h];
      let dSlope = sq1 * dq1[r] + sq2 * dq2[c] + sc * dsIn[o];
      let dk = kq1 * dq1[r] + kq2 * dq2[c] + kc * dsIn[o];
      for (const { index, tangent } of moves[h]) {
        dk += tangent * byParameter[2 * index];
        dSlope += tangent * byParameter[2 * index + 1];
      }
      dtOut[o] = dtIn[o] * slope + tIn[o] * dSlope;
      dsOut[o] = dk;
    }
  });
}
