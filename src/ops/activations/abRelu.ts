// ABReLU, a·min(z, 0) + b·max(z, 0) (neural-tangents' ABRelu), and the dual map of a·min(z, 0) + max(z, 0), which
// relu (a = 0), leaky_relu (a = leak) and abs (a = −1) share.
import { type ActivationUnit, type DualMap, INV_2PI, type UnitLayer, activationLayer, determinant, piecewiseLinearPartials, tMinusAtan } from './unit.js';

/**
 * K = f·s + slope·c, slope = (a² + 1)/2 − f·θ, f = (a − 1)²/(2π), s = √(q1q2 − c²), θ the angle between the
 * inputs, all from one atan of a ratio ≤ 1, which gives the angle α = atan(s/|c|) to the nearest axis accurately.
 * For a ≥ 0: θ = α where c ≥ 0; where c < 0, θ = π − α, slope = a + f·α and K = f·(s − α|c|) + a·c, with
 * s − α|c| = |c|·(t − atan t), t = s/|c|, by its series where it cancels. For a < 0 (abs), with ψ = atan2(c, s):
 * slope = (a + 1)²/4 + f·ψ.
 */
export function abReluDual(a: number): DualMap {
  const factor = (a - 1) * (a - 1) * INV_2PI;
  return (q1, q2, c) => {
    const s = Math.sqrt(determinant(q1, q2, c));
    const magnitude = Math.abs(c);
    const sSmaller = s <= magnitude;
    const large = Math.max(s, magnitude);
    // Both 0 (an input of variance 0): θ = π/2, as neural-tangents fills it (α = π/2, ψ = 0), as the WASM twin.
    const bothZero = large === 0;
    const atanRatio = bothZero ? 0 : Math.atan(Math.min(s, magnitude) / large);
    const alpha = bothZero ? 0.5 * Math.PI : sSmaller ? atanRatio : 0.5 * Math.PI - atanRatio;
    if (a < 0) {
      const psiMagnitude = bothZero ? 0 : sSmaller ? 0.5 * Math.PI - atanRatio : atanRatio;
      const slope = ((a + 1) * (a + 1)) / 4 + factor * (c < 0 ? -psiMagnitude : psiMagnitude);
      return [factor * s + slope * c, slope];
    }
    if (c < 0) {
      const gap = sSmaller ? magnitude * tMinusAtan(s / magnitude) : s - alpha * magnitude;
      return [factor * gap + a * c, a + factor * alpha];
    }
    const slope = (a * a + 1) / 2 - factor * alpha;
    return [factor * s + slope * c, slope];
  };
}

/**
 * The slopes of ABReLU as (scale, ratio): its kernels are `scale` times those of ratio·min(z, 0) + max(z, 0), with
 * |ratio| ≤ 1 so that nothing overflows. Where |a| > |b|, φ(−z) = −(b·min(z, 0) + a·max(z, 0)) and (u, v) has the
 * law of (−u, −v): the kernels of (a, b) are those of (b, a).
 */
export function abReluScale(a: number, b: number): [scale: number, ratio: number] {
  const [small, large] = Math.abs(a) <= Math.abs(b) ? [a, b] : [b, a];
  return large === 0 ? [0, 0] : [large * large, small / large];
}

export const abReluUnit: ActivationUnit<'ab_relu'> = {
  name: 'ab_relu',
  rule: 'closed',
  parameters: [
    ['a', undefined],
    ['b', undefined],
  ],
  phi: (p) => {
    const [a, b] = p;
    return (z) => (z > 0 ? b * z : a * z);
  },
  slope: (p) => {
    const [a, b] = p;
    return (z) => (z > 0 ? b : a);
  },
  dual: (p) => {
    const [scale, ratio] = abReluScale(p[0], p[1]);
    const map = abReluDual(ratio);
    return (q1, q2, c) => {
      const [k, slope] = map(q1, q2, c);
      return [scale * k, scale * slope];
    };
  },
  partials: (p) => piecewiseLinearPartials(p[0], p[1]),
  hyperparameters: ['a', 'b'],
  parameterPartials: (p) => slopePartials(p[0], p[1], 0),
};

/**
 * ∂/∂a and ∂/∂b of a·min(z, 0) + b·max(z, 0)'s maps, into out from `at`: K = (a² + b²)·K₊(Σ) − 2ab·K₊(−Σ) and
 * K̇ = (a² + b²)·K̇₊(Σ) + 2ab·K̇₊(−Σ), with K₊, K̇₊ ReLU's (min(u, 0) = −max(−u, 0), and (−u, v) has covariance −Σ);
 * `at` 0 for both slopes, and ab_relu's b only (leaky_relu's leak is a with b = 1) when only a is asked for.
 */
export function slopePartials(a: number, b: number, at: number, only?: 'a') {
  const relu = abReluDual(0);
  return (q1: number, q2: number, c: number, _k: number, _slope: number, _partials: Float64Array, out: Float64Array) => {
    const [kSame, sSame] = relu(q1, q2, c);
    const [kOpposite, sOpposite] = relu(q1, q2, -c);
    out[at] = 2 * a * kSame - 2 * b * kOpposite;
    out[at + 1] = 2 * a * sSame + 2 * b * sOpposite;
    if (only === 'a') return;
    out[at + 2] = 2 * b * kSame - 2 * a * kOpposite;
    out[at + 3] = 2 * b * sSame + 2 * a * sOpposite;
  };
}

/** Options of {@link abRelu}: neural-tangents' parameters, both required. */
export interface AbReluOptions {
  /** The slope for z < 0. */
  a: number;
  /** The slope for z > 0. */
  b: number;
}

/**
 * `a·min(z, 0) + b·max(z, 0)` (neural-tangents' `ABRelu`): relu, leaky relu and abs are its cases
 * (a = 0, b = 1; a = leak, b = 1; a = −1, b = 1), and its kernels have a closed form at any depth.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), abRelu({ a: -0.5, b: 2 }), dense(1));
 * ```
 */
export function abRelu(options: AbReluOptions): UnitLayer<'ab_relu'> {
  return activationLayer('abRelu', abReluUnit, options);
}
