// GELU, z·Φ(z) (Hendrycks and Gimpel 2016), with its closed-form kernel (Tsuchida et al. 2021).
import { type ActivationUnit, INV_2PI, type UnitLayer, activationLayer, determinant, erf, tMinusAtan } from './unit.js';

const INV_SQRT_2 = 0.7071067811865476;
const INV_SQRT_2PI = 0.3989422804014327;

/**
 * With Δ² = (q1 + 1)(q2 + 1) − c² expanded as 1 + q1 + q2 + (q1q2 − c²), π/2 + atan2(c, Δ) as atan2(Δ, −c), and
 * (1 − q1q2)/((q1 + 1)(q2 + 1)) + 1 as (2 + q1 + q2)/((q1 + 1)(q2 + 1)). Where c < 0 and Δ < |c| (strongly
 * anti-correlated, large variances) the two terms of K nearly cancel; there
 * 2πK = (c² − (1 + q1 + q2)Δ²)/((q1 + 1)(q2 + 1)Δ) + |c|·(t − atan t) with t = Δ/|c|.
 */
export const geluUnit: ActivationUnit<'gelu'> = {
  name: 'gelu',
  rule: 'closed',
  parameters: [],
  phi: () => (z) => 0.5 * z * (1 + erf(z * INV_SQRT_2)),
  slope: () => (z) => 0.5 * (1 + erf(z * INV_SQRT_2)) + z * INV_SQRT_2PI * Math.exp(-0.5 * z * z),
  dual: () => (q1, q2, c) => {
    const prod = q1 * q2;
    const prodPlus1 = (q1 + 1) * (q2 + 1);
    const deltaSquared = 1 + q1 + q2 + determinant(q1, q2, c);
    const delta = Math.sqrt(deltaSquared);
    const angle = Math.atan2(delta, -c);
    const k =
      c < 0 && delta < -c
        ? (c * c - (1 + q1 + q2) * deltaSquared) / (prodPlus1 * delta) - c * tMinusAtan(delta / -c)
        : (c * c + prod * deltaSquared) / (prodPlus1 * delta) + c * angle;
    return [k * INV_2PI, angle * INV_2PI + (c / delta) * INV_2PI * (1 / deltaSquared + (2 + q1 + q2) / prodPlus1)];
  },
  // With P = (1 + q1)(1 + q2), Δ² = 1 + q1 + q2 + (q1q2 − Σ²), S = 2 + q1 + q2, the angle atan2(Δ, −Σ) and
  // g = 1/Δ³ + S/(PΔ): 2πK = (Σ² + q1q2Δ²)/(PΔ) + Σ·angle and 2πK̇ = angle + Σ·g. Their partials by the chain rule, with
  // ∂Δ/∂q1 = (1 + q2)/(2Δ), ∂angle/∂q1 = −Σ·∂Δ/∂q1/(Δ² + Σ²) and ∂angle/∂Σ = 1/Δ.
  partials: () => (q1, q2, c, _k, slope, out) => {
    const p = (1 + q1) * (1 + q2);
    const d2 = 1 + q1 + q2 + determinant(q1, q2, c);
    const d = Math.sqrt(d2);
    const sum = 2 + q1 + q2;
    const a = c * c + q1 * q2 * d2;
    const b = p * d;
    const g = 1 / (d2 * d) + sum / (p * d);
    // Along q1 (the other variance q2) into out[0] and out[3], along q2 into out[1] and out[4].
    const along = (qOther: number, at: number) => {
      const dd = (1 + qOther) / (2 * d);
      const da = qOther * d2 + q1 * q2 * (1 + qOther);
      const db = (1 + qOther) * d + p * dd;
      const dAngle = (-c * dd) / (d2 + c * c);
      const dg = (-3 * dd) / (d2 * d2) + 1 / (p * d) - (sum * (1 + qOther)) / (p * p * d) - (sum * dd) / (p * d2);
      out[at] = ((da * b - a * db) / (b * b) + c * dAngle) * INV_2PI;
      out[at + 3] = (dAngle + c * dg) * INV_2PI;
    };
    along(q2, 0);
    along(q1, 1);
    out[2] = slope;
    out[5] = (1 / d + g + c * c * (3 / (d2 * d2 * d) + sum / (p * d2 * d))) * INV_2PI;
  },
};

/**
 * GELU, `z·Φ(z)`.
 *
 * @example
 * ```ts
 * const model = serial(dense(512), gelu(), dense(1));
 * ```
 */
export function gelu(): UnitLayer<'gelu'> {
  return activationLayer('gelu', geluUnit, {});
}
