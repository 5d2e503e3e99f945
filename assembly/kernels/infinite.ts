// Infinite-width NNGP and NTK of [Dense → φ] × depth → Dense, by neural-tangents' layer recursion on
// whole Gram matrices. Per entry: Σ (the pre-activation covariance), Θ (the NTK), and the diagonals q1, q2.
// Dense ('ntk'):      Σ ← wStd²·K + bStd²,  Θ ← Σ + wStd²·Θ̃
// Dense ('standard'): Σ ← wStd²·K + bStd²,  Θ ← fanIn·K + [bias] + wStd²·Θ̃
// φ:                  K ← E[φ(u)φ(v)],  Θ̃ ← Θ·E[φ′(u)φ′(v)],  (u, v) ~ N(0, [[q1, Σ], [Σ, q2]])
import { scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { mirrorLower, syrkLower } from "../linalg/syrk";
import { dot } from "../linalg/vector";
import { atanF64x2 } from "../math";
import { ABS, ERF, GELU, IDENTITY, LEAKY_RELU, RELU, activate, derivative } from "../nn/activations";

const INV_PI: f64 = 0.3183098861837907;
const INV_2PI: f64 = 0.15915494309189535;

// Results of one activation map, returned through globals to keep the inner loop allocation-free.
let mappedK: f64 = 0.0;
let mappedSlope: f64 = 0.0;

// Quadrature rules (Gauss–Hermite, weight e^{−t²}) for activations without a closed form.
let nodes: usize = 0;
let weights: usize = 0;

// ABReLU: a·min(z, 0) + b·max(z, 0) (ReLU a = 0, leaky ReLU a = leak, abs a = −1; b = 1).
function abRelu(a: f64, q1: f64, q2: f64, c: f64): void {
  const s = Math.sqrt(Math.max(q1 * q2 - c * c, 0.0));
  const angle = Math.atan2(s, c);
  const factor = (a - 1.0) * (a - 1.0) * INV_2PI;
  const slope = (a * a + 1.0) * 0.5 - factor * angle;
  mappedK = factor * s + slope * c;
  mappedSlope = slope;
}

function erfMap(q1: f64, q2: f64, c: f64): void {
  const p = (1.0 + 2.0 * q1) * (1.0 + 2.0 * q2);
  const ratio = Math.min(Math.max(2.0 * c / Math.sqrt(p), -1.0), 1.0);
  mappedK = 2.0 * INV_PI * Math.asin(ratio);
  mappedSlope = 4.0 * INV_PI / Math.sqrt(Math.max(p - 4.0 * c * c, 1e-300));
}

function geluMap(q1: f64, q2: f64, c: f64): void {
  const prod = q1 * q2;
  const prodPlus1 = (q1 + 1.0) * (q2 + 1.0);
  const deltaSquared = Math.max(prodPlus1 - c * c, 1e-300);
  const delta = Math.sqrt(deltaSquared);
  const angle = Math.atan2(c, delta);
  mappedK = ((c * c + prod * deltaSquared) / (prodPlus1 * delta) + c * angle) * INV_2PI + 0.25 * c;
  mappedSlope = 0.25 + angle * INV_2PI + (c / delta) * INV_2PI * (1.0 / deltaSquared + (1.0 - prod) / prodPlus1 + 1.0);
}

// Rule sizes, as RULE_SIZES in src/infinite/quadrature.ts; the rules are concatenated in this order.
const RULE_COUNT: i32 = 4;
// @ts-ignore: decorator
@inline function ruleSize(r: i32): i32 {
  return 64 << r;
}

// E[φ(u)φ(v)] and E[φ′(u)φ′(v)] by a tensor-product Gauss–Hermite rule:
// u = √(2q1)·t_i, v = √(2q2)·(ρ·t_i + √(1 − ρ²)·t_j). A larger variance makes φ(u) steeper in t, so
// the rule grows with it: the smallest with m ≥ 64·max(q1, q2) (errors near 1e-15 up to q ≈ 4, 1e-9 up to q ≈ 16).
function quadratureMap(kind: i32, leak: f64, q1: f64, q2: f64, c: f64): void {
  let r = 0;
  let offset = 0;
  while (r + 1 < RULE_COUNT && <f64>ruleSize(r) < 64.0 * Math.max(q1, q2)) {
    offset += ruleSize(r);
    r++;
  }
  const count = ruleSize(r);
  const ruleNodes = nodes + (<usize>offset << 3);
  const ruleWeights = weights + (<usize>offset << 3);
  const r1 = Math.sqrt(2.0 * q1);
  const r2 = Math.sqrt(2.0 * q2);
  const rho = q1 > 0.0 && q2 > 0.0 ? Math.min(Math.max(c / Math.sqrt(q1 * q2), -1.0), 1.0) : 0.0;
  const orth = Math.sqrt(Math.max(1.0 - rho * rho, 0.0));
  let k = 0.0;
  let slope = 0.0;
  for (let i = 0; i < count; i++) {
    const ti = load<f64>(ruleNodes + (<usize>i << 3));
    const wi = load<f64>(ruleWeights + (<usize>i << 3));
    const u = r1 * ti;
    const fu = activate(kind, u, leak);
    const du = derivative(kind, u, leak);
    let innerK = 0.0;
    let innerSlope = 0.0;
    for (let j = 0; j < count; j++) {
      const wj = load<f64>(ruleWeights + (<usize>j << 3));
      const v = r2 * (rho * ti + orth * load<f64>(ruleNodes + (<usize>j << 3)));
      innerK += wj * activate(kind, v, leak);
      innerSlope += wj * derivative(kind, v, leak);
    }
    k += wi * fu * innerK;
    slope += wi * du * innerSlope;
  }
  mappedK = k * INV_PI;
  mappedSlope = slope * INV_PI;
}

// The closed forms again on f64x2 lanes, for the Gram-matrix sweep (the scalar versions above map the
// diagonals and the odd last column). Results land in these globals.
let laneK: v128 = f64x2.splat(0.0);
let laneSlope: v128 = f64x2.splat(0.0);

// atan2(s, c) for s ≥ 0, in [0, π]; π/2 where s = c = 0, as neural-tangents fills it.
// @ts-ignore: decorator
@inline function angleF64x2(s: v128, c: v128): v128 {
  const a = atanF64x2(f64x2.div(s, f64x2.abs(c)));
  const angle = v128.bitselect(f64x2.sub(f64x2.splat(Math.PI), a), a, f64x2.lt(c, f64x2.splat(0.0)));
  const bothZero = v128.and(f64x2.eq(s, f64x2.splat(0.0)), f64x2.eq(c, f64x2.splat(0.0)));
  return v128.bitselect(f64x2.splat(0.5 * Math.PI), angle, bothZero);
}

function abReluLanes(a: f64, q1: v128, q2: v128, c: v128): void {
  const s = f64x2.sqrt(f64x2.pmax(f64x2.sub(f64x2.mul(q1, q2), f64x2.mul(c, c)), f64x2.splat(0.0)));
  const factor = (a - 1.0) * (a - 1.0) * INV_2PI;
  const slope = f64x2.sub(f64x2.splat((a * a + 1.0) * 0.5), f64x2.mul(f64x2.splat(factor), angleF64x2(s, c)));
  laneK = f64x2.add(f64x2.mul(f64x2.splat(factor), s), f64x2.mul(slope, c));
  laneSlope = slope;
}

function erfLanes(q1: v128, q2: v128, c: v128): void {
  const one = f64x2.splat(1.0);
  const two = f64x2.splat(2.0);
  const p = f64x2.mul(f64x2.add(one, f64x2.mul(two, q1)), f64x2.add(one, f64x2.mul(two, q2)));
  const ratio = f64x2.pmin(f64x2.pmax(f64x2.div(f64x2.mul(two, c), f64x2.sqrt(p)), f64x2.splat(-1.0)), one);
  // asin(r) = atan(r/√(1 − r²)); r = ±1 gives ±∞ and so ±π/2.
  const asin = atanF64x2(f64x2.div(ratio, f64x2.sqrt(f64x2.sub(one, f64x2.mul(ratio, ratio)))));
  laneK = f64x2.mul(f64x2.splat(2.0 * INV_PI), asin);
  laneSlope = f64x2.div(f64x2.splat(4.0 * INV_PI), f64x2.sqrt(f64x2.pmax(f64x2.sub(p, f64x2.mul(f64x2.splat(4.0), f64x2.mul(c, c))), f64x2.splat(1e-300))));
}

function geluLanes(q1: v128, q2: v128, c: v128): void {
  const one = f64x2.splat(1.0);
  const prod = f64x2.mul(q1, q2);
  const prodPlus1 = f64x2.mul(f64x2.add(q1, one), f64x2.add(q2, one));
  const deltaSquared = f64x2.pmax(f64x2.sub(prodPlus1, f64x2.mul(c, c)), f64x2.splat(1e-300));
  const delta = f64x2.sqrt(deltaSquared);
  const angle = atanF64x2(f64x2.div(c, delta));
  const inv2pi = f64x2.splat(INV_2PI);
  const first = f64x2.div(f64x2.add(f64x2.mul(c, c), f64x2.mul(prod, deltaSquared)), f64x2.mul(prodPlus1, delta));
  laneK = f64x2.add(f64x2.mul(f64x2.add(first, f64x2.mul(c, angle)), inv2pi), f64x2.mul(f64x2.splat(0.25), c));
  const bracket = f64x2.add(f64x2.add(f64x2.div(one, deltaSquared), f64x2.div(f64x2.sub(one, prod), prodPlus1)), one);
  laneSlope = f64x2.add(f64x2.add(f64x2.splat(0.25), f64x2.mul(angle, inv2pi)), f64x2.mul(f64x2.mul(f64x2.div(c, delta), inv2pi), bracket));
}

// @ts-ignore: decorator
@inline function hasLanes(kind: i32): bool {
  return kind == RELU || kind == LEAKY_RELU || kind == ABS || kind == ERF || kind == GELU || kind == IDENTITY;
}

function mapLanes(kind: i32, leak: f64, q1: v128, q2: v128, c: v128): void {
  if (kind == RELU) abReluLanes(0.0, q1, q2, c);
  else if (kind == LEAKY_RELU) abReluLanes(leak, q1, q2, c);
  else if (kind == ABS) abReluLanes(-1.0, q1, q2, c);
  else if (kind == ERF) erfLanes(q1, q2, c);
  else if (kind == GELU) geluLanes(q1, q2, c);
  else {
    laneK = c;
    laneSlope = f64x2.splat(1.0);
  }
}

let forceQuadrature = false;

function mapActivation(kind: i32, leak: f64, q1: f64, q2: f64, c: f64): void {
  if (forceQuadrature) quadratureMap(kind, leak, q1, q2, c);
  else if (kind == RELU) abRelu(0.0, q1, q2, c);
  else if (kind == LEAKY_RELU) abRelu(leak, q1, q2, c);
  else if (kind == ABS) abRelu(-1.0, q1, q2, c);
  else if (kind == ERF) erfMap(q1, q2, c);
  else if (kind == IDENTITY) {
    mappedK = c;
    mappedSlope = 1.0;
  } else if (kind == GELU) geluMap(q1, q2, c);
  else quadratureMap(kind, leak, q1, q2, c);
}

/**
 * Rows [r0, r1) of the NNGP and NTK, so threads can share one pair of matrices (each call recomputes the
 * O(n) diagonals it needs). kind: activation id; standard: 0 'ntk', 1 'standard' (fanIns: depth + 1 f64, the fan-in of every
 * Dense); x2 = 0 means x2 is x1. Writes the NNGP and NTK (n1 × n2). quadNodes/quadWeights: the concatenated
 * rules, used for every activation when quadrature = 1 (to check them against closed forms).
 */
export function infiniteMlp(
  depth: i32, kind: i32, leak: f64, wStd: f64, bStd: f64, hasBias: i32, standard: i32, fanIns: usize,
  x1: usize, n1: i32, x2: usize, n2: i32, d: i32, quadNodes: usize, quadWeights: usize, quadrature: i32,
  nngp: usize, ntk: usize, r0: i32, r1: i32,
): void {
  forceQuadrature = quadrature != 0;
  nodes = quadNodes;
  weights = quadWeights;
  const symmetric = x2 == 0;
  const second = symmetric ? x1 : x2;
  // x·x′ into nngp (lower triangle only when symmetric); layer 1 scales it to K⁰ = x·x′/d as it reads it.
  if (symmetric) syrkLower(n1, d, x1, nngp, r0, r1);
  else gemm(0, 1, r1 - r0, n2, d, 1.0, x1 + (<usize>r0 * <usize>d << 3), d, x2, d, 0.0, nngp + (<usize>r0 * <usize>n2 << 3), n2);
  const q1 = scratch(<usize>n1 << 3);
  const q2 = symmetric ? q1 : scratch(<usize>n2 << 3);
  for (let i = 0; i < n1; i++) store<f64>(q1 + (<usize>i << 3), dot(x1 + (<usize>(i * d) << 3), x1 + (<usize>(i * d) << 3), d) / <f64>d);
  if (!symmetric) {
    for (let j = 0; j < n2; j++) store<f64>(q2 + (<usize>j << 3), dot(second + (<usize>(j * d) << 3), second + (<usize>(j * d) << 3), d) / <f64>d);
  }
  const w2 = wStd * wStd;
  const b2 = hasBias ? bStd * bStd : 0.0;
  const biasGradient = hasBias ? 1.0 : 0.0;
  const w2v = f64x2.splat(w2);
  const b2v = f64x2.splat(b2);
  const biasV = f64x2.splat(biasGradient);
  // Layer l (1-based) reads K (in nngp) and Θ̃ (in ntk; nothing before layer 1) and leaves the next K and
  // Θ̃ there; the last Dense (l = depth + 1) leaves the NNGP and the NTK.
  for (let l = 1; l <= depth + 1; l++) {
    const fanIn = load<f64>(fanIns + (<usize>(l - 1) << 3));
    const first = l == 1;
    const lastLayer = l == depth + 1;
    const inputScale = first ? 1.0 / <f64>d : 1.0;
    const inputScaleV = f64x2.splat(inputScale);
    const fanInV = f64x2.splat(fanIn);
    const lanes = lastLayer || (!forceQuadrature && hasLanes(kind));
    for (let i = r0; i < r1; i++) {
      const q1i = w2 * load<f64>(q1 + (<usize>i << 3)) + b2;
      const q1v = f64x2.splat(q1i);
      // When symmetric the diagonal goes through the scalar code below, exactly as the q diagonals do,
      // so a point's correlation with itself stays exactly 1.
      const laneEnd = lanes ? (symmetric ? i : n2) : 0;
      let j = 0;
      for (; j + 2 <= laneEnd; j += 2) {
        const o = (<usize>i * <usize>n2 + <usize>j) << 3;
        const k = f64x2.mul(v128.load(nngp + o), inputScaleV);
        const sigma = f64x2.add(f64x2.mul(w2v, k), b2v);
        const base = standard ? f64x2.add(f64x2.mul(fanInV, k), biasV) : sigma;
        const theta = first ? base : f64x2.add(base, f64x2.mul(w2v, v128.load(ntk + o)));
        if (lastLayer) {
          v128.store(nngp + o, sigma);
          v128.store(ntk + o, theta);
        } else {
          mapLanes(kind, leak, q1v, f64x2.add(f64x2.mul(w2v, v128.load(q2 + (<usize>j << 3))), b2v), sigma);
          v128.store(nngp + o, laneK);
          v128.store(ntk + o, f64x2.mul(theta, laneSlope));
        }
      }
      const last = symmetric ? i + 1 : n2;
      for (; j < last; j++) {
        const o = (<usize>i * <usize>n2 + <usize>j) << 3;
        const k = first && symmetric && i == j ? load<f64>(q1 + (<usize>i << 3)) : load<f64>(nngp + o) * inputScale;
        const sigma = w2 * k + b2;
        const theta = (standard ? fanIn * k + biasGradient : sigma) + (first ? 0.0 : w2 * load<f64>(ntk + o));
        if (lastLayer) {
          store<f64>(nngp + o, sigma);
          store<f64>(ntk + o, theta);
        } else {
          mapActivation(kind, leak, q1i, w2 * load<f64>(q2 + (<usize>j << 3)) + b2, sigma);
          store<f64>(nngp + o, mappedK);
          store<f64>(ntk + o, theta * mappedSlope);
        }
      }
    }
    if (lastLayer) break;
    // The diagonals go through the same Dense and φ (after the matrix, which read the old ones).
    for (let i = 0; i < n1; i++) {
      const q = w2 * load<f64>(q1 + (<usize>i << 3)) + b2;
      mapActivation(kind, leak, q, q, q);
      store<f64>(q1 + (<usize>i << 3), mappedK);
    }
    if (!symmetric) {
      for (let j = 0; j < n2; j++) {
        const q = w2 * load<f64>(q2 + (<usize>j << 3)) + b2;
        mapActivation(kind, leak, q, q, q);
        store<f64>(q2 + (<usize>j << 3), mappedK);
      }
    }
  }
  if (symmetric) {
    mirrorLower(n1, nngp, r0, r1);
    mirrorLower(n1, ntk, r0, r1);
  }
}
