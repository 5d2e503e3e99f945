// Reference version of assembly/kernels/infinite.ts: the same recursion and maps.
import { RULE_SIZES } from '../../infinite/quadrature.js';
import { activate, derivative } from '../../nn/activations.js';
import type { InfiniteMlpSpec } from '../types.js';
import { dense, gemmInto } from './gemm.js';
import { mirrorLower, syrkLowerInto } from './linalg.js';

const INV_PI = 0.3183098861837907;
const INV_2PI = 0.15915494309189535;

type Map = (q1: number, q2: number, c: number) => [k: number, slope: number];

function abRelu(a: number): Map {
  const factor = (a - 1) * (a - 1) * INV_2PI;
  return (q1, q2, c) => {
    const s = Math.sqrt(Math.max(q1 * q2 - c * c, 0));
    const slope = (a * a + 1) * 0.5 - factor * Math.atan2(s, c);
    return [factor * s + slope * c, slope];
  };
}

const erfMap: Map = (q1, q2, c) => {
  const p = (1 + 2 * q1) * (1 + 2 * q2);
  const ratio = Math.min(Math.max((2 * c) / Math.sqrt(p), -1), 1);
  return [2 * INV_PI * Math.asin(ratio), (4 * INV_PI) / Math.sqrt(Math.max(p - 4 * c * c, 1e-300))];
};

const geluMap: Map = (q1, q2, c) => {
  const prod = q1 * q2;
  const prodPlus1 = (q1 + 1) * (q2 + 1);
  const deltaSquared = Math.max(prodPlus1 - c * c, 1e-300);
  const delta = Math.sqrt(deltaSquared);
  const angle = Math.atan2(c, delta);
  return [
    ((c * c + prod * deltaSquared) / (prodPlus1 * delta) + c * angle) * INV_2PI + 0.25 * c,
    0.25 + angle * INV_2PI + (c / delta) * INV_2PI * (1 / deltaSquared + (1 - prod) / prodPlus1 + 1),
  ];
};

function quadratureMap(kind: number, leak: number, allNodes: Float64Array, allWeights: Float64Array): Map {
  return (q1, q2, c) => {
    // The smallest rule with m ≥ 64·max(q1, q2), as in assembly/kernels/infinite.ts.
    let r = 0;
    let offset = 0;
    while (r + 1 < RULE_SIZES.length && RULE_SIZES[r] < 64 * Math.max(q1, q2)) offset += RULE_SIZES[r++];
    const nodes = allNodes.subarray(offset, offset + RULE_SIZES[r]);
    const weights = allWeights.subarray(offset, offset + RULE_SIZES[r]);
    const r1 = Math.sqrt(2 * q1);
    const r2 = Math.sqrt(2 * q2);
    const rho = q1 > 0 && q2 > 0 ? Math.min(Math.max(c / Math.sqrt(q1 * q2), -1), 1) : 0;
    const orth = Math.sqrt(Math.max(1 - rho * rho, 0));
    let k = 0;
    let slope = 0;
    for (let i = 0; i < nodes.length; i++) {
      const u = r1 * nodes[i];
      let innerK = 0;
      let innerSlope = 0;
      for (let j = 0; j < nodes.length; j++) {
        const v = r2 * (rho * nodes[i] + orth * nodes[j]);
        innerK += weights[j] * activate(kind, v, leak);
        innerSlope += weights[j] * derivative(kind, v, leak);
      }
      k += weights[i] * activate(kind, u, leak) * innerK;
      slope += weights[i] * derivative(kind, u, leak) * innerSlope;
    }
    return [k * INV_PI, slope * INV_PI];
  };
}

function activationMap(spec: InfiniteMlpSpec): Map {
  if (spec.quadrature) return quadratureMap(spec.activation, spec.leak, spec.nodes, spec.weights);
  switch (spec.activation) {
    case 0: return (_q1, _q2, c) => [c, 1];
    case 1: return abRelu(0);
    case 2: return abRelu(spec.leak);
    case 3: return abRelu(-1);
    case 4: return erfMap;
    case 7: return geluMap;
    default: return quadratureMap(spec.activation, spec.leak, spec.nodes, spec.weights);
  }
}

export function infiniteMlp(
  spec: InfiniteMlpSpec, x1: Float64Array, n1: number, x2: Float64Array | null, n2: number, d: number,
): { nngp: Float64Array; ntk: Float64Array } {
  const symmetric = x2 === null;
  const nngp = new Float64Array(n1 * n2);
  const ntk = new Float64Array(n1 * n2);
  if (symmetric) syrkLowerInto(x1, n1, d, nngp);
  else gemmInto(false, true, n1, n2, d, 1 / d, dense(x1, d), dense(x2, d), 0, dense(nngp, n2));
  const squaredNorms = (x: Float64Array, rows: number) =>
    Float64Array.from({ length: rows }, (_, i) => {
      let s = 0;
      for (let p = 0; p < d; p++) s += x[i * d + p] * x[i * d + p];
      return s / d;
    });
  const q1 = squaredNorms(x1, n1);
  const q2 = x2 === null ? q1 : squaredNorms(x2, n2);
  if (symmetric) {
    // The diagonal takes q itself, so correlations of a point with itself are exactly 1.
    for (let i = 0; i < n1; i++) for (let j = 0; j <= i; j++) nngp[i * n2 + j] = i === j ? q1[i] : nngp[i * n2 + j] / d;
  }
  const map = activationMap(spec);
  const w2 = spec.wStd * spec.wStd;
  const b2 = spec.hasBias ? spec.bStd * spec.bStd : 0;
  const biasGradient = spec.hasBias ? 1 : 0;
  for (let l = 1; l <= spec.depth + 1; l++) {
    const fanIn = spec.fanIns[l - 1];
    const lastLayer = l === spec.depth + 1;
    for (let i = 0; i < n1; i++) {
      const q1i = w2 * q1[i] + b2;
      for (let j = 0, last = symmetric ? i + 1 : n2; j < last; j++) {
        const o = i * n2 + j;
        const k = nngp[o];
        const sigma = w2 * k + b2;
        const theta = (spec.standard ? fanIn * k + biasGradient : sigma) + w2 * ntk[o];
        if (lastLayer) {
          nngp[o] = sigma;
          ntk[o] = theta;
        } else {
          const [mapped, slope] = map(q1i, w2 * q2[j] + b2, sigma);
          nngp[o] = mapped;
          ntk[o] = theta * slope;
        }
      }
    }
    if (lastLayer) break;
    for (const q of x2 === null ? [q1] : [q1, q2]) {
      for (let i = 0; i < q.length; i++) {
        const pre = w2 * q[i] + b2;
        q[i] = map(pre, pre, pre)[0];
      }
    }
  }
  if (symmetric) {
    mirrorLower(nngp, n1);
    mirrorLower(ntk, n1);
  }
  return { nngp, ntk };
}
