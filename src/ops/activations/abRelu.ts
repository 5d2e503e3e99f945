// The dual map of ABReLU, a·min(z, 0) + max(z, 0), which relu (a = 0), leaky_relu (a = leak) and abs (a = −1) share.
import { type DualMap, INV_2PI, determinant, tMinusAtan } from './unit.js';

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
    const atanRatio = large === 0 ? 0 : Math.atan(Math.min(s, magnitude) / large); // both 0: θ = π/2, as neural-tangents fills it
    const alpha = sSmaller ? atanRatio : 0.5 * Math.PI - atanRatio;
    if (a < 0) {
      const psiMagnitude = sSmaller ? 0.5 * Math.PI - atanRatio : atanRatio;
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
