// a·sin(b·z + c) (neural-tangents' Sin): E[sin(bu + c)·sin(bv + c)] = ½(e^{−b²(q1 + q2 − 2Σ)/2} − cos 2c·e^{−b²(q1 + q2 + 2Σ)/2}).
import { type ActivationUnit, type DualPartials, type UnitLayer, activationLayer, outputScalePartials, varianceScalePartials } from './unit.js';

/**
 * The dual map of a·sin(b·z + c) written so that nothing cancels or overflows: with x = b²Σ and y = b²(q1 + q2)/2
 * (y ≥ |x|), K = a²·(e^{−y}·sinh x + s·e^{−(y + x)}) and K̇ = a²b²·(e^{−y}·sinh x + t·e^{−(y + x)}), where
 * e^{−y}·sinh x = ½·sign(x)·e^{−(y − |x|)}·(1 − e^{−2|x|}) (by expm1), s = sin²c and t = cos²c (for cos the two
 * swap). neural-tangents' s1 − s2 is the same quantity.
 */
export function sinusoidDual(a: number, b: number, s: number, t: number): (q1: number, q2: number, c: number) => [number, number] {
  const a2 = a * a;
  const b2 = b * b;
  return (q1, q2, c) => {
    const x = b2 * c;
    const y = 0.5 * b2 * (q1 + q2);
    const magnitude = Math.abs(x);
    const sinh = 0.5 * Math.sign(x) * Math.exp(-(y - magnitude)) * -Math.expm1(-2 * magnitude);
    const tail = Math.exp(-(y + x));
    return [a2 * (sinh + s * tail), a2 * b2 * (sinh + t * tail)];
  };
}

/**
 * The partials of the sinusoid's dual map: K and K̇ depend on q1 + q2 through e^{−y} alone, so ∂/∂q = −(b²/2)·itself;
 * ∂K/∂Σ = K̇ (Price's theorem) and ∂K̇/∂Σ = b⁴·K (the same expectations with s and t swapped back).
 */
export function sinusoidPartials(b: number): DualPartials {
  const b2 = b * b;
  return (_q1, _q2, _c, k, slope, out) => {
    out[0] = out[1] = -0.5 * b2 * k;
    out[2] = slope;
    out[3] = out[4] = -0.5 * b2 * slope;
    out[5] = b2 * b2 * k;
  };
}

/**
 * ∂/∂a (an output scale), ∂/∂b (λ = b² on the pre-activations) and ∂/∂phase of the sinusoid's maps (sign 1 for sin,
 * −1 for cos, whose s and t are swapped).
 */
export function sinusoidParameterPartials(a: number, b: number, phase: number, sign: 1 | -1) {
  // The phase moves only s = sin²(phase) (cos: cos²) and t = 1 − s, by ±sin(2·phase), times a²·e^{−(y + x)}.
  const turn = sign * Math.sin(2 * phase);
  return (q1: number, q2: number, c: number, k: number, slope: number, partials: Float64Array, out: Float64Array) => {
    outputScalePartials(a, k, slope, 0, out, 0);
    varianceScalePartials(2 / b, q1, q2, c, slope, partials, out, 2);
    const tail = a * a * Math.exp(-b * b * (0.5 * (q1 + q2) + c));
    out[4] = turn * tail;
    out[5] = -turn * b * b * tail;
  };
}

/** The parameters of sin and cos, neural-tangents' a, b and c, with its defaults. */
export const SINUSOID_PARAMETERS: ActivationUnit['parameters'] = [
  ['a', 1],
  ['b', 1],
  ['c', 0],
];

export const sinUnit: ActivationUnit<'sin'> = {
  name: 'sin',
  rule: 'closed',
  parameters: SINUSOID_PARAMETERS,
  phi:
    ([a, b, c]) =>
    (z) =>
      a * Math.sin(b * z + c),
  slope:
    ([a, b, c]) =>
    (z) =>
      a * b * Math.cos(b * z + c),
  dual: ([a, b, c]) => sinusoidDual(a, b, Math.sin(c) ** 2, Math.cos(c) ** 2),
  partials: ([, b]) => sinusoidPartials(b),
  hyperparameters: ['a', 'b', 'c'],
  parameterPartials: ([a, b, c]) => sinusoidParameterPartials(a, b, c, 1),
};

/** Options of {@link sin} and {@link cos}: neural-tangents' parameters. */
export interface SinusoidOptions {
  /** Output scale. Default 1. */
  a?: number;
  /** Input scale. Default 1. */
  b?: number;
  /** Input phase shift. Default 0. */
  c?: number;
}

/**
 * `a·sin(b·z + c)` (neural-tangents' `Sin`), whose kernels have a closed form at any depth.
 *
 * @example
 * ```ts
 * const model = serial(dense(512, { wStd: 1.5 }), sin({ b: 2 }), dense(1));
 * ```
 */
export function sin(options: SinusoidOptions = {}): UnitLayer<'sin'> {
  return activationLayer('sin', sinUnit, options);
}
