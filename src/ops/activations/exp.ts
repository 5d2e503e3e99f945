// a·exp(b·z) (neural-tangents' Exp): E[φ(u)φ(v)] = a²·exp(b²·((q1 + q2)/2 + c)) and E[φ′(u)φ′(v)] = b² times that.
import { type ActivationUnit, type UnitLayer, activationLayer, outputScalePartials, varianceScalePartials } from './unit.js';

export const expUnit: ActivationUnit<'exp'> = {
  name: 'exp',
  rule: 'closed',
  parameters: [
    ['a', 1],
    ['b', 1],
  ],
  phi: (p) => {
    const [a, b] = p;
    return (z) => a * Math.exp(b * z);
  },
  slope: (p) => {
    const [a, b] = p;
    return (z) => a * b * Math.exp(b * z);
  },
  dual: (p) => {
    const [a, b] = p;
    const [a2, b2] = [a * a, b * b];
    return (q1, q2, c) => {
      const k = a2 * Math.exp(b2 * (0.5 * (q1 + q2) + c));
      return [k, b2 * k];
    };
  },
  hyperparameters: ['a', 'b'],
  parameterPartials:
    ([a, b]) =>
    (q1, q2, c, k, slope, partials, out) => {
      outputScalePartials(a, k, slope, 0, out, 0);
      varianceScalePartials(2 / b, q1, q2, c, slope, partials, out, 2);
    },
  // K = a²·e^{b²((q1 + q2)/2 + Σ)} and K̇ = b²·K: each partial is b²/2 (in q) or b² (in Σ) times itself.
  partials:
    ([, b]) =>
    (_q1, _q2, _c, k, slope, out) => {
      const b2 = b * b;
      out[0] = out[1] = 0.5 * b2 * k;
      out[2] = slope;
      out[3] = out[4] = 0.5 * b2 * slope;
      out[5] = b2 * slope;
    },
};

/** Options of {@link exp}: neural-tangents' parameters. */
export interface ExpOptions {
  /** Output scale. Default 1. */
  a?: number;
  /** Input scale. Default 1. */
  b?: number;
}

/**
 * `a·exp(b·z)` (neural-tangents' `Exp`), whose kernels have a closed form at any depth. They grow as
 * exp(b²·q) with the pre-activation variance q: where they pass the largest double, the kernel call fails with
 * an overflow error naming the scale.
 *
 * @example
 * ```ts
 * const model = serial(dense(512, { wStd: 0.5 }), exp({ b: 0.5 }), dense(1));
 * ```
 */
export function exp(options: ExpOptions = {}): UnitLayer<'exp'> {
  return activationLayer('exp', expUnit, options);
}
