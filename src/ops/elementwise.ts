// Activations the user writes (neural-tangents' Elementwise and ElementwiseNumerical): φ as a JavaScript function,
// its dual map given (nngpFn, and the derivative in the covariance, dNngpFn) or computed by Gauss–Hermite quadrature.
// The op's passes are JavaScript on whole blocks (HostPasses, src/core/layout.ts): the TypeScript backend calls them
// directly, the WASM one from assembly/ops/elementwise.ts through its module's imports (src/backend/wasm/hosts.ts),
// on the calling thread only, since a function cannot be sent to a worker.
import { type HostPasses, type Instruction, type Program, SLOTS } from '../core/layout.js';
import { MAX_HERMITE_DEGREE, gaussHermite } from '../core/quadrature.js';
import { checkOptions, describe, functionArgument, numberOption } from '../errors.js';
import { activationOp } from './activation.js';
import { determinant } from './activations/unit.js';
import { type LayerUnit, type OpUnit, adjointTangent } from './unit.js';

/** φ: one pre-activation to one activation. */
export type ScalarFunction = (x: number) => number;

/** A dual map's entry: (cov12, var1, var2) ↦ E[g(u)·g(v)] for (u, v) ~ N(0, [[var1, cov12], [cov12, var2]]). */
export type DualFunction = (cov12: number, var1: number, var2: number) => number;

/** Options of {@link elementwise}. */
export interface ElementwiseOptions {
  /** E[φ(u)φ(v)] as a function of (cov12, var1, var2): the infinite-width kernel. Without it, finite width only. */
  nngpFn?: DualFunction;
  /**
   * E[φ′(u)φ′(v)], the derivative of nngpFn in cov12, for the NTK. Default: that derivative by extrapolated finite
   * differences with error control: about 1e-13 inside the range, 1e-9 at cov12 = ±√(var1·var2) (one-sided: the
   * diagonal), and an error naming the entry where its estimated error exceeds 1e-7 (a map with a branch point
   * there, as ReLU's at opposite inputs, or one that changes on a far smaller scale than √(var1·var2)).
   */
  dNngpFn?: DualFunction;
  /** φ′, for the finite-width backward pass. Default: Richardson-extrapolated central differences of fn (about 1e-12). */
  df?: ScalarFunction;
}

/** Options of {@link elementwiseNumerical}. */
export interface ElementwiseNumericalOptions {
  /** Gauss–Hermite points per axis (deg² evaluations of φ and φ′ per kernel entry). Default 25, at most 1000. */
  deg?: number;
  /** φ′. Default: Richardson-extrapolated central differences of fn (about 1e-12 for smooth φ). */
  df?: ScalarFunction;
}

/** An activation given as JavaScript functions. */
export interface ElementwiseLayer {
  /** The layer's type tag. */
  readonly kind: 'elementwise';
  /** φ (absent: infinite width only). */
  readonly fn?: ScalarFunction;
  /** φ′ (absent: by finite differences of fn). */
  readonly df?: ScalarFunction;
  /** The dual map (absent: by quadrature when deg is set, else finite width only). */
  readonly nngpFn?: DualFunction;
  /** The dual map of φ′ (absent: by finite differences of nngpFn). */
  readonly dNngpFn?: DualFunction;
  /** Gauss–Hermite points per axis of the dual map by quadrature ({@link elementwiseNumerical}); absent otherwise. */
  readonly deg?: number;
}

/**
 * An activation written in JavaScript with its dual map given in closed form (neural-tangents' `Elementwise`): `fn` is
 * φ at finite width, `nngpFn(cov12, var1, var2)` = E[φ(u)φ(v)] its infinite-width kernel; either may be left out
 * (the layer then works at the other width only). Both backends call the functions from JavaScript: on the WASM
 * backend a model with such a layer runs on the calling thread, block by block. The functions must be pure; one
 * that throws or returns a non-finite number is reported with the arguments it failed at.
 *
 * @example
 * ```ts
 * // sin has E[sin(u)·sin(v)] = e^(−(q₁+q₂)/2)·sinh(c), and E[cos(u)·cos(v)] = e^(−(q₁+q₂)/2)·cosh(c).
 * const sine = elementwise(Math.sin, {
 *   nngpFn: (c, q1, q2) => Math.exp(-(q1 + q2) / 2) * Math.sinh(c),
 *   dNngpFn: (c, q1, q2) => Math.exp(-(q1 + q2) / 2) * Math.cosh(c),
 *   df: Math.cos,
 * });
 * const kernels = infinite(serial(dense(1), sine, dense(1)), { inputShape: [3] });
 * ```
 */
export function elementwise(fn?: ScalarFunction, options: ElementwiseOptions = {}): ElementwiseLayer {
  const name = 'elementwise';
  const opts = checkOptions(name, options, ['nngpFn', 'dNngpFn', 'df']);
  if (fn === undefined && opts.nngpFn === undefined) {
    throw new TypeError(`${name}: give fn (finite width), options.nngpFn (infinite width), or both`);
  }
  if (opts.dNngpFn !== undefined && opts.nngpFn === undefined) throw new TypeError(`${name}: dNngpFn is the derivative of nngpFn, which is missing`);
  if (opts.df !== undefined && fn === undefined) throw new TypeError(`${name}: df is the derivative of fn, which is missing`);
  return layerOf(name, { fn, df: opts.df, nngpFn: opts.nngpFn, dNngpFn: opts.dNngpFn });
}

/**
 * An activation written in JavaScript whose dual map is computed by Gauss–Hermite quadrature of degree `deg` per
 * axis (neural-tangents' `ElementwiseNumerical`): deg² evaluations of φ (and of φ′ for the NTK) per kernel entry.
 * Exact for polynomials of degree below 2·deg; for smooth φ the error falls fast with deg (erf and sin agree with
 * their closed forms to 1e-12 at deg = 50); for φ with kinks (ReLU, abs) it falls slowly, as neural-tangents warns.
 * On the WASM backend such a model runs on the calling thread.
 *
 * @example
 * ```ts
 * const model = serial(dense(64), elementwiseNumerical((x) => Math.sin(x) + 0.1 * x, { deg: 40 }), dense(1));
 * const kernels = infinite(model, { inputShape: [3] });
 * ```
 */
export function elementwiseNumerical(fn: ScalarFunction, options: ElementwiseNumericalOptions = {}): ElementwiseLayer {
  const name = 'elementwiseNumerical';
  const opts = checkOptions(name, options, ['deg', 'df']);
  if (fn === undefined) throw new TypeError(`${name}: fn is required`);
  const deg = numberOption(name, 'deg', opts.deg, 25, { integer: true, min: 1, max: MAX_HERMITE_DEGREE });
  return layerOf(name, { fn, df: opts.df, deg });
}

function layerOf(name: string, fields: Omit<ElementwiseLayer, 'kind'>): ElementwiseLayer {
  const layer: Record<string, unknown> = { kind: 'elementwise' };
  for (const [key, value] of Object.entries(fields)) {
    if (value !== undefined) layer[key] = key === 'deg' ? value : functionArgument(name, key === 'fn' ? 'fn' : `options.${key}`, value);
  }
  return Object.freeze(layer) as unknown as ElementwiseLayer;
}

export const elementwiseLayer: LayerUnit<ElementwiseLayer> = {
  kind: 'elementwise',
  rebuild: (l) =>
    l.deg === undefined ? elementwise(l.fn, { nngpFn: l.nngpFn, dNngpFn: l.dNngpFn, df: l.df }) : elementwiseNumerical(l.fn!, { deg: l.deg, df: l.df }),
  lower(lowering, layer, flow, where) {
    const input = lowering.single(flow, where);
    lowering.gaussian(input, where);
    if (lowering.infinite && layer.deg === undefined && layer.nngpFn === undefined) {
      throw new RangeError(`${lowering.fn}: ${where} has no nngpFn, so no infinite-width kernel: give one, or use elementwiseNumerical()`);
    }
    if (!lowering.infinite && layer.fn === undefined) {
      throw new RangeError(`${lowering.fn}: ${where} has no fn, only its kernel: it has no finite-width network (use infinite())`);
    }
    const attributes = [];
    attributes[SLOTS.elementwise.host] = lowering.host(hostPasses(layer, `${lowering.fn}: ${where}`));
    attributes[SLOTS.elementwise.points] = layer.deg ?? 0;
    return { values: [{ id: lowering.define(elementwiseOp, [input.id], input.shape, attributes), shape: input.shape, gaussian: false }], branched: false };
  },
};

// φ′ without df: Richardson's extrapolation of central differences at steps h and h/2 (error O(h⁴)), h = ε^(1/5)
// at the argument's scale, so truncation h⁴ and rounding ε/h meet near 1e-12.
const CENTRAL_STEP = 2 ** -10;

function centralDerivative(f: ScalarFunction, x: number, scale: number): number {
  const h = CENTRAL_STEP * scale;
  const wide = (f(x + h) - f(x - h)) / (2 * h);
  const narrow = (f(x + h / 2) - f(x - h / 2)) / h;
  return (4 * narrow - wide) / 3;
}

/**
 * A difference quotient extrapolated to step 0 with error control (Ridders): a Neville tableau over the steps
 * h₀/2ᵏ whose columns remove the error's terms h^(2), h^(2 + powerStep), …; the entry whose neighbours agree best
 * is returned with the size of that disagreement, and the tableau stops once its diagonal grows apart (rounding has
 * taken over).
 */
function extrapolate(quotient: (h: number) => number, h0: number, powerStep: number): [estimate: number, error: number] {
  let previous = [quotient(h0)];
  let best = previous[0];
  let bestError = Infinity;
  for (let k = 1; k < 12; k++) {
    const row = [quotient(h0 / 2 ** k)];
    for (let m = 1; m <= k; m++) {
      row[m] = row[m - 1] + (row[m - 1] - previous[m - 1]) / (2 ** (2 + (m - 1) * powerStep) - 1);
      const error = Math.max(Math.abs(row[m] - row[m - 1]), Math.abs(row[m] - previous[m - 1]));
      if (error <= bestError) [best, bestError] = [row[m], error];
    }
    if (Math.abs(row[k] - previous[k - 1]) >= 2 * bestError) break;
    previous = row;
  }
  return [best, bestError];
}

/** The largest estimated error of a derivative by differences that is taken, relative to it. */
const DIFFERENCE_TOLERANCE = 1e-7;

/**
 * ∂/∂c of a dual map: central differences inside the covariances' range |c| ≤ √(q₁q₂), one-sided (three points,
 * towards the inside) within 1/64 of its ends, where the map may not be defined beyond; an estimate whose error
 * estimate exceeds 1e-7 of it (a map that changes on a scale far below √(q₁q₂) there, or a branch point) is an
 * error that asks for dNngpFn, never a silently wrong slope.
 */
function dualSlope(where: string, nngp: DualFunction, c: number, q1: number, q2: number): number {
  const bound = Math.sqrt(q1 * q2);
  const scale = bound > 0 ? bound : 1;
  const f = (cov: number) => nngp(cov, q1, q2);
  const room = bound - Math.abs(c);
  const inward = c > 0 ? -1 : 1;
  const [slope, error] =
    room >= scale / 64
      ? extrapolate((h) => (f(c + h) - f(c - h)) / (2 * h), Math.min(scale / 16, room / 4), 2)
      : extrapolate((h) => (-3 * f(c) + 4 * f(c + inward * h) - f(c + 2 * inward * h)) / (2 * inward * h), scale / 64, 1);
  if (!(error <= DIFFERENCE_TOLERANCE * Math.abs(slope))) {
    throw new RangeError(
      `${where}: the derivative of nngpFn in cov12 at (cov12, var1, var2) = (${c}, ${q1}, ${q2}) cannot be found by differences ` +
        `to ${DIFFERENCE_TOLERANCE} (estimated ${slope} ± ${error}); give dNngpFn`,
    );
  }
  return slope;
}

/** A function's result, checked: a throw or a result that is not a finite number names the arguments. */
function verified(where: string, name: string, value: unknown, args: () => string): number {
  if (typeof value === 'number' && Number.isFinite(value)) return value;
  if (typeof (value as { then?: unknown } | null)?.then === 'function') {
    // An async function, or one that reached the worker API (spawnWorker), whose callbacks answer later.
    throw new TypeError(
      `${where}: ${name} returned a Promise at ${args()}; an elementwise layer needs synchronous functions, so it runs on this thread, not through spawnWorker`,
    );
  }
  throw new RangeError(`${where}: ${name} returned ${describe(value)} at ${args()}`);
}

function rethrown(where: string, name: string, error: unknown, args: string): Error {
  return new Error(`${where}: ${name} threw at ${args}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
}

/** φ or φ′ with its failures reported (one argument: no array per call, as the quadrature calls it deg² times per entry). */
function checkedScalar(where: string, name: string, f: ScalarFunction): ScalarFunction {
  return (x) => {
    let value: unknown;
    try {
      value = f(x);
    } catch (error) {
      throw rethrown(where, name, error, `x = ${x}`);
    }
    return verified(where, name, value, () => `x = ${x}`);
  };
}

/** A dual map with its failures reported. */
function checkedDual(where: string, name: string, f: DualFunction): DualFunction {
  const args = (c: number, q1: number, q2: number) => `(cov12, var1, var2) = (${c}, ${q1}, ${q2})`;
  return (c, q1, q2) => {
    let value: unknown;
    try {
      value = f(c, q1, q2);
    } catch (error) {
      throw rethrown(where, name, error, args(c, q1, q2));
    }
    return verified(where, name, value, () => args(c, q1, q2));
  };
}

/** The passes of an elementwise layer; `where` names it in the messages of its functions' failures. */
function hostPasses(layer: ElementwiseLayer, where: string): HostPasses {
  const fn = layer.fn === undefined ? undefined : checkedScalar(where, 'fn', layer.fn);
  const df: ScalarFunction | undefined =
    layer.df !== undefined ? checkedScalar(where, 'df', layer.df) : fn && ((x) => centralDerivative(fn, x, Math.max(1, Math.abs(x))));
  const apply = (h: Float64Array, z: Float64Array, slope: Float64Array) => {
    for (let e = 0; e < h.length; e++) {
      z[e] = fn!(h[e]);
      slope[e] = df!(h[e]);
    }
  };
  if (layer.deg !== undefined) {
    // The quadrature runs the functions as given, deg² times per entry, and again checked only for an entry that
    // throws or comes out non-finite, so that the failure is reported with the argument it happened at.
    const raw = layer.fn!;
    const rawSlope: ScalarFunction = layer.df ?? ((x) => centralDerivative(raw, x, Math.max(1, Math.abs(x))));
    return { apply, ...quadrature({ fn: raw, df: rawSlope }, { fn: fn!, df: df! }, layer.deg) };
  }
  const nngp = layer.nngpFn && checkedDual(where, 'nngpFn', layer.nngpFn);
  const slopeOf: DualFunction | undefined =
    layer.dNngpFn !== undefined ? checkedDual(where, 'dNngpFn', layer.dNngpFn) : nngp && ((c, q1, q2) => dualSlope(where, nngp, c, q1, q2));
  return {
    apply,
    variance: (q) => nngp!(q, q, q),
    dual(q1, q1Step, q2, sigma, theta, sigmaOut, thetaOut) {
      for (let e = 0; e < q2.length; e++) {
        const [a, b, c] = [q1[e * q1Step], q2[e], sigma[e]];
        thetaOut[e] = theta[e] * slopeOf!(c, a, b);
        sigmaOut[e] = nngp!(c, a, b);
      }
    },
  };
}

/**
 * The dual maps by Gauss–Hermite quadrature, as neural-tangents: u = √(2q₁)·xᵢ, v = c/√(q₁/2)·xᵢ + √(2(q₂ − c²/q₁))·xⱼ,
 * E[g(u)g(v)] ≈ Σᵢⱼ wᵢwⱼ·g(u)g(v)/π; on the diagonal the one-dimensional rule, so that a point's correlation with
 * itself stays exactly 1.
 */
function quadrature(fast: Pair, checked: Pair, deg: number): Pick<HostPasses, 'variance' | 'dual'> {
  const { nodes, weights } = gaussHermite(deg);
  // φ and φ′ at the nodes of u for the q₁ last seen (every entry of a row of the kernel shares it).
  const phiU = new Float64Array(deg);
  const slopeU = new Float64Array(deg);
  let lastQ1 = NaN;
  const atU = (q1: number) => {
    if (q1 === lastQ1) return;
    const scale = Math.sqrt(2 * q1);
    for (let i = 0; i < deg; i++) {
      phiU[i] = checked.fn(scale * nodes[i]);
      slopeU[i] = checked.df(scale * nodes[i]);
    }
    lastQ1 = q1;
  };
  const meanSquare = (values: Float64Array) => {
    let sum = 0;
    for (let i = 0; i < deg; i++) sum += weights[i] * values[i] * values[i];
    return sum / Math.sqrt(Math.PI);
  };
  // Σᵢⱼ wᵢwⱼ·g(uᵢ)·g(vᵢⱼ)/π for g = φ and φ′ with the functions of `use`.
  const sums = (use: Pair, along: number, across: number): [k: number, slope: number] => {
    let k = 0;
    let slope = 0;
    for (let i = 0; i < deg; i++) {
      let phiV = 0;
      let slopeV = 0;
      for (let j = 0; j < deg; j++) {
        const v = along * nodes[i] + across * nodes[j];
        phiV += weights[j] * use.fn(v);
        slopeV += weights[j] * use.df(v);
      }
      k += weights[i] * phiU[i] * phiV;
      slope += weights[i] * slopeU[i] * slopeV;
    }
    return [k / Math.PI, slope / Math.PI];
  };
  return {
    variance(q) {
      atU(q);
      return meanSquare(phiU);
    },
    dual(q1, q1Step, q2, sigma, theta, sigmaOut, thetaOut) {
      for (let e = 0; e < q2.length; e++) {
        const [qa, qb, c] = [q1[e * q1Step], q2[e], sigma[e]];
        atU(qa);
        let k: number;
        let slope: number;
        if (c === qa && qa === qb) {
          k = meanSquare(phiU);
          slope = meanSquare(slopeU);
        } else {
          // With q₁ = 0, u = 0 and c = 0: v alone carries q₂.
          const along = qa > 0 ? c / Math.sqrt(qa / 2) : 0;
          const across = Math.sqrt(2 * (qa > 0 ? determinant(qa, qb, c) / qa : qb));
          try {
            [k, slope] = sums(fast, along, across);
          } catch {
            [k, slope] = [NaN, NaN];
          }
          // Again with the checked functions, which name a failing argument (a sum that overflowed stays as it is).
          if (!Number.isFinite(k) || !Number.isFinite(slope)) [k, slope] = sums(checked, along, across);
        }
        thetaOut[e] = theta[e] * slope;
        sigmaOut[e] = k;
      }
    },
  };
}

/** φ and φ′. */
interface Pair {
  fn: ScalarFunction;
  df: ScalarFunction;
}

const hostOf = (program: Program, { attrs }: Instruction): HostPasses => program.hosts[attrs[SLOTS.elementwise.host]];

export const elementwiseOp: OpUnit = {
  name: 'elementwise',
  forward({ program, values, kept }, ins) {
    const h = values[ins.a];
    const z = new Float64Array(h.length);
    const slope = new Float64Array(h.length);
    hostOf(program, ins).apply(h, z, slope);
    kept[ins.out] = slope;
    return z;
  },
  // Cotangents times the kept φ′, as any activation.
  backward: activationOp.backward,
  tangent: (pass, ins) => adjointTangent(elementwiseOp, pass, ins),
  needsPositions: () => false,
  fullSpatial: activationOp.fullSpatial,
  variance: (program, ins, v) => hostOf(program, ins).variance(v),
  vector({ program, n1, rowEnd, sigma, theta, q1, q2 }, ins) {
    const host = hostOf(program, ins);
    const { a, out } = ins;
    const [sIn, tIn, sOut, tOut] = [sigma(a), theta(a), sigma(out), theta(out)];
    const n2 = sIn.length / n1;
    for (let i = 0; i < n1; i++) {
      const [o, end] = [i * n2, i * n2 + rowEnd(i)];
      host.dual(
        q1[a].subarray(i, i + 1),
        0,
        q2[a].subarray(0, end - o),
        sIn.subarray(o, end),
        tIn.subarray(o, end),
        sOut.subarray(o, end),
        tOut.subarray(o, end),
      );
    }
  },
  prepare: (program, ins) => hostOf(program, ins),
  pair(pass, { a, out }, prepared) {
    const host = prepared as HostPasses;
    const positions = pass.positions(a);
    const [source, target] = [pass.state(a), pass.state(out)];
    const q1 = pass.q1[a].subarray(pass.i * positions, (pass.i + 1) * positions);
    const q2 = pass.q2[a].subarray(pass.j * positions, (pass.j + 1) * positions);
    // Full: row r pairs position r of x with every position of x′; diagonal: each position with itself.
    const rows = pass.full(out) ? positions : 1;
    for (let r = 0; r < rows; r++) {
      const [from, to] = [r * positions, (r + 1) * positions];
      const [q1Row, q1Step] = rows > 1 ? [q1.subarray(r, r + 1), 0] : [q1, 1];
      host.dual(
        q1Row,
        q1Step,
        q2,
        source.sigma.subarray(from, to),
        source.theta.subarray(from, to),
        target.sigma.subarray(from, to),
        target.theta.subarray(from, to),
      );
    }
  },
  // JavaScript calls per entry: deg² of φ and φ′ for the quadrature, a few of the given maps otherwise.
  cost: { entryFlops: (_program, { attrs }) => 100 * Math.max(1, attrs[SLOTS.elementwise.points]) ** 2 },
};
