// Reference version of assembly/kernels/infinite.ts: the same program interpreter and maps.
import { allFinite } from '../../core/numeric.js';
import { OP, instructionsOf, unknownOp } from '../../core/layout.js';
import type { Program, MixtureRule } from '../types.js';
import { dense, gemmInto } from './gemm.js';
import { mirrorLower, syrkLowerInto } from './linalg.js';

const INV_PI = 0.3183098861837907;
const INV_2PI = 0.15915494309189535;

type Map = (q1: number, q2: number, c: number) => [k: number, slope: number];

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

/**
 * ABReLU (a·min(z, 0) + max(z, 0)): K = f·s + slope·c, slope = (a² + 1)/2 − f·θ, f = (a − 1)²/(2π),
 * s = √(q1q2 − c²), θ the angle between the inputs, all from one atan of a ratio ≤ 1, which gives the
 * angle α = atan(s/|c|) to the nearest axis accurately. For a ≥ 0: θ = α where c ≥ 0; where c < 0,
 * θ = π − α, slope = a + f·α and K = f·(s − α|c|) + a·c, with s − α|c| = |c|·(t − atan t), t = s/|c|, by
 * its series where it cancels. For a < 0 (abs), with ψ = atan2(c, s): slope = (a + 1)²/4 + f·ψ.
 */
function abRelu(a: number): Map {
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

/**
 * Erf: K = (2/π)·atan2(2c, √D), K̇ = (4/π)/√D with D = (1 + 2q1)(1 + 2q2) − 4c² expanded as
 * 1 + 2q1 + 2q2 + 4(q1q2 − c²), a sum of non-negative terms (no cancellation at any scale).
 */
const erfMap: Map = (q1, q2, c) => {
  const d = 1 + 2 * q1 + 2 * q2 + 4 * determinant(q1, q2, c);
  const root = Math.sqrt(d);
  return [2 * INV_PI * Math.atan2(2 * c, root), (4 * INV_PI) / root];
};

/**
 * GELU, with Δ² = (q1 + 1)(q2 + 1) − c² expanded as 1 + q1 + q2 + (q1q2 − c²), π/2 + atan2(c, Δ) as
 * atan2(Δ, −c), and (1 − q1q2)/((q1 + 1)(q2 + 1)) + 1 as (2 + q1 + q2)/((q1 + 1)(q2 + 1)). Where c < 0 and
 * Δ < |c| (strongly anti-correlated, large variances) the two terms of K nearly cancel; there
 * 2πK = (c² − (1 + q1 + q2)Δ²)/((q1 + 1)(q2 + 1)Δ) + |c|·(t − atan t) with t = Δ/|c|.
 */
const geluMap: Map = (q1, q2, c) => {
  const prod = q1 * q2;
  const prodPlus1 = (q1 + 1) * (q2 + 1);
  const deltaSquared = 1 + q1 + q2 + determinant(q1, q2, c);
  const delta = Math.sqrt(deltaSquared);
  const angle = Math.atan2(delta, -c);
  const k = c < 0 && delta < -c
    ? (c * c - (1 + q1 + q2) * deltaSquared) / (prodPlus1 * delta) - c * tMinusAtan(delta / -c)
    : (c * c + prod * deltaSquared) / (prodPlus1 * delta) + c * angle;
  return [k * INV_2PI, angle * INV_2PI + (c / delta) * INV_2PI * (1 / deltaSquared + (2 + q1 + q2) / prodPlus1)];
};

/**
 * Sums over the scale-mixture rule (src/infinite/logistic.ts): with D_ij = (q1q2 − c²) + s_i·q2 + s_j·(q1 + s_i),
 * K = Σ w_i w_j atan(c/√D_ij) and K̇ = Σ w_i w_j /√D_ij, both times 2/π for tanh. For sigmoid (`shifted`), the
 * terms are π/2 + atan(c/√D_ij), as atan(√D_ij/|c|) where c < 0 so that strongly anti-correlated inputs, whose
 * kernel is tiny, do not cancel.
 */
function mixtureSums(scales: Float64Array, weights: Float64Array, shifted: boolean, q1: number, q2: number, c: number): [k: number, slope: number] {
  const det = determinant(q1, q2, c);
  const reflect = shifted && c < 0;
  const inverseMagnitude = 1 / Math.abs(c);
  let k = 0;
  let slope = 0;
  for (let i = 0; i < scales.length; i++) {
    const base = det + scales[i] * q2;
    const across = q1 + scales[i];
    let innerK = 0;
    let innerSlope = 0;
    for (let j = 0; j < scales.length; j++) {
      const root = Math.sqrt(base + scales[j] * across);
      const inverseRoot = 1 / root;
      const angle = reflect ? Math.atan(root * inverseMagnitude) : Math.atan(c * inverseRoot) + (shifted ? 0.5 * Math.PI : 0);
      innerK += weights[j] * angle;
      innerSlope += weights[j] * inverseRoot;
    }
    k += weights[i] * innerK;
    slope += weights[i] * innerSlope;
  }
  return [k, slope];
}

/** tanh: K = (2/π)·Σ w_i w_j atan(c/√D_ij), K̇ = (2/π)·Σ w_i w_j /√D_ij. */
function tanhMap(scales: Float64Array, weights: Float64Array): Map {
  return (q1, q2, c) => {
    const [k, slope] = mixtureSums(scales, weights, false, q1, q2, c);
    return [2 * INV_PI * k, 2 * INV_PI * slope];
  };
}

/**
 * sigmoid(z) = (1 + tanh(z/2))/2 at a quarter of the covariances: K = (1 + K_tanh)/4 =
 * (1/2π)·Σ w_i w_j (π/2 + atan(c/√D_ij)) (the weights sum to 1), K̇ = K̇_tanh/16.
 */
function sigmoidMap(scales: Float64Array, weights: Float64Array): Map {
  return (q1, q2, c) => {
    const [k, slope] = mixtureSums(scales, weights, true, 0.25 * q1, 0.25 * q2, 0.25 * c);
    return [INV_2PI * k, 0.125 * INV_PI * slope];
  };
}

/** layerNorm divides Σ and Θ by √(eps + q1)·√(eps + q2), and the variances by the same expression. */
export function normScale(eps: number, q1: number, q2: number): number {
  return 1 / (Math.sqrt(eps + q1) * Math.sqrt(eps + q2));
}

export function activationMap(kind: number, leak: number, rule: MixtureRule): Map {
  switch (kind) {
    case 1: return abRelu(0);
    case 2: return abRelu(leak);
    case 3: return abRelu(-1);
    case 4: return erfMap;
    case 5: return tanhMap(rule.scales, rule.weights);
    case 6: return sigmoidMap(rule.scales, rule.weights);
    case 7: return geluMap;
    default: throw new RangeError(`infinite: activation id ${kind} has no kernel map`);
  }
}

/**
 * The program on whole matrices: every slot holds the n1 × n2 Σ (NNGP) and Θ (NTK) of a value; q1[v], q2[v]
 * hold the variances of every input at value v (pass 1, the program on the diagonal).
 */
export function infinite(
  program: Program, rule: MixtureRule, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, d: number,
): { nngp: Float64Array; ntk: Float64Array; finite: boolean } {
  const symmetric = x2 === null;
  const size = n1 * n2;
  const slotCount = Math.max(...program.slots) + 1;
  const sigma = Array.from({ length: slotCount }, () => new Float64Array(size));
  const theta = Array.from({ length: slotCount }, () => new Float64Array(size));
  const input = sigma[program.slots[0]];
  // When symmetric only the lower triangle is computed, and mirrored at the end.
  const rowEnd = (i: number) => (symmetric ? i + 1 : n2);
  if (symmetric) syrkLowerInto(x1, n1, d, input);
  else gemmInto(false, true, n1, n2, d, 1, dense(x1, d), dense(x2, d), 0, dense(input, n2));
  const squaredNorms = (x: Float64Array, rows: number) =>
    Float64Array.from({ length: rows }, (_, i) => {
      let s = 0;
      for (let p = 0; p < d; p++) s += x[i * d + p] * x[i * d + p];
      return s / d;
    });
  const q1 = [squaredNorms(x1, n1)];
  const q2 = x2 === null ? q1 : [squaredNorms(x2, n2)];
  // The diagonal takes q itself, so correlations of a point with itself are exactly 1.
  for (let i = 0; i < n1; i++) {
    for (let j = 0; j < rowEnd(i); j++) input[i * n2 + j] = symmetric && i === j ? q1[0][i] : input[i * n2 + j] / d;
  }
  for (const { op, a, b, out, attrs } of instructionsOf(program)) {
    const [sIn, tIn, sOut, tOut] = [sigma[program.slots[a]], theta[program.slots[a]], sigma[program.slots[out]], theta[program.slots[out]]];
    // Pass 1 for this value: each input's variance, as the op maps a self pair (q, q, q).
    const map = op === OP.activation ? activationMap(attrs[0], attrs[1], rule) : undefined;
    const variances = (q: Float64Array[]) => q[a].map((v, i) => {
      switch (op) {
        case OP.dense: return attrs[0] * v + attrs[1];
        case OP.activation: return map!(v, v, v)[0];
        case OP.layerNorm: return v * normScale(attrs[0], v, v);
        case OP.flatten: return v;
        case OP.sum: return v + q[b][i];
        default: throw unknownOp('infinite (vectors)', op);
      }
    });
    const qA1 = q1[a];
    const qA2 = q2[a];
    switch (op) {
      case OP.dense: {
        const [w2, b2, fanIn, hasBias, standard] = attrs;
        for (let i = 0; i < n1; i++) {
          for (let o = i * n2, end = o + rowEnd(i); o < end; o++) {
            const k = sIn[o];
            const next = w2 * k + b2;
            tOut[o] = (standard ? fanIn * k + hasBias : next) + w2 * tIn[o];
            sOut[o] = next;
          }
        }
        break;
      }
      case OP.activation: {
        for (let i = 0; i < n1; i++) {
          for (let j = 0; j < rowEnd(i); j++) {
            const o = i * n2 + j;
            const [k, slope] = map!(qA1[i], qA2[j], sIn[o]);
            tOut[o] = tIn[o] * slope;
            sOut[o] = k;
          }
        }
        break;
      }
      case OP.layerNorm: {
        const eps = attrs[0];
        for (let i = 0; i < n1; i++) {
          for (let j = 0; j < rowEnd(i); j++) {
            const o = i * n2 + j;
            const scale = normScale(eps, qA1[i], qA2[j]);
            sOut[o] = sIn[o] * scale;
            tOut[o] = tIn[o] * scale;
          }
        }
        break;
      }
      case OP.flatten: {
        // One position: the flattened vector has the same kernel.
        for (let i = 0; i < n1; i++) {
          for (let o = i * n2, end = o + rowEnd(i); o < end; o++) {
            sOut[o] = sIn[o];
            tOut[o] = tIn[o];
          }
        }
        break;
      }
      case OP.sum: {
        const [sB, tB] = [sigma[program.slots[b]], theta[program.slots[b]]];
        for (let i = 0; i < n1; i++) {
          for (let o = i * n2, end = o + rowEnd(i); o < end; o++) {
            sOut[o] = sIn[o] + sB[o];
            tOut[o] = tIn[o] + tB[o];
          }
        }
        break;
      }
      default:
        throw unknownOp('infinite (vectors)', op);
    }
    q1[out] = variances(q1);
    if (!symmetric) q2[out] = variances(q2);
  }
  const nngp = sigma[program.slots[program.output]];
  const ntk = theta[program.slots[program.output]];
  if (symmetric) {
    mirrorLower(nngp, n1);
    mirrorLower(ntk, n1);
  }
  return { nngp, ntk, finite: allFinite(nngp) && allFinite(ntk) };
}
