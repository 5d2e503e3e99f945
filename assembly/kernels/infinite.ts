// Infinite-width NNGP and NTK of a lowered model (src/stax/program.ts), by neural-tangents' layer rules per
// pair of inputs: Σ (the NNGP), Θ (the NTK), and each input's variance q at every value.
// dense ('ntk'):      Σ ← wStd²·Σ + bStd²,  Θ ← Σ′ + wStd²·Θ
// dense ('standard'): Σ ← wStd²·Σ + bStd²,  Θ ← fanIn·Σ + [bias] + wStd²·Θ
// activation φ:       Σ ← E[φ(u)φ(v)],  Θ ← Θ·E[φ′(u)φ′(v)],  (u, v) ~ N(0, [[q1, Σ], [Σ, q2]])
// layerNorm:          Σ, Θ ← Σ, Θ / (√(eps + q1)·√(eps + q2))
// sum (fanInSum):     Σ ← Σa + Σb,  Θ ← Θa + Θb
import { scratch } from "../heap";
import { gemm } from "../linalg/gemm";
import { mirrorLower, syrkLower } from "../linalg/syrk";
import { dot } from "../linalg/vector";
import { atanF64x2 } from "../math";
import { ABS, ERF, GELU, LEAKY_RELU, RELU, SIGMOID, TANH } from "../nn/activations";
import { OP_ACTIVATION, OP_DENSE, OP_FLATTEN, OP_LAYER_NORM, OP_SUM } from "../generated/layout";
import { attribute, field } from "../net/program";

const INV_PI: f64 = 0.3183098861837907;
const INV_2PI: f64 = 0.15915494309189535;

// Results of one activation map, returned through globals to keep the inner loop allocation-free.
export let mappedK: f64 = 0.0;
export let mappedSlope: f64 = 0.0;

// The scale-mixture rule for tanh and sigmoid (src/infinite/logistic.ts): squared scales and weights.
let mixtureScales: usize = 0;
let mixtureWeights: usize = 0;
let mixtureSize: i32 = 0;

/** Sets the scale-mixture rule the tanh and sigmoid maps sum over. */
export function useMixture(scales: usize, weights: usize, size: i32): void {
  mixtureScales = scales;
  mixtureWeights = weights;
  mixtureSize = size;
}

// The maps on f64x2 lanes, for the Gram-matrix sweep; the diagonals and the odd last column run them on
// one lane. Results land in these globals.
export let laneK: v128 = f64x2.splat(0.0);
export let laneSlope: v128 = f64x2.splat(0.0);

const SPLITTER: f64 = 134217729.0; // 2^27 + 1, Veltkamp's split of a double into two 26-bit halves
// The fraction of q1·q2 below which q1·q2 − c² is rounding (ROUNDING_BAND in src/backend/ts/infinite.ts).
const ROUNDING_BAND: f64 = 4.440892098500626e-16; // 2^-51

// The rounding error of the product a·b = p, exactly (Dekker's two-product; plain multiplies and adds, never
// fused, so the split stays exact on every build).
// @ts-ignore: decorator
@inline function productErrorF64x2(a: v128, b: v128, p: v128): v128 {
  const ta = f64x2.mul(f64x2.splat(SPLITTER), a);
  const aHigh = f64x2.sub(ta, f64x2.sub(ta, a));
  const aLow = f64x2.sub(a, aHigh);
  const tb = f64x2.mul(f64x2.splat(SPLITTER), b);
  const bHigh = f64x2.sub(tb, f64x2.sub(tb, b));
  const bLow = f64x2.sub(b, bHigh);
  let e = f64x2.sub(f64x2.mul(aHigh, bHigh), p);
  e = f64x2.add(e, f64x2.mul(aHigh, bLow));
  e = f64x2.add(e, f64x2.mul(aLow, bHigh));
  return f64x2.add(e, f64x2.mul(aLow, bLow));
}

// q1·q2 − c² without cancellation (both products as exact sums), never negative, and 0 within the rounding
// band of its inputs (a correlation of exactly ±1); as determinant() in src/backend/ts/infinite.ts. The exact
// products cost about twenty flops, so they are added only where the plain difference has cancelled by more
// than 1e4 (correlations within about 5e-5 of ±1); elsewhere its relative error is below 1e-12.
// @ts-ignore: decorator
@inline function determinantF64x2(q1: v128, q2: v128, c: v128): v128 {
  const p1 = f64x2.mul(q1, q2);
  const p2 = f64x2.mul(c, c);
  let difference = f64x2.sub(p1, p2);
  if (v128.any_true(f64x2.lt(difference, f64x2.mul(f64x2.splat(1e-4), p1)))) {
    difference = f64x2.add(difference, f64x2.sub(productErrorF64x2(q1, q2, p1), productErrorF64x2(c, c, p2)));
    difference = v128.andnot(difference, f64x2.le(difference, f64x2.mul(f64x2.splat(ROUNDING_BAND), p1)));
  }
  return f64x2.pmax(difference, f64x2.splat(0.0));
}

// t − atan(t) for t ≥ 0: its series where the difference cancels (t ≤ 0.1), else directly.
// @ts-ignore: decorator
@inline function tMinusAtanF64x2(t: v128, atanT: v128): v128 {
  const t2 = f64x2.mul(t, t);
  let series = f64x2.sub(f64x2.splat(1.0 / 13.0), f64x2.mul(t2, f64x2.splat(1.0 / 15.0)));
  series = f64x2.sub(f64x2.splat(1.0 / 11.0), f64x2.mul(t2, series));
  series = f64x2.sub(f64x2.splat(1.0 / 9.0), f64x2.mul(t2, series));
  series = f64x2.sub(f64x2.splat(1.0 / 7.0), f64x2.mul(t2, series));
  series = f64x2.sub(f64x2.splat(1.0 / 5.0), f64x2.mul(t2, series));
  series = f64x2.sub(f64x2.splat(1.0 / 3.0), f64x2.mul(t2, series));
  series = f64x2.mul(f64x2.mul(t, t2), series);
  return v128.bitselect(series, f64x2.sub(t, atanT), f64x2.le(t, f64x2.splat(0.1)));
}

// ABReLU (a·min(z, 0) + max(z, 0)); see abRelu in src/backend/ts/infinite.ts for the forms. α = atan(s/|c|),
// the angle to the nearest axis (π/2 where s = c = 0, as neural-tangents fills θ).
function abReluLanes(a: f64, q1: v128, q2: v128, c: v128): void {
  const zero = f64x2.splat(0.0);
  const factor = f64x2.splat((a - 1.0) * (a - 1.0) * INV_2PI);
  const s = f64x2.sqrt(determinantF64x2(q1, q2, c));
  const magnitude = f64x2.abs(c);
  const t = f64x2.div(s, magnitude);
  const bothZero = v128.and(f64x2.eq(s, zero), f64x2.eq(c, zero));
  const alpha = v128.bitselect(f64x2.splat(0.5 * Math.PI), atanF64x2(t), bothZero);
  const negative = f64x2.lt(c, zero);
  if (a < 0.0) {
    // ψ = atan2(c, s) = ±(π/2 − α), with atan(|c|/s) where α is near π/2 so that it does not cancel.
    const nearHalfPi = f64x2.gt(t, f64x2.splat(1.0));
    const psiMagnitude = v128.bitselect(atanF64x2(f64x2.div(magnitude, s)), f64x2.sub(f64x2.splat(0.5 * Math.PI), alpha), nearHalfPi);
    const psi = v128.bitselect(f64x2.neg(psiMagnitude), psiMagnitude, negative);
    laneSlope = f64x2.add(f64x2.splat((a + 1.0) * (a + 1.0) * 0.25), f64x2.mul(factor, psi));
    laneK = f64x2.add(f64x2.mul(factor, s), f64x2.mul(laneSlope, c));
    return;
  }
  const slopeNonNegative = f64x2.sub(f64x2.splat((a * a + 1.0) * 0.5), f64x2.mul(factor, alpha));
  const kNonNegative = f64x2.add(f64x2.mul(factor, s), f64x2.mul(slopeNonNegative, c));
  // After the first layer a ReLU-like kernel is non-negative, so most vectors end here.
  if (!v128.any_true(negative)) {
    laneSlope = slopeNonNegative;
    laneK = kNonNegative;
    return;
  }
  const splatA = f64x2.splat(a);
  // Where c < 0: s − α|c| = |c|·(t − atan t), by its series where it cancels (t ≤ 0.1, nearly opposite inputs).
  let gap = f64x2.sub(s, f64x2.mul(alpha, magnitude));
  if (v128.any_true(v128.and(negative, f64x2.le(t, f64x2.splat(0.1))))) {
    gap = v128.bitselect(f64x2.mul(magnitude, tMinusAtanF64x2(t, alpha)), gap, f64x2.le(t, f64x2.splat(0.1)));
  }
  laneSlope = v128.bitselect(f64x2.add(splatA, f64x2.mul(factor, alpha)), slopeNonNegative, negative);
  laneK = v128.bitselect(f64x2.add(f64x2.mul(factor, gap), f64x2.mul(splatA, c)), kNonNegative, negative);
}

// atan2(y, x) for x > 0.
// @ts-ignore: decorator
@inline function atan2PositiveF64x2(y: v128, x: v128): v128 {
  return atanF64x2(f64x2.div(y, x));
}

// Erf: K = (2/π)·atan2(2c, √D), K̇ = (4/π)/√D, D = 1 + 2q1 + 2q2 + 4(q1q2 − c²) (no cancellation).
function erfLanes(q1: v128, q2: v128, c: v128): void {
  const two = f64x2.splat(2.0);
  const d = f64x2.add(f64x2.add(f64x2.splat(1.0), f64x2.mul(two, f64x2.add(q1, q2))), f64x2.mul(f64x2.splat(4.0), determinantF64x2(q1, q2, c)));
  const root = f64x2.sqrt(d);
  laneK = f64x2.mul(f64x2.splat(2.0 * INV_PI), atan2PositiveF64x2(f64x2.mul(two, c), root));
  laneSlope = f64x2.div(f64x2.splat(4.0 * INV_PI), root);
}

// GELU, as geluMap in src/backend/ts/infinite.ts: Δ² = 1 + q1 + q2 + (q1q2 − c²); the angle atan2(Δ, −c)
// from one atan: atan(Δ/|c|) for c < 0 (small there, so not π/2 minus nearly π/2), else π/2 + atan(c/Δ);
// and, where c < 0 and Δ < |c|, K in the form that does not cancel.
function geluLanes(q1: v128, q2: v128, c: v128): void {
  const one = f64x2.splat(1.0);
  const prod = f64x2.mul(q1, q2);
  const sum = f64x2.add(q1, q2);
  const prodPlus1 = f64x2.mul(f64x2.add(q1, one), f64x2.add(q2, one));
  const deltaSquared = f64x2.add(f64x2.add(one, sum), determinantF64x2(q1, q2, c));
  const delta = f64x2.sqrt(deltaSquared);
  const negative = f64x2.lt(c, f64x2.splat(0.0));
  const magnitude = f64x2.abs(c);
  const ratio = v128.bitselect(f64x2.div(delta, magnitude), f64x2.div(c, delta), negative);
  const atanRatio = atanF64x2(ratio);
  const angle = v128.bitselect(atanRatio, f64x2.add(f64x2.splat(0.5 * Math.PI), atanRatio), negative);
  const inv2pi = f64x2.splat(INV_2PI);
  const denominator = f64x2.mul(prodPlus1, delta);
  const cc = f64x2.mul(c, c);
  const direct = f64x2.add(f64x2.div(f64x2.add(cc, f64x2.mul(prod, deltaSquared)), denominator), f64x2.mul(c, angle));
  const anticorrelated = f64x2.add(
    f64x2.div(f64x2.sub(cc, f64x2.mul(f64x2.add(one, sum), deltaSquared)), denominator),
    f64x2.mul(magnitude, tMinusAtanF64x2(ratio, atanRatio)),
  );
  laneK = f64x2.mul(v128.bitselect(anticorrelated, direct, v128.and(negative, f64x2.lt(delta, magnitude))), inv2pi);
  const bracket = f64x2.add(f64x2.div(one, deltaSquared), f64x2.div(f64x2.add(f64x2.splat(2.0), sum), prodPlus1));
  laneSlope = f64x2.add(f64x2.mul(angle, inv2pi), f64x2.mul(f64x2.mul(f64x2.div(c, delta), inv2pi), bracket));
}

// Sums over the scale-mixture rule (src/infinite/logistic.ts), as mixtureSums in src/backend/ts/infinite.ts:
// with D_ij = (q1q2 − c²) + s_i·q2 + s_j·(q1 + s_i), a sum of non-negative terms, laneK = Σ w_i w_j atan(c/√D_ij)
// and laneSlope = Σ w_i w_j /√D_ij. shifted (sigmoid): the terms are π/2 + atan(c/√D_ij), as atan(√D_ij/|c|)
// where c < 0, so that strongly anti-correlated inputs, whose kernel is tiny, do not cancel.
function mixtureLanes(q1: v128, q2: v128, c: v128, shifted: bool): void {
  const det = determinantF64x2(q1, q2, c);
  const reflect = shifted ? f64x2.lt(c, f64x2.splat(0.0)) : f64x2.splat(0.0);
  const offset = shifted ? v128.andnot(f64x2.splat(0.5 * Math.PI), reflect) : f64x2.splat(0.0);
  const inverseMagnitude = f64x2.div(f64x2.splat(1.0), f64x2.abs(c));
  let k = f64x2.splat(0.0);
  let slope = f64x2.splat(0.0);
  for (let i = 0; i < mixtureSize; i++) {
    const scaleI = f64x2.splat(load<f64>(mixtureScales + (<usize>i << 3)));
    const base = f64x2.add(det, f64x2.mul(scaleI, q2));
    const across = f64x2.add(q1, scaleI);
    let innerK = f64x2.splat(0.0);
    let innerSlope = f64x2.splat(0.0);
    // Two nodes per pass (the rule has an even size), so the two arctangents share their constants.
    for (let j = 0; j < mixtureSize; j += 2) {
      const at = (<usize>j << 3);
      const root0 = f64x2.sqrt(f64x2.add(base, f64x2.mul(f64x2.splat(load<f64>(mixtureScales + at)), across)));
      const root1 = f64x2.sqrt(f64x2.add(base, f64x2.mul(f64x2.splat(load<f64>(mixtureScales + at + 8)), across)));
      const inverseRoot0 = f64x2.div(f64x2.splat(1.0), root0);
      const inverseRoot1 = f64x2.div(f64x2.splat(1.0), root1);
      const ratio0 = v128.bitselect(f64x2.mul(root0, inverseMagnitude), f64x2.mul(c, inverseRoot0), reflect);
      const ratio1 = v128.bitselect(f64x2.mul(root1, inverseMagnitude), f64x2.mul(c, inverseRoot1), reflect);
      const weight0 = f64x2.splat(load<f64>(mixtureWeights + at));
      const weight1 = f64x2.splat(load<f64>(mixtureWeights + at + 8));
      innerK = f64x2.add(innerK, f64x2.add(f64x2.mul(weight0, f64x2.add(atanF64x2(ratio0), offset)), f64x2.mul(weight1, f64x2.add(atanF64x2(ratio1), offset))));
      innerSlope = f64x2.add(innerSlope, f64x2.add(f64x2.mul(weight0, inverseRoot0), f64x2.mul(weight1, inverseRoot1)));
    }
    const weightI = f64x2.splat(load<f64>(mixtureWeights + (<usize>i << 3)));
    k = f64x2.add(k, f64x2.mul(weightI, innerK));
    slope = f64x2.add(slope, f64x2.mul(weightI, innerSlope));
  }
  laneK = k;
  laneSlope = slope;
}

// tanh: K = (2/π)·Σ w_i w_j atan(c/√D_ij), K̇ = (2/π)·Σ w_i w_j /√D_ij.
function tanhLanes(q1: v128, q2: v128, c: v128): void {
  mixtureLanes(q1, q2, c, false);
  laneK = f64x2.mul(f64x2.splat(2.0 * INV_PI), laneK);
  laneSlope = f64x2.mul(f64x2.splat(2.0 * INV_PI), laneSlope);
}

// sigmoid(z) = (1 + tanh(z/2))/2 at a quarter of the covariances: K = (1 + K_tanh)/4 =
// (1/2π)·Σ w_i w_j (π/2 + atan(c/√D_ij)) (the weights sum to 1), K̇ = K̇_tanh/16.
function sigmoidLanes(q1: v128, q2: v128, c: v128): void {
  const quarter = f64x2.splat(0.25);
  mixtureLanes(f64x2.mul(quarter, q1), f64x2.mul(quarter, q2), f64x2.mul(quarter, c), true);
  laneK = f64x2.mul(f64x2.splat(INV_2PI), laneK);
  laneSlope = f64x2.mul(f64x2.splat(0.125 * INV_PI), laneSlope);
}

function mapLanes(kind: i32, leak: f64, q1: v128, q2: v128, c: v128): void {
  if (kind == RELU) abReluLanes(0.0, q1, q2, c);
  else if (kind == LEAKY_RELU) abReluLanes(leak, q1, q2, c);
  else if (kind == ABS) abReluLanes(-1.0, q1, q2, c);
  else if (kind == ERF) erfLanes(q1, q2, c);
  else if (kind == GELU) geluLanes(q1, q2, c);
  else if (kind == TANH) tanhLanes(q1, q2, c);
  else if (kind == SIGMOID) sigmoidLanes(q1, q2, c);
  else abort("unknown activation id");
}

// The maps on two entries, reading q1 (one value for both where q1Shared), q2 and c from memory.
export function mapLanesAt(kind: i32, leak: f64, q1: usize, q1Shared: bool, q2: usize, c: usize): void {
  mapLanes(kind, leak, q1Shared ? f64x2.splat(load<f64>(q1)) : v128.load(q1), v128.load(q2), v128.load(c));
}

// The same map on one lane, so that diagonals and sweep agree.
export function mapActivation(kind: i32, leak: f64, q1: f64, q2: f64, c: f64): void {
  mapLanes(kind, leak, f64x2.splat(q1), f64x2.splat(q2), f64x2.splat(c));
  mappedK = f64x2.extract_lane(laneK, 0);
  mappedSlope = f64x2.extract_lane(laneSlope, 0);
}

/**
 * The dense rules on `entries` entries (a whole number of vectors is written, so the arrays hold an even
 * count): Σ ← wStd²·Σ + bStd², Θ ← Σ′ + wStd²·Θ ('ntk') or fanIn·Σ + [bias] + wStd²·Θ ('standard').
 */
export function affineRule(attributes: usize, t: i32, entries: i32, sigmaIn: usize, thetaIn: usize, sigmaOut: usize, thetaOut: usize): void {
  const w2 = f64x2.splat(attribute(attributes, t, 0));
  const b2 = f64x2.splat(attribute(attributes, t, 1));
  const standard = attribute(attributes, t, 4) != 0.0;
  const fanIn = f64x2.splat(attribute(attributes, t, 2));
  const bias = f64x2.splat(attribute(attributes, t, 3));
  for (let e = 0; e < entries; e += 2) {
    const at = <usize>e << 3;
    const k = v128.load(sigmaIn + at);
    const next = f64x2.add(f64x2.mul(w2, k), b2);
    const base = standard ? f64x2.add(f64x2.mul(fanIn, k), bias) : next;
    v128.store(thetaOut + at, f64x2.add(base, f64x2.mul(w2, v128.load(thetaIn + at))));
    v128.store(sigmaOut + at, next);
  }
}

// layerNorm divides Σ and Θ by √(eps + q1)·√(eps + q2); the variances by the same expression at q1 = q2.
// @ts-ignore: decorator
@inline export function normScale(eps: f64, q1: f64, q2: f64): f64 {
  return 1.0 / (Math.sqrt(eps + q1) * Math.sqrt(eps + q2));
}

/**
 * Pass 1: the variance of every input at every value of the program (count instructions, see
 * src/core/opcodes.ts), as each op maps a self pair (q, q, q): table[v·n + i] for value v and input i.
 * scales/weights: the scale-mixture rule of tanh and sigmoid (ruleSize entries each).
 */
export function infiniteVariances(
  program: usize, attributes: usize, count: i32, scales: usize, weights: usize, ruleSize: i32,
  x: usize, n: i32, d: i32, table: usize,
): void {
  useMixture(scales, weights, ruleSize);
  for (let i = 0; i < n; i++) {
    const row = x + (<usize>i * <usize>d << 3);
    store<f64>(table + (<usize>i << 3), dot(row, row, d) / <f64>d);
  }
  for (let t = 0; t < count; t++) {
    const op = field(program, t, 0);
    const a = table + (<usize>field(program, t, 1) * <usize>n << 3);
    const b = table + (<usize>max(field(program, t, 2), 0) * <usize>n << 3);
    const out = table + (<usize>field(program, t, 3) * <usize>n << 3);
    const first = attribute(attributes, t, 0);
    const second = attribute(attributes, t, 1);
    for (let i = 0; i < n; i++) {
      const at = <usize>i << 3;
      const v = load<f64>(a + at);
      let next = 0.0;
      if (op == OP_DENSE) next = first * v + second;
      else if (op == OP_ACTIVATION) {
        mapActivation(<i32>first, second, v, v, v);
        next = mappedK;
      } else if (op == OP_LAYER_NORM) next = v * normScale(first, v, v);
      else if (op == OP_FLATTEN) next = v;
      else if (op == OP_SUM) next = v + load<f64>(b + at);
      else abort("unknown opcode");
      store<f64>(out + at, next);
    }
  }
}

/**
 * Pass 2: rows [r0, r1) of the NNGP and NTK (n1 × n2; x2 = 0 means x1 with itself: the lower triangle, then
 * mirrored), so threads can share one pair of matrices. Each row runs the whole program on row vectors,
 * one Σ row and one Θ row per storage slot (slots: the slot of every value; slotCount of them, in scratch).
 * table1/table2: the variances of pass 1. rowFinite[i]: 0 when row i of both results is finite.
 */
export function infiniteRows(
  program: usize, attributes: usize, count: i32, slots: usize, slotCount: i32, output: i32,
  scales: usize, weights: usize, ruleSize: i32, x1: usize, n1: i32, x2: usize, n2: i32, d: i32,
  table1: usize, table2: usize, nngp: usize, ntk: usize, r0: i32, r1: i32, rowFinite: usize,
): void {
  useMixture(scales, weights, ruleSize);
  const symmetric = x2 == 0;
  const columnTable = symmetric ? table1 : table2;
  // x·x′ into nngp (lower triangle only when symmetric), read back as each row's input.
  if (symmetric) syrkLower(n1, d, x1, nngp, r0, r1);
  else gemm(0, 1, r1 - r0, n2, d, 1.0, x1 + (<usize>r0 * <usize>d << 3), d, x2, d, 0.0, nngp + (<usize>r0 * <usize>n2 << 3), n2);
  // An even number of doubles per row, so whole vectors may run one entry past the end of a row.
  const rowBytes = <usize>((n2 + 1) & ~1) << 3;
  const rows = scratch(<usize>slotCount * 2 * rowBytes);
  for (let i = r0; i < r1; i++) {
    const end = symmetric ? i + 1 : n2;
    // Lanes stop before the diagonal, which takes the scalar path as the variances did.
    const laneEnd = symmetric ? i : n2;
    const inputSigma = rows + <usize>load<i32>(slots) * 2 * rowBytes;
    const rowOffset = <usize>i * <usize>n2 << 3;
    for (let j = 0; j < end; j++) {
      const at = <usize>j << 3;
      store<f64>(inputSigma + at, symmetric && j == i ? load<f64>(table1 + (<usize>i << 3)) : load<f64>(nngp + rowOffset + at) / <f64>d);
      store<f64>(inputSigma + rowBytes + at, 0.0);
    }
    for (let t = 0; t < count; t++) {
      const op = field(program, t, 0);
      const a = field(program, t, 1);
      const sigmaA = rows + <usize>load<i32>(slots + (<usize>a << 2)) * 2 * rowBytes;
      const thetaA = sigmaA + rowBytes;
      const sigmaOut = rows + <usize>load<i32>(slots + (<usize>field(program, t, 3) << 2)) * 2 * rowBytes;
      const thetaOut = sigmaOut + rowBytes;
      const first = attribute(attributes, t, 0);
      const second = attribute(attributes, t, 1);
      const q1 = load<f64>(table1 + ((<usize>a * <usize>n1 + <usize>i) << 3));
      const q2Row = columnTable + (<usize>a * <usize>n2 << 3);
      let j = 0;
      if (op == OP_DENSE) {
        affineRule(attributes, t, end, sigmaA, thetaA, sigmaOut, thetaOut);
      } else if (op == OP_ACTIVATION) {
        const kind = <i32>first;
        const q1v = f64x2.splat(q1);
        for (; j + 2 <= laneEnd; j += 2) {
          const at = <usize>j << 3;
          mapLanes(kind, second, q1v, v128.load(q2Row + at), v128.load(sigmaA + at));
          v128.store(thetaOut + at, f64x2.mul(v128.load(thetaA + at), laneSlope));
          v128.store(sigmaOut + at, laneK);
        }
        for (; j < end; j++) {
          const at = <usize>j << 3;
          mapActivation(kind, second, q1, load<f64>(q2Row + at), load<f64>(sigmaA + at));
          store<f64>(thetaOut + at, load<f64>(thetaA + at) * mappedSlope);
          store<f64>(sigmaOut + at, mappedK);
        }
      } else if (op == OP_LAYER_NORM) {
        for (; j < end; j++) {
          const at = <usize>j << 3;
          const scale = normScale(first, q1, load<f64>(q2Row + at));
          store<f64>(sigmaOut + at, load<f64>(sigmaA + at) * scale);
          store<f64>(thetaOut + at, load<f64>(thetaA + at) * scale);
        }
      } else if (op == OP_FLATTEN) {
        // One position: the flattened vector has the same kernel.
        memory.copy(sigmaOut, sigmaA, <usize>end << 3);
        memory.copy(thetaOut, thetaA, <usize>end << 3);
      } else if (op == OP_SUM) {
        const sigmaB = rows + <usize>load<i32>(slots + (<usize>field(program, t, 2) << 2)) * 2 * rowBytes;
        const thetaB = sigmaB + rowBytes;
        for (; j < end; j += 2) {
          const at = <usize>j << 3;
          v128.store(sigmaOut + at, f64x2.add(v128.load(sigmaA + at), v128.load(sigmaB + at)));
          v128.store(thetaOut + at, f64x2.add(v128.load(thetaA + at), v128.load(thetaB + at)));
        }
      } else {
        abort("unknown opcode");
      }
    }
    // The output row, and x − x summed over it: 0 when every entry is finite, NaN otherwise.
    const sigmaResult = rows + <usize>load<i32>(slots + (<usize>output << 2)) * 2 * rowBytes;
    let finite = 0.0;
    for (let j = 0; j < end; j++) {
      const at = <usize>j << 3;
      const sigma = load<f64>(sigmaResult + at);
      const theta = load<f64>(sigmaResult + rowBytes + at);
      store<f64>(nngp + rowOffset + at, sigma);
      store<f64>(ntk + rowOffset + at, theta);
      finite += (sigma - sigma) + (theta - theta);
    }
    store<f64>(rowFinite + (<usize>i << 3), finite);
  }
  if (symmetric) {
    mirrorLower(n1, nngp, r0, r1);
    mirrorLower(n1, ntk, r0, r1);
  }
}
