// What every activation unit holds, side by side: its name, φ and φ′, the dual map of its infinite-width kernel,
// and the layer factory with its parameters. The AssemblyScript twin of each unit is assembly/ops/activations/<name>.ts.
import type { DualRule } from '../../core/layout.js';
import { type NumberRule, booleanOption, checkOptions, numberOption } from '../../errors.js';

/** The squared scales and weights of the scale-mixture rule (tanh, sigmoid): see src/ops/activations/mixture.ts. */
export interface MixtureRule {
  scales: Float64Array;
  weights: Float64Array;
}

/** A dual map: (q₁, q₂, c) ↦ (E[φ(u)φ(v)], E[φ′(u)φ′(v)]) for (u, v) ~ N(0, [[q₁, c], [c, q₂]]). */
export type DualMap = (q1: number, q2: number, c: number) => [k: number, slope: number];

/**
 * The partial derivatives of a dual map at (q1, q2, c), written into `out` as [∂K/∂q1, ∂K/∂q2, ∂K/∂c, ∂K̇/∂q1,
 * ∂K̇/∂q2, ∂K̇/∂c] (K̇ the slope map), given K and K̇ there: what the derivatives of the kernels with respect to the
 * hyperparameters carry through the activation.
 */
export type DualPartials = (q1: number, q2: number, c: number, k: number, slope: number, out: Float64Array) => void;

/** One activation. `p` holds its parameters in the order of `parameters` (the attribute slots after its id). */
export interface ActivationUnit<N extends string = string> {
  readonly name: N;
  /** How the dual map is computed: a closed form per entry, or a sum over the scale-mixture rule. */
  readonly rule: DualRule;
  /**
   * Its parameters: name, default (undefined: required) and what values it takes (any finite number if absent;
   * 'boolean': true or false, 1 or 0 in the attribute slot), in attribute order.
   */
  readonly parameters: readonly (readonly [name: string, fallback: number | undefined, rule?: NumberRule | 'boolean'])[];
  /** φ for parameters p; absent for a kernel map with no function behind it (no finite width, as expNormalized). */
  phi?(p: Float64Array): (z: number) => number;
  /** φ′ for parameters p; absent with φ. */
  slope?(p: Float64Array): (z: number) => number;
  /** The dual map for parameters p (and the mixture rule, for rule 'mixture'). */
  dual(p: Float64Array, rule: MixtureRule): DualMap;
  /** Its partial derivatives, for the kernels' hyperparameter derivatives. */
  partials(p: Float64Array, rule: MixtureRule): DualPartials;
  /** The parameters that are hyperparameters of the kernels (their derivatives from `parameterPartials`), by name. */
  readonly hyperparameters?: readonly string[];
  /** Those a layer with parameters p lists (default: all; a polynomial's, its coefficients up to its degree). */
  hyperparametersOf?(p: Float64Array): readonly string[];
  /**
   * The derivatives of K and K̇ with respect to each of `hyperparameters`, into out[2i] and out[2i + 1], given K, K̇
   * and their partials (`partials`, DualPartials' order) at (q1, q2, c).
   */
  parameterPartials?(
    p: Float64Array,
    rule: MixtureRule,
  ): (q1: number, q2: number, c: number, k: number, slope: number, partials: Float64Array, out: Float64Array) => void;
}

/**
 * ∂/∂a of an output scale a (K = a²·K₁ + shift², K̇ = a²·K̇₁): 2(K − shift²)/a and 2K̇/a (0 at a = 0, where both
 * are even in a), into out[at], out[at + 1].
 */
export function outputScalePartials(a: number, k: number, slope: number, shift2: number, out: Float64Array, at: number): void {
  out[at] = a === 0 ? 0 : (2 * (k - shift2)) / a;
  out[at + 1] = a === 0 ? 0 : (2 * slope) / a;
}

/**
 * ∂/∂b of a parameter that scales the pre-activations' covariances by λ(b) (K = F(λq1, λq2, λΣ) + const and
 * K̇ = λ·G(λ·…)), with `factor` = λ′(b)/λ(b): factor·(q1·∂K/∂q1 + q2·∂K/∂q2 + Σ·∂K/∂Σ) and
 * factor·(K̇ + q1·∂K̇/∂q1 + q2·∂K̇/∂q2 + Σ·∂K̇/∂Σ), into out[at], out[at + 1]. A factor that is not finite (b = 0, where
 * the kernels are even in b) gives 0.
 */
export function varianceScalePartials(
  factor: number,
  q1: number,
  q2: number,
  c: number,
  slope: number,
  partials: Float64Array,
  out: Float64Array,
  at: number,
): void {
  const finite = Number.isFinite(factor);
  out[at] = finite ? factor * (q1 * partials[0] + q2 * partials[1] + c * partials[2]) : 0;
  out[at + 1] = finite ? factor * (slope + q1 * partials[3] + q2 * partials[4] + c * partials[5]) : 0;
}

/**
 * The partials of a·min(z, 0) + b·max(z, 0) (relu, leaky relu, abs, ABReLU). K̇ = E[φ′φ′] is ∂K/∂c (Price's theorem) and
 * ∂K̇/∂c = E[φ″φ″] = (b − a)²·p(0, 0) = (b − a)²/(2π√det); K is homogeneous of degree 1 and K̇ of degree 0 in
 * (√q1, √q2, c), which gives the q-partials (Euler: 2q1·∂K/∂q1 + c·∂K/∂c = K). At a correlation of ±1 (det = 0, a point
 * with itself or a multiple of it) K̇'s partials are set to 0: every hyperparameter keeps such a pair at ±1, along
 * which K̇ is constant.
 */
export function piecewiseLinearPartials(a: number, b: number): DualPartials {
  const curvature = (b - a) * (b - a) * INV_2PI;
  return (q1, q2, c, k, slope, out) => {
    const det = determinant(q1, q2, c);
    homogeneousPartials(1, q1, q2, c, k, slope, slope, det > 0 ? curvature / Math.sqrt(det) : 0, out);
  };
}

/**
 * The partials of maps homogeneous of degree n in (√q1, √q2, Σ) (K of φ with φ(λz) = λⁿφ(z), K̇ of degree n − 1),
 * given ∂K/∂Σ (`kc`) and ∂K̇/∂Σ (`sc`): Euler's identity 2q1·∂K/∂q1 + Σ·∂K/∂Σ = n·K gives the q-partials (0 where q is 0).
 */
export function homogeneousPartials(n: number, q1: number, q2: number, c: number, k: number, kc: number, slope: number, sc: number, out: Float64Array): void {
  const r1 = q1 > 0 ? 0.5 / q1 : 0;
  const r2 = q2 > 0 ? 0.5 / q2 : 0;
  const kGap = n * k - c * kc;
  const slopeGap = (n - 1) * slope - c * sc;
  out[0] = kGap * r1;
  out[1] = kGap * r2;
  out[2] = kc;
  out[3] = slopeGap * r1;
  out[4] = slopeGap * r2;
  out[5] = sc;
}

/** An elementwise nonlinearity as a layer of a model, for activations named N (the public type: ActivationLayer). */
export interface UnitLayer<N extends string = string> {
  /** The layer's type tag. */
  readonly kind: 'activation';
  /** Which nonlinearity ('identity' is a layer of its own). */
  readonly activation: N;
  /** The negative slope of 'leaky_relu' (0 otherwise). */
  readonly leak: number;
  /** The parameters of activations that have them besides leak, by name (sin's a, b, c, …); absent otherwise. */
  readonly parameters?: Readonly<Record<string, number | boolean>>;
}

/** The layer of `unit` with the parameters of `options` (checked in the name of `fn`; defaults where absent). */
export function activationLayer<N extends string>(fn: string, unit: ActivationUnit<N>, options: object | undefined): UnitLayer<N> {
  const opts = checkOptions(
    fn,
    options,
    unit.parameters.map(([name]) => name),
  ) as Record<string, unknown>;
  const values = Object.fromEntries(
    unit.parameters.map(([name, fallback, rule]) => [
      name,
      rule === 'boolean' ? booleanOption(fn, name, opts[name], fallback === 1) : numberOption(fn, name, opts[name], fallback, rule),
    ]),
  );
  const { leak = 0, ...others } = values;
  return Object.freeze({
    kind: 'activation' as const,
    activation: unit.name,
    leak: leak as number,
    ...(Object.keys(others).length > 0 ? { parameters: Object.freeze(others) } : {}),
  });
}

/** A layer's parameters in attribute order (leak from its own field, the others from `parameters`). */
export const parametersOf = (unit: ActivationUnit, layer: UnitLayer): number[] =>
  unit.parameters.map(([name]) => (name === 'leak' ? layer.leak : Number(layer.parameters![name])));

export const INV_PI = 0.3183098861837907;
export const INV_2PI = 0.15915494309189535;
const SPLITTER = 134217729; // 2^27 + 1, Veltkamp's split of a double into two 26-bit halves

/** The rounding error of the product a·b = p, exactly (Dekker's two-product). */
function productError(a: number, b: number, p: number): number {
  const ta = SPLITTER * a;
  const aHigh = ta - (ta - a);
  const aLow = a - aHigh;
  const tb = SPLITTER * b;
  const bHigh = tb - (tb - b);
  const bLow = b - bHigh;
  return aHigh * bHigh - p + aHigh * bLow + aLow * bHigh + aLow * bLow;
}

/**
 * Below this fraction of q1·q2, the determinant q1·q2 − c² is within the rounding of q1, q2 and c themselves
 * (each carries a few ulps from the layers before): the correlation is ±1 to working precision.
 */
export const ROUNDING_BAND = 2 ** -51;

/**
 * q1·q2 − c² without cancellation: both products as exact sums (Dekker), so a correlation near ±1 keeps
 * its small determinant, and the diagonal (c = q1 = q2) gives exactly 0. Never negative. Within
 * {@link ROUNDING_BAND} it is 0: a correlation of exactly ±1 (every pair of positions of a one-channel input,
 * an input and a multiple of it) rounds to a determinant of a few ulps, whose square root would tilt the
 * angle between the inputs by √ε and the ReLU slopes with it.
 */
export function determinant(q1: number, q2: number, c: number): number {
  const p1 = q1 * q2;
  const p2 = c * c;
  const difference = p1 - p2 + (productError(q1, q2, p1) - productError(c, c, p2));
  return difference <= ROUNDING_BAND * p1 ? 0 : difference;
}

/** t − atan(t) for t ≥ 0, by its series where the difference cancels (t ≤ 0.1). */
export function tMinusAtan(t: number): number {
  if (t > 0.1) return t - Math.atan(t);
  const t2 = t * t;
  return t * t2 * (1 / 3 - t2 * (1 / 5 - t2 * (1 / 7 - t2 * (1 / 9 - t2 * (1 / 11 - t2 * (1 / 13 - t2 / 15))))));
}

const TWO_OVER_SQRT_PI = 1.1283791670955126;
const INV_SQRT_PI = 0.5641895835477563;

/** erf(x), by the algorithm of assembly/ops/activations/common.ts (a positive series below 3, a continued fraction above). */
export function erf(x: number): number {
  const a = Math.abs(x);
  let result: number;
  if (a < 3) {
    const twoX2 = 2 * a * a;
    let term = 1;
    let sum = 1;
    for (let n = 1; n < 200; n++) {
      term *= twoX2 / (2 * n + 1);
      const next = sum + term;
      if (next === sum) break;
      sum = next;
    }
    result = TWO_OVER_SQRT_PI * a * Math.exp(-a * a) * sum;
  } else {
    let fraction = a;
    for (let k = 60; k >= 1; k--) fraction = a + (k * 0.5) / fraction;
    result = 1 - (INV_SQRT_PI * Math.exp(-a * a)) / fraction;
  }
  return x < 0 ? -result : result;
}
